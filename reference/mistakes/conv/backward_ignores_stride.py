"""The backward pass places window (i, j) at row i and column j instead of at i * stride and j * stride, so with a stride above 1 the gradients land on the wrong pixels.

Fix: In conv_backward, find each window exactly as conv_forward does: its top-left corner is (i * stride, j * stride).
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
                    top, left = i, j
                    window = x_pad[n, :, top:top + HH, left:left + WW]
                    g = dout[n, f, i, j]
                    # out[n, f, i, j] = sum(window * w[f]) + b[f]
                    dx_pad[n, :, top:top + HH, left:left + WW] += g * w[f]  # windows overlap: add
                    dw[f] += g * window                                    # every window uses w[f]
                    db[f] += g                                             # every output adds b[f]
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]  # x_pad = pad_input(x, pad): drop the border
    return dx, dw, db
