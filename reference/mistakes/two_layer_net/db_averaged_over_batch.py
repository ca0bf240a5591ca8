"""The bias gradient averages the upstream gradient over the batch instead of summing
it.

Fix: Each row adds b once, so the contributions add up: sum dout over axis 0 (any
averaging already happened in the loss).
"""

import numpy as np


def affine_backward(dout, cache):
    x, w = cache
    dx = dout @ w.T            # out = x @ w
    dw = x.T @ dout            # out = x @ w
    db = np.mean(dout, axis=0)
    return dx, dw, db
