"""kl_divergence computes KL(q || p) = sum q log(q / p) instead of KL(p || q); the divergence is not symmetric.

Fix: Weight by p and take log(p / q): sum over p > 0 of p * log(p / q).
"""

import numpy as np


def kl_divergence(p, q):
    support = q > 0  # 0 * log(0 / p) is taken as 0
    return float(np.sum(q[support] * np.log(q[support] / p[support])))
