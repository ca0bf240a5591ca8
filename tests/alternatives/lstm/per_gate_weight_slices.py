"""Each gate gets its own matmuls with its own column block of Wx, Wh and b, instead of one (N, 4H) product."""
import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _gate(x, h, Wx, Wh, b, k, H):
    cols = slice(k * H, (k + 1) * H)
    return x @ Wx[:, cols] + h @ Wh[:, cols] + b[cols]


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    i = _sigmoid(_gate(x, prev_h, Wx, Wh, b, 0, H))
    f = _sigmoid(_gate(x, prev_h, Wx, Wh, b, 1, H))
    g = np.tanh(_gate(x, prev_h, Wx, Wh, b, 2, H))
    o = _sigmoid(_gate(x, prev_h, Wx, Wh, b, 3, H))
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, g, o, next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, g, o, next_c = cache
    H = prev_h.shape[1]
    t = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - t * t)
    local = [dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dc * i * (1 - g * g),
             dnext_h * t * o * (1 - o)]
    dx = np.zeros_like(x)
    dprev_h = np.zeros_like(prev_h)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H)
    for k, da in enumerate(local):
        cols = slice(k * H, (k + 1) * H)
        dx += da @ Wx[:, cols].T
        dprev_h += da @ Wh[:, cols].T
        dWx[:, cols] = x.T @ da
        dWh[:, cols] = prev_h.T @ da
        db[cols] = da.sum(axis=0)
    return dx, dprev_h, dc * f, dWx, dWh, db


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h_prev, c_prev = h0, np.zeros_like(h0)
    hs, caches = [], []
    for t in range(T):
        h_prev, c_prev, cache = lstm_step_forward(x[:, t, :], h_prev, c_prev, Wx, Wh, b)
        hs.append(h_prev)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    grads_x = [None] * T
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    dWx = dWh = db = 0.0
    for t in range(T - 1, -1, -1):
        dx_t, dh_next, dc_next, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t, :] + dh_next, dc_next, cache[t])
        grads_x[t] = dx_t
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return np.stack(grads_x, axis=1), dh_next, dWx, dWh, db
