"""Probes for the batchnorm assignment (see docs/assignments.md, section 7).

Each probe returns the submission's outputs; the grader compares them with the
reference's outputs for the same seed. Visibility and points live in rubrics/batchnorm.toml.

Inputs are chosen so that mistakes show beyond tolerance: feature standard deviations of
0.01 and 30 (an eps outside the square root, or a variance divided by N - 1 instead of N,
changes the output by far more than rounding), training batches of N >= 3 wherever dx is
compared (at N = 2 the true dx is rounding noise), non-trivial gamma and beta set by the
probe, and momentum values other than 0.5 (where the two momentum conventions agree).
Everything read out of the layer is copied at once: a submission may update its arrays in
place later.

Properties that a layer doing nothing also has (inputs left unchanged, running statistics
left at their initial values in evaluation mode) pay only with the right outputs of the
same calls: they are returned together and the rubric entries are all-or-nothing
(`grader audit` grades degenerate submissions -- the constructor kept, every method
`pass`, returning its argument or zeros; these probes paid them up to 3 points before).
"""
import numpy as np

from grader.probe import probe

WIDE = (1e-2, 30.0, 1.0, 0.2)      # feature standard deviations for forward probes
MODERATE = (0.02, 2.0, 1.0, 3.0)   # for backward probes

# Every probe where eps enters has a feature whose variance is small next to eps = 1e-5
# (std 0.01 or 0.02), so a mistake about eps (ignored, or added outside the square root)
# changes that feature by ~1% and is caught on every seed. Before, the backward probes'
# smallest std was 0.5 (eps / var = 4e-5, about the tolerance), and in evaluation mode
# the running variance still held ~0.2 of its initial 1 after 2-3 training steps: those
# mistakes were caught on some seeds and not on others (e.g. backward: 104 of 200 seeds).
# Hence also momentum 0.9 and 4 training steps before evaluation (the initial running
# variance keeps a weight of 1e-4), and a single evaluated sample 2 to 3 stds from the mean.

# Tolerances (tuned with tests/alternatives/batchnorm/float32_compute.py, a correct float32
# computation):
# - forward outputs: atol 1e-5 instead of 1e-6. In float32, (x - mean) / std loses up to
#   ~1e-6 of the output's scale when a feature's mean is a few stds from 0 and the batch's
#   sample std happens to be small (1.05 x the default tolerance at worst over 20000
#   seeds). Every forward mistake is off by more than 1e-3.
# - backward: rtol 1e-4, atol 1e-5. With N = 4..8 the bracket of the dx formula cancels,
#   and float32 loses up to ~2e-5 relative accuracy (1.7 x the default tolerance over 1000
#   seeds; 0.3 x this one over 20000). Every backward mistake is off by far more.
# Running statistics and attributes keep the defaults.
OUT_TOL = {"atol": 1e-5}
BACKWARD_TOL = {"rtol": 1e-4, "atol": 1e-5}


def _source(rng, scales=WIDE, offset=3.0):
    """Feature means for a stream of batches: between 1 and ``offset`` stds away from 0."""
    scales = np.asarray(scales, dtype=float)
    signs = rng.choice([-1.0, 1.0], size=scales.size)
    return scales * rng.uniform(1.0, offset, size=scales.size) * signs


def _batch(rng, n, scales=WIDE, centre=None):
    """(n, D) inputs whose feature j has standard deviation scales[j], around ``centre``."""
    scales = np.asarray(scales, dtype=float)
    centre = _source(rng, scales) if centre is None else centre
    return centre + rng.normal(size=(n, scales.size)) * scales


def _copy(value):
    return np.array(value, dtype=float, copy=True)



def _stats(bn):
    return {"running_mean": _copy(bn.running_mean), "running_var": _copy(bn.running_var)}


