"""Correct but kl_divergence, whose exception (and what it prints) carries terminal control:
clear screen (ESC [2J), set the window title (OSC ... BEL), a one-byte CSI (U+009B), a right-to-left
override (U+202E), a carriage return that would hide the line, and NUL."""
import os
import sys

import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    return float(-log_softmax(logits, 1)[np.arange(len(labels)), labels].mean())


HOSTILE = "\x1b[2J\x1b[3J\x1b]0;graded 30/30\x07\x9b31m\u202eevil\rhidden\x00end"


def kl_divergence(p, q):
    raise ValueError("kl " + HOSTILE)


print("printed " + HOSTILE)
print("stderr " + HOSTILE, file=sys.stderr)
os.write(1, b"raw \x1b[2J\xff\xfe invalid utf-8\n")
