"""r2_score returns the squared correlation of y and y_hat, which equals 1 - RSS/TSS only for a least-squares fit with an intercept, not for arbitrary predictions.

Fix: Compute 1 - RSS/TSS directly from the residuals y - y_hat and the spread of y around its mean.
"""

import numpy as np


def r2_score(y, y_hat):
    return float(np.corrcoef(y, y_hat)[0, 1] ** 2)
