"""cross_entropy multiplies by one-hot labels and takes the mean over all N x C entries, which also divides by the number of classes.

Fix: Sum over the classes and average over the examples only (or pick log_p[i, labels[i]] and take the mean of those N values).
"""

import numpy as np


def cross_entropy(logits, labels):
    log_p = log_softmax(logits, axis=1)
    one_hot = np.eye(logits.shape[1])[labels]
    return float(-np.mean(one_hot * log_p))
