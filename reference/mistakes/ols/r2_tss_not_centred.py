"""r2_score uses the sum of y squared as the total sum of squares, but TSS measures the spread of y around its mean.

Fix: Subtract the mean of y before squaring: TSS = sum((y - mean(y)) ** 2).
"""

import numpy as np


def r2_score(y, y_hat):
    rss = np.sum((y - y_hat) ** 2)  # what the predictions leave unexplained
    tss = np.sum(y ** 2)
    return float(1.0 - rss / tss)
