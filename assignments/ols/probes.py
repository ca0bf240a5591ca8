"""Probes for the ols assignment (see docs/assignments.md, section 1).

Each probe returns the submission's outputs; the grader compares them with the
reference's outputs for the same seed. Visibility and points live in rubrics/ols.toml.

A probe that checks a property a function that does nothing also has (it leaves its
inputs unchanged, R^2 = 0 at the mean) returns the value of the same call too, and its
rubric entry is all-or-nothing: the property pays only when the work was done
(`grader audit` grades degenerate submissions -- every body `pass`, returning its first
argument or zeros -- and each of these probes paid them 1 point before).

Design matrices come from ``_design``: their singular values lie in [1, 3] (in [2, 6]
where a probe says so; before the
rounding to multiples of 1/64, which moves them by less than 0.05), so every solver that
is correct agrees with the reference far inside the tolerances, and the rounding makes
a combination such as ``2 * a - b`` of columns exact, so that duplicate and collinear
columns give singular values that are zero up to rounding, far below every sensible cut-off.
"""
import numpy as np

from grader.probe import probe


def _design(rng, n, d, low=1.0, high=3.0, centred=False):
    """An (n, d) matrix with singular values in about [low, high], entries multiples of
    1/64; with ``centred``, columns (nearly, up to the rounding) orthogonal to a column of ones."""
    A = rng.normal(size=(n, d))
    U, _, Vt = np.linalg.svd(A - A.mean(axis=0) if centred else A, full_matrices=False)
    s = rng.uniform(low, high, size=min(n, d))
    return np.round((U * s) @ Vt * 64.0) / 64.0


def _targets(rng, X, noise=0.5):
    """y = X @ w_true + noise: a regression problem with a reasonable fit."""
    w_true = rng.normal(size=X.shape[1]) * 2.0
    return X @ w_true + noise * rng.normal(size=X.shape[0])


# --- fit ---------------------------------------------------------------------------------

@probe(calls=("fit",))
def fit_well_conditioned(m, rng):
    """fit(X, y) with X (10, 3) of full column rank and noisy y"""
    # Singular values in [2, 6]: a ridge of 1e-6 (a known mistake) then moves w by at
    # most 2.5e-7 relative (0.11 x the tolerance at worst over 20000 seeds); with [1, 3] it came
    # to 0.46 x the tolerance over 20000 seeds (fit_small_scale_features catches it).
    X = _design(rng, 10, 3, 2.0, 6.0)
    return {"w": m.fit(X, _targets(rng, X))}


@probe(calls=("fit",))
def fit_with_ones_column(m, rng):
    """fit(X, y) where the caller put a column of ones first in X (10, 3) and y has offset 4"""
    # The other columns orthogonal to the ones and with singular values in [2, 6], so X
    # is well conditioned on every seed: before, the ones column could lie near their
    # span, and a ridge of 1e-6 (a known mistake) was caught on 2 seeds in 20000 (1.9 x
    # the tolerance at worst), on the others not; now 0.09 x at worst.
    X = np.column_stack([np.ones(10), _design(rng, 10, 2, 2.0, 6.0, centred=True)])
    y = 4.0 + _targets(rng, X)
    return {"w": m.fit(X, y)}


@probe(calls=("fit",))
def fit_small_scale_features(m, rng):
    """fit(X, y) with a well-conditioned X (12, 3) whose entries are of order 1e-4"""
    X = _design(rng, 12, 3) * 1e-4
    y = rng.normal(size=12) * 3.0
    return {"w": m.fit(X, y)}


@probe(calls=("fit",))
def fit_duplicate_columns(m, rng):
    """fit(X, y) with X (8, 4) whose last column duplicates column 1 (X.T @ X singular)"""
    A = _design(rng, 8, 3)
    X = np.column_stack([A, A[:, 1]])
    return {"w": m.fit(X, _targets(rng, A))}


