"""Each window is unrolled with its height and width axes swapped before the dot product with the flattened filter, so pixels are paired with the wrong weights.

Fix: Unroll the window and the filter in the same (C, HH, WW) order, e.g. window.reshape(-1) with w[f].reshape(-1), or multiply the (C, HH, WW) arrays directly.
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
                    top, left = i * stride, j * stride
                    window = x_pad[n, :, top:top + HH, left:left + WW]  # (C, HH, WW)
                    column = window.transpose(0, 2, 1).reshape(-1)  # (C, WW, HH) order
                    out[n, f, i, j] = w[f].reshape(-1) @ column + b[f]
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
                    top, left = i * stride, j * stride
                    window = x_pad[n, :, top:top + HH, left:left + WW]
                    column = window.transpose(0, 2, 1).reshape(-1)
                    g = dout[n, f, i, j]
                    # out[n, f, i, j] = w[f].reshape(-1) @ column + b[f]
                    dx_pad[n, :, top:top + HH, left:left + WW] += (g * w[f].reshape(-1)).reshape(C, WW, HH).transpose(0, 2, 1)
                    dw[f] += (g * column).reshape(C, HH, WW)
                    db[f] += g                                             # every output adds b[f]
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]  # x_pad = pad_input(x, pad): drop the border
    return dx, dw, db
