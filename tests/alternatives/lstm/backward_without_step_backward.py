"""lstm_backward does backpropagation through time inline, without lstm_step_backward, from gates kept as one (N, T, 4H) array; the step backward recomputes its gates from the inputs."""
import numpy as np


def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o = _sig(a[:, :H]), _sig(a[:, H:2 * H]), _sig(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, b)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, b = cache   # recompute the gates from the inputs
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o = _sig(a[:, :H]), _sig(a[:, H:2 * H]), _sig(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    tc = np.tanh(f * prev_c + i * g)
    dc = dnext_c + dnext_h * o * (1 - tc ** 2)
    da = np.concatenate([dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dc * i * (1 - g ** 2),
                         dnext_h * tc * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    hs = np.zeros((N, T + 1, H))
    cs = np.zeros((N, T + 1, H))
    gates = np.zeros((N, T, 4 * H))
    hs[:, 0] = h0
    for t in range(T):
        a = x[:, t] @ Wx + hs[:, t] @ Wh + b
        gates[:, t, :2 * H] = _sig(a[:, :2 * H])
        gates[:, t, 2 * H:3 * H] = np.tanh(a[:, 2 * H:3 * H])
        gates[:, t, 3 * H:] = _sig(a[:, 3 * H:])
        i, f, g, o = np.split(gates[:, t], 4, axis=1)
        cs[:, t + 1] = f * cs[:, t] + i * g
        hs[:, t + 1] = o * np.tanh(cs[:, t + 1])
    return hs[:, 1:].copy(), (x.copy(), hs, cs, gates, Wx.copy(), Wh.copy())


def lstm_backward(dh, cache):
    x, hs, cs, gates, Wx, Wh = cache
    N, T, H = dh.shape
    dx = np.zeros_like(x)
    da = np.zeros((N, T, 4 * H))
    dh_carry, dc_carry = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        i, f, g, o = np.split(gates[:, t], 4, axis=1)
        tc = np.tanh(cs[:, t + 1])
        dht = dh[:, t] + dh_carry
        dct = dc_carry + dht * o * (1 - tc ** 2)
        da[:, t] = np.concatenate([dct * g * i * (1 - i), dct * cs[:, t] * f * (1 - f),
                                   dct * i * (1 - g ** 2), dht * tc * o * (1 - o)], axis=1)
        dx[:, t] = da[:, t] @ Wx.T
        dh_carry = da[:, t] @ Wh.T
        dc_carry = dct * f
    dWx = np.einsum("ntd,ntk->dk", x, da)
    dWh = np.einsum("nth,ntk->hk", hs[:, :-1], da)
    db = da.sum(axis=(0, 1))
    return dx, dh_carry, dWx, dWh, db
