"""The lstm reference against torch.nn.LSTMCell / torch.nn.LSTM (float64, copied weights,
autograd for every backward) and against centred finite differences."""
from pathlib import Path

import numpy as np
import pytest
import torch

from grader.probe import load_module

from finite_difference import numeric_gradient

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "lstm.py"
ref = load_module(REFERENCE, "_test_reference_lstm")

N, T, D, H = 3, 4, 5, 6


@pytest.fixture
def rng():
    return np.random.default_rng(20240531)


def _params(rng, d=D, h=H):
    return (rng.normal(scale=0.5, size=(d, 4 * h)), rng.normal(scale=0.5, size=(h, 4 * h)),
            rng.normal(scale=0.5, size=4 * h))


def _torch_weights(module, Wx, Wh, b):
    """Copy (Wx, Wh, b) into a torch LSTM module: weight_ih = Wx.T, bias split as (b, 0)."""
    suffix = "_l0" if isinstance(module, torch.nn.LSTM) else ""
    with torch.no_grad():
        getattr(module, "weight_ih" + suffix).copy_(torch.from_numpy(Wx.T))
        getattr(module, "weight_hh" + suffix).copy_(torch.from_numpy(Wh.T))
        getattr(module, "bias_ih" + suffix).copy_(torch.from_numpy(b))
        getattr(module, "bias_hh" + suffix).zero_()
    return module


def _leaf(array):
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


# --- one step -----------------------------------------------------------------------------

def _step_inputs(rng, n=N):
    return (rng.normal(size=(n, D)), rng.normal(size=(n, H)), rng.normal(scale=2.0, size=(n, H)),
            *_params(rng))


@pytest.mark.parametrize("n", [1, N])
def test_step_forward_matches_torch_lstm_cell(rng, n):
    x, prev_h, prev_c, Wx, Wh, b = _step_inputs(rng, n)
    next_h, next_c, _ = ref.lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    cell = _torch_weights(torch.nn.LSTMCell(D, H, dtype=torch.float64), Wx, Wh, b)
    with torch.no_grad():
        h_t, c_t = cell(torch.from_numpy(x), (torch.from_numpy(prev_h), torch.from_numpy(prev_c)))
    np.testing.assert_allclose(next_h, h_t.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(next_c, c_t.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n", [1, N])
def test_step_backward_matches_autograd(rng, n):
    x, prev_h, prev_c, Wx, Wh, b = _step_inputs(rng, n)
    dnext_h, dnext_c = rng.normal(size=(n, H)), rng.normal(size=(n, H))
    _, _, cache = ref.lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    grads = ref.lstm_step_backward(dnext_h, dnext_c, cache)

    leaves = [_leaf(a) for a in (x, prev_h, prev_c, Wx, Wh, b)]
    tx, th, tc, tWx, tWh, tb = leaves
    cell = torch.nn.LSTMCell(D, H, dtype=torch.float64)
    h_t, c_t = torch.func.functional_call(
        cell, {"weight_ih": tWx.T, "weight_hh": tWh.T, "bias_ih": tb,
               "bias_hh": torch.zeros(4 * H, dtype=torch.float64)}, (tx, (th, tc)))
    loss = (h_t * torch.from_numpy(dnext_h)).sum() + (c_t * torch.from_numpy(dnext_c)).sum()
    loss.backward()
    for name, ours, leaf in zip(("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"), grads, leaves):
        np.testing.assert_allclose(ours, leaf.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_step_backward_matches_finite_differences(rng):
    inputs = list(_step_inputs(rng, 2))
    dnext_h, dnext_c = rng.normal(size=(2, H)), rng.normal(size=(2, H))
    _, _, cache = ref.lstm_step_forward(*inputs)
    grads = ref.lstm_step_backward(dnext_h, dnext_c, cache)

    def loss():
        next_h, next_c, _ = ref.lstm_step_forward(*inputs)
        return np.sum(next_h * dnext_h) + np.sum(next_c * dnext_c)

    for name, ours, array in zip(("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"), grads, inputs):
        np.testing.assert_allclose(ours, numeric_gradient(loss, array), rtol=1e-6, atol=1e-8,
                                   err_msg=name)


# --- a whole sequence -----------------------------------------------------------------------

def _sequence_inputs(rng, n=N, t=T):
    return (rng.normal(size=(n, t, D)), rng.normal(size=(n, H)), *_params(rng))


def _torch_lstm(Wx, Wh, b):
    return _torch_weights(torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64), Wx, Wh, b)


@pytest.mark.parametrize("n, t", [(1, 1), (1, T), (N, T)])
def test_forward_matches_torch_lstm(rng, n, t):
    x, h0, Wx, Wh, b = _sequence_inputs(rng, n, t)
    h, _ = ref.lstm_forward(x, h0, Wx, Wh, b)
    lstm = _torch_lstm(Wx, Wh, b)
    with torch.no_grad():
        h_t, _ = lstm(torch.from_numpy(x), (torch.from_numpy(h0)[None], torch.zeros(1, n, H, dtype=torch.float64)))
    assert h.shape == (n, t, H)
    np.testing.assert_allclose(h, h_t.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n, t", [(1, 1), (1, T), (N, T)])
def test_backward_matches_autograd(rng, n, t):
    x, h0, Wx, Wh, b = _sequence_inputs(rng, n, t)
    dh = rng.normal(size=(n, t, H))
    h, cache = ref.lstm_forward(x, h0, Wx, Wh, b)
    grads = ref.lstm_backward(dh, cache)

    leaves = [_leaf(a) for a in (x, h0, Wx, Wh, b)]
    tx, th0, tWx, tWh, tb = leaves
    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)
    params = {"weight_ih_l0": tWx.T, "weight_hh_l0": tWh.T, "bias_ih_l0": tb,
              "bias_hh_l0": torch.zeros(4 * H, dtype=torch.float64)}
    c0 = torch.zeros(1, n, H, dtype=torch.float64)
    h_t, _ = torch.func.functional_call(lstm, params, (tx, (th0[None], c0)))
    (h_t * torch.from_numpy(dh)).sum().backward()
    for name, ours, leaf in zip(("dx", "dh0", "dWx", "dWh", "db"), grads, leaves):
        np.testing.assert_allclose(ours, leaf.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_backward_matches_finite_differences(rng):
    inputs = list(_sequence_inputs(rng, 2, 3))
    dh = rng.normal(size=(2, 3, H))
    _, cache = ref.lstm_forward(*inputs)
    grads = ref.lstm_backward(dh, cache)

    def loss():
        h, _ = ref.lstm_forward(*inputs)
        return np.sum(h * dh)

    for name, ours, array in zip(("dx", "dh0", "dWx", "dWh", "db"), grads, inputs):
        np.testing.assert_allclose(ours, numeric_gradient(loss, array), rtol=1e-6, atol=1e-8,
                                   err_msg=name)


def test_inputs_are_left_unchanged(rng):
    x, h0, Wx, Wh, b = _sequence_inputs(rng)
    dh = rng.normal(size=(N, T, H))
    saved = [a.copy() for a in (x, h0, Wx, Wh, b, dh)]
    _, cache = ref.lstm_forward(x, h0, Wx, Wh, b)
    ref.lstm_backward(dh, cache)
    for before, after in zip(saved, (x, h0, Wx, Wh, b, dh)):
        np.testing.assert_array_equal(before, after)
