"""log_softmax always normalises along the last axis, whatever `axis` it is given.

Fix: Pass `axis` (not -1) to both the max and the sum.
"""

import numpy as np


def log_softmax(z, axis=-1):
    shifted = z - np.max(z, axis=-1, keepdims=True)
    log_sum = np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))  # log-sum-exp
    return shifted - log_sum
