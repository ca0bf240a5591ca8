"""Correct functions, except that kl_divergence writes 4 KiB of random bytes to the
result channel before it returns."""
import os

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


_kl_divergence = kl_divergence


def kl_divergence(p, q):  # noqa: F811
    os.write(1000, os.urandom(4096))
    return _kl_divergence(p, q)
