"""Computes everything in float32 and casts each result back to float64."""
import numpy as np

F32 = np.float32


def affine_forward(x, w, b):
    x32, w32, b32 = x.astype(F32), w.astype(F32), b.astype(F32)
    return (x32 @ w32 + b32).astype(np.float64), (x32, w32)


def affine_backward(dout, cache):
    x32, w32 = cache
    d32 = dout.astype(F32)
    dx, dw, db = d32 @ w32.T, x32.T @ d32, d32.sum(axis=0)
    return dx.astype(np.float64), dw.astype(np.float64), db.astype(np.float64)


def relu_forward(x):
    x32 = x.astype(F32)
    return np.maximum(x32, F32(0)).astype(np.float64), x32


def relu_backward(dout, cache):
    return np.where(cache > 0, dout.astype(F32), F32(0)).astype(np.float64)


def softmax_loss(scores, y):
    s32 = scores.astype(F32)
    n = s32.shape[0]
    z = s32 - s32.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), y].mean()
    d = np.exp(log_p)
    d[np.arange(n), y] -= F32(1)
    return float(loss), (d / F32(n)).astype(np.float64)


def two_layer_net_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = (params[k].astype(F32) for k in ("W1", "b1", "W2", "b2"))
    X32, r = X.astype(F32), F32(reg)
    n = X32.shape[0]
    a = X32 @ W1 + b1
    h = np.maximum(a, F32(0))
    s = h @ W2 + b2
    z = s - s.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), y].mean() + F32(0.5) * r * ((W1 * W1).sum() + (W2 * W2).sum())
    ds = np.exp(log_p)
    ds[np.arange(n), y] -= F32(1)
    ds /= F32(n)
    dh = np.where(a > 0, ds @ W2.T, F32(0))
    grads = {"W1": X32.T @ dh + r * W1, "b1": dh.sum(axis=0),
             "W2": h.T @ ds + r * W2, "b2": ds.sum(axis=0)}
    return float(loss), {k: v.astype(np.float64) for k, v in grads.items()}
