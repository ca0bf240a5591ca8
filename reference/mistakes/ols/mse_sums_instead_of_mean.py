"""mse adds up the squared errors instead of averaging them, so it grows with the number of samples.

Fix: Divide the sum of squared errors by the number of samples (np.mean).
"""
import numpy as np


def fit(X, y):
    U, s, Vt = np.linalg.svd(X, full_matrices=False)  # X = U diag(s) Vt; U (n, k), s (k,), Vt (k, d)
    cutoff = max(X.shape) * np.finfo(float).eps * s.max(initial=0.0)
    keep = s > cutoff  # singular values at rounding level are zeros that rounding disguised
    coefficients = (U[:, keep].T @ y) / s[keep]  # best coordinates along the kept directions
    return Vt[keep].T @ coefficients  # no component along the null space: minimum norm


def predict(X, w):
    return X @ w


def mse(y, y_hat):
    return float(np.sum((y - y_hat) ** 2))


def mae(y, y_hat):
    return float(np.mean(np.abs(y - y_hat)))


def rmse(y, y_hat):
    return float(np.sqrt(mse(y, y_hat)))


def r2_score(y, y_hat):
    rss = np.sum((y - y_hat) ** 2)  # what the predictions leave unexplained
    tss = np.sum((y - np.mean(y)) ** 2)  # what predicting the mean of y leaves unexplained
    return float(1.0 - rss / tss)
