"""mse computes the residuals in the array y_hat itself (err = y_hat does not copy it), so the caller's predictions are overwritten.

Fix: Compute the residuals into a new array, e.g. err = y - y_hat, and never use an in-place operator on an input.
"""

import numpy as np


def mse(y, y_hat):
    err = y_hat  # the residuals
    err -= y
    return float(np.mean(err ** 2))
