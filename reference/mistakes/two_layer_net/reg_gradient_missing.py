"""The regularisation term is added to the loss but not to the weight gradients.

Fix: Every term of the loss has a gradient: add reg * W1 to dW1 and reg * W2 to dW2.
"""

import numpy as np


def two_layer_net_loss(X, y, params, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]

    hidden_pre, affine1_cache = affine_forward(X, W1, b1)
    hidden, relu_cache = relu_forward(hidden_pre)
    scores, affine2_cache = affine_forward(hidden, W2, b2)
    data_loss, dscores = softmax_loss(scores, y)
    reg_loss = 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    loss = data_loss + reg_loss

    dhidden, dW2, db2 = affine_backward(dscores, affine2_cache)
    dhidden_pre = relu_backward(dhidden, relu_cache)
    _, dW1, db1 = affine_backward(dhidden_pre, affine1_cache)

    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    return float(loss), grads
