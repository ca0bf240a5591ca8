"""relu_backward zeroes entries of dout in place and returns it, changing the caller's
array.

Fix: Return a new array (e.g. np.where or dout * mask) instead of assigning into dout.
"""


def relu_backward(dout, cache):
    x = cache
    dout[x <= 0] = 0.0
    dx = dout
    return dx
