"""Correct functions, except that kl_divergence first writes a result frame carrying
`"duration_s": NaN` (it once put NaN into a report, which is then not JSON)."""
import os
import struct

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
    text = (b'{"kind": "result", "test": "kl_divergence_dense", "status": "returned", "warnings": 0, '
            b'"forbidden": [], "duration_s": NaN, "arrays": []}')
    os.write(1000, struct.pack("<Q", len(text)) + text)
    return _kl_divergence(p, q)
