"""The cross-entropy loss is summed over the examples instead of averaged.

Fix: The loss is the mean over the N examples: divide the sum by N (or use np.mean).
"""

import numpy as np


def softmax_loss(scores, y):
    n = scores.shape[0]
    rows = np.arange(n)
    shifted = scores - np.max(scores, axis=1, keepdims=True)  # exponents <= 0: no overflow
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.sum(log_probs[rows, y])
    probs = np.exp(log_probs)
    dscores = probs.copy()     # d(-log p_y) / d scores = p - onehot(y)
    dscores[rows, y] -= 1.0
    dscores /= n               # loss = mean over the N rows
    return float(loss), dscores
