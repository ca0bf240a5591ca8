"""Probes for the softmax assignment (see docs/assignments.md, section 2).

Each probe returns the submission's outputs; the grader compares them with the
reference's outputs for the same seed. Visibility and points live in rubrics/softmax.toml.

A probe that checks a property a function that does nothing also has (it leaves its
input unchanged, KL(p || p) = 0) returns the value of the same call too, and its rubric
entry is all-or-nothing: the property pays only when the work was done (`grader audit`
grades degenerate submissions, e.g. every body `pass`; these probes paid them before).
"""
import numpy as np

from grader.probe import probe


def _labels(rng, n, c):
    """n labels in [0, c), at least two different ones when n >= 2: with every label equal,
    a cross_entropy that averages log_p[:, labels] (all N x N entries) gets the right loss
    (it kept cross_entropy_true_class_far_behind's point on 2 seeds in 200)."""
    labels = rng.integers(0, c, size=n)
    if n >= 2 and (labels == labels[0]).all():
        labels[rng.integers(1, n)] = (labels[0] + rng.integers(1, c)) % c
    return labels


def _probability_vector(rng, c):
    weights = rng.random(c) + 0.05
    return weights / weights.sum()


# --- softmax -------------------------------------------------------------------------

@probe(calls=("softmax",))
def softmax_rows(m, rng):
    """softmax(z) of a (4, 5) array, default axis (the last)"""
    z = rng.normal(size=(4, 5))
    return {"p": m.softmax(z)}


@probe(calls=("softmax",))
def softmax_axis0(m, rng):
    """softmax(z, axis=0) of a (3, 6) array: columns sum to one"""
    z = rng.normal(size=(3, 6))
    return {"p": m.softmax(z, axis=0)}


@probe(calls=("softmax",))
def softmax_1d(m, rng):
    """softmax(z) of a 1-D array of 7 entries"""
    return {"p": m.softmax(rng.normal(size=7) * 3)}


@probe(calls=("softmax",))
def softmax_3d_axes(m, rng):
    """softmax of a (2, 3, 4) array along axis 1, axis -1 and axis 0"""
    z = rng.normal(size=(2, 3, 4))
    return {"axis1": m.softmax(z, axis=1), "last": m.softmax(z), "axis0": m.softmax(z, axis=0)}


# rtol: a float32 computation rounds entries up to 1e4 (below 2**14) by up to 4.9e-4,
# which moves log(p) by up to 2 x 4.9e-4; every stability bug here gives nan, so this
# costs nothing.
@probe(calls=("softmax",), rtol=2e-3)
def softmax_large_logits(m, rng):
    """softmax(z) with entries up to +-1e4: row 1 entirely 15000 or more below the others' maximum"""
    # Entries stay within the contract's +-1e4, the largest is exactly 1e4 (rows 0 and 2),
    # and row 1 lies in [-1e4, -5e3]: subtracting the global maximum instead of each row's
    # underflows row 1 to 0 / 0 on every seed. Before (normal entries x 1e4), every row's
    # maximum was near the global one on 4 seeds in 200 and that mistake kept the points.
    z = rng.uniform(-1e4, 1e4, size=(3, 4))
    z[1] = rng.uniform(-1e4, -5e3, size=4)
    z[0, 0], z[1, 1], z[2, 3] = 1e4, -1e4, 1e4
    return {"p": m.softmax(z)}


# rtol: a float32 computation rounds entries near +-1000 by up to 3.05e-5, which moves
# log(p) by up to 6.1e-5 (every seed fails at 1e-5); the bugs here give nan.
@probe(calls=("softmax",), rtol=1e-4)
def softmax_rows_far_below_max(m, rng):
    """softmax(z) by rows, where one row's entries are 2000 below another's"""
    z = rng.normal(size=(3, 5))
    z[0] += 1000.0
    z[2] -= 1000.0
    return {"p": m.softmax(z)}


@probe(calls=("softmax",))
def softmax_leaves_input_unchanged(m, rng):
    """softmax(z) of a (4, 3) array: p, and z unchanged after the call"""
    z = rng.normal(size=(4, 3)) * 5
    return {"p": m.softmax(z), "z_after_call": z}


# --- log_softmax -------------------------------------------------------------------------

