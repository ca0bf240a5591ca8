"""Centred finite differences, the independent check of every reference backward."""
from __future__ import annotations

import numpy as np


def numeric_gradient(f, array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f() / d array by centred differences; ``array`` is changed in place and restored."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + eps
        plus = f()
        array[index] = saved - eps
        minus = f()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad
