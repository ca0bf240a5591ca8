"""The hidden state is computed as o * next_c, leaving out the tanh squashing of the cell state.

Fix: Use next_h = o * tanh(next_c), and differentiate through the tanh in the backward pass.
"""

import numpy as np


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b               # (N, 4H) pre-activations
    i = sigmoid(a[:, 0 * H:1 * H])             # input gate
    f = sigmoid(a[:, 1 * H:2 * H])             # forget gate
    g = np.tanh(a[:, 2 * H:3 * H])             # candidate cell
    o = sigmoid(a[:, 3 * H:4 * H])             # output gate
    next_c = f * prev_c + i * g
    next_h = o * next_c
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, g, o, next_c)
    return next_h, next_c, cache


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, next_c = cache
    do = dnext_h * next_c                                  # next_h = o * next_c
    dc = dnext_c + dnext_h * o                             # plus next_c's own upstream
    df = dc * prev_c                                       # next_c = f * prev_c + i * g
    dprev_c = dc * f
    di = dc * g
    dg = dc * i
    da_i = di * i * (1.0 - i)                              # i = sigmoid(a_i)
    da_f = df * f * (1.0 - f)                              # f = sigmoid(a_f)
    da_g = dg * (1.0 - g ** 2)                             # g = tanh(a_g)
    da_o = do * o * (1.0 - o)                              # o = sigmoid(a_o)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)  # (N, 4H), gate order i, f, g, o
    dx = da @ Wx.T                                         # a = x @ Wx + prev_h @ Wh + b
    dprev_h = da @ Wh.T
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dprev_c, dWx, dWh, db
