"""cross_entropy takes np.log of softmax, which is log(0) = -inf (an infinite loss) when the true class is far behind the best one.

Fix: Use log_softmax (log-sum-exp in log space) instead of np.log(softmax(...)).
"""
import numpy as np


def softmax(z, axis=-1):
    """Normalised exponentials of ``z`` along ``axis``.

    Inputs:
    - z: array of any shape, float64
    - axis: the axis to normalise along (default: the last)

    Returns:
    - p: array of the shape of ``z``; ``p.sum(axis) == 1`` and every entry in [0, 1]
    """
    shifted = z - np.max(z, axis=axis, keepdims=True)  # every exponent <= 0: no overflow
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    """``log(softmax(z))`` without ever taking the log of an underflowed zero.

    Inputs:
    - z: array of any shape, float64
    - axis: the axis to normalise along (default: the last)

    Returns:
    - log_p: array of the shape of ``z``; finite wherever ``z`` is finite
    """
    shifted = z - np.max(z, axis=axis, keepdims=True)
    log_sum = np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))  # log-sum-exp
    return shifted - log_sum


def cross_entropy(logits, labels):
    """Mean negative log-likelihood of the true classes.

    Inputs:
    - logits: (N, C) unnormalised scores
    - labels: (N,) integer class indices in [0, C)

    Returns:
    - loss: float, ``mean_i -log_softmax(logits)[i, labels[i]]``
    """
    log_p = np.log(softmax(logits, axis=1))
    n = logits.shape[0]
    return float(-np.mean(log_p[np.arange(n), labels]))


def kl_divergence(p, q):
    """Kullback-Leibler divergence ``KL(p || q)``.

    Inputs:
    - p: (C,) probability vector; entries may be exactly 0
    - q: (C,) probability vector, positive wherever ``p`` is

    Returns:
    - kl: float, ``sum_c p_c log(p_c / q_c)``, where terms with ``p_c == 0`` contribute 0
    """
    support = p > 0  # 0 * log(0 / q) is taken as 0
    return float(np.sum(p[support] * np.log(p[support] / q[support])))
