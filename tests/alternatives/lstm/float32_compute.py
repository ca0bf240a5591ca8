"""Computes everything in float32 (a common choice for speed) and casts the results back to float64."""
import numpy as np

F = np.float32


def _sigmoid(z):
    return F(1) / (F(1) + np.exp(-z))


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    x, prev_h, prev_c = x.astype(F), prev_h.astype(F), prev_c.astype(F)
    Wx, Wh, b = Wx.astype(F), Wh.astype(F), b.astype(F)
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), _sigmoid(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    tc = np.tanh(next_c)
    next_h = o * tc
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, g, o, tc)
    return next_h.astype(np.float64), next_c.astype(np.float64), cache


def _step_backward32(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, tc = cache
    dc = dnext_c + dnext_h * o * (F(1) - tc * tc)
    da = np.concatenate([dc * g * i * (F(1) - i), dc * prev_c * f * (F(1) - f),
                         dc * i * (F(1) - g * g), dnext_h * tc * o * (F(1) - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_step_backward(dnext_h, dnext_c, cache):
    grads = _step_backward32(dnext_h.astype(F), dnext_c.astype(F), cache)
    return tuple(g.astype(np.float64) for g in grads)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H), dtype=F)
    prev_h, prev_c = h0, np.zeros((N, H))
    caches = []
    for t in range(T):
        prev_h, prev_c, cache = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
        h[:, t] = prev_h
        caches.append(cache)
    return h.astype(np.float64), caches


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dh = dh.astype(F)
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D), dtype=F)
    dWx, dWh, db = np.zeros((D, 4 * H), F), np.zeros((H, 4 * H), F), np.zeros(4 * H, F)
    dprev_h, dprev_c = np.zeros((N, H), F), np.zeros((N, H), F)
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dprev_c, a, w, c = _step_backward32(dh[:, t] + dprev_h, dprev_c, cache[t])
        dWx += a
        dWh += w
        db += c
    return tuple(g.astype(np.float64) for g in (dx, dprev_h, dWx, dWh, db))
