"""Linear regression by ordinary least squares, and the metrics that judge a regression.

The one idea behind ``fit``: write ``X = U diag(s) Vt`` (the thin SVD). Then
``||Xw - y||`` only depends on the part of ``w`` along the rows of ``Vt`` whose singular
value is non-zero; along those directions the best coefficients are ``(U.T @ y) / s``,
and giving every other direction coefficient 0 makes ``w`` the shortest minimiser. That
is the Moore-Penrose solution ``pinv(X) @ y``, and it exists even when ``X.T @ X`` is
singular (duplicate or collinear columns, or more features than samples).
"""
import numpy as np


def fit(X, y):
    """Least-squares weights: the minimum-norm ``w`` minimising ``||X @ w - y||^2``.

    No intercept is added: a caller who wants one includes a column of ones in ``X``.

    Inputs:
    - X: (n, d) design matrix, one sample per row
    - y: (n,) targets

    Returns:
    - w: (d,) weights; equal to ``pinv(X) @ y``, also when ``X.T @ X`` is singular
    """
    U, s, Vt = np.linalg.svd(X, full_matrices=False)  # X = U diag(s) Vt; U (n, k), s (k,), Vt (k, d)
    cutoff = max(X.shape) * np.finfo(float).eps * s.max(initial=0.0)
    keep = s > cutoff  # singular values at rounding level are zeros that rounding disguised
    coefficients = (U[:, keep].T @ y) / s[keep]  # best coordinates along the kept directions
    return Vt[keep].T @ coefficients  # no component along the null space: minimum norm


def predict(X, w):
    """Predictions of a linear model.

    Inputs:
    - X: (n, d) design matrix
    - w: (d,) weights

    Returns:
    - y_hat: (n,) predictions ``X @ w``
    """
    return X @ w


def mse(y, y_hat):
    """Mean squared error.

    Inputs:
    - y: (n,) targets
    - y_hat: (n,) predictions

    Returns:
    - float, ``mean((y - y_hat) ** 2)``
    """
    return float(np.mean((y - y_hat) ** 2))


def mae(y, y_hat):
    """Mean absolute error.

    Inputs:
    - y: (n,) targets
    - y_hat: (n,) predictions

    Returns:
    - float, ``mean(|y - y_hat|)``
    """
    return float(np.mean(np.abs(y - y_hat)))


def rmse(y, y_hat):
    """Root mean squared error: the square root of the mean, not the mean of roots.

    Inputs:
    - y: (n,) targets
    - y_hat: (n,) predictions

    Returns:
    - float, ``sqrt(mean((y - y_hat) ** 2))``
    """
    return float(np.sqrt(mse(y, y_hat)))


def r2_score(y, y_hat):
    """Coefficient of determination of any predictions (negative when worse than the mean).

    Inputs:
    - y: (n,) targets, not all equal
    - y_hat: (n,) predictions, from any model

    Returns:
    - float, ``1 - RSS / TSS`` with ``RSS = sum((y - y_hat) ** 2)`` and
      ``TSS = sum((y - mean(y)) ** 2)``
    """
    rss = np.sum((y - y_hat) ** 2)  # what the predictions leave unexplained
    tss = np.sum((y - np.mean(y)) ** 2)  # what predicting the mean of y leaves unexplained
    return float(1.0 - rss / tss)
