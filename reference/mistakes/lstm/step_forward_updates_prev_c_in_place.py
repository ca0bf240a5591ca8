"""The step forward computes next_c by updating prev_c in place with *= and +=, which changes the caller's prev_c and the value kept for the backward pass.

Fix: Compute next_c = f * prev_c + i * g as a new array and leave prev_c untouched.
"""

import numpy as np


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b               # (N, 4H) pre-activations
    i = sigmoid(a[:, 0 * H:1 * H])             # input gate
    f = sigmoid(a[:, 1 * H:2 * H])             # forget gate
    g = np.tanh(a[:, 2 * H:3 * H])             # candidate cell
    o = sigmoid(a[:, 3 * H:4 * H])             # output gate
    next_c = prev_c
    next_c *= f
    next_c += i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c)
    return next_h, next_c, cache
