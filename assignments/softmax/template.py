# %% [markdown]
# # Softmax, log-softmax, cross-entropy and KL divergence
#
# Implement the four functions below with NumPy only (no torch, scipy, sklearn or jax).
# Every function must stay finite for entries up to ±1e4: remember that
# `softmax(z) == softmax(z - c)` for any constant `c`.
#
# Check your work before you submit: `grader check softmax.py` (or this notebook).

# %%
import numpy as np


# %%
def softmax(z, axis=-1):
    """Normalised exponentials of ``z`` along ``axis``.

    Inputs:
    - z: array of any shape, float64
    - axis: the axis to normalise along (default: the last)

    Returns:
    - p: array of the shape of ``z``; ``p.sum(axis) == 1`` and every entry in [0, 1]
    """
    raise NotImplementedError("softmax: write your implementation here")


# %%
def log_softmax(z, axis=-1):
    """``log(softmax(z))`` without ever taking the log of an underflowed zero.

    Inputs:
    - z: array of any shape, float64
    - axis: the axis to normalise along (default: the last)

    Returns:
    - log_p: array of the shape of ``z``; finite wherever ``z`` is finite
    """
    raise NotImplementedError("log_softmax: write your implementation here")


# %%
def cross_entropy(logits, labels):
    """Mean negative log-likelihood of the true classes.

    Inputs:
    - logits: (N, C) unnormalised scores
    - labels: (N,) integer class indices in [0, C)

    Returns:
    - loss: float, ``mean_i -log_softmax(logits)[i, labels[i]]``
    """
    raise NotImplementedError("cross_entropy: write your implementation here")


# %%
def kl_divergence(p, q):
    """Kullback-Leibler divergence ``KL(p || q)``.

    Inputs:
    - p: (C,) probability vector; entries may be exactly 0
    - q: (C,) probability vector, positive wherever ``p`` is

    Returns:
    - kl: float, ``sum_c p_c log(p_c / q_c)``, where terms with ``p_c == 0`` contribute 0
    """
    raise NotImplementedError("kl_divergence: write your implementation here")