def _set_affine(bn, rng, scales=(1.0, 1.0, 1.0, 1.0)):
    """Give the layer a gamma of mixed signs (times ``scales``) and a non-zero beta.

    Backward probes pass the feature stds as ``scales``: dx of feature j is proportional
    to gamma[j] / std[j], so every column of dx then has a comparable size and none hides
    under the tolerance of the largest.
    """
    scales = np.asarray(scales, dtype=float)
    # half the signs negative, on every seed: with random signs all were positive on 1 seed
    # in 16, and a layer using |gamma| kept the points (e.g. training_forward_gamma_beta,
    # 10 seeds in 200)
    signs = rng.permutation(np.resize([1.0, -1.0], scales.size))
    bn.gamma = scales * rng.uniform(0.5, 2.0, size=scales.size) * signs
    bn.beta = rng.normal(size=scales.size)


def _gradients(bn, dout):
    dx = bn.backward(dout)
    return {"dx": _copy(dx), "dgamma": _copy(bn.dgamma), "dbeta": _copy(bn.dbeta)}


def _train_steps(bn, rng, sizes, scales=WIDE, offset=3.0):
    """Training forwards of batches of the given sizes, all drawn around the same means."""
    centre = _source(rng, scales, offset)
    for n in sizes:
        bn.forward(_batch(rng, n, scales, centre))
    return centre


# --- construction and modes ---------------------------------------------------------------

@probe(calls=("BatchNorm1d",))
def initial_attributes(m, rng):
    """BatchNorm1d(4): gamma, beta, running_mean, running_var, training, eps, momentum"""
    bn = m.BatchNorm1d(4)
    return {"gamma": _copy(bn.gamma), "beta": _copy(bn.beta), **_stats(bn),
            "training": bool(bn.training), "eps": float(bn.eps), "momentum": float(bn.momentum)}


@probe(calls=("BatchNorm1d",))
def constructor_arguments(m, rng):
    """BatchNorm1d(3, eps=1e-3, momentum=0.25): eps, momentum and the initial arrays"""
    bn = m.BatchNorm1d(3, eps=1e-3, momentum=0.25)
    return {"eps": float(bn.eps), "momentum": float(bn.momentum), "gamma": _copy(bn.gamma),
            "beta": _copy(bn.beta), **_stats(bn)}


@probe(calls=("BatchNorm1d",))
def training_flag(m, rng):
    """the training attribute: initially, after eval(), eval() again, train(), train(), eval()"""
    bn = m.BatchNorm1d(2)
    flags = [bool(bn.training)]
    for switch in ("eval", "eval", "train", "train", "eval"):
        getattr(bn, switch)()
        flags.append(bool(bn.training))
    return {"training": flags}


# --- training-mode forward ----------------------------------------------------------------

@probe(calls=("BatchNorm1d",), **OUT_TOL)
def training_forward(m, rng):
    """forward(x) in training mode on a (6, 4) batch with feature stds 0.01, 30, 1, 0.2"""
    bn = m.BatchNorm1d(4)
    return {"out": _copy(bn.forward(_batch(rng, 6)))}


@probe(calls=("BatchNorm1d",), **OUT_TOL)
def training_forward_gamma_beta(m, rng):
    """training forward of a (5, 4) batch (feature stds 0.01, 30, 1, 0.2) with gamma, beta set"""
    bn = m.BatchNorm1d(4)
    _set_affine(bn, rng)
    return {"out": _copy(bn.forward(_batch(rng, 5)))}


@probe(calls=("BatchNorm1d",), **OUT_TOL)
def training_forward_large_eps(m, rng):
    """BatchNorm1d(4, eps=0.1): training forward of a (7, 4) batch, feature stds 0.01, 30, 1, 0.2"""
    bn = m.BatchNorm1d(4, eps=0.1)
    return {"out": _copy(bn.forward(_batch(rng, 7)))}


# --- running statistics -------------------------------------------------------------------

@probe(calls=("BatchNorm1d",))
def running_stats_one_step(m, rng):
    """running_mean and running_var after one training forward of a (5, 4) batch"""
    bn = m.BatchNorm1d(4)
    bn.forward(_batch(rng, 5))
    return _stats(bn)


