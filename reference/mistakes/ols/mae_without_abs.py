"""mae averages the signed errors, so errors of opposite signs cancel; the mean absolute error averages their sizes.

Fix: Take the absolute value of each error before averaging: np.mean(np.abs(y - y_hat)).
"""

import numpy as np


def mae(y, y_hat):
    return float(np.mean(y - y_hat))
