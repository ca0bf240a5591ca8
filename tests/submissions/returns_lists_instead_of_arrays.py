"""Correct values, but softmax returns them as a nested Python list and log_softmax as a
tuple, where the assignment asks for NumPy arrays."""
import numpy as np


def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax(z, axis=-1):
    return _softmax(z, axis).tolist()


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return tuple(s - np.log(np.exp(s).sum(axis=axis, keepdims=True)))


def cross_entropy(logits, labels):
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(labels)), labels].mean())


def kl_divergence(p, q):
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())
