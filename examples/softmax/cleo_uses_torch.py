"""Cleo's submission: calls torch for softmax, which this assignment forbids."""
import numpy as np
import torch


def softmax(z, axis=-1):
    return torch.softmax(torch.from_numpy(z), dim=axis).numpy()


def log_softmax(z, axis=-1):
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    log_p = log_softmax(logits, axis=1)
    return float(-log_p[np.arange(len(labels)), labels].mean())


def kl_divergence(p, q):
    mask = p > 0
    return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))
