"""The gradient of W2 uses the hidden layer before the ReLU instead of after it.

Fix: W2 multiplies the ReLU's output, so dW2 = relu(X @ W1 + b1).T @ dscores: use the
post-ReLU activations.
"""

import numpy as np


def two_layer_net_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]

    hidden_pre = X @ W1 + b1
    hidden = np.maximum(0.0, hidden_pre)
    scores = hidden @ W2 + b2
    data_loss, dscores = softmax_loss(scores, y)
    reg_loss = 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    loss = data_loss + reg_loss

    dW2 = hidden_pre.T @ dscores + reg * W2
    db2 = np.sum(dscores, axis=0)
    dhidden = dscores @ W2.T
    dhidden_pre = np.where(hidden_pre > 0, dhidden, 0.0)
    dW1 = X.T @ dhidden_pre + reg * W1
    db1 = np.sum(dhidden_pre, axis=0)

    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    return float(loss), grads