@probe(calls=("fit",))
def fit_collinear_columns(m, rng):
    """fit(X, y) with X (9, 5) of rank 3: column 3 = 2*col0 - col2, column 4 = -0.5*col1"""
    A = _design(rng, 9, 3)
    X = np.column_stack([A, 2.0 * A[:, 0] - A[:, 2], -0.5 * A[:, 1]])
    return {"w": m.fit(X, _targets(rng, A))}


@probe(calls=("fit",))
def fit_more_features_than_samples(m, rng):
    """fit(X, y) with X (3, 6): infinitely many exact fits, the minimum-norm one is wanted"""
    X = _design(rng, 3, 6)
    return {"w": m.fit(X, rng.normal(size=3) * 2.0)}


@probe(calls=("fit",))
def fit_single_sample(m, rng):
    """fit(X, y) with one sample: X (1, 4), y (1,)"""
    X = _design(rng, 1, 4)
    return {"w": m.fit(X, rng.normal(size=1) * 2.0)}


# The cut-off below which a singular value counts as zero must be relative to the largest
# one (max(n, d) * eps * s_max): every probe above has singular values near 1, where an
# absolute cut-off gives the same w. `grader audit --mutants` found fits with
# `cutoff = max(X.shape) * eps` (no `* s.max()`), `... / s.max()`, `s.max(initial=1.0)`
# (max(1, s_max)) and `keep = s >= cutoff` keeping every point; the next three probes
# take points from each of them on every seed, and every correct solver agrees with the
# reference on them (the alternatives in tests/alternatives/ols use relative cut-offs).

@probe(calls=("fit",))
def fit_collinear_columns_large_scale(m, rng):
    """fit(X, y) with X (9, 5) of rank 3 whose entries are of order 1e6"""
    # Kills the absolute cut-offs (max(n, d) * eps without `* s_max`, or divided by it):
    # the singular values that are zero up to rounding are about 1e-16 x 3e6 here, far
    # above 9 eps = 2e-15, so such a fit divides by them and w is off by 1e5 or more.
    # The entries stay exact (multiples of 1e6 / 64), so the dependencies are exact.
    A = _design(rng, 9, 3) * 1e6
    X = np.column_stack([A, 2.0 * A[:, 0] - A[:, 2], -0.5 * A[:, 1]])
    return {"w": m.fit(X, _targets(rng, A))}


@probe(calls=("fit",))
def fit_tiny_scale_features(m, rng):
    """fit(X, y) with a well-conditioned X (12, 3) whose entries are of order 1e-16"""
    # Kills `s.max(initial=1.0)`: its cut-off max(n, d) * eps * max(1, s_max) = 2.7e-15
    # is above every singular value of this X (at most 3e-16), so it returns w = 0; a
    # relative cut-off keeps them all (w is of order 1e16).
    X = _design(rng, 12, 3) * 1e-16
    return {"w": m.fit(X, rng.normal(size=12) * 3.0)}


@probe(calls=("fit",))
def fit_zero_matrix_and_zero_column(m, rng):
    """fit(X, y) with X = 0 (5, 3), whose minimum-norm minimiser is w = 0, and with an X (6, 3) whose column 1 is 0"""
    # Kills `keep = s >= cutoff`: for X = 0 the singular values and the cut-off are all 0,
    # and 0 >= 0 keeps them, dividing by zero. The zero-column fit is in the same
    # all-or-nothing test: w = 0 alone is what a fit that does nothing returns.
    X = _design(rng, 6, 3)
    X[:, 1] = 0.0
    return {"w_of_zero_matrix": m.fit(np.zeros((5, 3)), rng.normal(size=5)),
            "w_with_zero_column": m.fit(X, _targets(rng, X))}


@probe(calls=("fit",))
def fit_leaves_inputs_unchanged(m, rng):
    """fit(X, y) with X (8, 4) with a duplicate column: w, and X and y unchanged after the call"""
    A = _design(rng, 8, 3)
    X = np.column_stack([A, A[:, 0]])
    y = 3.0 + _targets(rng, A)
    return {"w": m.fit(X, y), "X_after_call": X, "y_after_call": y}


