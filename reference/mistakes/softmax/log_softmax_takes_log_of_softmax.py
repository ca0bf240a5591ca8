"""log_softmax takes np.log of softmax, but softmax underflows to exactly 0 for very negative entries and log(0) is -inf.

Fix: Work in log space: subtract the max, then subtract the log of the sum of exponentials (log-sum-exp).
"""

import numpy as np


def log_softmax(z, axis=-1):
    return np.log(softmax(z, axis=axis))
