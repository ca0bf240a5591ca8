"""softmax is correct on small inputs and loops on large logits (it 'normalises' by
repeated halving that never ends for |z| > 100); the other functions are correct and do
not call it. Only the softmax tests after the one that timed out are not run."""
import numpy as np


def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    while np.abs(z).max() > 100:
        z = z * 1.0  # never shrinks
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
