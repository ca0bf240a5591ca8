# %% [markdown]
# # Backpropagation through a two-layer network
#
# Implement each layer as a pair of functions: `*_forward` returns the output and a
# `cache` (anything your backward pass needs); `*_backward(dout, cache)` receives the
# gradient of the loss with respect to the layer's output and returns the gradients with
# respect to its inputs. Then chain them into the loss of the network
# `relu(X @ W1 + b1) @ W2 + b2` under softmax cross-entropy, with L2 regularisation.
#
# NumPy only (no torch, scipy, sklearn or jax). Do not modify any input in place.
# A centred finite difference `(f(x + h) - f(x - h)) / (2 h)` is a good way to check
# each gradient you write.
#
# Check your work before you submit: `grader check -a two_layer_net two_layer_net.py`
# (or this notebook).

# %%
import numpy as np


# %%
def affine_forward(x, w, b):
    """A fully connected layer.

    Inputs:
    - x: (N, D) a batch of N inputs
    - w: (D, M) weights
    - b: (M,) biases

    Returns:
    - out: (N, M) ``x @ w + b``
    - cache: what affine_backward needs
    """
    raise NotImplementedError("affine_forward: write your implementation here")


# %%
def affine_backward(dout, cache):
    """Gradients of a fully connected layer.

    Inputs:
    - dout: (N, M) upstream gradient, d loss / d out
    - cache: from affine_forward

    Returns:
    - dx: (N, D) d loss / d x
    - dw: (D, M) d loss / d w
    - db: (M,) d loss / d b
    """
    raise NotImplementedError("affine_backward: write your implementation here")


# %%
def relu_forward(x):
    """Rectified linear unit, elementwise.

    Inputs:
    - x: array of any shape, e.g. (N, M)

    Returns:
    - out: array of the shape of ``x``, ``max(0, x)``
    - cache: what relu_backward needs
    """
    raise NotImplementedError("relu_forward: write your implementation here")


# %%
def relu_backward(dout, cache):
    """Gradient of the ReLU.

    Inputs:
    - dout: upstream gradient d loss / d out, of the shape of ``x``
    - cache: from relu_forward

    Returns:
    - dx: of the shape of ``x``; ``dout`` where ``x > 0``, else 0
    """
    raise NotImplementedError("relu_backward: write your implementation here")


# %%
def softmax_loss(scores, y):
    """Mean cross-entropy of the softmax of ``scores``, and its gradient.

    Inputs:
    - scores: (N, C) unnormalised class scores
    - y: (N,) integer labels in [0, C)

    Returns:
    - loss: float, ``mean_i -log softmax(scores)[i, y[i]]``
    - dscores: (N, C) d loss / d scores
    """
    raise NotImplementedError("softmax_loss: write your implementation here")


# %%
def two_layer_net_loss(X, y, params, reg=0.0):
    """Loss and gradients of ``relu(X @ W1 + b1) @ W2 + b2`` under softmax cross-entropy.

    Inputs:
    - X: (N, D) inputs
    - y: (N,) integer labels in [0, C)
    - params: dict with 'W1' (D, H), 'b1' (H,), 'W2' (H, C), 'b2' (C,)
    - reg: L2 strength; adds ``0.5 * reg * (sum(W1**2) + sum(W2**2))`` (biases are not
      regularised)

    Returns:
    - loss: float, mean cross-entropy plus the regularisation term
    - grads: dict with the keys of ``params``, each gradient of the shape of its parameter
    """
    raise NotImplementedError("two_layer_net_loss: write your implementation here")
