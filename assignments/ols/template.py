# %% [markdown]
# # Linear regression by ordinary least squares
#
# Implement the six functions below with NumPy only (no torch, scipy, sklearn or jax).
# The solvers in `numpy.linalg` (`lstsq`, `pinv`, `solve`, `svd`, `qr`) are allowed.
#
# `fit` must also work when `X.T @ X` is singular: duplicate or collinear columns, or more
# features than samples. Then many `w` minimise `||X @ w - y||^2`, and you must return the
# shortest one, `pinv(X) @ y`. No intercept is added: a caller who wants one puts a column
# of ones in `X`. Do not modify any input in place.
#
# Check your work before you submit: `grader check -a ols ols.py` (or this notebook).

# %%
import numpy as np


# %%
def fit(X, y):
    """Least-squares weights: the minimum-norm ``w`` minimising ``||X @ w - y||^2``.

    No intercept is added: a caller who wants one includes a column of ones in ``X``.

    Inputs:
    - X: (n, d) design matrix, one sample per row
    - y: (n,) targets

    Returns:
    - w: (d,) weights; equal to ``pinv(X) @ y``, also when ``X.T @ X`` is singular
    """
    raise NotImplementedError("fit: write your implementation here")


# %%
def predict(X, w):
    """Predictions of a linear model.

    Inputs:
    - X: (n, d) design matrix
    - w: (d,) weights

    Returns:
    - y_hat: (n,) predictions ``X @ w``
    """
    raise NotImplementedError("predict: write your implementation here")


# %%
def mse(y, y_hat):
    """Mean squared error.

    Inputs:
    - y: (n,) targets
    - y_hat: (n,) predictions

    Returns:
    - float, ``mean((y - y_hat) ** 2)``
    """
    raise NotImplementedError("mse: write your implementation here")


# %%
def mae(y, y_hat):
    """Mean absolute error.

    Inputs:
    - y: (n,) targets
    - y_hat: (n,) predictions

    Returns:
    - float, ``mean(|y - y_hat|)``
    """
    raise NotImplementedError("mae: write your implementation here")


# %%
def rmse(y, y_hat):
    """Root mean squared error: the square root of the mean, not the mean of roots.

    Inputs:
    - y: (n,) targets
    - y_hat: (n,) predictions

    Returns:
    - float, ``sqrt(mean((y - y_hat) ** 2))``
    """
    raise NotImplementedError("rmse: write your implementation here")


# %%
def r2_score(y, y_hat):
    """Coefficient of determination of any predictions (negative when worse than the mean).

    Inputs:
    - y: (n,) targets, not all equal
    - y_hat: (n,) predictions, from any model

    Returns:
    - float, ``1 - RSS / TSS`` with ``RSS = sum((y - y_hat) ** 2)`` and
      ``TSS = sum((y - mean(y)) ** 2)``
    """
    raise NotImplementedError("r2_score: write your implementation here")
