"""Probes for the lstm assignment (see docs/assignments.md, section 5).

Each probe returns the submission's outputs; the grader compares them with the
reference's outputs for the same seed. Visibility and points live in rubrics/lstm.toml.

Inputs are chosen so that the usual mistakes show: weights of scale 0.5 keep every
gate away from saturation (a wrong gate order or a wrong sigmoid derivative changes
every entry), cell states of scale 2 make tanh(next_c) far from next_c and from 1,
h0 is never zero, and the sequence backward gets an upstream gradient on every step.
A student's cache is only ever passed back to the same student's backward.

The probes that check that inputs are left unchanged return the values of the same calls
too, and their rubric entries are all-or-nothing: a function that does nothing leaves its
inputs unchanged, so that property pays only when the work was done (`grader audit`
grades degenerate submissions; these probes paid them up to 5 points before).
"""
import numpy as np

from grader.probe import probe


# Gradient probes allow atol = 5e-6 (x the largest |expected| of each output) instead of 1e-6:
# a correct float32 computation rounds at ~1e-7 of the terms it adds up, and some gradients
# come out far smaller than those terms (dh0 after several steps back, db summed over a
# batch whose rows cancel). Over 5000 seeds the float32 alternative reached 2.2x the
# default atol on such outputs; with 5e-6 it stays below half the tolerance. Every known
# mistake is off by orders of magnitude more.
GRADIENT_ATOL = 5e-6


def _weights(rng, d, h):
    """Wx (D, 4H), Wh (H, 4H), b (4H,), gates in the order i, f, g, o."""
    return (rng.normal(scale=0.5, size=(d, 4 * h)), rng.normal(scale=0.5, size=(h, 4 * h)),
            rng.normal(scale=0.5, size=4 * h))


def _step_inputs(rng, n, d, h):
    """x, prev_h, prev_c, Wx, Wh, b for one step; prev_c is large enough to matter."""
    return (rng.normal(size=(n, d)), rng.normal(size=(n, h)), rng.normal(scale=2.0, size=(n, h)),
            *_weights(rng, d, h))


def _sequence_inputs(rng, n, t, d, h):
    """x (N, T, D), a nonzero h0 (N, H), Wx, Wh, b."""
    return (rng.normal(size=(n, t, d)), rng.normal(size=(n, h)), *_weights(rng, d, h))


def _snapshot(value):
    """A copy of an array read out of the submission (it may be changed in place later)."""
    return value.copy() if isinstance(value, np.ndarray) else value


def _step_gradients(m, inputs, dnext_h, dnext_c):
    _, _, cache = m.lstm_step_forward(*inputs)
    dx, dprev_h, dprev_c, dWx, dWh, db = m.lstm_step_backward(dnext_h, dnext_c, cache)
    return {"dx": dx, "dprev_h": dprev_h, "dprev_c": dprev_c, "dWx": dWx, "dWh": dWh, "db": db}


def _sequence_gradients(m, inputs, dh):
    _, cache = m.lstm_forward(*inputs)
    dx, dh0, dWx, dWh, db = m.lstm_backward(dh, cache)
    return {"dx": dx, "dh0": dh0, "dWx": dWx, "dWh": dWh, "db": db}


# --- lstm_step_forward ------------------------------------------------------------------

@probe(calls=("lstm_step_forward",))
def step_forward_batch(m, rng):
    """lstm_step_forward with N = 3, D = 4, H = 5 and nonzero prev_h, prev_c"""
    next_h, next_c, _ = m.lstm_step_forward(*_step_inputs(rng, 3, 4, 5))
    return {"next_h": _snapshot(next_h), "next_c": _snapshot(next_c)}


@probe(calls=("lstm_step_forward",))
def step_forward_single_example(m, rng):
    """lstm_step_forward with N = 1, D = 3, H = 4"""
    next_h, next_c, _ = m.lstm_step_forward(*_step_inputs(rng, 1, 3, 4))
    return {"next_h": _snapshot(next_h), "next_c": _snapshot(next_c)}


@probe(calls=("lstm_step_forward",))
def step_forward_leaves_inputs_unchanged(m, rng):
    """lstm_step_forward (N = 2, D = 3, H = 4): next_h, next_c, and x, prev_h, prev_c, Wx, Wh, b unchanged after the call"""
    x, prev_h, prev_c, Wx, Wh, b = inputs = _step_inputs(rng, 2, 3, 4)
    next_h, next_c, _ = m.lstm_step_forward(*inputs)
    return {"next_h": _snapshot(next_h), "next_c": _snapshot(next_c),
            "x": x, "prev_h": prev_h, "prev_c": prev_c, "Wx": Wx, "Wh": Wh, "b": b}


# --- lstm_step_backward -----------------------------------------------------------------

@probe(calls=("lstm_step_forward", "lstm_step_backward"), atol=GRADIENT_ATOL)
def step_backward_batch(m, rng):
    """lstm_step_backward with N = 3, D = 4, H = 5, dnext_h and dnext_c both nonzero"""
    inputs = _step_inputs(rng, 3, 4, 5)
    return _step_gradients(m, inputs, rng.normal(size=(3, 5)), rng.normal(size=(3, 5)))


@probe(calls=("lstm_step_forward", "lstm_step_backward"), atol=GRADIENT_ATOL)
def step_backward_single_example(m, rng):
    """lstm_step_backward with N = 1, D = 6, H = 4, dnext_h and dnext_c both nonzero"""
    inputs = _step_inputs(rng, 1, 6, 4)
    return _step_gradients(m, inputs, rng.normal(size=(1, 4)), rng.normal(size=(1, 4)))


