"""predict multiplies X by w as a column vector, so it returns predictions of shape (n, 1) instead of (n,).

Fix: Return X @ w with w one-dimensional, so the predictions have shape (n,).
"""


def predict(X, w):
    return X @ w.reshape(-1, 1)  # column vector of predictions
