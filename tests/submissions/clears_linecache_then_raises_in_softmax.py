"""Clears linecache at import, then softmax raises: a traceback of its frames would look its
lines up by file name, in the worker's current folder and on sys.path."""
import linecache

import numpy as np


def softmax(z, axis=-1):
    raise RuntimeError("softmax is not written yet")


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    return float(-log_softmax(logits, 1)[np.arange(len(labels)), labels].mean())


def kl_divergence(p, q):
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())


linecache.clearcache()
