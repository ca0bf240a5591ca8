"""affine_forward returns x @ w without adding the bias b, so the layer's output ignores b (affine_backward's db is then the gradient of a parameter the forward pass never used).

Fix: Add the bias vector to every row of the product (it broadcasts over the batch).
"""


def affine_forward(x, w, b):
    out = x @ w
    cache = (x, w)
    return out, cache
