"""Catalogue-free patterns: what a failing output is, in terms of the expected one.

A pattern is a claim about one output of one failing test (a ``Claim``): nan/inf where the
reference is finite, a constant ratio (a sign flip is the ratio -1), a constant offset, a
transposed or permuted array. A wrong claim is worse than none (a student fixes what was
not broken), so the claims that could hold by chance are made only under these rules:

- **Independent elements**: a ratio or an offset is looked for only in an output with at
  least ``MIN_INDEPENDENT`` nonzero expected elements of distinct magnitudes, and, for a
  ratio, whose expected values are not all proportional to one vector (a matrix of rank 1
  when folded as ``(first axis, rest)`` along either side, or a vector of fewer than
  ``MIN_INDEPENDENT`` elements). One element, or a rank-1 output, always has "a ratio".
- **A simple closed form**: the ratio must be a small rational ``p/q`` (``|p|, q <= 16``),
  or ``d``, ``1/d``, ``sqrt(d)``, ``1/sqrt(d)``, ``d/(d-1)`` or ``(d-1)/d`` for a size
  ``d`` of an expected output's dimensions; the offset a small rational. Anything else
  (0.615218...) is not claimed.
- **The same on a second seed**: such a claim (kind ``ratio``, ``sign`` or ``offset``) is
  made only when the failing probe, run once more on the student's code at
  ``second_seed(seed)`` in the sandbox and on the reference on the trusted side, gives
  the same claim with the same closed form on the same output (grader.grading runs it,
  once per submission, for the failing tests about to get such a claim only).

The texts a claim carries can be replaced per assignment (``[patterns]`` in
assignment.toml, grader.assignment); the defaults below claim nothing about a cause that
the pattern does not show.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from grader import compare

MIN_INDEPENDENT = 4
_MAX_PERMUTATIONS = 720  # every order of 6 axes; expected outputs have fewer
_FORM_RTOL = 1e-5  # float32 outputs give a ratio within this of its closed form

# The neutral texts; ``{path}`` is the output, ``{form}`` the closed form. An assignment
# may give its own (grader.assignment.Assignment.pattern_texts).
DEFAULT_TEXTS = {
    "nonfinite": "`{path}` has nan or inf where the expected values are finite: look for a division by "
                 "a quantity that can be 0 and for exp or log of a value out of range.",
    "sign": "`{path}` is exactly the negative of the expected value, on every input: a sign is flipped.",
    "ratio": "`{path}` is exactly {form} times the expected value everywhere, on every input: a constant "
             "factor is missing or extra.",
    "offset": "`{path}` differs from the expected value by {form} everywhere, on every input: a constant "
              "term is added or missing.",
    "row_offset": "`{path}` differs from the expected value by one amount along each row of its last axis, a "
                  "different amount in each row: a term computed from each row (its maximum, its sum, a "
                  "log-sum-exp) is added, subtracted, or not added back.",
    "transposed": "`{path}` is the expected array transposed: check the order of your dimensions.",
    "permuted": "`{path}` has its axes permuted (as axes {form}): check the order of your dimensions.",
    "one_short": "`{path}` is one element short along {form}: a size is computed one too small, such as "
                 "a count of positions missing its `+ 1`, or a slice stops one element early.",
    "one_over": "`{path}` has one element too many along {form}: a size is computed one too large, or a "
                "slice stops one element late.",
    "empty_axis": "`{path}` has no elements along {form}: a slice is empty for these sizes, such as "
                  "a[p:-p] when p = 0 (a[p:n - p] is not).",
    "missing_axis": "`{path}` lacks {form} of the expected shape: a reduction without keepdims=True, or "
                    "an axis indexed or squeezed away.",
    "extra_axis": "`{path}` has an extra {form} of size 1: a keepdims=True where none is wanted, or a "
                  "column where a flat array is expected.",
    "in_place": "Your function changed its argument `{form}` in place: the caller's array is different after "
                "the call. Compute into new arrays (or work on a copy) instead of writing into an argument "
                "with +=, -=, *= or a slice assignment.",
}
CONFIRMED_KINDS = ("ratio", "sign", "offset", "row_offset")


@dataclass(frozen=True)
class Claim:
    """A pattern found in one output: ``path`` (as compare.pairs names it), ``kind`` (a key of
    DEFAULT_TEXTS), ``form`` (the closed form, "" when the kind has none), ``text``."""

    path: str
    kind: str
    form: str
    text: str

    @property
    def needs_second_seed(self) -> bool:
        return self.kind in CONFIRMED_KINDS

    def same(self, other: Claim | None) -> bool:
        return other is not None and (self.path, self.kind, self.form) == (other.path, other.kind, other.form)


def second_seed(seed: int) -> int:
    """The seed a pattern claim is confirmed on: another seed, the same for every run of ``seed``."""
    return (seed * 1_000_003 + 7919) % (2**31)


def find(obtained, expected, probe, texts: dict | None = None, path: str | None = None) -> Claim | None:
    """The first claim about a failing output of ``obtained`` (only output ``path`` when given)."""
    texts = {**DEFAULT_TEXTS, **(texts or {})}
    dims = _dims(expected)
    with np.errstate(all="ignore"):
        for where, have, want in compare.pairs(obtained, expected):
            if path is not None and where != path:
                continue
            found = _leaf(where, have, want, probe, dims)
            if found:
                kind, form = found
                return Claim(where, kind, form, texts[kind].format(path=where, form=form))
    return None


def _leaf(where: str, have, want, probe, dims):
    """(kind, form) of the first pattern one failing output shows; None when it shows none."""
    if not isinstance(want, np.ndarray) or not isinstance(have, np.ndarray):
        return None
    if compare.compare(have, want, probe.rtol, probe.atol).ok:
        return None
    argument = argument_name(where, probe.description)
    if argument and have.shape == want.shape:  # the caller's array, with other values after the call
        return "in_place", argument
    if have.shape != want.shape:
        found = _shape(have.shape, want.shape)
        if found:
            return found
    if not _comparable(have, want):
        return None
    have, want = have.astype(float), want.astype(float)
    for check in (_nonfinite, _ratio, _offset, _row_offset, _transposed):
        found = check(have, want, probe, dims)
        if found:
            return found
    return None


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNCHANGED = re.compile(r"\band ([^:]*?) unchanged\b")


def argument_name(path: str, description: str) -> str | None:
    """The argument an output stands for, when the probe returns an argument as it is after
    the call: an output named ``<argument>_after_call`` (or ``_after_calls``), or one of
    the names the probe's description lists as "..., and x, w and b unchanged"."""
    first = _NAME.match(path)
    if first is None:
        return None
    name = first.group(0)
    for suffix in ("_after_calls", "_after_call"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)]
    listed = {word for segment in _UNCHANGED.findall(description or "") for word in _NAME.findall(segment)}
    return name if name in listed - {"and", "the", "of"} else None


