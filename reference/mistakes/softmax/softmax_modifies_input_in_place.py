"""softmax subtracts the maximum with `z -= ...`, which overwrites the caller's array.

Fix: Write `shifted = z - np.max(...)` so a new array is made and the input is left unchanged.
"""

import numpy as np


def softmax(z, axis=-1):
    z -= np.max(z, axis=axis, keepdims=True)  # every exponent <= 0: no overflow
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)
