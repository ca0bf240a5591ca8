"""Every function returns a 264 MB array (33 million float64 zeros) whatever it is asked:
the grader must refuse what exceeds its caps without holding all of it (it once reached
4.2 GB resident)."""
import numpy as np

_SIZE = 33_000_000


def softmax(z, axis=-1):
    return np.zeros(_SIZE)


def log_softmax(z, axis=-1):
    return np.zeros(_SIZE)


def cross_entropy(logits, labels):
    return np.zeros(_SIZE)


def kl_divergence(p, q):
    return np.zeros(_SIZE)
