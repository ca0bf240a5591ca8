"""Correct, but every call takes 0.4 s (a sleep standing for a slow computation): each
test finishes within its time limit, and the submission's time budget runs out first."""
import time

import numpy as np


def softmax(z, axis=-1):
    time.sleep(0.4)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    time.sleep(0.4)
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    s = logits - logits.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    time.sleep(0.4)
    return float(-log_p[np.arange(len(labels)), labels].mean())


def kl_divergence(p, q):
    time.sleep(0.4)
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())
