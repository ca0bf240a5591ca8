"""The weight gradient is computed as dout.T @ x, which is the transpose of what is
needed.

Fix: dw must have the shape of w, (D, M): use x.T @ dout.
"""

import numpy as np


def affine_backward(dout, cache):
    x, w = cache
    dx = dout @ w.T            # out = x @ w
    dw = dout.T @ x
    db = np.sum(dout, axis=0)  # out = ... + b, b broadcast to each of the N rows
    return dx, dw, db
