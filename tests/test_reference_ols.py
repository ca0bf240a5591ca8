"""The ols reference against PyTorch (float64) and centred finite differences."""
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.probe import load_module

ref = load_module(Path(__file__).resolve().parents[1] / "reference" / "ols.py", "_test_reference_ols")


def _design(rng, n, d):
    """Singular values in [1, 3]: well-conditioned, so solvers agree to ~1e-12."""
    U, _, Vt = np.linalg.svd(rng.normal(size=(n, d)), full_matrices=False)
    return (U * rng.uniform(1.0, 3.0, size=min(n, d))) @ Vt


def _problem(kind, seed):
    """(X, y) of a named shape of problem; rank-deficient ones have exact zero directions."""
    rng = np.random.default_rng(seed)
    if kind == "well_conditioned":
        X = _design(rng, 12, 4)
    elif kind == "ones_column":
        X = np.column_stack([np.ones(10), _design(rng, 10, 3)])
    elif kind == "duplicate_columns":
        A = _design(rng, 8, 3)
        X = np.column_stack([A, A[:, 1]])
    elif kind == "collinear_columns":
        A = np.round(_design(rng, 9, 3) * 64) / 64  # dyadic entries: 2*a - b is exact
        X = np.column_stack([A, 2 * A[:, 0] - A[:, 2], -0.5 * A[:, 1]])
    elif kind == "wide":
        X = _design(rng, 3, 6)
    elif kind == "single_sample":
        X = _design(rng, 1, 4)
    else:
        raise ValueError(kind)
    return X, rng.normal(size=X.shape[0]) * 2 + 1


ALL = ["well_conditioned", "ones_column", "duplicate_columns", "collinear_columns", "wide",
       "single_sample"]
FULL_COLUMN_RANK = ["well_conditioned", "ones_column"]
RANK_DEFICIENT = ["duplicate_columns", "collinear_columns", "wide", "single_sample"]


def _t(a):
    return torch.tensor(a, dtype=torch.float64)


def _loss(X, w, y):
    """||X w - y||^2"""
    r = X @ w - y
    return float(r @ r)


