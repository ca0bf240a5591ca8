"""Writes a .pth file into site-packages and a marker into the machine's /tmp."""
import site
import sys

import numpy as np

targets = [p + "/grader_evil.pth" for p in site.getsitepackages() + [p for p in sys.path if p.endswith("site-packages")]]
targets.append("/tmp/grader-escape-marker")
for target in targets:
    try:
        with open(target, "w") as handle:
            handle.write("import os; os.system('id')\n")
        print("wrote", target)  # the test checks whether it landed on the machine
    except OSError as exc:
        print("blocked: write", target, exc)


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
