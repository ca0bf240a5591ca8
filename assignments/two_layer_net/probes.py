"""Probes for the two_layer_net assignment (see ASSIGNMENTS.md, section 3).

Each probe returns the submission's outputs; the grader compares them with the
reference's outputs for the same seed. Visibility and points live in
rubrics/two_layer_net.toml. Backward probes always call the submission's own forward
first and hand its own cache to its own backward.

Sizes are all different (N = 5 examples, D = 4 inputs, H = 7 hidden units, C = 3
classes), so that a missing transpose or a sum over the wrong axis shows as a shape.
"""
import numpy as np

from grader.probe import probe

N, D, H, C = 5, 4, 7, 3
PARAM_NAMES = ("W1", "b1", "W2", "b2")


def _snapshot(value):
    """A copy of an array the submission returned (it may alias something it changes later)."""
    return value.copy() if type(value) is np.ndarray else value


def _labels(rng, n, c):
    return rng.integers(0, c, size=n)


def _params(rng, d, h, c):
    # small W2 and b2 keep the scores of order 1: no example is classified so confidently
    # that its gradient (1 - p) is left with only float32 rounding noise
    return {"W1": rng.normal(size=(d, h)), "b1": rng.normal(size=h),
            "W2": rng.normal(size=(h, c)) * 0.1, "b2": rng.normal(size=c) * 0.1}


def _net_outputs(loss, grads):
    """loss and each gradient as its own top-level output (partial credit per output)."""
    outputs = {"loss": loss}
    for name in PARAM_NAMES:
        if isinstance(grads, dict) and name in grads:
            outputs[f"grad_{name}"] = _snapshot(grads[name])
    return outputs


def _affine_backward(m, x, w, b, dout):
    _, cache = m.affine_forward(x, w, b)
    dx, dw, db = m.affine_backward(dout, cache)
    return {"dx": _snapshot(dx), "dw": _snapshot(dw), "db": _snapshot(db)}


# --- affine_forward ---------------------------------------------------------------------

@probe(calls=("affine_forward",))
def affine_forward_batch(m, rng):
    """affine_forward(x, w, b) with x (5, 4), w (4, 3), b (3,)"""
    out, _ = m.affine_forward(rng.normal(size=(N, D)), rng.normal(size=(D, C)), rng.normal(size=C))
    return {"out": out}


@probe(calls=("affine_forward",))
def affine_forward_single_row(m, rng):
    """affine_forward(x, w, b) with a single example: x (1, 6), w (6, 2), b (2,)"""
    out, _ = m.affine_forward(rng.normal(size=(1, 6)), rng.normal(size=(6, 2)), rng.normal(size=2))
    return {"out": out}


@probe(calls=("affine_forward",))
def affine_forward_leaves_inputs_unchanged(m, rng):
    """affine_forward(x, w, b) must not modify x, w or b in place"""
    x, w, b = rng.normal(size=(N, D)), rng.normal(size=(D, C)), rng.normal(size=C)
    m.affine_forward(x, w, b)
    return {"x_after_call": x, "w_after_call": w, "b_after_call": b}


# --- affine_backward --------------------------------------------------------------------

@probe(calls=("affine_forward", "affine_backward"))
def affine_backward_batch(m, rng):
    """affine_forward then affine_backward with x (5, 4), w (4, 3), b (3,), dout (5, 3)"""
    x, w, b = rng.normal(size=(N, D)), rng.normal(size=(D, C)), rng.normal(size=C)
    return _affine_backward(m, x, w, b, rng.normal(size=(N, C)))


@probe(calls=("affine_forward", "affine_backward"))
def affine_backward_single_row(m, rng):
    """affine_forward then affine_backward with a single example: x (1, 6), w (6, 2), dout (1, 2)"""
    x, w, b = rng.normal(size=(1, 6)), rng.normal(size=(6, 2)), rng.normal(size=2)
    return _affine_backward(m, x, w, b, rng.normal(size=(1, 2)))


@probe(calls=("affine_forward", "affine_backward"))
def affine_backward_square(m, rng):
    """affine_backward with N = D = M = 4, where a missing transpose gives the right shape"""
    x, w, b = rng.normal(size=(4, 4)), rng.normal(size=(4, 4)), rng.normal(size=4)
    return _affine_backward(m, x, w, b, rng.normal(size=(4, 4)))


@probe(calls=("affine_forward", "affine_backward"))
def affine_backward_leaves_dout_unchanged(m, rng):
    """affine_backward(dout, cache) must not modify dout in place"""
    _, cache = m.affine_forward(rng.normal(size=(N, D)), rng.normal(size=(D, C)), rng.normal(size=C))
    dout = rng.normal(size=(N, C))
    m.affine_backward(dout, cache)
    return {"dout_after_call": dout}


# --- relu_forward -----------------------------------------------------------------------

@probe(calls=("relu_forward",))
def relu_forward_mixed_signs(m, rng):
    """relu_forward(x) of a (5, 7) array of positive, negative and zero entries"""
    x = rng.normal(size=(N, H))
    x[0, :3] = 0.0
    out, _ = m.relu_forward(x)
    return {"out": out}


@probe(calls=("relu_forward",))
def relu_forward_leaves_input_unchanged(m, rng):
    """relu_forward(x) must not modify x in place"""
    x = rng.normal(size=(N, H))
    m.relu_forward(x)
    return {"x_after_call": x}


# --- relu_backward ----------------------------------------------------------------------

@probe(calls=("relu_forward", "relu_backward"))
def relu_backward_mixed_signs(m, rng):
    """relu_forward then relu_backward on a (5, 7) array of mixed signs"""
    _, cache = m.relu_forward(rng.normal(size=(N, H)))
    dx = m.relu_backward(rng.normal(size=(N, H)), cache)
    return {"dx": _snapshot(dx)}


