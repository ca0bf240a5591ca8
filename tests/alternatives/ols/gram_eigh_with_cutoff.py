"""fit from the eigendecomposition of X.T @ X, dropping eigenvalues below a relative cut-off."""
import numpy as np


def fit(X, y):
    lam, V = np.linalg.eigh(X.T @ X)
    keep = lam > 1e-10 * lam.max(initial=0.0)
    return V[:, keep] @ ((V[:, keep].T @ (X.T @ y)) / lam[keep])


def predict(X, w):
    return X @ w


def mse(y, y_hat):
    return float(((y - y_hat) ** 2).mean())


def mae(y, y_hat):
    return float(abs(y - y_hat).mean())


def rmse(y, y_hat):
    return float(np.sqrt(((y - y_hat) ** 2).mean()))


def r2_score(y, y_hat):
    return float(1 - ((y - y_hat) ** 2).sum() / ((y - y.mean()) ** 2).sum())
