"""softmax divides by the sum of every entry of the array, so the whole array sums to one instead of each slice along `axis`.

Fix: Sum the exponentials along `axis` with keepdims=True, not over the whole array.
"""

import numpy as np


def softmax(z, axis=-1):
    shifted = z - np.max(z, axis=axis, keepdims=True)  # every exponent <= 0: no overflow
    e = np.exp(shifted)
    return e / np.sum(e)
