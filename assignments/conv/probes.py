"""Probes for the conv assignment (see docs/assignments.md, section 4).

Each probe returns the submission's outputs; the grader compares them with the
reference's outputs for the same seed. Visibility and points live in rubrics/conv.toml.

Every probe uses N > 1, C > 1, F > 1, a non-zero bias, and inputs or kernels that are
not square, so that swapped axes, a missing bias or a sum over the wrong axis show.
The arrays stay small: a loop-based submission answers each probe in milliseconds.

The probes that check that inputs are left unchanged return the values of the same calls
too, and their rubric entries are all-or-nothing: a function that does nothing leaves its
inputs unchanged, so that property pays only when the work was done (`grader audit`
grades degenerate submissions; these probes paid them up to 1.75 points before).
"""
import numpy as np

from grader.probe import probe


def _inputs(rng, x_shape, w_shape):
    """x, w and b, with biases well away from zero (a forgotten bias must show)."""
    x = rng.normal(size=x_shape)
    w = rng.normal(size=w_shape)
    b = rng.uniform(0.5, 2.0, size=w_shape[0]) * rng.choice([-1.0, 1.0], size=w_shape[0])
    return x, w, b


def _forward(m, rng, x_shape, w_shape, stride, pad):
    x, w, b = _inputs(rng, x_shape, w_shape)
    out, _ = m.conv_forward(x, w, b, stride=stride, pad=pad)
    return {"out": out}


def _backward(m, rng, x_shape, w_shape, stride, pad):
    """The submission's own forward, then its own backward on its own cache."""
    x, w, b = _inputs(rng, x_shape, w_shape)
    out, cache = m.conv_forward(x, w, b, stride=stride, pad=pad)
    dout = rng.normal(size=np.shape(out))
    dx, dw, db = m.conv_backward(dout, cache)
    return {"dx": dx, "dw": dw, "db": db}


# --- conv_forward ------------------------------------------------------------------------

@probe(calls=("conv_forward",))
def conv_forward_stride1_pad0(m, rng):
    """conv_forward with stride 1, pad 0 on a (2, 3, 7, 5) input and (4, 3, 3, 2) filters"""
    return _forward(m, rng, (2, 3, 7, 5), (4, 3, 3, 2), stride=1, pad=0)


@probe(calls=("conv_forward",))
def conv_forward_stride2_pad1(m, rng):
    """conv_forward with stride 2, pad 1 on a (2, 3, 7, 5) input and (4, 3, 3, 3) filters"""
    return _forward(m, rng, (2, 3, 7, 5), (4, 3, 3, 3), stride=2, pad=1)


@probe(calls=("conv_forward",))
def conv_forward_pad2(m, rng):
    """conv_forward with stride 1, pad 2 on a (2, 2, 5, 6) input and (3, 2, 2, 3) filters"""
    return _forward(m, rng, (2, 2, 5, 6), (3, 2, 2, 3), stride=1, pad=2)


@probe(calls=("conv_forward",))
def conv_forward_stride2_size_rounds_down(m, rng):
    """conv_forward with stride 2, pad 1 on a (2, 3, 8, 7) input and (4, 3, 3, 2) filters (the last window position does not fit: H' and W' round down)"""
    return _forward(m, rng, (2, 3, 8, 7), (4, 3, 3, 2), stride=2, pad=1)


@probe(calls=("conv_forward",))
def conv_forward_stride3_with_gaps(m, rng):
    """conv_forward with stride 3, pad 0 on a (2, 2, 9, 8) input and (3, 2, 2, 4) filters (stride larger than the kernel height)"""
    return _forward(m, rng, (2, 2, 9, 8), (3, 2, 2, 4), stride=3, pad=0)


@probe(calls=("conv_forward",))
def conv_forward_kernel_covers_padded_input(m, rng):
    """conv_forward with stride 1, pad 1 on a (3, 2, 4, 3) input and (5, 2, 6, 5) filters as large as the padded input (a 1 x 1 output)"""
    return _forward(m, rng, (3, 2, 4, 3), (5, 2, 6, 5), stride=1, pad=1)


@probe(calls=("conv_forward",))
def conv_forward_leaves_inputs_unchanged(m, rng):
    """conv_forward(x, w, b, stride=2, pad=1) on a (2, 3, 7, 5) input: out, and x, w and b unchanged after the call"""
    x, w, b = _inputs(rng, (2, 3, 7, 5), (4, 3, 3, 2))
    out, _ = m.conv_forward(x, w, b, stride=2, pad=1)
    return {"out": out, "x_after_call": x, "w_after_call": w, "b_after_call": b}


# --- conv_backward -----------------------------------------------------------------------

@probe(calls=("conv_forward", "conv_backward"))
def conv_backward_stride1_pad0(m, rng):
    """conv_backward after conv_forward with stride 1, pad 0 on a (2, 3, 7, 5) input and (4, 3, 3, 2) filters"""
    return _backward(m, rng, (2, 3, 7, 5), (4, 3, 3, 2), stride=1, pad=0)


@probe(calls=("conv_forward", "conv_backward"))
def conv_backward_stride2_pad1(m, rng):
    """conv_backward after conv_forward with stride 2, pad 1 on a (2, 3, 7, 5) input and (4, 3, 3, 3) filters"""
    return _backward(m, rng, (2, 3, 7, 5), (4, 3, 3, 3), stride=2, pad=1)


@probe(calls=("conv_forward", "conv_backward"))
def conv_backward_pad2(m, rng):
    """conv_backward after conv_forward with stride 1, pad 2 on a (2, 2, 5, 6) input and (3, 2, 2, 3) filters"""
    return _backward(m, rng, (2, 2, 5, 6), (3, 2, 2, 3), stride=1, pad=2)


@probe(calls=("conv_forward", "conv_backward"))
def conv_backward_stride2_size_rounds_down(m, rng):
    """conv_backward after conv_forward with stride 2, pad 1 on a (2, 3, 8, 7) input and (4, 3, 3, 2) filters (H' and W' round down)"""
    return _backward(m, rng, (2, 3, 8, 7), (4, 3, 3, 2), stride=2, pad=1)


@probe(calls=("conv_forward", "conv_backward"))
def conv_backward_stride3_with_gaps(m, rng):
    """conv_backward after conv_forward with stride 3, pad 0 on a (2, 2, 9, 8) input and (3, 2, 2, 4) filters (some input rows are never read)"""
    return _backward(m, rng, (2, 2, 9, 8), (3, 2, 2, 4), stride=3, pad=0)


@probe(calls=("conv_forward", "conv_backward"))
def conv_backward_kernel_covers_padded_input(m, rng):
    """conv_backward after conv_forward with stride 1, pad 1 on a (3, 2, 4, 3) input and (5, 2, 6, 5) filters (a 1 x 1 output)"""
    return _backward(m, rng, (3, 2, 4, 3), (5, 2, 6, 5), stride=1, pad=1)


@probe(calls=("conv_forward", "conv_backward"))
def conv_backward_leaves_inputs_unchanged(m, rng):
    """conv_forward then conv_backward (stride 2, pad 1): dx, dw, db, and x, w, b and dout unchanged after the calls"""
    x, w, b = _inputs(rng, (2, 3, 7, 5), (4, 3, 3, 3))
    out, cache = m.conv_forward(x, w, b, stride=2, pad=1)
    dout = rng.normal(size=np.shape(out))
    dx, dw, db = m.conv_backward(dout, cache)
    return {"dx": dx, "dw": dw, "db": db,
            "x_after_call": x, "w_after_call": w, "b_after_call": b, "dout_after_call": dout}
