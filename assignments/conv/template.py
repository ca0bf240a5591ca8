# %% [markdown]
# # 2-D convolution: forward and backward
#
# Implement `conv_forward` and `conv_backward` with NumPy only (no torch, scipy, sklearn
# or jax). The layer computes a cross-correlation, as deep-learning libraries do: the
# kernel is NOT flipped. Zero-pad `pad` pixels on each side of H and W; the output has
# `H' = 1 + (H + 2*pad - HH) // stride` rows and `W' = 1 + (W + 2*pad - WW) // stride`
# columns. Plain loops are fine: the tests use small arrays.
#
# `cache` is yours: the grader only passes the cache your `conv_forward` returned back to
# your own `conv_backward`. Do not modify `x`, `w`, `b` or `dout` in place.
#
# Check your work before you submit: `grader check -a conv conv.py` (or this notebook).

# %%
import numpy as np


# %%
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
    raise NotImplementedError("conv_forward: write your implementation here")


# %%
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
    raise NotImplementedError("conv_backward: write your implementation here")
