"""cross_entropy picks the raw logits of the true classes instead of their log-probabilities, so the scores are never normalised.

Fix: Apply log_softmax along axis 1 first, then pick the entry of each row's true class.
"""

import numpy as np


def cross_entropy(logits, labels):
    n = logits.shape[0]
    return float(-np.mean(logits[np.arange(n), labels]))
