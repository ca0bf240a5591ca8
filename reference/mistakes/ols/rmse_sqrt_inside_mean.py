"""rmse takes the square root of each squared error before averaging, which gives the mean absolute error, not the root of the mean squared error.

Fix: Average the squared errors first, then take one square root of that mean.
"""

import numpy as np


def rmse(y, y_hat):
    return float(np.mean(np.sqrt((y - y_hat) ** 2)))
