"""Correct but kl_divergence, whose exception and printed output are Rich markup: a closing
tag with nothing to close (which crashed the terminal view), a style and a link."""

import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    return float(-log_softmax(logits, 1)[np.arange(len(labels)), labels].mean())


MARKUP = "[/] [bold red]FAKE PASS[/bold red] [link=http://example.invalid]click[/link] [/x] \\"


def kl_divergence(p, q):
    raise ValueError("kl " + MARKUP)


print(MARKUP)
