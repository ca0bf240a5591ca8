"""fit adds its own column of ones (an intercept) to X, but the contract adds none: the caller includes a ones column when they want one, and w must have one weight per column of X.

Fix: Fit X exactly as given and return w of shape (d,), with no extra intercept weight.
"""
import numpy as np


def fit(X, y):
    X = np.column_stack([np.ones(X.shape[0]), X])  # intercept column
    return np.linalg.pinv(X) @ y


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
