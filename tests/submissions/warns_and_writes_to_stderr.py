"""Correct, but warns and writes to stderr on every call (warnings never cost points)."""
import sys
import warnings

import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    return float(-log_softmax(logits, 1)[np.arange(len(labels)), labels].mean())


def kl_divergence(p, q):
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())

_softmax = softmax


def softmax(z, axis=-1):  # noqa: F811
    warnings.warn("this is fine", RuntimeWarning)
    print("debug output", file=sys.stderr)
    np.log(np.zeros(1))  # a numpy divide-by-zero warning
    return _softmax(z, axis)
