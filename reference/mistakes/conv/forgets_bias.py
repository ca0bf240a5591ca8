"""The forward pass never adds the bias, but every output value of filter f includes b[f].

Fix: Add b[f] to each window's dot product with w[f].
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
                    out[n, f, i, j] = np.sum(window * w[f])
    cache = (x, w, b, stride, pad)
    return out, cache