@probe(calls=("relu_forward", "relu_backward"))
def relu_backward_at_exact_zeros(m, rng):
    """relu_backward where some inputs x are exactly 0 (there the gradient is 0)"""
    x = rng.normal(size=(4, 6))
    x[rng.random(size=x.shape) < 0.4] = 0.0
    x[0, 0] = 0.0
    _, cache = m.relu_forward(x)
    dx = m.relu_backward(rng.normal(size=(4, 6)) + 2.0, cache)
    return {"dx": _snapshot(dx)}


@probe(calls=("relu_forward", "relu_backward"))
def relu_backward_leaves_inputs_unchanged(m, rng):
    """relu_forward then relu_backward must modify neither x nor dout in place"""
    x, dout = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    _, cache = m.relu_forward(x)
    m.relu_backward(dout, cache)
    return {"x_after_calls": x, "dout_after_call": dout}


# --- softmax_loss -----------------------------------------------------------------------

def _softmax_loss(m, scores, y):
    loss, dscores = m.softmax_loss(scores, y)
    return {"loss": loss, "dscores": _snapshot(dscores)}


@probe(calls=("softmax_loss",))
def softmax_loss_batch(m, rng):
    """softmax_loss(scores, y) with N = 5, C = 3"""
    return _softmax_loss(m, rng.normal(size=(N, C)) * 2, _labels(rng, N, C))


@probe(calls=("softmax_loss",))
def softmax_loss_single_example(m, rng):
    """softmax_loss(scores, y) with a single example, N = 1, C = 4"""
    return _softmax_loss(m, rng.normal(size=(1, 4)), _labels(rng, 1, 4))


@probe(calls=("softmax_loss",))
def softmax_loss_large_scores(m, rng):
    """softmax_loss with integer scores of magnitude 1e3: rows near +1000, near -1000, and spread"""
    scores = np.round(rng.normal(size=(6, 5)) * 1e3)
    y = _labels(rng, 6, 5)
    scores[0, :2] = 1000.0, -1000.0  # row 0: the true class 2000 behind the best
    y[0] = 1
    scores[1] = 1000.0 + rng.integers(-3, 4, size=5)  # near-tied classes, all near +1000
    scores[2] = -1000.0 + rng.integers(-3, 4, size=5)  # near-tied classes, all near -1000
    # integers stay exact in float32, so a float32 computation differs only by exp rounding
    return _softmax_loss(m, scores, y)


@probe(calls=("softmax_loss",))
def softmax_loss_leaves_scores_unchanged(m, rng):
    """softmax_loss(scores, y) must not modify scores in place"""
    scores = rng.normal(size=(N, C)) * 3 + 5
    m.softmax_loss(scores, _labels(rng, N, C))
    return {"scores_after_call": scores}


# --- two_layer_net_loss -----------------------------------------------------------------

@probe(calls=("two_layer_net_loss",))
def two_layer_net_no_reg(m, rng):
    """two_layer_net_loss(X, y, params) with the default reg, N = 5, D = 4, H = 7, C = 3"""
    X, y, params = rng.normal(size=(N, D)), _labels(rng, N, C), _params(rng, D, H, C)
    return _net_outputs(*m.two_layer_net_loss(X, y, params))


@probe(calls=("two_layer_net_loss",))
def two_layer_net_with_reg(m, rng):
    """two_layer_net_loss(X, y, params, reg=0.7) with N = 5, D = 4, H = 7, C = 3"""
    X, y, params = rng.normal(size=(N, D)), _labels(rng, N, C), _params(rng, D, H, C)
    return _net_outputs(*m.two_layer_net_loss(X, y, params, reg=0.7))


@probe(calls=("two_layer_net_loss",))
def two_layer_net_single_example(m, rng):
    """two_layer_net_loss(X, y, params, reg=0.3) with a single example, N = 1"""
    X, y, params = rng.normal(size=(1, D)), _labels(rng, 1, C), _params(rng, D, H, C)
    return _net_outputs(*m.two_layer_net_loss(X, y, params, reg=0.3))


@probe(calls=("two_layer_net_loss",))
def two_layer_net_large_scores(m, rng):
    """two_layer_net_loss with integer-valued inputs and weights giving scores of magnitude 1e3"""
    n = 6
    X = rng.integers(-3, 4, size=(n, D)).astype(float)
    params = {"W1": rng.integers(-3, 4, size=(D, H)).astype(float),
              "b1": rng.integers(-3, 3, size=H) + 0.5,  # no hidden unit is exactly 0
              "W2": rng.integers(-30, 31, size=(H, C)).astype(float),
              "b2": rng.permutation([1000.0, 0.0, -1000.0])}
    # every value is a small (half-)integer, exact in float32, and so are the scores
    y = _labels(rng, n, C)
    y[0] = np.argmin(params["b2"])  # a true class ~1000 behind: the gradient is not ~0
    return _net_outputs(*m.two_layer_net_loss(X, y, params))


@probe(calls=("two_layer_net_loss",))
def two_layer_net_leaves_inputs_unchanged(m, rng):
    """two_layer_net_loss(X, y, params, reg=0.5) must not modify X, y or the parameters"""
    X, y, params = rng.normal(size=(N, D)), _labels(rng, N, C), _params(rng, D, H, C)
    arrays = dict(params)
    m.two_layer_net_loss(X, y, params, reg=0.5)
    return {"X_after_call": X, "y_after_call": y,
            **{f"{name}_after_call": arrays[name] for name in PARAM_NAMES}}
