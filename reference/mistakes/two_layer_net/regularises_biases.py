"""The L2 penalty (and its gradient) also includes the biases b1 and b2.

Fix: Only the weights W1 and W2 are regularised: leave b1 and b2 out of the penalty and
out of its gradient.
"""

import numpy as np


def two_layer_net_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]

    hidden_pre, affine1_cache = affine_forward(X, W1, b1)
    hidden, relu_cache = relu_forward(hidden_pre)
    scores, affine2_cache = affine_forward(hidden, W2, b2)
    data_loss, dscores = softmax_loss(scores, y)
    reg_loss = 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2)
                        + np.sum(b1 * b1) + np.sum(b2 * b2))
    loss = data_loss + reg_loss

    dhidden, dW2, db2 = affine_backward(dscores, affine2_cache)
    dhidden_pre = relu_backward(dhidden, relu_cache)
    _, dW1, db1 = affine_backward(dhidden_pre, affine1_cache)
    dW1 = dW1 + reg * W1       # reg_loss = 0.5 * reg * sum(W1**2)
    dW2 = dW2 + reg * W2       # reg_loss = 0.5 * reg * sum(W2**2)

    db1 = db1 + reg * b1
    db2 = db2 + reg * b2

    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    return float(loss), grads
