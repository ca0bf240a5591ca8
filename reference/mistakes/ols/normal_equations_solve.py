"""Solving the normal equations X.T @ X @ w = X.T @ y with np.linalg.solve assumes X.T @ X is invertible, which it is not for duplicate or collinear columns or when there are more features than samples.

Fix: Return the minimum-norm least-squares solution, e.g. with np.linalg.lstsq(X, y, rcond=None) or an SVD that drops the zero singular values; solve() only works for full column rank.
"""
import numpy as np


def fit(X, y):
    return np.linalg.solve(X.T @ X, X.T @ y)  # X.T X w = X.T y


def predict(X, w):
    return X @ w


def mse(y, y_hat):
    return float(np.mean((y - y_hat) ** 2))


def mae(y, y_hat):
    return float(np.mean(np.abs(y - y_hat)))


def rmse(y, y_hat):
    return float(np.sqrt(mse(y, y_hat)))


def r2_score(y, y_hat):
    rss = np.sum((y - y_hat) ** 2)  # what the predictions leave unexplained
    tss = np.sum((y - np.mean(y)) ** 2)  # what predicting the mean of y leaves unexplained
    return float(1.0 - rss / tss)
