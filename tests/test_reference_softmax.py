"""The softmax reference against torch.softmax / torch.log_softmax /
torch.nn.functional.cross_entropy / torch.nn.functional.kl_div (float64), and the
cross-entropy gradient (torch autograd of the same formula) against centred finite
differences of the reference."""
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.probe import load_module

from finite_difference import numeric_gradient

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "softmax.py"
ref = load_module(REFERENCE, "_test_reference_softmax")

SHAPES_AND_AXES = [((7,), -1), ((7,), 0), ((4, 5), -1), ((4, 5), 0), ((4, 5), 1),
                   ((2, 3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), 2), ((2, 3, 4), -1), ((3, 1, 5), 1)]
SCALES = [1.0, 1e4]  # ordinary logits, and entries of magnitude 1e4 (stability)


@pytest.fixture
def rng():
    return np.random.default_rng(20240602)


def _logits(rng, shape, scale):
    """Normal entries times ``scale``; at scale 1e4 the first and last entries are exactly +-1e4."""
    z = rng.normal(size=shape) * scale
    if scale >= 1e4:
        z.flat[0], z.flat[-1] = 1e4, -1e4
    return z


def _probability_vector(rng, c):
    weights = rng.random(c) + 0.05
    return weights / weights.sum()


# --- softmax and log_softmax --------------------------------------------------------------

@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape, axis", SHAPES_AND_AXES)
def test_softmax_matches_torch(rng, shape, axis, scale):
    z = _logits(rng, shape, scale)
    p = ref.softmax(z, axis=axis)
    expected = torch.softmax(torch.from_numpy(z), dim=axis).numpy()
    assert p.shape == z.shape and p.dtype == np.float64
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-13)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape, axis", SHAPES_AND_AXES)
def test_log_softmax_matches_torch(rng, shape, axis, scale):
    z = _logits(rng, shape, scale)
    log_p = ref.log_softmax(z, axis=axis)
    expected = torch.log_softmax(torch.from_numpy(z), dim=axis).numpy()
    assert log_p.shape == z.shape and log_p.dtype == np.float64
    assert np.all(np.isfinite(log_p))
    np.testing.assert_allclose(log_p, expected, rtol=1e-12, atol=1e-12)


def test_default_axis_is_the_last(rng):
    z = rng.normal(size=(2, 3, 4))
    np.testing.assert_array_equal(ref.softmax(z), ref.softmax(z, axis=2))
    np.testing.assert_array_equal(ref.log_softmax(z), ref.log_softmax(z, axis=2))


def test_inputs_are_not_modified(rng):
    z = rng.normal(size=(3, 4)) * 10
    saved = z.copy()
    ref.softmax(z)
    ref.log_softmax(z, axis=0)
    ref.cross_entropy(z, np.array([0, 3, 1]))
    np.testing.assert_array_equal(z, saved)


# --- cross_entropy -------------------------------------------------------------------------

@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("n, c", [(1, 4), (8, 5), (6, 3)])
def test_cross_entropy_matches_torch(rng, n, c, scale):
    logits = _logits(rng, (n, c), scale)
    labels = rng.integers(0, c, size=n)
    loss = ref.cross_entropy(logits, labels)
    expected = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels)).item()
    assert isinstance(loss, float) and np.isfinite(loss)
    assert loss == pytest.approx(expected, rel=1e-12, abs=1e-12)


def _cross_entropy_torch(logits, labels):
    """The reference's formula written in torch: mean of -log_softmax at the true classes."""
    log_p = torch.log_softmax(logits, dim=1)
    return -log_p[torch.arange(logits.shape[0]), labels].mean()


@pytest.mark.parametrize("n, c, scale", [(1, 4, 1.0), (5, 3, 2.0), (4, 6, 30.0)])
def test_cross_entropy_gradient_autograd_matches_finite_differences(rng, n, c, scale):
    logits = rng.normal(size=(n, c)) * scale
    labels = rng.integers(0, c, size=n)
    leaf = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    loss = _cross_entropy_torch(leaf, torch.from_numpy(labels))
    loss.backward()
    assert loss.item() == pytest.approx(ref.cross_entropy(logits, labels), rel=1e-12, abs=1e-12)
    numeric = numeric_gradient(lambda: ref.cross_entropy(logits, labels), logits)
    np.testing.assert_allclose(leaf.grad.numpy(), numeric, rtol=1e-6, atol=1e-8)
    # and the closed form the next assignment uses: (softmax - one_hot) / N
    closed_form = (ref.softmax(logits, axis=1) - np.eye(c)[labels]) / n
    np.testing.assert_allclose(leaf.grad.numpy(), closed_form, rtol=1e-12, atol=1e-15)


# --- kl_divergence -------------------------------------------------------------------------

def _kl_torch(p, q):
    """torch's kl_div takes the LOG of the second distribution first: kl_div(log q, p) = KL(p || q)."""
    return F.kl_div(torch.from_numpy(np.log(q)), torch.from_numpy(p), reduction="sum").item()


@pytest.mark.parametrize("c", [2, 6, 11])
def test_kl_divergence_matches_torch(rng, c):
    p, q = _probability_vector(rng, c), _probability_vector(rng, c)
    kl = ref.kl_divergence(p, q)
    assert isinstance(kl, float) and kl > 0
    assert kl == pytest.approx(_kl_torch(p, q), rel=1e-12, abs=1e-15)
    assert kl != pytest.approx(ref.kl_divergence(q, p), rel=1e-6)  # not symmetric


def test_kl_divergence_with_zeros_in_p_matches_torch(rng):
    p, q = _probability_vector(rng, 7), _probability_vector(rng, 7)
    p[[1, 4]] = 0.0
    p /= p.sum()
    kl = ref.kl_divergence(p, q)
    assert np.isfinite(kl)
    assert kl == pytest.approx(_kl_torch(p, q), rel=1e-12, abs=1e-15)


def test_kl_divergence_with_a_tiny_q_entry_matches_torch(rng):
    p, q = _probability_vector(rng, 5), _probability_vector(rng, 5)
    q[2] = 1e-13
    q /= q.sum()
    assert ref.kl_divergence(p, q) == pytest.approx(_kl_torch(p, q), rel=1e-12)


def test_kl_divergence_of_a_vector_with_itself_is_zero(rng):
    p = _probability_vector(rng, 6)
    assert ref.kl_divergence(p, p.copy()) == 0.0
    assert _kl_torch(p, p) == pytest.approx(0.0, abs=1e-15)
