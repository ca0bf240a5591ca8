"""Solving the normal equations X.T @ X @ w = X.T @ y with np.linalg.solve assumes X.T @ X is invertible, which it is not for duplicate or collinear columns or when there are more features than samples.

Fix: Return the minimum-norm least-squares solution, e.g. with np.linalg.lstsq(X, y, rcond=None) or an SVD that drops the zero singular values; solve() only works for full column rank.
"""

import numpy as np


def fit(X, y):
    return np.linalg.solve(X.T @ X, X.T @ y)  # X.T X w = X.T y
