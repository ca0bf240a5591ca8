"""softmax exponentiates the logits directly, so exp overflows to inf for large entries and the result is nan.

Fix: Subtract the maximum along `axis` (with keepdims=True) before calling np.exp; softmax(z) == softmax(z - c).
"""

import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)
