"""Decorates kl_divergence with numba's njit (not installed where it is graded), subclasses a class of
a missing package at load time, and imports cupy inside a try with a NumPy fallback."""
try:
    import cupy as xp
except ImportError:
    import numpy as xp
from numba import njit
from missing_framework import Layer

np = xp


class Softmax(Layer):
    def __call__(self, z, axis):
        e = np.exp(z - z.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)


def softmax(z, axis=-1):
    return Softmax()(z, axis)


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    return float(-log_softmax(logits, 1)[np.arange(len(labels)), labels].mean())


@njit
def kl_divergence(p, q):
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())
