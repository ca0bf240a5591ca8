"""The gradient of prev_c is passed back unchanged, forgetting that next_c = f * prev_c scales it by the forget gate.

Fix: prev_c reaches next_c multiplied by the forget gate, so its gradient is the cell-state gradient multiplied by f, element by element.
"""

import numpy as np


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
    do = dnext_h * tanh_c                                  # next_h = o * tanh_c
    dc = dnext_c + dnext_h * o * (1.0 - tanh_c ** 2)       # tanh_c = tanh(next_c), plus next_c's own upstream
    df = dc * prev_c                                       # next_c = f * prev_c + i * g
    dprev_c = dc
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
