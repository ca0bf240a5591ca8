"""Computes everything in float32 (the input cast down first) and casts the results back to float64."""
import numpy as np


def softmax(z, axis=-1):
    z = np.asarray(z, dtype=np.float32)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return (e / e.sum(axis=axis, keepdims=True)).astype(np.float64)


def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=np.float32)
    shifted = z - z.max(axis=axis, keepdims=True)
    return (shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))).astype(np.float64)


def cross_entropy(logits, labels):
    log_p = log_softmax(np.asarray(logits, dtype=np.float32), axis=1).astype(np.float32)
    return float(-log_p[np.arange(len(labels)), labels].mean(dtype=np.float32))


def kl_divergence(p, q):
    p, q = np.asarray(p, dtype=np.float32), np.asarray(q, dtype=np.float32)
    keep = p > 0
    return float(np.sum(p[keep] * np.log(p[keep] / q[keep]), dtype=np.float32))
