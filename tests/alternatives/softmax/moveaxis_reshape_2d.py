"""Moves `axis` to the end and reshapes to 2-D rows, works on rows only, then restores the shape."""
import numpy as np


def _rows(z, axis):
    moved = np.moveaxis(np.asarray(z, dtype=np.float64), axis, -1)
    return moved, moved.reshape(-1, moved.shape[-1])


def _restore(rows, moved, axis):
    return np.moveaxis(rows.reshape(moved.shape), -1, axis)


def softmax(z, axis=-1):
    moved, rows = _rows(z, axis)
    e = np.exp(rows - rows.max(axis=1)[:, None])
    return _restore(e / e.sum(axis=1)[:, None], moved, axis)


def log_softmax(z, axis=-1):
    moved, rows = _rows(z, axis)
    shifted = rows - rows.max(axis=1)[:, None]
    return _restore(shifted - np.log(np.exp(shifted).sum(axis=1))[:, None], moved, axis)


def cross_entropy(logits, labels):
    picked = log_softmax(logits)[np.arange(logits.shape[0]), labels]
    return -picked.sum() / logits.shape[0]


def kl_divergence(p, q):
    nonzero = np.flatnonzero(p)
    return np.dot(p[nonzero], np.log(p[nonzero]) - np.log(q[nonzero]))
