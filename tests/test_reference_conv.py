"""The conv reference against torch.nn.functional.conv2d (float64, stride and padding,
autograd for dx, dw and db) and against centred finite differences."""
from pathlib import Path

import numpy as np
import pytest
import torch

from grader.probe import load_module

from finite_difference import numeric_gradient

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "conv.py"
ref = load_module(REFERENCE, "_test_reference_conv")

# (x shape, w shape, stride, pad): non-square inputs and kernels, C > 1, F > 1, N > 1,
# and sizes where (H + 2*pad - HH) is not a multiple of the stride
CASES = [
    ((2, 3, 7, 5), (4, 3, 3, 2), 1, 0),
    ((2, 3, 7, 5), (4, 3, 3, 3), 2, 1),
    ((2, 3, 8, 7), (4, 3, 3, 2), 2, 1),
    ((2, 2, 5, 6), (3, 2, 2, 3), 1, 2),
    ((2, 2, 9, 8), (3, 2, 2, 4), 3, 0),
    ((3, 2, 4, 3), (5, 2, 6, 5), 1, 1),
]
IDS = [f"x{xs}-w{ws}-stride{s}-pad{p}" for xs, ws, s, p in CASES]


@pytest.fixture
def rng():
    return np.random.default_rng(20240601)


def _inputs(rng, x_shape, w_shape):
    return rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])


def _leaf(array):
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", CASES, ids=IDS)
def test_forward_matches_torch_conv2d(rng, x_shape, w_shape, stride, pad):
    x, w, b = _inputs(rng, x_shape, w_shape)
    out, _ = ref.conv_forward(x, w, b, stride=stride, pad=pad)
    expected = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w),
                                          torch.from_numpy(b), stride=stride, padding=pad)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", CASES, ids=IDS)
def test_backward_matches_autograd(rng, x_shape, w_shape, stride, pad):
    x, w, b = _inputs(rng, x_shape, w_shape)
    out, cache = ref.conv_forward(x, w, b, stride=stride, pad=pad)
    dout = rng.normal(size=out.shape)
    dx, dw, db = ref.conv_backward(dout, cache)

    xt, wt, bt = _leaf(x), _leaf(w), _leaf(b)
    out_t = torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=pad)
    out_t.backward(torch.from_numpy(dout))
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, wt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db, bt.grad.numpy(), rtol=1e-12, atol=1e-12)


# smaller than CASES: every entry of x, w and b costs two forward passes
FD_CASES = [((2, 2, 6, 4), (3, 2, 3, 2), 2, 1), ((2, 2, 4, 5), (3, 2, 2, 3), 1, 1)]


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", FD_CASES,
                         ids=[f"x{xs}-w{ws}-stride{s}-pad{p}" for xs, ws, s, p in FD_CASES])
def test_backward_matches_finite_differences(rng, x_shape, w_shape, stride, pad):
    x, w, b = _inputs(rng, x_shape, w_shape)
    out, cache = ref.conv_forward(x, w, b, stride=stride, pad=pad)
    dout = rng.normal(size=out.shape)
    dx, dw, db = ref.conv_backward(dout, cache)

    def loss():  # a scalar whose gradient with respect to out is dout
        return float(np.sum(ref.conv_forward(x, w, b, stride=stride, pad=pad)[0] * dout))

    np.testing.assert_allclose(dx, numeric_gradient(loss, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dw, numeric_gradient(loss, w), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(db, numeric_gradient(loss, b), rtol=1e-6, atol=1e-8)


def test_unused_border_gets_zero_gradient(rng):
    """With (H + 2*pad - HH) % stride != 0 the last row of x is never read: dx is 0 there."""
    x, w, b = _inputs(rng, (2, 2, 9, 8), (3, 2, 2, 4))
    out, cache = ref.conv_forward(x, w, b, stride=3, pad=0)
    assert out.shape == (2, 3, 3, 2)
    dx, _, _ = ref.conv_backward(rng.normal(size=out.shape), cache)
    assert np.all(dx[:, :, -1, :] == 0.0)


def test_inputs_are_not_modified(rng):
    x, w, b = _inputs(rng, (2, 3, 7, 5), (4, 3, 3, 3))
    saved = [a.copy() for a in (x, w, b)]
    out, cache = ref.conv_forward(x, w, b, stride=2, pad=1)
    dout = rng.normal(size=out.shape)
    dout_saved = dout.copy()
    ref.conv_backward(dout, cache)
    for before, after in zip(saved + [dout_saved], (x, w, b, dout)):
        np.testing.assert_array_equal(before, after)
