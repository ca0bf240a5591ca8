"""kl_divergence uses log base 2 (bits), but the contract's KL uses the natural logarithm (nats).

Fix: Use np.log, not np.log2.
"""

import numpy as np


def kl_divergence(p, q):
    support = p > 0  # 0 * log(0 / q) is taken as 0
    return float(np.sum(p[support] * np.log2(p[support] / q[support])))