@probe(calls=("lstm_step_forward", "lstm_step_backward"), atol=GRADIENT_ATOL)
def step_backward_hidden_gradient_only(m, rng):
    """lstm_step_backward with N = 2, D = 3, H = 4, a nonzero dnext_h and dnext_c = 0"""
    inputs = _step_inputs(rng, 2, 3, 4)
    return _step_gradients(m, inputs, rng.normal(size=(2, 4)), np.zeros((2, 4)))


@probe(calls=("lstm_step_forward", "lstm_step_backward"), atol=GRADIENT_ATOL)
def step_backward_cell_gradient_only(m, rng):
    """lstm_step_backward with N = 2, D = 3, H = 4, dnext_h = 0 and a nonzero dnext_c"""
    inputs = _step_inputs(rng, 2, 3, 4)
    return _step_gradients(m, inputs, np.zeros((2, 4)), rng.normal(size=(2, 4)))


@probe(calls=("lstm_step_forward", "lstm_step_backward"), atol=GRADIENT_ATOL)
def step_backward_leaves_inputs_unchanged(m, rng):
    """lstm_step_forward then lstm_step_backward (N = 2, D = 3, H = 4): the six gradients, and x, prev_h, prev_c, Wx, Wh, b, dnext_h and dnext_c unchanged after the calls"""
    x, prev_h, prev_c, Wx, Wh, b = inputs = _step_inputs(rng, 2, 3, 4)
    dnext_h, dnext_c = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    gradients = {k: _snapshot(v) for k, v in _step_gradients(m, inputs, dnext_h, dnext_c).items()}
    return {**gradients, "x": x, "prev_h": prev_h, "prev_c": prev_c, "Wx": Wx, "Wh": Wh, "b": b,
            "dnext_h": dnext_h, "dnext_c": dnext_c}


# --- lstm_forward -----------------------------------------------------------------------

@probe(calls=("lstm_forward",))
def forward_sequence(m, rng):
    """lstm_forward with N = 2, T = 4, D = 3, H = 5 and a nonzero h0"""
    h, _ = m.lstm_forward(*_sequence_inputs(rng, 2, 4, 3, 5))
    return {"h": _snapshot(h)}


@probe(calls=("lstm_forward",))
def forward_single_example_long(m, rng):
    """lstm_forward with N = 1, T = 7, D = 2, H = 3 and a nonzero h0"""
    h, _ = m.lstm_forward(*_sequence_inputs(rng, 1, 7, 2, 3))
    return {"h": _snapshot(h)}


@probe(calls=("lstm_forward",))
def forward_one_step(m, rng):
    """lstm_forward with T = 1 (N = 3, D = 4, H = 2) and a nonzero h0"""
    h, _ = m.lstm_forward(*_sequence_inputs(rng, 3, 1, 4, 2))
    return {"h": _snapshot(h)}


@probe(calls=("lstm_forward",))
def forward_leaves_inputs_unchanged(m, rng):
    """lstm_forward (N = 2, T = 3, D = 3, H = 4): h, and x, h0, Wx, Wh, b unchanged after the call"""
    x, h0, Wx, Wh, b = inputs = _sequence_inputs(rng, 2, 3, 3, 4)
    h, _ = m.lstm_forward(*inputs)
    return {"h": _snapshot(h), "x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b}


# --- lstm_backward ----------------------------------------------------------------------

@probe(calls=("lstm_forward", "lstm_backward"), atol=GRADIENT_ATOL)
def backward_sequence(m, rng):
    """lstm_backward with N = 2, T = 4, D = 3, H = 5, an upstream gradient on every step"""
    inputs = _sequence_inputs(rng, 2, 4, 3, 5)
    return _sequence_gradients(m, inputs, rng.normal(size=(2, 4, 5)))


@probe(calls=("lstm_forward", "lstm_backward"), atol=GRADIENT_ATOL)
def backward_single_example_long(m, rng):
    """lstm_backward with N = 1, T = 6, D = 3, H = 6, an upstream gradient on every step"""
    inputs = _sequence_inputs(rng, 1, 6, 3, 6)
    return _sequence_gradients(m, inputs, rng.normal(size=(1, 6, 6)))


@probe(calls=("lstm_forward", "lstm_backward"), atol=GRADIENT_ATOL)
def backward_last_step_only(m, rng):
    """lstm_backward with N = 3, T = 5, D = 2, H = 4, dh zero except at the last step"""
    inputs = _sequence_inputs(rng, 3, 5, 2, 4)
    dh = np.zeros((3, 5, 4))
    dh[:, -1] = rng.normal(size=(3, 4))
    return _sequence_gradients(m, inputs, dh)


@probe(calls=("lstm_forward", "lstm_backward"), atol=GRADIENT_ATOL)
def backward_one_step(m, rng):
    """lstm_backward with T = 1 (N = 4, D = 4, H = 3)"""
    inputs = _sequence_inputs(rng, 4, 1, 4, 3)
    return _sequence_gradients(m, inputs, rng.normal(size=(4, 1, 3)))


@probe(calls=("lstm_forward", "lstm_backward"), atol=GRADIENT_ATOL)
def backward_leaves_inputs_unchanged(m, rng):
    """lstm_forward then lstm_backward (N = 2, T = 3, D = 3, H = 4): the five gradients, and x, h0, Wx, Wh, b, dh unchanged"""
    x, h0, Wx, Wh, b = inputs = _sequence_inputs(rng, 2, 3, 3, 4)
    dh = rng.normal(size=(2, 3, 4))
    gradients = {k: _snapshot(v) for k, v in _sequence_gradients(m, inputs, dh).items()}
    return {**gradients, "x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b, "dh": dh}
