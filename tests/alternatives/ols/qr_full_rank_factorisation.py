"""fit with QR: keep the independent columns, then the minimum-norm solution via a second QR."""
import numpy as np


def _independent_columns(X, tol=1e-10):
    """Indices of columns not in the span of earlier ones (Gram-Schmidt, reorthogonalised)."""
    basis, chosen = [], []
    scale = max(np.linalg.norm(X, axis=0).max(initial=0.0), 1e-300)
    for j in range(X.shape[1]):
        v = X[:, j].astype(float)
        for _ in range(2):
            for q in basis:
                v = v - (q @ v) * q
        if np.linalg.norm(v) > tol * scale:
            basis.append(v / np.linalg.norm(v))
            chosen.append(j)
    return chosen


def fit(X, y):
    chosen = _independent_columns(X)
    if not chosen:
        return np.zeros(X.shape[1])
    B = X[:, chosen]                           # (n, r), full column rank, X = B @ C
    Q, R = np.linalg.qr(B)
    z = np.linalg.solve(R, Q.T @ y)            # the unique least-squares coefficients on B
    C = np.linalg.solve(R, Q.T @ X)            # (r, d): every column of X in terms of B
    Q2, R2 = np.linalg.qr(C.T)                 # C.T = Q2 R2, C full row rank
    return Q2 @ np.linalg.solve(R2.T, z)       # shortest w with C @ w = z


def predict(X, w):
    return np.einsum("nd,d->n", X, w)


def mse(y, y_hat):
    r = y - y_hat
    return float(r @ r / r.size)


def mae(y, y_hat):
    return float(np.sum(np.abs(y_hat - y)) / y.size)


def rmse(y, y_hat):
    return mse(y, y_hat) ** 0.5


def r2_score(y, y_hat):
    r = y - y_hat
    c = y - y.mean()
    return float(1 - (r @ r) / (c @ c))
