"""A module submission that checks itself with grader.check() when it is imported:
inside the grader (the worker) the call does nothing, and the work is graded as usual."""
import grader

import numpy as np


def softmax(z, axis=-1):
    moved = np.moveaxis(np.asarray(z, dtype=float), axis, -1)
    out = np.empty_like(moved)
    for index in np.ndindex(moved.shape[:-1]):
        row = moved[index]
        e = np.exp(row - row.max())
        out[index] = e / e.sum()
    return np.moveaxis(out, -1, axis)


def log_softmax(z, axis=-1):
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    total = 0.0
    for row, label in zip(log_softmax(logits, axis=1), labels):
        total -= row[label]
    return total / len(labels)


def kl_divergence(p, q):
    return sum(pi * np.log(pi / qi) for pi, qi in zip(p, q) if pi > 0)

print("grader.check() ->", grader.check())
