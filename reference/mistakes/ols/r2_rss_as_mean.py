"""r2_score divides the mean squared error by the total sum of squares, so the numerator is averaged over the samples but the denominator is not.

Fix: Use sums in both: RSS = sum((y - y_hat) ** 2) and TSS = sum((y - mean(y)) ** 2).
"""

import numpy as np


def r2_score(y, y_hat):
    rss = np.mean((y - y_hat) ** 2)
    tss = np.sum((y - np.mean(y)) ** 2)  # what predicting the mean of y leaves unexplained
    return float(1.0 - rss / tss)
