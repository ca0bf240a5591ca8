"""Correct functions, except that the first call of log_softmax writes a result frame
whose `warnings` is a string (it once made the grader raise ValueError)."""
import json
import os
import struct

import numpy as np


def send(header):
    """Write one frame to the grader's result channel, as the worker would."""
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    os.write(1000, struct.pack("<Q", len(text)) + text)


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


_log_softmax = log_softmax


def log_softmax(z, axis=-1):  # noqa: F811
    send({"kind": "result", "test": "log_softmax_rows", "status": "returned", "warnings": "many",
          "forbidden": [], "arrays": []})
    return _log_softmax(z, axis)