@probe(calls=("log_softmax",))
def log_softmax_rows(m, rng):
    """log_softmax(z) of a (4, 5) array, default axis: log_p, and z unchanged after the call"""
    # z_after_call: `grader audit --mutants` found `z -= np.max(z, ...); shifted = z` (the
    # caller's z shifted in place) keeping every point of log_softmax, as no probe looked at
    # z after the call. It is checked here, in an all-or-nothing test with the value, and not
    # in a test of its own: z unchanged is what a log_softmax doing nothing gets right.
    z = rng.normal(size=(4, 5))
    return {"log_p": m.log_softmax(z), "z_after_call": z}


@probe(calls=("log_softmax",))
def log_softmax_axes(m, rng):
    """log_softmax of a 1-D array, and of a (2, 3, 4) array along axis 0"""
    return {"one_d": m.log_softmax(rng.normal(size=6)),
            "axis0": m.log_softmax(rng.normal(size=(2, 3, 4)), axis=0)}


@probe(calls=("log_softmax",))
def log_softmax_large_logits(m, rng):
    """log_softmax(z) with entries of +-1e4: finite, including the very negative ones"""
    z = rng.normal(size=(3, 6)) * 1e4
    z[:, 0] = 1e4
    z[:, 1] = -1e4
    return {"log_p": m.log_softmax(z)}


# --- cross_entropy -------------------------------------------------------------------------

@probe(calls=("cross_entropy",))
def cross_entropy_batch(m, rng):
    """cross_entropy(logits, labels) with N = 8, C = 5"""
    logits = rng.normal(size=(8, 5))
    return {"loss": m.cross_entropy(logits, _labels(rng, 8, 5))}


# rtol: when the loss is small (about 1e-3), float32 rounding of the sum inside the log
# is ~6e-8 absolute, i.e. up to ~6e-5 relative (about 1 seed in 1000 fails at 1e-5).
@probe(calls=("cross_entropy",), rtol=1e-4)
def cross_entropy_single(m, rng):
    """cross_entropy(logits, labels) with N = 1, C = 4"""
    logits = rng.normal(size=(1, 4)) * 2
    return {"loss": m.cross_entropy(logits, _labels(rng, 1, 4))}


@probe(calls=("cross_entropy",))
def cross_entropy_large_logits(m, rng):
    """cross_entropy with logits of magnitude 1e4, where the true class is often far behind"""
    logits = rng.normal(size=(6, 4)) * 1e4
    return {"loss": m.cross_entropy(logits, _labels(rng, 6, 4))}


@probe(calls=("cross_entropy",))
def cross_entropy_true_class_far_behind(m, rng):
    """cross_entropy(logits, labels) where every true class is about 1000 below its row's best"""
    logits = rng.normal(size=(5, 4))
    labels = _labels(rng, 5, 4)
    logits[np.arange(5), labels] -= 1000.0
    return {"loss": m.cross_entropy(logits, labels)}


# --- kl_divergence -------------------------------------------------------------------------

@probe(calls=("kl_divergence",))
def kl_divergence_dense(m, rng):
    """kl_divergence(p, q) of two positive probability vectors of 6 entries"""
    p, q = _probability_vector(rng, 6), _probability_vector(rng, 6)
    return {"kl": m.kl_divergence(p, q)}


@probe(calls=("kl_divergence",))
def kl_divergence_zeros_in_p(m, rng):
    """kl_divergence(p, q) where p has exact zeros (those terms count 0)"""
    p = _probability_vector(rng, 7)
    p[[1, 4]] = 0.0
    p /= p.sum()
    return {"kl": m.kl_divergence(p, _probability_vector(rng, 7))}


# rtol: when KL is small (about 1e-3), float32 rounding of log(p / q) is ~2e-8 absolute,
# i.e. up to ~2e-5 relative (about 1 seed in 7000 fails at 1e-5).
@probe(calls=("kl_divergence",), rtol=1e-4)
def kl_divergence_of_equal_vectors(m, rng):
    """kl_divergence(p, p) is 0, and KL(p || q) differs from KL(q || p)"""
    p, q = _probability_vector(rng, 5), _probability_vector(rng, 5)
    return {"self": m.kl_divergence(p, p.copy()), "forward": m.kl_divergence(p, q),
            "backward": m.kl_divergence(q, p)}


@probe(calls=("kl_divergence",))
def kl_divergence_tiny_q(m, rng):
    """kl_divergence(p, q) where q gives one outcome that p finds likely a probability near 1e-12"""
    p, q = _probability_vector(rng, 6), _probability_vector(rng, 6)
    q[rng.integers(6)] = 10.0 ** rng.uniform(-13.0, -11.0)
    q /= q.sum()
    return {"kl": m.kl_divergence(p, q)}
