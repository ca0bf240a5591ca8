"""Seven nested loops over scalars, padding by copying into a larger zero array."""
import numpy as np


def conv_forward(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    x_pad[:, :, pad:pad + H, pad:pad + W] = x
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    total = b[f]
                    for c in range(C):
                        for kh in range(HH):
                            for kw in range(WW):
                                total += x_pad[n, c, i * stride + kh, j * stride + kw] * w[f, c, kh, kw]
                    out[n, f, i, j] = total
    return out, (x_pad, w, stride, pad, x.shape)


def conv_backward(dout, cache):
    x_pad, w, stride, pad, x_shape = cache
    N, C, H, W = x_shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    g = dout[n, f, i, j]
                    db[f] += g
                    for c in range(C):
                        for kh in range(HH):
                            for kw in range(WW):
                                r, s = i * stride + kh, j * stride + kw
                                dw[f, c, kh, kw] += g * x_pad[n, c, r, s]
                                dx_pad[n, c, r, s] += g * w[f, c, kh, kw]
    return dx_pad[:, :, pad:pad + H, pad:pad + W].copy(), dw, db
