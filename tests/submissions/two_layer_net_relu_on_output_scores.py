"""A two_layer_net submission that applies ReLU to the output scores (and masks dscores
to match): correct everywhere else. Its loss differs from the contract's whenever a score
of the probe is negative; when every score happened to be positive (some seeds, before
the probes put one class below zero) it kept the 5 points of two_layer_net_no_reg.
"""
import numpy as np


def affine_forward(x, w, b):
    """A fully connected layer.

    Inputs:
    - x: (N, D) a batch of N inputs
    - w: (D, M) weights
    - b: (M,) biases

    Returns:
    - out: (N, M) ``x @ w + b``
    - cache: what affine_backward needs
    """
    out = x @ w + b
    cache = (x, w)
    return out, cache


def affine_backward(dout, cache):
    """Gradients of a fully connected layer.

    Inputs:
    - dout: (N, M) upstream gradient, d loss / d out
    - cache: from affine_forward

    Returns:
    - dx: (N, D) d loss / d x
    - dw: (D, M) d loss / d w
    - db: (M,) d loss / d b
    """
    x, w = cache
    dx = dout @ w.T            # out = x @ w
    dw = x.T @ dout            # out = x @ w
    db = np.sum(dout, axis=0)  # out = ... + b, b broadcast to each of the N rows
    return dx, dw, db


def relu_forward(x):
    """Rectified linear unit, elementwise.

    Inputs:
    - x: array of any shape, e.g. (N, M)

    Returns:
    - out: array of the shape of ``x``, ``max(0, x)``
    - cache: what relu_backward needs
    """
    out = np.maximum(0.0, x)
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """Gradient of the ReLU.

    Inputs:
    - dout: upstream gradient d loss / d out, of the shape of ``x``
    - cache: from relu_forward

    Returns:
    - dx: of the shape of ``x``; ``dout`` where ``x > 0``, else 0
    """
    x = cache
    dx = np.where(x > 0, dout, 0.0)  # out = max(0, x): slope 1 where x > 0, 0 elsewhere
    return dx


def softmax_loss(scores, y):
    """Mean cross-entropy of the softmax of ``scores``, and its gradient.

    Inputs:
    - scores: (N, C) unnormalised class scores
    - y: (N,) integer labels in [0, C)

    Returns:
    - loss: float, ``mean_i -log softmax(scores)[i, y[i]]``
    - dscores: (N, C) d loss / d scores
    """
    n = scores.shape[0]
    rows = np.arange(n)
    shifted = scores - np.max(scores, axis=1, keepdims=True)  # exponents <= 0: no overflow
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.mean(log_probs[rows, y])
    probs = np.exp(log_probs)
    dscores = probs.copy()     # d(-log p_y) / d scores = p - onehot(y)
    dscores[rows, y] -= 1.0
    dscores /= n               # loss = mean over the N rows
    return float(loss), dscores


def two_layer_net_loss(X, y, params, reg=0.0):
    """Loss and gradients of ``relu(X @ W1 + b1) @ W2 + b2`` under softmax cross-entropy.

    Inputs:
    - X: (N, D) inputs
    - y: (N,) integer labels in [0, C)
    - params: dict with 'W1' (D, H), 'b1' (H,), 'W2' (H, C), 'b2' (C,)
    - reg: L2 strength; adds ``0.5 * reg * (sum(W1**2) + sum(W2**2))`` (biases are not
      regularised)

    Returns:
    - loss: float, mean cross-entropy plus the regularisation term
    - grads: dict with the keys of ``params``, each gradient of the shape of its parameter
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]

    hidden_pre, affine1_cache = affine_forward(X, W1, b1)
    hidden, relu_cache = relu_forward(hidden_pre)
    raw_scores, affine2_cache = affine_forward(hidden, W2, b2)
    scores, out_cache = relu_forward(raw_scores)
    data_loss, dscores = softmax_loss(scores, y)
    dscores = relu_backward(dscores, out_cache)
    reg_loss = 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    loss = data_loss + reg_loss

    dhidden, dW2, db2 = affine_backward(dscores, affine2_cache)
    dhidden_pre = relu_backward(dhidden, relu_cache)
    _, dW1, db1 = affine_backward(dhidden_pre, affine1_cache)
    dW1 = dW1 + reg * W1       # reg_loss = 0.5 * reg * sum(W1**2)
    dW2 = dW2 + reg * W2       # reg_loss = 0.5 * reg * sum(W2**2)

    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    return float(loss), grads
