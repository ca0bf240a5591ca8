"""Ben's submission: forgets to subtract the maximum before exp, and sums the cross-entropy."""
import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    log_p = log_softmax(logits, axis=1)
    return -log_p[np.arange(len(labels)), labels].sum()


def kl_divergence(p, q):
    mask = p > 0
    return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))
