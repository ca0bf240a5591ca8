"""fit adds its own column of ones (an intercept) to X, but the contract adds none: the caller includes a ones column when they want one, and w must have one weight per column of X.

Fix: Fit X exactly as given and return w of shape (d,), with no extra intercept weight.
"""

import numpy as np


def fit(X, y):
    X = np.column_stack([np.ones(X.shape[0]), X])  # intercept column
    return np.linalg.pinv(X) @ y
