"""r2_score divides the mean squared error by the sample variance with ddof=1 (the pandas default), which mixes an average over n with one over n - 1.

Fix: Use the same normalisation in both: 1 - RSS/TSS, or 1 - mse / np.var(y) with the default ddof=0.
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
    return float(np.mean((y - y_hat) ** 2))


def mae(y, y_hat):
    return float(np.mean(np.abs(y - y_hat)))


def rmse(y, y_hat):
    return float(np.sqrt(mse(y, y_hat)))


def r2_score(y, y_hat):
    return float(1.0 - mse(y, y_hat) / np.var(y, ddof=1))
