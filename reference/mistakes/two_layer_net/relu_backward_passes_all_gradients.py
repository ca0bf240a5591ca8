"""relu_backward returns dout unchanged, as if the ReLU had slope 1 everywhere.

Fix: The ReLU is flat where x <= 0: zero the gradient there, using the x kept in the
cache.
"""


def relu_backward(dout, cache):
    x = cache
    dx = dout
    return dx
