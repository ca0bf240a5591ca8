"""The stride is applied to the steps inside each window (window (i, j) reads every stride-th pixel from (i, j)), but the stride is the step between neighbouring windows; inside a window the pixels are adjacent.

Fix: Start window (i, j) at (i * stride, j * stride) and read HH x WW adjacent pixels from there.
"""

import numpy as np


def conv_forward(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = output_size(H, HH, stride, pad)
    W_out = output_size(W, WW, stride, pad)
    x_pad = pad_input(x, pad)
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    top, left = i, j
                    window = x_pad[n, :, top:top + HH * stride:stride, left:left + WW * stride:stride]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    cache = (x, w, b, stride, pad)
    return out, cache


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
                    window = x_pad[n, :, top:top + HH * stride:stride, left:left + WW * stride:stride]
                    g = dout[n, f, i, j]
                    # out[n, f, i, j] = sum(window * w[f]) + b[f]
                    dx_pad[n, :, top:top + HH * stride:stride, left:left + WW * stride:stride] += g * w[f]
                    dw[f] += g * window                                    # every window uses w[f]
                    db[f] += g                                             # every output adds b[f]
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]  # x_pad = pad_input(x, pad): drop the border
    return dx, dw, db
