"""Probes for the two_layer_net assignment (see docs/assignments.md, section 3).

Each probe returns the submission's outputs; the grader compares them with the
reference's outputs for the same seed. Visibility and points live in
rubrics/two_layer_net.toml. Backward probes always call the submission's own forward
first and hand its own cache to its own backward.

A probe that checks that inputs are left unchanged returns the values of the same calls
too, and its rubric entry is all-or-nothing: a function that does nothing leaves its
inputs unchanged, so that property pays only when the work was done (`grader audit`
grades degenerate submissions; each of these probes paid them 1 point before).

Sizes are all different (N = 5 examples, D = 4 inputs, H = 7 hidden units, C = 3
classes), so that a missing transpose or a sum over the wrong axis shows as a shape.
"""
import numpy as np

from grader.probe import probe

N, D, H, C = 5, 4, 7, 3
PARAM_NAMES = ("W1", "b1", "W2", "b2")

# atol 1e-5 (x the largest |expected| of each output) for the network probes with random
# inputs: grad_b2 is a mean over the batch of p - onehot, which can cancel to ~1e-2 of its
# terms, and tests/alternatives/two_layer_net/float32_computing.py (correct, in float32)
# reached 1.73 x the default atol of 1e-6 on grad_b2 of two_layer_net_with_reg over 2000
# seeds (0.44 x with the inputs used before one class was put below zero, 0.55 x on
# two_layer_net_no_reg); with 1e-5 the worst is 0.55 x. Every known mistake is off by far more.
NET_ATOL = 1e-5


def _snapshot(value):
    """A copy of an array the submission returned (it may alias something it changes later)."""
    return value.copy() if type(value) is np.ndarray else value


def _labels(rng, n, c):
    return rng.integers(0, c, size=n)


def _mixed_hidden_signs(X, W1, b1):
    """W1 and b1 with whole hidden units (a column of W1 and its bias) negated so that the
    first example's pre-activations alternate in sign: units 0, 2, 4... active, 1, 3, 5...
    not, on every seed. Before, all 7 could be positive for the one example whose gradient
    matters, and a ReLU backward that passes every gradient (or dW2 taken from the
    pre-ReLU hidden layer) kept the points of two_layer_net_single_example and
    two_layer_net_large_scores (measured: 1 seed in 200 each). Negating keeps integer
    weights integer."""
    pre = X[0] @ W1 + b1
    flip = np.where(pre >= 0, 1.0, -1.0) * np.where(np.arange(pre.size) % 2 == 0, 1.0, -1.0)
    return W1 * flip, b1 * flip


def _params(rng, X, y, h, c):
    """W1 (D, h), b1, W2 (h, c), b2 for inputs X (N, D) and labels y, with both signs
    where they matter."""
    W1, b1 = _mixed_hidden_signs(X, rng.normal(size=(X.shape[1], h)), rng.normal(size=h))
    for _ in range(1000):  # each draw is kept with probability about 7/8
        # small W2 and b2 keep the scores of order 1: no example is classified so
        # confidently that its gradient (1 - p) is left with only float32 rounding noise
        params = {"W1": W1, "b1": b1, "W2": rng.normal(size=(h, c)) * 0.1, "b2": rng.normal(size=c) * 0.1}
        # One class scores between -1.5 and -0.5 below its best example, so some scores
        # are negative on every seed: a ReLU wrongly applied to the output scores changes
        # the loss. Before, every score of a probe was positive on some seeds and such a
        # network kept the points (measured over 300 seeds: 1 for two_layer_net_no_reg, 3
        # for two_layer_net_with_reg, 41 for two_layer_net_single_example).
        low = rng.integers(c)
        hidden = np.maximum(X @ W1 + b1, 0.0)
        params["b2"][low] = -np.max(hidden @ params["W2"][:, low]) - rng.uniform(0.5, 1.5)
        if _both_signs(_active_hidden_gradient(X, y, params)):
            return params
    raise RuntimeError("no parameters found whose hidden gradient has both signs")


