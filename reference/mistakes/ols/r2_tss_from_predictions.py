"""r2_score computes the total sum of squares from the predictions (as if y and y_hat were swapped), but TSS is the spread of the true targets y.

Fix: Compute TSS = sum((y - mean(y)) ** 2) from the targets, the first argument.
"""

import numpy as np


def r2_score(y, y_hat):
    rss = np.sum((y - y_hat) ** 2)  # what the predictions leave unexplained
    tss = np.sum((y_hat - np.mean(y_hat)) ** 2)
    return float(1.0 - rss / tss)
