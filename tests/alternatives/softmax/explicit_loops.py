"""Explicit Python loops over every slice, every row and every class instead of vectorised NumPy."""
import math

import numpy as np


def _softmax_1d(values):
    biggest = max(values)
    exps = [math.exp(v - biggest) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def _log_softmax_1d(values):
    biggest = max(values)
    log_total = math.log(sum(math.exp(v - biggest) for v in values))
    return [v - biggest - log_total for v in values]


def _along_axis(f, z, axis):
    z = np.asarray(z, dtype=np.float64)
    moved = np.moveaxis(z, axis, -1)
    out = np.empty_like(moved)
    for index in np.ndindex(moved.shape[:-1]):
        out[index] = f([float(v) for v in moved[index]])
    return np.moveaxis(out, -1, axis)


def softmax(z, axis=-1):
    return _along_axis(_softmax_1d, z, axis)


def log_softmax(z, axis=-1):
    return _along_axis(_log_softmax_1d, z, axis)


def cross_entropy(logits, labels):
    total = 0.0
    for row, label in zip(logits, labels):
        total -= _log_softmax_1d([float(v) for v in row])[int(label)]
    return total / len(labels)


def kl_divergence(p, q):
    total = 0.0
    for p_c, q_c in zip(p, q):
        if p_c > 0:
            total += p_c * math.log(p_c / q_c)
    return float(total)
