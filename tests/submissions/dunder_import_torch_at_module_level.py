"""torch under another spelling: ``T = __import__("torch")`` at module level, then T.softmax in
softmax and log_softmax; cross_entropy and kl_divergence are plain NumPy."""
import numpy as np

T = __import__("torch")


def softmax(z, axis=-1):
    return T.softmax(T.from_numpy(z), axis).numpy()


def log_softmax(z, axis=-1):
    return T.log_softmax(T.from_numpy(z), axis).numpy()


def cross_entropy(logits, labels):
    s = logits - logits.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(labels)), labels].mean())


def kl_divergence(p, q):
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())
