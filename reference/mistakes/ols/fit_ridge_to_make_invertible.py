"""Adding a small multiple of the identity to X.T @ X makes it invertible but turns least squares into ridge regression, which shrinks w badly when the features are small in scale.

Fix: Do not regularise: compute the minimum-norm least-squares solution (np.linalg.lstsq(X, y, rcond=None), pinv, or an SVD with a cut-off), which needs no invertible X.T @ X.
"""

import numpy as np


def fit(X, y):
    d = X.shape[1]
    return np.linalg.solve(X.T @ X + 1e-6 * np.eye(d), X.T @ y)  # small ridge keeps it invertible
