"""Keeps each step's cache as a dict and the sequence cache as a dict holding a list of per-step tuples."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = np.dot(x, Wx) + np.dot(prev_h, Wh) + b
    ai, af, ag, ao = np.split(a, 4, axis=1)
    i, f, g, o = sigmoid(ai), sigmoid(af), np.tanh(ag), sigmoid(ao)
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = {"x": x, "prev_h": prev_h, "prev_c": prev_c, "Wx": Wx, "Wh": Wh,
             "gates": (i, f, g, o), "next_c": next_c}
    return next_h, next_c, cache


def lstm_step_backward(dnext_h, dnext_c, cache):
    i, f, g, o = cache["gates"]
    tanh_c = np.tanh(cache["next_c"])
    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)
    da = np.hstack([dc * g * i * (1 - i), dc * cache["prev_c"] * f * (1 - f),
                    dc * i * (1 - g ** 2), dnext_h * tanh_c * o * (1 - o)])
    dx = np.dot(da, cache["Wx"].T)
    dprev_h = np.dot(da, cache["Wh"].T)
    dWx = np.dot(cache["x"].T, da)
    dWh = np.dot(cache["prev_h"].T, da)
    return dx, dprev_h, dc * f, dWx, dWh, np.sum(da, axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = []
    steps = []
    state = (h0, np.zeros_like(h0))
    for t in range(T):
        nh, nc, c = lstm_step_forward(x[:, t, :], state[0], state[1], Wx, Wh, b)
        state = (nh, nc)
        h.append(nh)
        steps.append((t, c))
    return np.transpose(np.array(h), (1, 0, 2)), {"steps": steps, "D": D}


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache["D"]))
    totals = None
    carry_h, carry_c = np.zeros((N, H)), np.zeros((N, H))
    for t, step in cache["steps"][::-1]:
        dx[:, t, :], carry_h, carry_c, *param_grads = lstm_step_backward(dh[:, t, :] + carry_h, carry_c, step)
        totals = param_grads if totals is None else [s + p for s, p in zip(totals, param_grads)]
    dWx, dWh, db = totals
    return dx, carry_h, dWx, dWh, db
