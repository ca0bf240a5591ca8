"""fit treats y as a column vector, so it returns w with shape (d, 1) instead of a 1-D array of shape (d,).

Fix: Keep y one-dimensional (or flatten the result) so that w has shape (d,).
"""

import numpy as np


def fit(X, y):
    y = y.reshape(-1, 1)  # column vector
    U, s, Vt = np.linalg.svd(X, full_matrices=False)  # X = U diag(s) Vt; U (n, k), s (k,), Vt (k, d)
    cutoff = max(X.shape) * np.finfo(float).eps * s.max(initial=0.0)
    keep = s > cutoff  # singular values at rounding level are zeros that rounding disguised
    coefficients = (U[:, keep].T @ y) / s[keep]  # best coordinates along the kept directions
    return Vt[keep].T @ coefficients  # no component along the null space: minimum norm