# --- predict -----------------------------------------------------------------------------

@probe(calls=("predict",))
def predict_batch(m, rng):
    """predict(X, w) with X (7, 4) and w (4,)"""
    X = rng.normal(size=(7, 4))
    return {"y_hat": m.predict(X, rng.normal(size=4) * 2.0)}


@probe(calls=("predict",))
def predict_single_sample(m, rng):
    """predict(X, w) with one sample: X (1, 5), w (5,)"""
    # positive terms: the single prediction is never near 0, where only a relative
    # tolerance applies and float32 rounding of a cancelling sum would fail a correct answer
    X = rng.uniform(0.5, 2.0, size=(1, 5))
    # the first feature is 1.5 to 2, far from 1: a predict that takes w[0] as an intercept
    # (w[0] + X[:, 1:] @ w[1:]) is then off by 0.5 w[0] or more; with X[0, 0] near 1 it
    # kept the point (1 seed in 300)
    X[0, 0] = rng.uniform(1.5, 2.0)
    return {"y_hat": m.predict(X, rng.uniform(0.5, 2.0, size=5))}


@probe(calls=("predict",))
def predict_leaves_inputs_unchanged(m, rng):
    """predict(X, w) with X (6, 3): y_hat, and X and w unchanged after the call"""
    X, w = rng.normal(size=(6, 3)), rng.normal(size=3)
    return {"y_hat": m.predict(X, w), "X_after_call": X, "w_after_call": w}


# --- mse, mae, rmse ----------------------------------------------------------------------

def _targets_and_predictions(rng, n):
    """Targets with mean 5 and spread 3, and predictions off by about 1 either way."""
    y = 5.0 + 3.0 * rng.normal(size=n)
    return y, y + rng.normal(size=n)


@probe(calls=("mse",))
def mse_batch(m, rng):
    """mse(y, y_hat) with 10 samples"""
    y, y_hat = _targets_and_predictions(rng, 10)
    return {"mse": m.mse(y, y_hat)}


@probe(calls=("mae",))
def mae_batch(m, rng):
    """mae(y, y_hat) with 10 samples, errors of both signs"""
    # five errors of each sign, of sizes 0.2 to 2 (random errors all had one sign on 1
    # seed in 1000, and a mae without abs kept the points)
    y = 5.0 + 3.0 * rng.normal(size=10)
    errors = rng.uniform(0.2, 2.0, size=10) * rng.permutation(np.repeat([1.0, -1.0], 5))
    return {"mae": m.mae(y, y + errors)}


@probe(calls=("rmse",))
def rmse_batch(m, rng):
    """rmse(y, y_hat) with 10 samples"""
    y, y_hat = _targets_and_predictions(rng, 10)
    return {"rmse": m.rmse(y, y_hat)}


@probe(calls=("mse", "mae", "rmse"))
def metrics_single_sample(m, rng):
    """mse, mae and rmse of y (1,) and y_hat (1,): one sample"""
    y = 5.0 + 3.0 * rng.normal(size=1)
    y_hat = y - 2.0 - rng.random(size=1)
    return {"mse": m.mse(y, y_hat), "mae": m.mae(y, y_hat), "rmse": m.rmse(y, y_hat)}


@probe(calls=("mae", "rmse"))
def mae_rmse_biased_predictions(m, rng):
    """mae and rmse of predictions that are all too high, by different amounts (8 samples)"""
    y = 5.0 + 3.0 * rng.normal(size=8)
    y_hat = y + rng.uniform(0.5, 4.0, size=8)
    return {"mae": m.mae(y, y_hat), "rmse": m.rmse(y, y_hat)}


@probe(calls=("mse",))
def mse_leaves_inputs_unchanged(m, rng):
    """mse(y, y_hat) with 6 samples: the mse, and y and y_hat unchanged after the call"""
    y, y_hat = _targets_and_predictions(rng, 6)
    return {"mse": m.mse(y, y_hat), "y_after_call": y, "y_hat_after_call": y_hat}


