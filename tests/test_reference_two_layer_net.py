"""The two_layer_net reference against PyTorch (float64 autograd) and centred finite differences."""
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.probe import load_module

from finite_difference import numeric_gradient

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "two_layer_net.py"
ref = load_module(REFERENCE, "_test_reference_two_layer_net")

N, D, H, C = 5, 4, 7, 3
TIGHT = dict(rtol=1e-10, atol=1e-12)
NUMERIC = dict(rtol=1e-6, atol=1e-8)


@pytest.fixture
def rng():
    return np.random.default_rng(20240607)


def t(array):
    """A float64 leaf tensor that records its gradient."""
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


def params_for(rng, d=D, h=H, c=C):
    return {"W1": rng.normal(size=(d, h)), "b1": rng.normal(size=h),
            "W2": rng.normal(size=(h, c)) * 0.5, "b2": rng.normal(size=c)}


# --- affine ------------------------------------------------------------------------------

def test_affine_matches_torch(rng):
    x, w, b, dout = (rng.normal(size=(N, D)), rng.normal(size=(D, C)), rng.normal(size=C),
                     rng.normal(size=(N, C)))
    out, cache = ref.affine_forward(x, w, b)
    dx, dw, db = ref.affine_backward(dout, cache)

    tx, tw, tb = t(x), t(w), t(b)
    tout = F.linear(tx, tw.T, tb)
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, tout.detach().numpy(), **TIGHT)
    np.testing.assert_allclose(dx, tx.grad.numpy(), **TIGHT)
    np.testing.assert_allclose(dw, tw.grad.numpy(), **TIGHT)
    np.testing.assert_allclose(db, tb.grad.numpy(), **TIGHT)
    assert (dx.shape, dw.shape, db.shape) == (x.shape, w.shape, b.shape)


def test_affine_matches_finite_differences(rng):
    x, w, b, dout = (rng.normal(size=(N, D)), rng.normal(size=(D, C)), rng.normal(size=C),
                     rng.normal(size=(N, C)))
    dx, dw, db = ref.affine_backward(dout, ref.affine_forward(x, w, b)[1])

    def f():
        return np.sum(ref.affine_forward(x, w, b)[0] * dout)

    np.testing.assert_allclose(dx, numeric_gradient(f, x), **NUMERIC)
    np.testing.assert_allclose(dw, numeric_gradient(f, w), **NUMERIC)
    np.testing.assert_allclose(db, numeric_gradient(f, b), **NUMERIC)


# --- relu --------------------------------------------------------------------------------

def test_relu_matches_torch_including_exact_zeros(rng):
    x, dout = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    x[0, :3] = 0.0
    out, cache = ref.relu_forward(x)
    dx = ref.relu_backward(dout, cache)

    tx = t(x)
    tout = torch.relu(tx)
    tout.backward(torch.tensor(dout))
    np.testing.assert_array_equal(out, tout.detach().numpy())
    np.testing.assert_array_equal(dx, tx.grad.numpy())  # torch: gradient 0 at x == 0, as the contract
    assert np.all(dx[0, :3] == 0.0)


def test_relu_matches_finite_differences(rng):
    x, dout = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink, where no difference quotient exists
    dx = ref.relu_backward(dout, ref.relu_forward(x)[1])
    numeric = numeric_gradient(lambda: np.sum(ref.relu_forward(x)[0] * dout), x)
    np.testing.assert_allclose(dx, numeric, **NUMERIC)


# --- softmax_loss ------------------------------------------------------------------------

@pytest.mark.parametrize("n, scale", [(N, 2.0), (1, 2.0), (6, 1e3)])
def test_softmax_loss_matches_torch(rng, n, scale):
    scores, y = rng.normal(size=(n, C)) * scale, rng.integers(0, C, size=n)
    loss, dscores = ref.softmax_loss(scores, y)

    ts = t(scores)
    tloss = F.cross_entropy(ts, torch.tensor(y))
    tloss.backward()
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, tloss.item(), **TIGHT)
    np.testing.assert_allclose(dscores, ts.grad.numpy(), **TIGHT)
    assert np.all(np.isfinite(dscores))


def test_softmax_loss_matches_finite_differences(rng):
    scores, y = rng.normal(size=(N, C)) * 2, rng.integers(0, C, size=N)
    _, dscores = ref.softmax_loss(scores, y)
    numeric = numeric_gradient(lambda: ref.softmax_loss(scores, y)[0], scores)
    np.testing.assert_allclose(dscores, numeric, **NUMERIC)