def _active_hidden_gradient(X, y, params):
    """d loss / d hidden of example 0 at its active hidden units (times N), computed here
    only to choose the inputs. It must have both signs: a ReLU backward that passes only
    the positive gradients (it masks by the sign of dout) kept the points of
    two_layer_net_single_example on 23 seeds in 300 when it had one sign."""
    pre = X[0] @ params["W1"] + params["b1"]
    scores = np.maximum(pre, 0.0) @ params["W2"] + params["b2"]
    p = np.exp(scores - scores.max())
    dscores = p / p.sum() - np.eye(scores.size)[y[0]]
    return (params["W2"] @ dscores)[pre > 0]


def _both_signs(values, margin=1e-3):
    """Some value above ``margin`` and some below ``-margin`` (a margin, so that rounding
    differences between machines cannot change the choice)."""
    return values.size > 0 and values.max() > margin and values.min() < -margin


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
    """affine_forward(x, w, b) with x (5, 4): out, and x, w and b unchanged after the call"""
    x, w, b = rng.normal(size=(N, D)), rng.normal(size=(D, C)), rng.normal(size=C)
    out, _ = m.affine_forward(x, w, b)
    return {"out": _snapshot(out), "x_after_call": x, "w_after_call": w, "b_after_call": b}


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
    """affine_backward(dout, cache) with dout (5, 3): dx, dw, db, and dout unchanged after the call"""
    x, w, b = rng.normal(size=(N, D)), rng.normal(size=(D, C)), rng.normal(size=C)
    dout = rng.normal(size=(N, C))
    return {**_affine_backward(m, x, w, b, dout), "dout_after_call": dout}


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
    """relu_forward(x) of a (5, 7) array: out, and x unchanged after the call"""
    x = rng.normal(size=(N, H))
    out, _ = m.relu_forward(x)
    return {"out": _snapshot(out), "x_after_call": x}


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
    x[0, 1], x[0, 2] = 0.5 + rng.random(2)  # two positive inputs, whatever the seed
    # |dout| of 1 to 2 everywhere (a gradient passed at a zero input shows), and of both
    # signs where x > 0: with dout = normal + 2 (nearly all positive), a ReLU backward that
    # masks by the sign of dout kept the points on 261 seeds in 300.
    dout = (1.0 + rng.random(size=x.shape)) * rng.choice([-1.0, 1.0], size=x.shape)
    dout[0, 1], dout[0, 2] = abs(dout[0, 1]), -abs(dout[0, 2])
    _, cache = m.relu_forward(x)
    dx = m.relu_backward(dout, cache)
    return {"dx": _snapshot(dx)}


@probe(calls=("relu_forward", "relu_backward"))
def relu_backward_leaves_inputs_unchanged(m, rng):
    """relu_forward then relu_backward on (5, 7) arrays: dx, and x and dout unchanged after the calls"""
    x, dout = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    _, cache = m.relu_forward(x)
    dx = _snapshot(m.relu_backward(dout, cache))
    return {"dx": dx, "x_after_calls": x, "dout_after_call": dout}


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
    """softmax_loss(scores, y) with scores (5, 3) around 5: loss, dscores, and scores unchanged after the call"""
    # scores spread as in softmax_loss_batch (x 2): with x 3, an example could be so
    # confidently right that its dscores were left with float32 noise, and the correct
    # float32 alternative reached 1.36 x the tolerance (2000 seeds); now 0.34 x.
    scores = rng.normal(size=(N, C)) * 2 + 5
    return {**_softmax_loss(m, scores, _labels(rng, N, C)), "scores_after_call": scores}


# --- two_layer_net_loss -----------------------------------------------------------------

