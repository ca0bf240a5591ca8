"""Parses, but does not compile: 'return' outside a function on line 9. Python reads the text
of such an error's line from the file of that name in the current folder, not from the source."""
import numpy as np


def softmax(z, axis=-1):
    return np.exp(z) / np.exp(z).sum(axis=axis, keepdims=True)

return softmax
