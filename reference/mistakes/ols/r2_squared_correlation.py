"""r2_score returns the squared correlation of y and y_hat, which equals 1 - RSS/TSS only for a least-squares fit with an intercept, not for arbitrary predictions.

Fix: Compute 1 - RSS/TSS directly from the residuals y - y_hat and the spread of y around its mean.
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
    return float(np.corrcoef(y, y_hat)[0, 1] ** 2)
