"""The input gradient multiplies dout by w instead of by the transpose of w.

Fix: dx must have the shape of x, (N, D): out = x @ w gives dx = dout @ w.T.
"""

import numpy as np


def affine_backward(dout, cache):
    x, w = cache
    dx = dout @ w
    dw = x.T @ dout            # out = x @ w
    db = np.sum(dout, axis=0)  # out = ... + b, b broadcast to each of the N rows
    return dx, dw, db