# --- fit -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ALL)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_matches_torch_lstsq_and_pinv(kind, seed):
    X, y = _problem(kind, seed)
    w = ref.fit(X, y)
    assert w.shape == (X.shape[1],) and w.dtype == np.float64
    lstsq = torch.linalg.lstsq(_t(X), _t(y)[:, None], driver="gelsd").solution[:, 0]
    pinv = torch.linalg.pinv(_t(X)) @ _t(y)
    np.testing.assert_allclose(w, lstsq.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(w, pinv.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("kind", FULL_COLUMN_RANK)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_matches_normal_equations_on_full_column_rank(kind, seed):
    X, y = _problem(kind, seed)
    Xt, yt = _t(X), _t(y)
    expected = torch.linalg.solve(Xt.T @ Xt, Xt.T @ yt)
    np.testing.assert_allclose(ref.fit(X, y), expected.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ALL)
def test_loss_gradient_vanishes_at_fit_autograd(kind):
    X, y = _problem(kind, 3)
    w = _t(ref.fit(X, y)).requires_grad_()
    loss = ((_t(X) @ w - _t(y)) ** 2).sum()
    loss.backward()
    scale = np.linalg.norm(X) * (np.linalg.norm(X) * np.linalg.norm(w.detach().numpy()) + np.linalg.norm(y))
    assert np.abs(w.grad.numpy()).max() < 1e-12 * scale


@pytest.mark.parametrize("kind", ALL)
def test_loss_gradient_vanishes_at_fit_finite_differences(kind):
    X, y = _problem(kind, 4)
    w, h = ref.fit(X, y), 1e-5
    for i in range(w.size):
        step = np.zeros_like(w)
        step[i] = h
        forward, backward, here = _loss(X, w + step, y), _loss(X, w - step, y), _loss(X, w, y)
        assert abs(forward - backward) / (2 * h) < 1e-6 * max(1.0, np.abs(y).sum())  # gradient ~ 0
        assert forward >= here - 1e-12 and backward >= here - 1e-12  # a minimum, not a saddle


@pytest.mark.parametrize("kind", RANK_DEFICIENT)
def test_fit_is_the_minimum_norm_minimiser(kind):
    X, y = _problem(kind, 5)
    w = ref.fit(X, y)
    _, s, Vh = torch.linalg.svd(_t(X), full_matrices=True)
    rank = int((s > 1e-10 * s.max()).sum())
    null = Vh[rank:].numpy()  # rows spanning the null space of X
    assert null.shape[0] >= 1
    np.testing.assert_allclose(null @ w, 0.0, atol=1e-12 * np.linalg.norm(w))  # no null component
    other = w + null.T @ np.random.default_rng(0).normal(size=null.shape[0])
    assert np.isclose(_loss(X, other, y), _loss(X, w, y), rtol=1e-9, atol=1e-9)  # also a minimiser
    assert np.linalg.norm(other) > np.linalg.norm(w)  # but longer


@pytest.mark.parametrize("kind", ["wide", "single_sample"])
def test_fit_interpolates_when_more_features_than_samples(kind):
    X, y = _problem(kind, 6)
    np.testing.assert_allclose(X @ ref.fit(X, y), y, rtol=1e-12, atol=1e-12)


def test_fit_of_zero_matrix_is_zero():
    np.testing.assert_array_equal(ref.fit(np.zeros((4, 3)), np.ones(4)), np.zeros(3))


@pytest.mark.parametrize("kind", ["duplicate_columns", "wide"])
def test_fit_and_predict_leave_inputs_unchanged(kind):
    X, y = _problem(kind, 7)
    X0, y0 = X.copy(), y.copy()
    w = ref.fit(X, y)
    w0 = w.copy()
    ref.predict(X, w)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(w, w0)


# --- predict -------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 7])
def test_predict_matches_torch(n):
    rng = np.random.default_rng(8)
    X, w = rng.normal(size=(n, 4)), rng.normal(size=4)
    y_hat = ref.predict(X, w)
    assert y_hat.shape == (n,)
    np.testing.assert_allclose(y_hat, torch.mv(_t(X), _t(w)).numpy(), rtol=1e-13, atol=1e-13)


# --- metrics -------------------------------------------------------------------------------

def _targets_and_predictions(n, seed):
    rng = np.random.default_rng(seed)
    y = 5 + 3 * rng.normal(size=n)
    return y, y + rng.normal(size=n)


@pytest.mark.parametrize("n", [1, 2, 10])
def test_error_metrics_match_torch(n):
    y, y_hat = _targets_and_predictions(n, 9)
    yt, ht = _t(y), _t(y_hat)
    for got, want in [(ref.mse(y, y_hat), F.mse_loss(ht, yt)), (ref.mae(y, y_hat), F.l1_loss(ht, yt)),
                      (ref.rmse(y, y_hat), torch.sqrt(F.mse_loss(ht, yt)))]:
        assert isinstance(got, float)
        assert got == pytest.approx(want.item(), rel=1e-13)


def _torch_r2(y, y_hat):
    return (1 - ((y - y_hat) ** 2).sum() / ((y - y.mean()) ** 2).sum()).item()


@pytest.mark.parametrize("case", ["close", "worse_than_mean", "shrunk", "three_samples"])
def test_r2_score_matches_torch(case):
    rng = np.random.default_rng(10)
    y = 5 + 3 * rng.normal(size=3 if case == "three_samples" else 10)
    y_hat = {"close": y + rng.normal(size=y.size),
             "worse_than_mean": 2 * y.mean() - y,
             "shrunk": 0.6 * y + 1 + 0.5 * rng.normal(size=y.size),
             "three_samples": y + rng.normal(size=y.size)}[case]
    got = ref.r2_score(y, y_hat)
    assert isinstance(got, float)
    assert got == pytest.approx(_torch_r2(_t(y), _t(y_hat)), rel=1e-12)
    if case == "worse_than_mean":
        assert got < 0


def test_r2_score_landmarks():
    y, _ = _targets_and_predictions(9, 11)
    assert ref.r2_score(y, y.copy()) == 1.0
    assert ref.r2_score(y, np.full_like(y, y.mean())) == pytest.approx(0.0, abs=1e-14)


def test_r2_of_least_squares_fit_with_intercept_is_squared_correlation():
    rng = np.random.default_rng(12)
    x = rng.normal(size=15)
    y = 2 * x + 1 + rng.normal(size=15)
    X = np.column_stack([np.ones(15), x])
    y_hat = ref.predict(X, ref.fit(X, y))
    assert ref.r2_score(y, y_hat) == pytest.approx(np.corrcoef(y, y_hat)[0, 1] ** 2, rel=1e-12)


def test_metrics_leave_inputs_unchanged():
    y, y_hat = _targets_and_predictions(6, 13)
    y0, h0 = y.copy(), y_hat.copy()
    for metric in (ref.mse, ref.mae, ref.rmse, ref.r2_score):
        metric(y, y_hat)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(y_hat, h0)
