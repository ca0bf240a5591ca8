"""Processes one example of the batch at a time with explicit loops over n (vectors, no batched matmuls)."""
import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    N, H = prev_h.shape
    next_h, next_c = np.empty((N, H)), np.empty((N, H))
    gates = []
    for n in range(N):
        a = Wx.T @ x[n] + Wh.T @ prev_h[n] + b
        i, f, g, o = _sigmoid(a[:H]), _sigmoid(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), _sigmoid(a[3 * H:])
        next_c[n] = f * prev_c[n] + i * g
        next_h[n] = o * np.tanh(next_c[n])
        gates.append((i, f, g, o))
    return next_h, next_c, (x.copy(), prev_h.copy(), prev_c.copy(), Wx, Wh, gates, next_c.copy())


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, gates, next_c = cache
    N, H = prev_h.shape
    dx, dprev_h, dprev_c = np.zeros_like(x), np.zeros_like(prev_h), np.zeros_like(prev_c)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H)
    for n in range(N):
        i, f, g, o = gates[n]
        tc = np.tanh(next_c[n])
        dc = dnext_c[n] + dnext_h[n] * o * (1 - tc ** 2)
        da = np.concatenate([dc * g * i * (1 - i), dc * prev_c[n] * f * (1 - f),
                             dc * i * (1 - g ** 2), dnext_h[n] * tc * o * (1 - o)])
        dx[n] = Wx @ da
        dprev_h[n] = Wh @ da
        dprev_c[n] = dc * f
        dWx += np.outer(x[n], da)
        dWh += np.outer(prev_h[n], da)
        db += da
    return dx, dprev_h, dprev_c, dWx, dWh, db


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    hp, cp = h0, np.zeros((N, H))
    caches = []
    for t in range(T):
        hp, cp, c = lstm_step_forward(x[:, t], hp, cp, Wx, Wh, b)
        h[:, t] = hp
        caches.append(c)
    return h, caches


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dhp, dcp = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dhp, dcp, a, bb, c = lstm_step_backward(dh[:, t] + dhp, dcp, cache[t])
        dWx += a
        dWh += bb
        db += c
    return dx, dhp, dWx, dWh, db
