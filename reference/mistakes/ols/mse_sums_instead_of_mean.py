"""mse adds up the squared errors instead of averaging them, so it grows with the number of samples.

Fix: Divide the sum of squared errors by the number of samples (np.mean).
"""

import numpy as np


def mse(y, y_hat):
    return float(np.sum((y - y_hat) ** 2))
