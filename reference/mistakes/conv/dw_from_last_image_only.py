"""dw is reset to zero for every image, so it ends up holding the last image's gradient only, but the same filters are used on every image of the batch.

Fix: Create dw = zeros once, before the loop over images, and keep adding to it for every image.
"""
import numpy as np


def output_size(size, kernel, stride, pad):
    """Number of window positions along one axis: ``1 + (size + 2*pad - kernel) // stride``."""
    return 1 + (size + 2 * pad - kernel) // stride


def pad_input(x, pad):
    """Zero-pad the two spatial axes of ``x`` (N, C, H, W) by ``pad`` pixels on each side."""
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")


def conv_forward(x, w, b, stride=1, pad=0):
    """Cross-correlate every filter with every image (the kernel is not flipped).

    Inputs:
    - x: (N, C, H, W) input images
    - w: (F, C, HH, WW) filters
    - b: (F,) biases, one per filter
    - stride: step between neighbouring windows, the same along H and W
    - pad: number of zero pixels added on each side of H and of W

    Returns:
    - out: (N, F, H', W') with H' = 1 + (H + 2*pad - HH) // stride and
      W' = 1 + (W + 2*pad - WW) // stride
    - cache: (x, w, b, stride, pad), what conv_backward needs
    """
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
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    cache = (x, w, b, stride, pad)
    return out, cache


def conv_backward(dout, cache):
    """Gradients of the loss with respect to the inputs of conv_forward.

    Inputs:
    - dout: (N, F, H', W') upstream gradient of ``out``
    - cache: the cache returned by conv_forward

    Returns:
    - dx: (N, C, H, W) gradient of ``x`` (the padding is cut off again)
    - dw: (F, C, HH, WW) gradient of ``w``
    - db: (F,) gradient of ``b``
    """
    x, w, b, stride, pad = cache
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_pad = pad_input(x, pad)
    dx_pad = np.zeros_like(x_pad)
    db = np.zeros_like(b)
    for n in range(N):
        dw = np.zeros_like(w)
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
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]  # x_pad = pad_input(x, pad): drop the border
    return dx, dw, db