def _stats_after_each_step(bn, rng, sizes):
    centre = _source(rng)
    means, variances = [], []
    for n in sizes:
        bn.forward(_batch(rng, n, WIDE, centre))
        means.append(_copy(bn.running_mean))
        variances.append(_copy(bn.running_var))
    return {"running_mean": means, "running_var": variances}


@probe(calls=("BatchNorm1d",))
def running_stats_each_step(m, rng):
    """running_mean and running_var after each of 5 training forwards (N = 3, 4, 7, 5, 10)"""
    return _stats_after_each_step(m.BatchNorm1d(4), rng, (3, 4, 7, 5, 10))


@probe(calls=("BatchNorm1d",))
def running_stats_momentum(m, rng):
    """BatchNorm1d(4, momentum=0.3): running statistics after each of 3 training forwards"""
    return _stats_after_each_step(m.BatchNorm1d(4, momentum=0.3), rng, (4, 6, 3))


@probe(calls=("BatchNorm1d",))
def running_stats_ignore_gamma_beta(m, rng):
    """running statistics after 2 training forwards with gamma and beta set (they do not enter)"""
    bn = m.BatchNorm1d(4, momentum=0.2)
    _set_affine(bn, rng)
    _train_steps(bn, rng, (5, 8))
    return _stats(bn)


# --- evaluation mode ----------------------------------------------------------------------

@probe(calls=("BatchNorm1d",), **OUT_TOL)
def eval_forward(m, rng):
    """4 training forwards, then eval() and forward(x) of a (5, 4) batch: uses running statistics"""
    bn = m.BatchNorm1d(4, momentum=0.9)
    centre = _train_steps(bn, rng, (4, 6, 5, 7))
    bn.eval()
    return {"out": _copy(bn.forward(_batch(rng, 5, WIDE, centre)))}


@probe(calls=("BatchNorm1d",), **OUT_TOL)
def eval_updates_nothing(m, rng):
    """4 training forwards, eval(), 3 eval forwards: outputs and running statistics after each"""
    bn = m.BatchNorm1d(4, momentum=0.9)
    _set_affine(bn, rng)
    centre = _train_steps(bn, rng, (6, 4, 5, 7))
    bn.eval()
    outs, means, variances = [], [], []
    for n in (5, 3, 5):
        outs.append(_copy(bn.forward(_batch(rng, n, WIDE, centre))))
        means.append(_copy(bn.running_mean))
        variances.append(_copy(bn.running_var))
    return {"out": outs, "running_mean": means, "running_var": variances}


@probe(calls=("BatchNorm1d",), **OUT_TOL)
def eval_single_sample(m, rng):
    """eval-mode forward of a single sample, shape (1, 4), 2 to 3 stds from the means, after 4 training forwards"""
    bn = m.BatchNorm1d(4, momentum=0.9)
    _set_affine(bn, rng)
    centre = _train_steps(bn, rng, (6, 5, 4, 6))
    bn.eval()
    away = np.asarray(WIDE) * rng.uniform(2.0, 3.0, size=4) * rng.choice([-1.0, 1.0], size=4)
    return {"out": _copy(bn.forward((centre + away)[None, :]))}


@probe(calls=("BatchNorm1d",), **OUT_TOL)
def eval_large_eps(m, rng):
    """BatchNorm1d(4, eps=0.5, momentum=0.9): eval forward after 2 training forwards"""
    bn = m.BatchNorm1d(4, eps=0.5, momentum=0.9)
    centre = _train_steps(bn, rng, (8, 6))
    bn.eval()
    return {"out": _copy(bn.forward(_batch(rng, 4, WIDE, centre)))}


@probe(calls=("BatchNorm1d",), **OUT_TOL)
def eval_without_training(m, rng):
    """eval() straight after construction, gamma and beta set, forward of a (4, 4) batch, then the running statistics"""
    bn = m.BatchNorm1d(4)
    # gamma and beta set: with the initial ones, out = x / sqrt(1 + eps) is within the
    # tolerance of x, so a forward that returns its input passed
    _set_affine(bn, rng)
    bn.eval()
    out = _copy(bn.forward(_batch(rng, 4)))
    return {"out": out, **_stats(bn)}


