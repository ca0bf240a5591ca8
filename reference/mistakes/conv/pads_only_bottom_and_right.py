"""All 2*pad zero rows and columns are added after the image (bottom and right), but pad pixels go on each side: pad before and pad after.

Fix: Pad the spatial axes with (pad, pad) each, e.g. np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))), and cut the same border off dx.
"""

import numpy as np


def pad_input(x, pad):
    return np.pad(x, ((0, 0), (0, 0), (0, 2 * pad), (0, 2 * pad)), mode="constant")


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
                    dx_pad[n, :, top:top + HH, left:left + WW] += g * w[f]  # windows overlap: add
                    dw[f] += g * window                                    # every window uses w[f]
                    db[f] += g                                             # every output adds b[f]
    dx = dx_pad[:, :, :H, :W]  # x_pad = pad_input(x, pad): drop the border
    return dx, dw, db
