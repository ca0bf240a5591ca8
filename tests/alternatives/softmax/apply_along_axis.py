"""A 1-D softmax applied with np.apply_along_axis; cross-entropy through one-hot labels; KL with np.where."""
import numpy as np


def _softmax_vector(v):
    e = np.exp(v - v.max())
    return e / e.sum()


def _log_softmax_vector(v):
    shifted = v - v.max()
    return shifted - np.log(np.exp(shifted).sum())


def softmax(z, axis=-1):
    return np.apply_along_axis(_softmax_vector, axis, z)


def log_softmax(z, axis=-1):
    return np.apply_along_axis(_log_softmax_vector, axis, z)


def cross_entropy(logits, labels):
    n, c = logits.shape
    one_hot = np.zeros((n, c))
    one_hot[np.arange(n), labels] = 1.0
    return float(-(one_hot * log_softmax(logits, axis=1)).sum() / n)


def kl_divergence(p, q):
    safe_p = np.where(p > 0, p, 1.0)  # log(1 / q) is finite, and it is multiplied by 0 below
    return float(np.sum(np.where(p > 0, p * np.log(safe_p / q), 0.0)))
