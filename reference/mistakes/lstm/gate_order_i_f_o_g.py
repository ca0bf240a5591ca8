"""The four blocks of the pre-activations are taken in the order input, forget, output, cell, instead of PyTorch's input, forget, cell, output.

Fix: Slice a as i, f, g, o (g is the third block of H columns, o the fourth), and concatenate the gate gradients in that same order.
"""

import numpy as np


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b               # (N, 4H) pre-activations
    i = sigmoid(a[:, 0 * H:1 * H])             # input gate
    f = sigmoid(a[:, 1 * H:2 * H])             # forget gate
    g = np.tanh(a[:, 3 * H:4 * H])             # candidate cell
    o = sigmoid(a[:, 2 * H:3 * H])             # output gate
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c)
    return next_h, next_c, cache


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
    do = dnext_h * tanh_c                                  # next_h = o * tanh_c
    dc = dnext_c + dnext_h * o * (1.0 - tanh_c ** 2)       # tanh_c = tanh(next_c), plus next_c's own upstream
    df = dc * prev_c                                       # next_c = f * prev_c + i * g
    dprev_c = dc * f
    di = dc * g
    dg = dc * i
    da_i = di * i * (1.0 - i)                              # i = sigmoid(a_i)
    da_f = df * f * (1.0 - f)                              # f = sigmoid(a_f)
    da_g = dg * (1.0 - g ** 2)                             # g = tanh(a_g)
    da_o = do * o * (1.0 - o)                              # o = sigmoid(a_o)
    da = np.concatenate([da_i, da_f, da_o, da_g], axis=1)  # (N, 4H), gate order i, f, o, g
    dx = da @ Wx.T                                         # a = x @ Wx + prev_h @ Wh + b
    dprev_h = da @ Wh.T
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dprev_c, dWx, dWh, db
