"""Imports a module the grading environment does not have (the student's own helper package) and
uses it in cross_entropy only; every other function is plain NumPy."""
import numpy as np
import course_helpers_of_the_student as helpers
from course_helpers_of_the_student.losses import nll


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    return float(nll(helpers.log_softmax(logits), labels))


def kl_divergence(p, q):
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())
