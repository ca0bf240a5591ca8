"""kl_divergence sums p * log(p / q) over every entry, and an entry with p == 0 gives 0 * (-inf) = nan.

Fix: Keep only the entries with p > 0 (those terms contribute 0 by convention), e.g. with a boolean mask.
"""

import numpy as np


def kl_divergence(p, q):
    return float(np.sum(p * np.log(p / q)))
