"""An LSTM layer in NumPy: one step forward and backward, then a whole sequence.

The gates follow PyTorch's order: the 4H pre-activations ``a`` split into input ``i``,
forget ``f``, cell ``g`` and output ``o``, in that order::

    a = x @ Wx + prev_h @ Wh + b
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), tanh(a_g), sigmoid(a_o)
    next_c = f * prev_c + i * g
    next_h = o * tanh(next_c)

Backpropagation through time runs the step backward from the last step to the first,
adding each step's upstream gradient ``dh[:, t]`` to the gradient that flows back from
the later steps, and summing the parameter gradients over the steps.
"""
import numpy as np


def sigmoid(x):
    """The logistic function ``1 / (1 + exp(-x))``, elementwise."""
    return 1.0 / (1.0 + np.exp(-x))


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
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b               # (N, 4H) pre-activations
    i = sigmoid(a[:, 0 * H:1 * H])             # input gate
    f = sigmoid(a[:, 1 * H:2 * H])             # forget gate
    g = np.tanh(a[:, 2 * H:3 * H])             # candidate cell
    o = sigmoid(a[:, 3 * H:4 * H])             # output gate
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c)
    return next_h, next_c, cache


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
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tanh_c = cache
    do = dnext_h * tanh_c                                  # next_h = o * tanh_c
    dc = dnext_c + dnext_h * o * (1.0 - tanh_c ** 2)       # tanh_c = tanh(next_c), plus next_c's own upstream
    df = dc * prev_c                                       # next_c = f * prev_c + i * g
    dprev_c = dc * f
    di = dc * g
    dg = dc * i
    da_i = di * i * (1.0 - i)                              # i = sigmoid(a_i)
    da_f = df * f * (1.0 - f)                              # f = sigmoid(a_f)
    da_g = dg * (1.0 - g ** 2)                             # g = tanh(a_g)
    da_o = do * o * (1.0 - o)                              # o = sigmoid(a_o)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)  # (N, 4H), gate order i, f, g, o
    dx = da @ Wx.T                                         # a = x @ Wx + prev_h @ Wh + b
    dprev_h = da @ Wh.T
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)
    return dx, dprev_h, dprev_c, dWx, dWh, db


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
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    prev_h, prev_c = h0, np.zeros((N, H))
    step_caches = []
    for t in range(T):
        prev_h, prev_c, step_cache = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
        h[:, t] = prev_h
        step_caches.append(step_cache)
    return h, step_caches


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
    step_caches = cache
    N, T, H = dh.shape
    D = step_caches[0][0].shape[1]                       # x of step 0 is (N, D)
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dnext_h = dh[:, t] + dprev_h                     # h[:, t] feeds the output and step t + 1
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dnext_h, dprev_c, step_caches[t])
        dWx += dWx_t                                     # the same weights serve every step
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db
