"""Fills memory at import, 128 MiB at a time, until something stops it; the functions
come after, so none of them is defined if the import never ends."""
import numpy as np

hoard = []
while True:
    hoard.append(np.ones(1 << 24))  # 128 MiB, touched


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
