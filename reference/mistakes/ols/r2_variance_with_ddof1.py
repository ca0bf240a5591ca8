"""r2_score divides the mean squared error by the sample variance with ddof=1 (the pandas default), which mixes an average over n with one over n - 1.

Fix: Use the same normalisation in both: 1 - RSS/TSS, or 1 - mse / np.var(y) with the default ddof=0.
"""

import numpy as np


def r2_score(y, y_hat):
    return float(1.0 - mse(y, y_hat) / np.var(y, ddof=1))
