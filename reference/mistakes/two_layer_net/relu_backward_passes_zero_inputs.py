"""relu_backward lets the gradient through where x >= 0, including where x is exactly 0.

Fix: The contract passes dout only where x > 0 (strictly); at x == 0 the gradient is 0.
"""

import numpy as np


def relu_backward(dout, cache):
    x = cache
    dx = np.where(x >= 0, dout, 0.0)
    return dx
