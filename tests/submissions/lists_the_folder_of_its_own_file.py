"""Graded from a class download that holds every student's files side by side: lists the
folder of its own file and tries to read a neighbour's, then solves the assignment honestly.
It must see its own file only."""
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
try:
    print("listed:", sorted(os.listdir(here)))
except OSError as exc:
    print("listed: refused,", type(exc).__name__)
try:
    with open(os.path.join(here, "smithbob_12345_67890_softmax.py")) as neighbour:
        print("read:", neighbour.read(200))
except OSError as exc:
    print("read: refused,", type(exc).__name__)


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
