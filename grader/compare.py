"""Compare two output trees leaf by leaf, with tolerances, as pytest.approx would explain.

Trees are the plain data of ``protocol.to_plain``: dicts (str keys), lists, and leaves:
NumPy arrays (scalars are 0-d arrays), strings and None. Each
expected leaf is checked in order: presence and type, shape, dtype class, nan/inf
positions, then values with ``|obtained - expected| <= atol * scale + rtol * |expected|``,
where ``scale`` is the largest finite ``|expected|`` of that leaf (1 if it is all zero).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

_KIND_NAMES = {"b": "boolean", "i": "integer", "f": "floating-point", "c": "complex"}


@dataclass(frozen=True)
class LeafCheck:
    """The verdict on one expected leaf. ``detail`` never holds expected values;
    ``expected_detail`` does, and is shown only where the test is visible."""

    path: str
    ok: bool
    problem: str = ""  # missing | type | shape | dtype | nonfinite | value
    detail: str = ""
    expected_detail: str = ""

    def message(self, reveal: bool = True) -> str:
        if self.ok:
            return ""
        extra = f"\n{self.expected_detail}" if reveal and self.expected_detail else ""
        return f"{self.path or '(output)'}: {self.detail}{extra}"


@dataclass(frozen=True)
class Comparison:
    leaves: tuple[LeafCheck, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(leaf.ok for leaf in self.leaves)

    @property
    def failures(self) -> tuple[LeafCheck, ...]:
        return tuple(leaf for leaf in self.leaves if not leaf.ok)

    def top_level_ok(self) -> dict[str, bool]:
        """Per top-level output name: did every leaf under it pass?"""
        verdict: dict[str, bool] = {}
        for leaf in self.leaves:
            top = _top_name(leaf.path)
            verdict[top] = verdict.get(top, True) and leaf.ok
        return verdict

    def message(self, reveal: bool = True) -> str:
        return "\n".join(leaf.message(reveal) for leaf in self.failures)

    def message_without_values(self) -> str:
        """Which outputs fail and how, with no number at all: ``detail`` without
        ``expected_detail`` still gives the expected value away (obtained, the absolute and
        relative errors and the tolerance's scale together pin it down), so a student who
        may not see a test's expected values gets this instead (grader.audience)."""
        return "\n".join(f"{leaf.path or '(output)'}: {_WITHOUT_VALUES[leaf.problem]}" for leaf in self.failures)


_WITHOUT_VALUES = {
    "missing": "missing from the output",
    "type": "not of the expected type (or not of the expected length)",
    "shape": "not of the expected shape",
    "dtype": "not of the expected kind of dtype (boolean, integer, floating-point)",
    "nonfinite": "nan or inf where the expected values are finite, or finite where they are not",
    "value": "values differ from the expected ones by more than the tolerance",
}


def compare(obtained, expected, rtol: float, atol: float) -> Comparison:
    """Check ``obtained`` against ``expected`` (both ``protocol.to_plain`` trees)."""
    leaves: list[LeafCheck] = []
    with np.errstate(all="ignore"):
        _walk(obtained, expected, "", rtol, atol, leaves)
    return Comparison(tuple(leaves))


def _top_name(path: str) -> str:
    for stop in ("[", "."):
        path = path.split(stop, 1)[0]
    return path or "(output)"


def _walk(got, want, path: str, rtol: float, atol: float, out: list[LeafCheck]) -> None:
    if isinstance(want, dict):
        if not isinstance(got, dict):
            out.append(_fail(path or "(output)", "type", f"expected a dict, obtained {_describe(got)}"))
            return
        for key, value in want.items():
            child = f"{path}[{key!r}]" if path else str(key)
            if key not in got:
                out.append(_fail(child, "missing", "missing from the output"))
            else:
                _walk(got[key], value, child, rtol, atol, out)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            out.append(_fail(path, "type", f"expected a sequence of {len(want)} items, "
                                           f"obtained {_describe(got)}"))
            return
        for index, (g, w) in enumerate(zip(got, want)):
            _walk(g, w, f"{path}[{index}]", rtol, atol, out)
    elif isinstance(want, np.ndarray):
        out.append(_compare_array(path, got, want, rtol, atol))
    else:
        same = type(got) is type(want) and got == want
        out.append(LeafCheck(path, True) if same else
                   _fail(path, "value", f"obtained {_describe(got)}", f"expected {want!r}"))


_SHOWN_KEYS = 10


def _describe(value) -> str:
    """A short description of an obtained value; its cost does not grow with the value."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {_shape_text(value.shape)} and dtype {value.dtype}"
    if isinstance(value, list):
        return f"a list or tuple of {len(value)} items"
    if isinstance(value, dict):
        keys = [str(key)[:40] for key in itertools.islice(value, _SHOWN_KEYS)]
        more = f" and {len(value) - _SHOWN_KEYS} more" if len(value) > _SHOWN_KEYS else ""
        return f"a dict with keys {keys}{more}"
    if isinstance(value, str):
        return f"str {value[:150]!r}" + (f" ({len(value)} characters)" if len(value) > 150 else "")
    return f"{type(value).__name__} {value!r}"[:200]


def _shape_text(shape: tuple) -> str:
    """A shape as Python prints it, abbreviated past 8 dimensions."""
    if len(shape) <= 8:
        return str(shape)
    return f"({', '.join(map(str, shape[:6]))}, ... {len(shape) - 6} more dimensions)"


def _fail(path: str, problem: str, detail: str, expected_detail: str = "") -> LeafCheck:
    return LeafCheck(path, False, problem, detail, expected_detail)


def _kind(dtype: np.dtype) -> str:
    return {"u": "i"}.get(dtype.kind, dtype.kind)


def _compare_array(path, got, want: np.ndarray, rtol, atol) -> LeafCheck:
    if not isinstance(got, np.ndarray):
        hint = "; return a NumPy array, e.g. np.asarray(result)" if isinstance(got, list) else ""
        return _fail(path, "type", f"expected an array of shape {want.shape}, obtained {_describe(got)}{hint}")
    if got.shape != want.shape:
        return _fail(path, "shape", f"shape {_shape_text(got.shape)}, expected {want.shape}")
    got_kind, want_kind = _kind(got.dtype), _kind(want.dtype)
    if got_kind not in _KIND_NAMES or (got_kind != want_kind and {got_kind, want_kind} != {"f", "c"}):
        return _fail(path, "dtype", f"dtype {got.dtype}, expected a "
                                    f"{_KIND_NAMES.get(want_kind, want_kind)} dtype")
    if want_kind in "bi":
        return _compare_exact(path, got, want)
    return _compare_inexact(path, got, want, rtol, atol)


def _index(flat_index: int, shape: tuple) -> str:
    if not shape:
        return ""
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat_index, shape)) + "]"


def _compare_exact(path, got, want) -> LeafCheck:
    bad = np.asarray(got != want)
    if not bad.any():
        return LeafCheck(path, True)
    first = int(np.flatnonzero(bad)[0])
    where = _index(first, want.shape)
    return _fail(path, "value", f"{int(bad.sum())} of {bad.size} values differ; "
                                f"first at {where or 'the value'}: obtained {got.flat[first]!r}",
                 f"expected {want.flat[first]!r}")


def _compare_inexact(path, got, want, rtol, atol) -> LeafCheck:
    got = got.astype(np.complex128 if got.dtype.kind == "c" or want.dtype.kind == "c" else np.float64)
    want = want.astype(got.dtype)
    problem = _nonfinite_problem(path, got, want)
    if problem is not None:
        return problem
    finite = np.isfinite(want)
    scale = float(np.max(np.abs(want[finite]), initial=0.0))
    scale = scale if scale > 0 else 1.0
    error = np.where(finite, np.abs(got - want), 0.0)
    allowed = atol * scale + rtol * np.abs(want)
    bad = np.asarray(error > np.where(finite, allowed, np.inf))
    if not bad.any():
        return LeafCheck(path, True)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(finite & (want != 0), error / np.abs(want), np.where(error > 0, np.inf, 0.0))
    worst = int(np.argmax(np.where(bad, error, -1.0)))
    where = _index(worst, want.shape) or "the value"
    count = f"{int(bad.sum())} of {bad.size} values differ" if want.ndim else "the value differs"
    tolerance = f"tolerance |obtained - expected| <= {atol:g} x {scale:.4g} + {rtol:g} x |expected|"
    detail = (f"{count}; max abs error {float(error.max()):.4g}, max rel error "
              f"{float(relative.max()):.4g}; worst at {where}: obtained {got.flat[worst]:.10g}; "
              f"{tolerance}")
    return _fail(path, "value", detail, f"expected {want.flat[worst]:.10g} at {where}")


def _nonfinite_problem(path, got, want) -> LeafCheck | None:
    want_nan, got_nan = np.isnan(want), np.isnan(got)
    want_inf, got_inf = np.isinf(want), np.isinf(got)
    bad = (want_nan != got_nan) | (want_inf != got_inf) | (want_inf & got_inf & (want != got))
    if not bad.any():
        return None
    first = int(np.flatnonzero(bad)[0])
    where = _index(first, want.shape) or "the value"
    unexpected = bad & np.isfinite(want)
    if unexpected.any():
        kinds = sorted({"nan" if np.isnan(v) else "inf" for v in got[unexpected].ravel()})
        first = int(np.flatnonzero(unexpected)[0])
        where = _index(first, want.shape) or "the value"
        return _fail(path, "nonfinite",
                     f"{int(unexpected.sum())} of {want.size} values are {'/'.join(kinds)} where "
                     f"the expected values are finite (first at {where}: obtained {got.flat[first]})",
                     f"expected {want.flat[first]:.10g} at {where}")
    return _fail(path, "nonfinite", f"{int(bad.sum())} of {want.size} values are finite where "
                                    f"nan/inf is expected (first at {where}: obtained {got.flat[first]})",
                 f"expected {want.flat[first]} at {where}")


def pairs(obtained, expected, path: str = ""):
    """Yield ``(path, obtained leaf or None, expected leaf)`` for every leaf of ``expected``,
    paths as in LeafCheck. Walks ``expected`` only: the cost is bounded by the expected
    tree, whatever the size of the obtained one (a missing or mistyped node gives None)."""
    if isinstance(expected, dict):
        for key, value in expected.items():
            got = obtained.get(key) if isinstance(obtained, dict) else None
            yield from pairs(got, value, f"{path}[{key!r}]" if path else str(key))
    elif isinstance(expected, list):
        same = isinstance(obtained, list) and len(obtained) == len(expected)
        for index, value in enumerate(expected):
            yield from pairs(obtained[index] if same else None, value, f"{path}[{index}]")
    else:
        yield path, obtained, expected
