"""kl_divergence avoids log(0) by adding a small eps to p and q inside the log, which changes the result wherever q is comparable to eps.

Fix: Do not smooth the inputs: skip the terms with p == 0 exactly and compute p * log(p / q) for the others.
"""

import numpy as np


def kl_divergence(p, q):
    eps = 1e-10
    return float(np.sum(p * (np.log(p + eps) - np.log(q + eps))))
