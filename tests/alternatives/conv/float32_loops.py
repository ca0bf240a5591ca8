"""Window loops computed in float32 throughout, cast back to float64 at the end."""
import numpy as np


def conv_forward(x, w, b, stride=1, pad=0):
    x32, w32, b32 = (a.astype(np.float32) for a in (x, w, b))
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x32, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, H_out, W_out), dtype=np.float32)
    for i in range(H_out):
        for j in range(W_out):
            window = x_pad[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(window, w32, axes=([1, 2, 3], [1, 2, 3])) + b32
    return out.astype(np.float64), (x_pad, w32, stride, pad, x.shape)


def conv_backward(dout, cache):
    x_pad, w32, stride, pad, (N, C, H, W) = cache
    HH, WW = w32.shape[2:]
    d32 = dout.astype(np.float32)
    _, _, H_out, W_out = dout.shape
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w32)
    for i in range(H_out):
        for j in range(W_out):
            rows = slice(i * stride, i * stride + HH)
            cols = slice(j * stride, j * stride + WW)
            g = d32[:, :, i, j]                                   # (N, F)
            dx_pad[:, :, rows, cols] += np.tensordot(g, w32, axes=(1, 0))
            dw += np.tensordot(g, x_pad[:, :, rows, cols], axes=(0, 0))
    db = d32.sum(axis=(0, 2, 3))
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]
    return dx.astype(np.float64), dw.astype(np.float64), db.astype(np.float64)
