"""Every layer written with explicit Python loops over examples, features and classes."""
import math

import numpy as np


def affine_forward(x, w, b):
    n, d = x.shape
    m = w.shape[1]
    out = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            total = b[j]
            for k in range(d):
                total += x[i, k] * w[k, j]
            out[i, j] = total
    return out, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    n, d = x.shape
    m = w.shape[1]
    dx, dw, db = np.zeros((n, d)), np.zeros((d, m)), np.zeros(m)
    for i in range(n):
        for j in range(m):
            db[j] += dout[i, j]
            for k in range(d):
                dx[i, k] += dout[i, j] * w[k, j]
                dw[k, j] += x[i, k] * dout[i, j]
    return dx, dw, db


def relu_forward(x):
    out = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] if x[i, j] > 0 else 0.0
    return out, x


def relu_backward(dout, cache):
    x = cache
    dx = np.zeros_like(dout)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            if x[i, j] > 0:
                dx[i, j] = dout[i, j]
    return dx


def softmax_loss(scores, y):
    n, c = scores.shape
    loss = 0.0
    dscores = np.zeros((n, c))
    for i in range(n):
        best = max(scores[i])
        exps = [math.exp(s - best) for s in scores[i]]
        total = sum(exps)
        loss += -(scores[i, y[i]] - best - math.log(total))
        for j in range(c):
            dscores[i, j] = exps[j] / total - (1.0 if j == y[i] else 0.0)
    return loss / n, dscores / n


def two_layer_net_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h_pre, cache1 = affine_forward(X, W1, b1)
    h, cache_relu = relu_forward(h_pre)
    scores, cache2 = affine_forward(h, W2, b2)
    loss, dscores = softmax_loss(scores, y)
    penalty = 0.0
    for W in (W1, W2):
        for value in W.flat:
            penalty += value * value
    loss += 0.5 * reg * penalty
    dh, dW2, db2 = affine_backward(dscores, cache2)
    _, dW1, db1 = affine_backward(relu_backward(dh, cache_relu), cache1)
    return loss, {"W1": dW1 + reg * W1, "b1": db1, "W2": dW2 + reg * W2, "b2": db2}
