# %% [markdown]
# # LSTM forward and backward through time
#
# Implement one LSTM step (forward and backward) and then a whole sequence, with NumPy
# only (no torch, scipy, sklearn or jax). The gates follow PyTorch's order: the 4H
# pre-activations `a = x @ Wx + prev_h @ Wh + b` split into input `i`, forget `f`,
# cell `g` and output `o`, in that order:
#
# - `i = sigmoid(a_i)`, `f = sigmoid(a_f)`, `g = tanh(a_g)`, `o = sigmoid(a_o)`
# - `next_c = f * prev_c + i * g`
# - `next_h = o * tanh(next_c)`
#
# `lstm_forward` starts the cell state at zero; `lstm_backward` receives an upstream
# gradient `dh[:, t]` for every hidden state. Caches are yours: the grader only passes a
# cache back to your own backward function. You may define helpers (a sigmoid, say).
# Do not modify any input array in place.
#
# Check your work before you submit: `grader check -a lstm lstm.py` (or this notebook).

# %%
import numpy as np


# %%
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One time step of an LSTM.

    Inputs:
    - x: (N, D) input of this step
    - prev_h: (N, H) previous hidden state
    - prev_c: (N, H) previous cell state
    - Wx: (D, 4H) input-to-hidden weights, gates in the order i, f, g, o
    - Wh: (H, 4H) hidden-to-hidden weights, same gate order
    - b: (4H,) biases, same gate order

    Returns a tuple of:
    - next_h: (N, H) next hidden state
    - next_c: (N, H) next cell state
    - cache: what lstm_step_backward needs
    """
    raise NotImplementedError("lstm_step_forward: write your implementation here")


# %%
def lstm_step_backward(dnext_h, dnext_c, cache):
    """Backward pass of one LSTM step.

    Inputs:
    - dnext_h: (N, H) upstream gradient of next_h
    - dnext_c: (N, H) upstream gradient of next_c
    - cache: from lstm_step_forward

    Returns a tuple of:
    - dx: (N, D) gradient of x
    - dprev_h: (N, H) gradient of prev_h
    - dprev_c: (N, H) gradient of prev_c
    - dWx: (D, 4H) gradient of Wx
    - dWh: (H, 4H) gradient of Wh
    - db: (4H,) gradient of b
    """
    raise NotImplementedError("lstm_step_backward: write your implementation here")


# %%
def lstm_forward(x, h0, Wx, Wh, b):
    """Run an LSTM over a whole sequence; the initial cell state is zero.

    Inputs:
    - x: (N, T, D) input sequence
    - h0: (N, H) initial hidden state
    - Wx: (D, 4H) input-to-hidden weights, gates in the order i, f, g, o
    - Wh: (H, 4H) hidden-to-hidden weights, same gate order
    - b: (4H,) biases, same gate order

    Returns a tuple of:
    - h: (N, T, H) the hidden state of every time step
    - cache: what lstm_backward needs
    """
    raise NotImplementedError("lstm_forward: write your implementation here")


# %%
def lstm_backward(dh, cache):
    """Backpropagation through time over a whole sequence.

    Inputs:
    - dh: (N, T, H) upstream gradient of every hidden state
    - cache: from lstm_forward

    Returns a tuple of:
    - dx: (N, T, D) gradient of x
    - dh0: (N, H) gradient of h0
    - dWx: (D, 4H) gradient of Wx
    - dWh: (H, 4H) gradient of Wh
    - db: (4H,) gradient of b
    """
    raise NotImplementedError("lstm_backward: write your implementation here")
