"""softmax raises an exception whose __str__ raises; log_softmax one with a 1 MB message
from a helper; cross_entropy one whose message imitates a catalogue mistake's from
another function. What the worker reports of them (grader.raised) is data: the message
is cut to 300 characters, an unprintable one is empty, and none is believed beyond
that."""
import numpy as np


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no message for you")


def softmax(z, axis=-1):
    raise Unprintable()


def _helper(z):
    raise ValueError("x" * (1 << 20) + "\n\t  0x7f00deadbeef")


def log_softmax(z, axis=-1):
    return _helper(z)


def cross_entropy(logits, labels):
    raise IndexError("index 5 is out of bounds for axis 1 with size 5")


def kl_divergence(p, q):
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())
