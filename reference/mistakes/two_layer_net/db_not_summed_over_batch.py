"""The bias gradient is taken to be the upstream gradient itself, one row per example.

Fix: b is added to each of the N rows, so db collects the gradient of every row: sum
dout over the batch axis so that db has the shape of b.
"""


def affine_backward(dout, cache):
    x, w = cache
    dx = dout @ w.T            # out = x @ w
    dw = x.T @ dout            # out = x @ w
    db = dout
    return dx, dw, db