def test_softmax_loss_is_stable_at_large_scores():
    scores = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1001.0, -1002.0]])
    loss, dscores = ref.softmax_loss(scores, np.array([1, 0]))
    tloss = F.cross_entropy(torch.tensor(scores), torch.tensor([1, 0]))
    np.testing.assert_allclose(loss, tloss.item(), **TIGHT)
    assert np.all(np.isfinite(dscores))


# --- two_layer_net_loss ------------------------------------------------------------------

def torch_net_loss(X, y, params, reg):
    tp = {name: t(value) for name, value in params.items()}
    hidden = torch.relu(torch.tensor(X) @ tp["W1"] + tp["b1"])
    scores = hidden @ tp["W2"] + tp["b2"]
    loss = F.cross_entropy(scores, torch.tensor(y))
    loss = loss + 0.5 * reg * ((tp["W1"] ** 2).sum() + (tp["W2"] ** 2).sum())
    loss.backward()
    return loss.item(), {name: value.grad.numpy() for name, value in tp.items()}


@pytest.mark.parametrize("n, reg", [(N, 0.0), (N, 0.7), (1, 0.3), (1, 0.0)])
def test_two_layer_net_matches_torch(rng, n, reg):
    X, y, params = rng.normal(size=(n, D)), rng.integers(0, C, size=n), params_for(rng)
    loss, grads = ref.two_layer_net_loss(X, y, params, reg=reg)
    tloss, tgrads = torch_net_loss(X, y, params, reg)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, tloss, **TIGHT)
    assert set(grads) == set(params)
    for name in params:
        assert grads[name].shape == params[name].shape
        np.testing.assert_allclose(grads[name], tgrads[name], **TIGHT, err_msg=name)


def test_two_layer_net_default_reg_is_zero(rng):
    X, y, params = rng.normal(size=(N, D)), rng.integers(0, C, size=N), params_for(rng)
    loss, grads = ref.two_layer_net_loss(X, y, params)
    tloss, tgrads = torch_net_loss(X, y, params, 0.0)
    np.testing.assert_allclose(loss, tloss, **TIGHT)
    for name in params:
        np.testing.assert_allclose(grads[name], tgrads[name], **TIGHT, err_msg=name)


@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_two_layer_net_matches_finite_differences(rng, reg):
    X, y, params = rng.normal(size=(N, D)), rng.integers(0, C, size=N), params_for(rng)
    _, grads = ref.two_layer_net_loss(X, y, params, reg=reg)
    for name in params:
        numeric = numeric_gradient(lambda: ref.two_layer_net_loss(X, y, params, reg=reg)[0],
                                   params[name])
        np.testing.assert_allclose(grads[name], numeric, **NUMERIC, err_msg=name)


def test_two_layer_net_at_large_scores_matches_torch(rng):
    X, y, params = rng.normal(size=(6, D)), rng.integers(0, C, size=6), params_for(rng)
    params["W2"] *= 300.0
    params["b2"] = np.array([1000.0, 0.0, -1000.0])
    loss, grads = ref.two_layer_net_loss(X, y, params, reg=1e-3)
    tloss, tgrads = torch_net_loss(X, y, params, 1e-3)
    np.testing.assert_allclose(loss, tloss, **TIGHT)
    for name in params:
        np.testing.assert_allclose(grads[name], tgrads[name], **TIGHT, err_msg=name)


def test_inputs_are_left_unchanged(rng):
    X, y, params = rng.normal(size=(N, D)), rng.integers(0, C, size=N), params_for(rng)
    dout = rng.normal(size=(N, H))
    copies = [X.copy(), y.copy(), {k: v.copy() for k, v in params.items()}, dout.copy()]
    ref.two_layer_net_loss(X, y, params, reg=0.5)
    ref.relu_backward(dout, ref.relu_forward(X @ params["W1"])[1])
    ref.affine_backward(dout, ref.affine_forward(X, params["W1"], params["b1"])[1])
    ref.softmax_loss(X, y % D)
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(y, copies[1])
    for name in params:
        np.testing.assert_array_equal(params[name], copies[2][name])
    np.testing.assert_array_equal(dout, copies[3])
