"""relu_forward clamps the negative entries of x in place, changing the caller's array.

Fix: Return a new array, e.g. np.maximum(0, x), and leave x as it was.
"""


def relu_forward(x):
    x[x < 0] = 0.0
    out = x
    cache = x
    return out, cache
