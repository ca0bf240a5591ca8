"""The batchnorm reference against torch.nn.BatchNorm1d (float64: outputs and running
statistics over training steps and eval forwards, autograd for dx, dgamma, dbeta) and
against centred finite differences."""
from pathlib import Path

import numpy as np
import pytest
import torch

from grader.probe import load_module

from finite_difference import numeric_gradient

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "batchnorm.py"
ref = load_module(REFERENCE, "_test_reference_batchnorm")

SCALES = np.array([1e-2, 30.0, 1.0, 0.2])  # feature standard deviations far from 1
D = SCALES.size


@pytest.fixture
def rng():
    return np.random.default_rng(20240601)


def _batch(rng, n, scales=SCALES):
    centre = rng.normal(size=scales.size) * scales * 3
    return centre + rng.normal(size=(n, scales.size)) * scales


def _pair(rng, eps=1e-5, momentum=0.1):
    """A reference layer and a torch layer with the same (non-trivial) gamma and beta."""
    ours = ref.BatchNorm1d(D, eps=eps, momentum=momentum)
    ours.gamma = rng.uniform(0.5, 2.0, size=D) * rng.choice([-1.0, 1.0], size=D)
    ours.beta = rng.normal(size=D)
    theirs = torch.nn.BatchNorm1d(D, eps=eps, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.gamma))
        theirs.bias.copy_(torch.from_numpy(ours.beta))
    return ours, theirs


def _close(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_initial_attributes_match_torch():
    ours = ref.BatchNorm1d(5)
    theirs = torch.nn.BatchNorm1d(5, dtype=torch.float64)
    _close(ours.gamma, theirs.weight)
    _close(ours.beta, theirs.bias)
    _close(ours.running_mean, theirs.running_mean)
    _close(ours.running_var, theirs.running_var)
    assert ours.training is True and theirs.training is True
    assert (ours.eps, ours.momentum) == (theirs.eps, theirs.momentum)
    custom = ref.BatchNorm1d(3, eps=1e-3, momentum=0.25)
    assert (custom.eps, custom.momentum) == (1e-3, 0.25)


def test_train_and_eval_set_the_flag():
    bn = ref.BatchNorm1d(2)
    bn.eval()
    assert bn.training is False
    bn.eval()
    assert bn.training is False
    bn.train()
    assert bn.training is True


@pytest.mark.parametrize("eps, momentum", [(1e-5, 0.1), (1e-2, 0.3), (0.5, 0.8)])
def test_training_steps_then_eval_match_torch(rng, eps, momentum):
    ours, theirs = _pair(rng, eps, momentum)
    for n in (3, 4, 7, 5):
        x = _batch(rng, n)
        _close(ours.forward(x), theirs(torch.from_numpy(x)))
        _close(ours.running_mean, theirs.running_mean)
        _close(ours.running_var, theirs.running_var)
    ours.eval()
    theirs.eval()
    for n in (6, 1):
        x = _batch(rng, n)
        _close(ours.forward(x), theirs(torch.from_numpy(x)))
        _close(ours.running_mean, theirs.running_mean)
        _close(ours.running_var, theirs.running_var)
    ours.train()
    theirs.train()
    x = _batch(rng, 4)
    _close(ours.forward(x), theirs(torch.from_numpy(x)))
    _close(ours.running_var, theirs.running_var)


def test_forward_leaves_input_unchanged(rng):
    bn = ref.BatchNorm1d(D)
    x = _batch(rng, 5)
    saved = x.copy()
    bn.forward(x)
    bn.eval()
    bn.forward(x)
    np.testing.assert_array_equal(x, saved)


@pytest.mark.parametrize("n", [3, 8])
def test_backward_matches_torch_autograd(rng, n):
    ours, theirs = _pair(rng)
    ours.forward(_batch(rng, 4))  # an earlier step: backward must use the last forward
    x, dout = _batch(rng, n), rng.normal(size=(n, D))
    out = ours.forward(x)
    dx = ours.backward(dout)

    xt = torch.tensor(x, requires_grad=True)
    theirs(torch.from_numpy(_batch(rng, 4)))
    out_t = theirs(xt)
    out_t.backward(torch.from_numpy(dout))
    _close(out, out_t)
    _close(dx, xt.grad)
    _close(ours.dgamma, theirs.weight.grad)
    _close(ours.dbeta, theirs.bias.grad)


def test_backward_matches_finite_differences(rng):
    scales = np.array([0.5, 3.0, 1.0])  # finite differences need moderate scales
    n, d = 5, scales.size
    bn = ref.BatchNorm1d(d, eps=1e-3)
    bn.gamma = rng.normal(size=d)
    bn.beta = rng.normal(size=d)
    x, dout = _batch(rng, n, scales), rng.normal(size=(n, d))
    bn.forward(x)
    dx = bn.backward(dout)
    dgamma, dbeta = bn.dgamma, bn.dbeta

    def loss():
        return float(np.sum(bn.forward(x) * dout))

    np.testing.assert_allclose(dx, numeric_gradient(loss, x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dgamma, numeric_gradient(loss, bn.gamma), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dbeta, numeric_gradient(loss, bn.beta), rtol=1e-5, atol=1e-7)


def test_dx_sums_to_zero_over_the_batch(rng):
    bn = ref.BatchNorm1d(D)
    bn.gamma = rng.normal(size=D)
    bn.forward(_batch(rng, 6))
    dx = bn.backward(rng.normal(size=(6, D)))
    scale = np.abs(dx).max(axis=0)
    np.testing.assert_allclose(dx.sum(axis=0) / scale, 0.0, atol=1e-12)