@probe(calls=("two_layer_net_loss",), atol=NET_ATOL)
def two_layer_net_no_reg(m, rng):
    """two_layer_net_loss(X, y, params) with the default reg, N = 5, D = 4, H = 7, C = 3"""
    X, y = rng.normal(size=(N, D)), _labels(rng, N, C)
    params = _params(rng, X, y, H, C)
    return _net_outputs(*m.two_layer_net_loss(X, y, params))


@probe(calls=("two_layer_net_loss",), atol=NET_ATOL)
def two_layer_net_with_reg(m, rng):
    """two_layer_net_loss(X, y, params, reg=0.7) with N = 5, D = 4, H = 7, C = 3"""
    X, y = rng.normal(size=(N, D)), _labels(rng, N, C)
    params = _params(rng, X, y, H, C)
    return _net_outputs(*m.two_layer_net_loss(X, y, params, reg=0.7))


@probe(calls=("two_layer_net_loss",), atol=NET_ATOL)
def two_layer_net_single_example(m, rng):
    """two_layer_net_loss(X, y, params, reg=0.3) with a single example, N = 1"""
    X, y = rng.normal(size=(1, D)), _labels(rng, 1, C)
    params = _params(rng, X, y, H, C)
    return _net_outputs(*m.two_layer_net_loss(X, y, params, reg=0.3))


@probe(calls=("two_layer_net_loss",))
def two_layer_net_large_scores(m, rng):
    """two_layer_net_loss with integer-valued inputs and weights giving scores of magnitude 1e3"""
    n = 6
    X = rng.integers(-3, 4, size=(n, D)).astype(float)
    W1, b1 = _mixed_hidden_signs(X, rng.integers(-3, 4, size=(D, H)).astype(float),
                                 rng.integers(-3, 3, size=H) + 0.5)  # no hidden unit is exactly 0
    W2 = rng.integers(-30, 31, size=(H, C)).astype(float)
    high, _, low = rng.permutation(C)
    # Example 0 carries the only gradient: d loss / d hidden_j = W2[j, high] - W2[j, low]
    # (times 1/N). Its active units 0 and 2 get opposite signs, so a ReLU backward that
    # passes only positive gradients loses the points on every seed (before: 3 in 300 kept).
    for unit, sign in ((0, 1.0), (2, -1.0)):
        if W2[unit, high] == W2[unit, low]:
            W2[unit, high] += 1.0
        if np.sign(W2[unit, high] - W2[unit, low]) != sign:
            W2[unit, [high, low]] = W2[unit, [low, high]]
    # b2 puts the high class at 1000 or more and the low one at -1000 or less on every
    # example: an exp without the maximum subtracted overflows, and example 0, whose true
    # class is the low one, is 2000 or more behind, on every seed. Before (b2 a permutation
    # of 1000, 0, -1000), no score passed 709 on 1 seed in 300 and a softmax without the
    # maximum subtracted kept the points.
    hidden_scores = np.maximum(X @ W1 + b1, 0.0) @ W2
    b2 = np.zeros(C)
    b2[high] = 1000.0 - hidden_scores[:, high].min()
    b2[low] = -1000.0 - hidden_scores[:, low].max()
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    # every value is a small (half-)integer, exact in float32, and so are the scores
    y = _labels(rng, n, C)
    y[0] = low  # a true class 2000 behind: the gradient is not ~0
    return _net_outputs(*m.two_layer_net_loss(X, y, params))


@probe(calls=("two_layer_net_loss",), atol=NET_ATOL)
def two_layer_net_leaves_inputs_unchanged(m, rng):
    """two_layer_net_loss(X, y, params, reg=0.5): loss and gradients, and X, y and the parameters unchanged after the call"""
    X, y = rng.normal(size=(N, D)), _labels(rng, N, C)
    params = _params(rng, X, y, H, C)
    arrays = dict(params)
    outputs = _net_outputs(*m.two_layer_net_loss(X, y, params, reg=0.5))
    return {**outputs, "X_after_call": X, "y_after_call": y,
            **{f"{name}_after_call": arrays[name] for name in PARAM_NAMES}}
