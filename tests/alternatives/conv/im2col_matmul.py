"""im2col: every window becomes a column, the convolution one matrix product; col2im for dx."""
import numpy as np


def _im2col(x_pad, HH, WW, stride, H_out, W_out):
    N, C, _, _ = x_pad.shape
    cols = np.empty((C * HH * WW, N * H_out * W_out))
    k = 0
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                window = x_pad[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                cols[:, k] = window.reshape(-1)
                k += 1
    return cols


def conv_forward(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = _im2col(x_pad, HH, WW, stride, H_out, W_out)
    res = w.reshape(F, -1) @ cols + b[:, None]            # (F, N*H_out*W_out)
    out = res.reshape(F, N, H_out, W_out).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(out), (x.shape, x_pad.shape, cols, w, stride, pad)


def conv_backward(dout, cache):
    x_shape, pad_shape, cols, w, stride, pad = cache
    N, C, H, W = x_shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    dout_mat = dout.transpose(1, 0, 2, 3).reshape(F, -1)
    db = dout_mat.sum(axis=1)
    dw = (dout_mat @ cols.T).reshape(w.shape)
    dcols = w.reshape(F, -1).T @ dout_mat                  # (C*HH*WW, N*H_out*W_out)
    dx_pad = np.zeros(pad_shape)
    k = 0
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                dx_pad[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW] += \
                    dcols[:, k].reshape(C, HH, WW)
                k += 1
    return dx_pad[:, :, pad:pad + H, pad:pad + W], dw, db