def _shape(have: tuple, want: tuple):
    """A shape off by one along some axes, empty along one, or with an axis missing or extra."""
    if len(have) == len(want):
        differ = [axis for axis in range(len(want)) if have[axis] != want[axis]]
        axes = _axes(differ)
        if all(have[axis] == want[axis] - 1 for axis in differ):
            return "one_short", axes
        empty = [axis for axis in differ if have[axis] == 0]
        if empty:
            return "empty_axis", _axes(empty)
        if all(have[axis] == want[axis] + 1 for axis in differ):
            return "one_over", axes
        return None
    if len(have) == len(want) - 1:
        for axis in range(len(want)):
            if want[:axis] + want[axis + 1:] == have:
                return "missing_axis", _axes([axis])
    if len(have) == len(want) + 1:
        for axis in range(len(have)):
            if have[axis] == 1 and have[:axis] + have[axis + 1:] == want:
                return "extra_axis", _axes([axis])
    return None


def _axes(axes: list[int]) -> str:
    return f"axis {axes[0]}" if len(axes) == 1 else "axes " + " and ".join(map(str, axes))


def confirmed(claim: Claim, obtained, expected, probe) -> bool:
    """Does the same claim hold on ``obtained`` / ``expected`` (the second seed's outputs)?"""
    return claim.same(find(obtained, expected, probe, path=claim.path))


def _comparable(have, want) -> bool:
    return (isinstance(want, np.ndarray) and isinstance(have, np.ndarray) and want.dtype.kind in "fc"
            and have.dtype.kind in "fc" and have.size == want.size)


def _dims(tree) -> set[int]:
    return {int(d) for _, _, leaf in compare.pairs(None, tree) if isinstance(leaf, np.ndarray)
            for d in leaf.shape if d > 1}


def _close(a, b, probe) -> bool:
    return a.shape == b.shape and compare.compare(a, b, probe.rtol, probe.atol).ok


def independent(want: np.ndarray) -> int:
    """How many nonzero finite expected elements of distinct magnitudes ``want`` has."""
    values = np.abs(want[np.isfinite(want)])
    scale = values.max(initial=0.0)
    if scale == 0:
        return 0
    values = values[values > 1e-12 * scale]
    return len(np.unique(np.round(values / scale, 9)))


