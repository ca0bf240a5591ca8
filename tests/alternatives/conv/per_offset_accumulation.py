"""Vectorised over all windows at once: one strided slice and one einsum per kernel offset."""
import numpy as np


def conv_forward(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.broadcast_to(b[None, :, None, None], (N, F, H_out, W_out)).copy()
    for kh in range(HH):
        for kw in range(WW):
            patch = x_pad[:, :, kh:kh + stride * H_out:stride, kw:kw + stride * W_out:stride]
            out += np.einsum("ncij,fc->nfij", patch, w[:, :, kh, kw])
    return out, (x_pad, w, stride, pad)


def conv_backward(dout, cache):
    x_pad, w, stride, pad = cache
    F, _, HH, WW = w.shape
    N, F, H_out, W_out = dout.shape
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    for kh in range(HH):
        for kw in range(WW):
            rows = slice(kh, kh + stride * H_out, stride)
            cols = slice(kw, kw + stride * W_out, stride)
            dw[:, :, kh, kw] = np.einsum("ncij,nfij->fc", x_pad[:, :, rows, cols], dout)
            dx_pad[:, :, rows, cols] += np.einsum("nfij,fc->ncij", dout, w[:, :, kh, kw])
    H_pad, W_pad = x_pad.shape[2:]
    dx = dx_pad[:, :, pad:H_pad - pad, pad:W_pad - pad]
    return dx, dw, dout.sum(axis=(0, 2, 3))
