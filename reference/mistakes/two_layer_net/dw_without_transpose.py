"""The weight gradient multiplies x by dout without transposing x.

Fix: dw must have the shape of w, (D, M): contract over the batch axis with x.T @ dout.
"""

import numpy as np


def affine_backward(dout, cache):
    x, w = cache
    dx = dout @ w.T            # out = x @ w
    dw = x @ dout
    db = np.sum(dout, axis=0)  # out = ... + b, b broadcast to each of the N rows
    return dx, dw, db