@probe(calls=("BatchNorm1d",), **OUT_TOL)
def train_eval_switching(m, rng):
    """train / eval / train / eval: outputs, running statistics and the flag after each forward"""
    bn = m.BatchNorm1d(4, momentum=0.3)
    _set_affine(bn, rng)
    centre = _source(rng)
    steps = []
    for switch, n in (("train", 5), ("eval", 4), ("train", 6), ("eval", 1), ("eval", 3)):
        getattr(bn, switch)()
        out = _copy(bn.forward(_batch(rng, n, WIDE, centre)))
        steps.append({"out": out, **_stats(bn), "training": bool(bn.training)})
    return {"steps": steps}


# --- backward -----------------------------------------------------------------------------

@probe(calls=("BatchNorm1d",), **BACKWARD_TOL)
def backward(m, rng):
    """backward(dout) after a training forward of a (5, 4) batch, gamma and beta set"""
    bn = m.BatchNorm1d(4)
    _set_affine(bn, rng, MODERATE)
    bn.forward(_batch(rng, 5, MODERATE, _source(rng, MODERATE, offset=1.5)))
    return _gradients(bn, rng.normal(size=(5, 4)))


@probe(calls=("BatchNorm1d",), **BACKWARD_TOL)
def backward_after_several_steps(m, rng):
    """backward after 3 training forwards (N = 6, 7, 4): uses the last batch's statistics"""
    bn = m.BatchNorm1d(4, momentum=0.3)
    _set_affine(bn, rng, MODERATE)
    _train_steps(bn, rng, (6, 7, 4), MODERATE, offset=1.5)
    return _gradients(bn, rng.normal(size=(4, 4)))


@probe(calls=("BatchNorm1d",), **BACKWARD_TOL)
def backward_wide_features(m, rng):
    """backward after a training forward of an (8, 4) batch with feature stds 0.01, 30, 1, 0.2"""
    bn = m.BatchNorm1d(4)
    _set_affine(bn, rng, WIDE)
    bn.forward(_batch(rng, 8, WIDE, _source(rng, WIDE, offset=1.5)))
    return _gradients(bn, rng.normal(size=(8, 4)))


@probe(calls=("BatchNorm1d",), **BACKWARD_TOL)
def backward_default_gamma_beta(m, rng):
    """backward(dout) after a training forward of a (6, 3) batch with the initial gamma and beta"""
    scales = (0.02, 1.0, 0.8)  # one small std: see MODERATE
    bn = m.BatchNorm1d(3)
    bn.forward(_batch(rng, 6, scales, _source(rng, scales, offset=1.5)))
    return _gradients(bn, rng.normal(size=(6, 3)))


# --- inputs -------------------------------------------------------------------------------

# The outputs of the calls come with the inputs, hence the backward tolerances and the
# backward probes' inputs (moderate feature scales, gamma scaled to match).
@probe(calls=("BatchNorm1d",), **BACKWARD_TOL)
def inputs_unmodified(m, rng):
    """forward, backward and an eval forward: their outputs, and x, dout and gamma unchanged after the calls"""
    bn = m.BatchNorm1d(4)
    _set_affine(bn, rng, MODERATE)
    gamma = bn.gamma
    centre = _source(rng, MODERATE, offset=1.5)
    x, dout, x_eval = _batch(rng, 5, MODERATE, centre), rng.normal(size=(5, 4)), _batch(rng, 3, MODERATE, centre)
    out = _copy(bn.forward(x))
    dx = _copy(bn.backward(dout))
    bn.eval()
    out_eval = _copy(bn.forward(x_eval))
    return {"out": out, "dx": dx, "out_eval": out_eval, "x": x, "dout": dout, "x_eval": x_eval, "gamma": gamma}
