"""The loss takes the log of the softmax probability, which underflows to 0 (log 0 =
-inf) when the true class scores far below the best one.

Fix: Compute the log-probabilities directly, as (scores - max) minus the log of the sum
of exp(scores - max), instead of taking the log of the probabilities.
"""

import numpy as np


def softmax_loss(scores, y):
    n = scores.shape[0]
    rows = np.arange(n)
    shifted = scores - np.max(scores, axis=1, keepdims=True)  # exponents <= 0: no overflow
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[rows, y]))
    dscores = probs.copy()     # d(-log p_y) / d scores = p - onehot(y)
    dscores[rows, y] -= 1.0
    dscores /= n               # loss = mean over the N rows
    return float(loss), dscores
