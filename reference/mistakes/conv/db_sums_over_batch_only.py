"""db is summed over the batch axis only (as in an affine layer), but each filter's bias is added at every output position too, so db must also be summed over H' and W'.

Fix: Sum dout over the batch and both spatial axes, leaving one value per filter: shape (F,).
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
    db = np.sum(dout, axis=0)
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]  # x_pad = pad_input(x, pad): drop the border
    return dx, dw, db
