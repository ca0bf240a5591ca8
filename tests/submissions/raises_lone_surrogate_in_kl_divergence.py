"""Correct but kl_divergence, whose exception message holds lone surrogates (which cannot be
encoded as UTF-8: writing the report raised UnicodeEncodeError) and a surrogate pair."""

import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    return float(-log_softmax(logits, 1)[np.arange(len(labels)), labels].mean())


def kl_divergence(p, q):
    raise ValueError("kl lone \udcff and \ud800, pair \ud83d\ude00 end")
