"""Correct functions whose outputs are laid out unusually: softmax returns a
Fortran-ordered array, log_softmax a read-only view with negative strides,
cross_entropy a NumPy float32 scalar, kl_divergence a NumPy float64 scalar."""
import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return np.asfortranarray(e / e.sum(axis=axis, keepdims=True))


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    out = (s - np.log(np.exp(s).sum(axis=axis, keepdims=True)))[..., ::-1].copy()[..., ::-1]
    out.setflags(write=False)
    return out


def cross_entropy(logits, labels):
    return np.float32(-log_softmax(logits, 1)[np.arange(len(labels)), labels].mean())


def kl_divergence(p, q):
    m = p > 0
    return np.float64((p[m] * np.log(p[m] / q[m])).sum())