def _rank_one(want: np.ndarray) -> bool:
    """Are the expected values all proportional to one vector, folded either way?"""
    if want.ndim < 2:
        return want.size < MIN_INDEPENDENT
    for matrix in (want.reshape(want.shape[0], -1), want.reshape(-1, want.shape[-1])):
        if min(matrix.shape) < 2:
            return True
        singular = np.linalg.svd(matrix, compute_uv=False)
        if singular[1] <= 1e-9 * singular[0]:
            return True
    return False


def _nonfinite(have, want, probe, dims):
    if have.shape == want.shape and np.isfinite(want).all() and not np.isfinite(have).all():
        return "nonfinite", ""
    return None


def _ratio(have, want, probe, dims):
    if have.shape != want.shape or not np.isfinite(have).all() or not np.isfinite(want).all():
        return None
    if independent(want) < MIN_INDEPENDENT or _rank_one(want):
        return None
    mask = np.abs(want) > 1e-12 * np.abs(want).max()
    ratio = float(np.median(have[mask] / want[mask]))
    if not np.isfinite(ratio) or ratio == 0 or abs(ratio - 1) < 1e-3 or not _close(have, ratio * want, probe):
        return None
    if abs(ratio + 1) < _FORM_RTOL:
        return "sign", "-1"
    form = closed_form(ratio, dims)
    return ("ratio", form) if form else None


def closed_form(value: float, dims=()) -> str | None:
    """``value`` as a small rational or a simple function of a size in ``dims``; None if neither."""
    fraction = Fraction(value).limit_denominator(16)
    if abs(fraction.numerator) <= 16 and abs(float(fraction) - value) <= _FORM_RTOL * abs(value):
        return str(fraction)
    for d in sorted(dims):
        for form, candidate in ((f"{d}", d), (f"1/{d}", 1 / d), (f"sqrt({d})", math.sqrt(d)),
                                (f"1/sqrt({d})", 1 / math.sqrt(d)), (f"{d}/{d - 1}", d / (d - 1)),
                                (f"{d - 1}/{d}", (d - 1) / d)):
            for sign, text in ((1, form), (-1, f"-{form}")):
                if abs(sign * candidate - value) <= _FORM_RTOL * abs(value):
                    return text
    return None


def _offset(have, want, probe, dims):
    if have.shape != want.shape or independent(want) < MIN_INDEPENDENT or not np.isfinite(have - want).all():
        return None
    shift = float(np.median(have - want))
    if shift == 0 or not _close(have, want + shift, probe):
        return None
    fraction = Fraction(shift).limit_denominator(16)
    if abs(fraction.numerator) > 64 or abs(float(fraction) - shift) > _FORM_RTOL * abs(shift):
        return None
    return "offset", str(fraction)


def _row_offset(have, want, probe, dims):
    """One shift per row (along the last axis), not the same in every row: at least two rows
    of at least ``MIN_INDEPENDENT`` elements each, whose expected values are not constant."""
    if have.shape != want.shape or have.ndim < 2 or have.shape[-1] < MIN_INDEPENDENT or not np.isfinite(have - want).all():
        return None
    rows_have, rows_want = have.reshape(-1, have.shape[-1]), want.reshape(-1, want.shape[-1])
    if len(rows_want) < 2 or any(independent(row) < 2 for row in rows_want):
        return None
    shifts = np.median(rows_have - rows_want, axis=1, keepdims=True)
    if np.ptp(shifts) == 0 or not _close(rows_have, rows_want + shifts, probe):
        return None
    return "row_offset", ""


def _transposed(have, want, probe, dims):
    if have.ndim < 2 or have.ndim != want.ndim or sorted(have.shape) != sorted(want.shape):
        return None  # no order of the obtained axes gives the expected shape
    for axes in itertools.islice(_orders(have.shape, want.shape), _MAX_PERMUTATIONS):
        if axes == tuple(range(have.ndim)):
            continue
        if _close(np.transpose(have, axes), want, probe):
            return ("transposed", "") if have.ndim == 2 else ("permuted", str(axes))
    return None


def _orders(have_shape: tuple, want_shape: tuple):
    """Every axis order ``axes`` with ``have_shape[axes[i]] == want_shape[i]``, in
    lexicographic order (those of itertools.permutations that give the expected shape)."""
    def extend(prefix: tuple):
        if len(prefix) == len(want_shape):
            yield prefix
            return
        for axis, size in enumerate(have_shape):
            if size == want_shape[len(prefix)] and axis not in prefix:
                yield from extend(prefix + (axis,))
    return extend(())
