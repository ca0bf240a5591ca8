"""dx is written with = for each window, so where windows overlap (or several filters read the same pixel) only the last contribution survives.

Fix: Accumulate into the gradient of the padded input with += for every (n, f, i, j).
"""

import numpy as np


def conv_backward(dout, cache):
    x, w, b, stride, pad = cache
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_pad = pad_input(x, pad)
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    top, left = i * stride, j * stride
                    window = x_pad[n, :, top:top + HH, left:left + WW]
                    g = dout[n, f, i, j]
                    # out[n, f, i, j] = sum(window * w[f]) + b[f]
                    dx_pad[n, :, top:top + HH, left:left + WW] = g * w[f]
                    dw[f] += g * window                                    # every window uses w[f]
                    db[f] += g                                             # every output adds b[f]
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]  # x_pad = pad_input(x, pad): drop the border
    return dx, dw, db