# --- r2_score ----------------------------------------------------------------------------
# A scalar output is compared relative to its own size, so every R^2 here is kept well
# away from 0 (targets with an exact spread), except R^2 = 0 itself, compared to 1e-6.

def _spread_targets(rng, n):
    """n targets with mean 5 and standard deviation exactly 3 (so TSS = 9 n)."""
    z = rng.normal(size=n)
    return 5.0 + 3.0 * (z - z.mean()) / z.std()


@probe(calls=("r2_score",))
def r2_score_good_predictions(m, rng):
    """r2_score(y, y_hat) of close predictions that are 0.5 too high on average, y with mean 5 (10 samples)"""
    y = _spread_targets(rng, 10)
    # The noise has mean 0 and is orthogonal to y - mean(y), and an offset of 0.5 is added:
    # the squared correlation of y and y_hat ignores the offset (it exceeds R^2 by at least
    # 0.25 / 9), and the spread of y_hat exceeds that of y by the noise's, on every seed.
    # With plain noise, each of those mistakes came within 2.2 x the tolerance over 400
    # seeds, and the squared correlation kept the points on 1 seed in 200.
    centred, noise = y - y.mean(), rng.normal(size=10)
    noise -= noise.mean()
    noise -= (noise @ centred) / (centred @ centred) * centred
    return {"r2": m.r2_score(y, y + noise + 0.5)}


@probe(calls=("r2_score",))
def r2_score_worse_than_mean(m, rng):
    """r2_score(y, y_hat) of predictions worse than predicting the mean (R^2 < 0)"""
    y = _spread_targets(rng, 10)
    # reflected about the mean and 1.3 times as wide: a TSS taken from the predictions is
    # then far from y's (with a plain reflection it came within 1.2 x the tolerance over
    # 1000 seeds)
    y_hat = y.mean() - 1.3 * (y - y.mean()) + 0.3 * rng.normal(size=10)
    return {"r2": m.r2_score(y, y_hat)}


@probe(calls=("r2_score",))
def r2_score_arbitrary_predictions(m, rng):
    """r2_score(y, y_hat) of shrunk and shifted predictions, not a least-squares fit"""
    y = _spread_targets(rng, 12)
    y_hat = 0.6 * y + 1.0 + 0.5 * rng.normal(size=12)
    return {"r2": m.r2_score(y, y_hat)}


@probe(calls=("r2_score",))
def r2_score_three_samples(m, rng):
    """r2_score(y, y_hat) with only 3 samples, predictions that overshoot the spread of y"""
    y = _spread_targets(rng, 3)
    # y_hat spreads 1.3 times as wide as y: its own TSS is far from y's on every seed
    # (with y + noise, the spreads came within the tolerance on 2 seeds in 200, and a TSS
    # taken from the predictions kept the point).
    return {"r2": m.r2_score(y, y.mean() + 1.3 * (y - y.mean()) + 0.3 * rng.normal(size=3))}


@probe(calls=("r2_score",))
def r2_score_constant_predictions(m, rng):
    """r2_score(y, y_hat) where y_hat is the mean of y everywhere (R^2 = 0), and the mean + 1"""
    # all-or-nothing in the rubric: a function that returns 0.0 gets R^2 = 0 at the mean
    y = _spread_targets(rng, 8)
    at_mean = np.full(8, y.mean())
    return {"at_mean": m.r2_score(y, at_mean), "above_mean": m.r2_score(y, at_mean + 1.0)}


@probe(calls=("r2_score",))
def r2_score_leaves_inputs_unchanged(m, rng):
    """r2_score(y, y_hat) with 6 samples: R^2, and y and y_hat unchanged after the call"""
    y = _spread_targets(rng, 6)  # R^2 near 0.9, well away from 0 (see above)
    y_hat = y + rng.normal(size=6)
    return {"r2": m.r2_score(y, y_hat), "y_after_call": y, "y_hat_after_call": y_hat}
