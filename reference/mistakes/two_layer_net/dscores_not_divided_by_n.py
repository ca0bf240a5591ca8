"""The loss is averaged over the batch but its gradient dscores is not divided by N.

Fix: The gradient of a mean carries the same 1/N: divide dscores by the number of
examples.
"""

import numpy as np


def softmax_loss(scores, y):
    n = scores.shape[0]
    rows = np.arange(n)
    shifted = scores - np.max(scores, axis=1, keepdims=True)  # exponents <= 0: no overflow
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.mean(log_probs[rows, y])
    probs = np.exp(log_probs)
    dscores = probs.copy()     # d(-log p_y) / d scores = p - onehot(y)
    dscores[rows, y] -= 1.0
    return float(loss), dscores
