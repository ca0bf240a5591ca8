"""softmax subtracts the maximum of the whole array instead of each slice's maximum, so a row far below that maximum underflows to 0/0.

Fix: Take the maximum along `axis` with keepdims=True: np.max(z, axis=axis, keepdims=True).
"""

import numpy as np


def softmax(z, axis=-1):
    shifted = z - np.max(z)  # every exponent <= 0: no overflow
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)
