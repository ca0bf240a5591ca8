"""Diagnosis: say which mistake a failing submission made, without revealing expected values.

1. The catalogue: every ``reference/mistakes/<assignment>/*.py``, composed with the
   reference (grader.mistake: a mistake file holds only the definitions it changes), runs
   the same probes with the same seed, here on the trusted side. A mistake is a candidate for a failing test
   when the student's outputs match the mistake's there; among candidates, the one that
   agrees with the student on the most tests overall wins, so two mistakes that agree on
   one probe are told apart by the others.
2. Patterns, needing no catalogue: nan/inf where the reference is finite, a constant
   ratio to the reference (a missing average, a sign flip), a constant offset, a
   transposed or permuted output.
"""
from __future__ import annotations

import itertools
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from types import ModuleType

import numpy as np

from grader import compare, hint, protocol
from grader.assignment import Assignment
from grader.mistake import changes, compose_file, load_composed, parse_docstring


@dataclass(frozen=True)
class Raised:
    """A probe that raised instead of returning: matched by exception type."""

    exception: str


def exception_name(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


@dataclass(frozen=True)
class Mistake:
    """A known mistake: its texts, the composed module (None when replayed from a
    release), and the definitions its file changes (``f``, ``Class.method``)."""

    name: str
    misconception: str
    fix: str
    module: ModuleType | None
    changes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.misconception} Fix: {self.fix}"


class Diagnoser:
    def __init__(self, assignment: Assignment, seed: int):
        self.assignment, self.seed = assignment, seed
        self._mistakes: list[Mistake] | None = None
        self._outputs: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()
        self.warnings: list[str] = []  # mistakes of the catalogue left out, and why

    @property
    def mistakes(self) -> list[Mistake]:
        """The catalogue; a mistake file that does not load is left out with a warning
        (a course fault: grading goes on without that one diagnosis)."""
        with self._lock:
            if self._mistakes is None:
                self._mistakes = []
                for path in self.assignment.mistake_paths:
                    try:
                        self._mistakes.append(self._load(path))
                    except Exception as exc:  # noqa: BLE001 - any fault of a course file
                        self.warnings.append(f"mistake {path} is left out of the diagnoses: "
                                             f"{type(exc).__name__}: {exc}; "
                                             f"{hint.run('validate', course=self.assignment.root)}")
            return self._mistakes

    def _load(self, path) -> Mistake:
        """The mistake file ``path`` composed with the reference, imported here."""
        source = compose_file(self.assignment, path)
        module = load_composed(source, f"_grader_mistake_{self.assignment.name}_{path.stem}",
                              f"<{path.parent.name}/{path.name} with the reference>")
        misconception, fix = parse_docstring(path.stem, module.__doc__)
        changed = changes(self.assignment.reference_path.read_text(encoding="utf-8"),
                          path.read_text(encoding="utf-8"), str(path))
        return Mistake(path.stem, misconception, fix, module, tuple(c.name for c in changed if c.differs))

    def outputs(self, mistake: Mistake, probe) -> object:
        key = (mistake.name, probe.id)
        with self._lock:
            if key not in self._outputs:
                try:
                    with quiet():
                        self._outputs[key] = protocol.to_plain(probe.run(mistake.module, self.seed))
                except Exception as exc:  # a mistake may raise, as the student's code may
                    self._outputs[key] = Raised(exception_name(exc))
            return self._outputs[key]

    def diagnose(self, obtained: dict, expected: dict, failed: set) -> dict[str, str]:
        """Diagnoses for the ``failed`` tests; ``obtained`` maps test id -> tree or Raised,
        ``expected`` test id -> the reference's tree."""
        probes = {p.id: p for p in self.assignment.probes if p.id in obtained}
        agreement = {m.name: self._agreement(m, probes, obtained) for m in self.mistakes}
        found = {}
        for test in failed:
            if _agrees(obtained[test], expected[test], probes[test]):
                continue  # failed for another reason (a forbidden call): nothing to diagnose
            candidates = [m for m in self.mistakes if test in agreement[m.name]
                          and not _agrees(self.outputs(m, probes[test]), expected[test], probes[test])]
            if candidates:
                best = max(candidates, key=lambda m: (len(agreement[m.name]), m.name))
                found[test] = f"Matches a known mistake: {best.text}"
            elif obtained.get(test) is not None and not isinstance(obtained[test], Raised):
                pattern = (describe_pattern(obtained[test], expected[test], probes[test])
                           or self.other_axis(probes[test], obtained[test]))
                if pattern:
                    found[test] = pattern
        return found

    def other_axis(self, probe, obtained) -> str | None:
        """Does the reference give the student's outputs when a function ignores the
        ``axis`` it is given and uses another one?"""
        for name, axis, theirs in self.axis_variants(probe):
            if _agrees(obtained, theirs, probe):
                return axis_text(name, axis)
        return None

    def axis_variants(self, probe):
        """Yield ``(function, axis, outputs)``: the reference's outputs for ``probe`` when
        ``function`` always computes along ``axis``, for every function the probe calls
        that takes an ``axis`` and every axis that exists for its inputs, in order."""
        reference = self.assignment.reference
        for name in probe.calls:
            function = getattr(reference, name, None)
            if not callable(function) or "axis" not in _parameters(function):
                continue
            for axis in (0, 1, 2, -1):
                proxy = _AxisProxy(reference, name, axis)
                try:
                    with quiet():
                        theirs = protocol.to_plain(probe.run(proxy, self.seed))
                except Exception:  # that axis does not exist for these inputs
                    continue
                yield name, axis, theirs

    def _agreement(self, mistake: Mistake, probes: dict, obtained: dict) -> set[str]:
        agreed = set()
        for test, probe in probes.items():
            if _agrees(obtained[test], self.outputs(mistake, probe), probe):
                agreed.add(test)
        return agreed


def axis_text(name: str, axis: int) -> str:
    """The diagnosis of a function that ignores the ``axis`` it is given and uses ``axis``."""
    return (f"`{name}` computes along axis {axis} whatever `axis` it is given: "
            "use the `axis` argument in every reduction (max, sum, ...).")


def _parameters(function) -> tuple[str, ...]:
    import inspect
    try:
        return tuple(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return ()


class _AxisProxy:
    """The reference module, but ``name`` always runs along ``axis``."""

    def __init__(self, module, name: str, axis: int):
        self._module, self._name, self._axis = module, name, axis

    def __getattr__(self, attribute):
        original = getattr(self._module, attribute)
        if attribute != self._name:
            return original
        import inspect
        signature = inspect.signature(original)

        def forced(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.arguments["axis"] = self._axis
            return original(*bound.args, **bound.kwargs)
        return forced


def _agrees(student, mistake, probe) -> bool:
    if isinstance(student, Raised) or isinstance(mistake, Raised):
        return student == mistake
    return student is not None and compare.compare(student, mistake, probe.rtol, probe.atol).ok


@contextmanager
def quiet():
    """Trusted-side runs of probes print no NumPy warnings into the grader's output."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def describe_pattern(obtained, expected, probe) -> str | None:
    """A catalogue-free diagnosis of the first failing output it can explain."""
    with quiet():
        return _first_pattern(obtained, expected, probe)


def _first_pattern(obtained, expected, probe) -> str | None:
    for path, have, want in compare.pairs(obtained, expected):
        if not isinstance(want, np.ndarray) or not isinstance(have, np.ndarray) or want.dtype.kind not in "fc":
            continue
        if have.dtype.kind not in "fc" or have.size != want.size:
            continue  # every pattern below rearranges or rescales the expected values
        if compare.compare(have, want, probe.rtol, probe.atol).ok:
            continue
        for check in (_nonfinite, _ratio, _offset, _transposed):
            text = check(path, have.astype(float), want.astype(float), probe)
            if text:
                return text
    return None


def _close(a, b, probe) -> bool:
    return a.shape == b.shape and compare.compare(a, b, probe.rtol, probe.atol).ok


def _nonfinite(path, have, want, probe) -> str | None:
    if have.shape == want.shape and np.isfinite(want).all() and not np.isfinite(have).all():
        return (f"`{path}` has nan/inf where the reference is finite: an overflow, typically exp of "
                "a large number. Subtract the maximum before exponentiating (softmax(z) = "
                "softmax(z - max z)) and never take the log of an underflowed 0.")
    return None


def _ratio(path, have, want, probe) -> str | None:
    if have.shape != want.shape or not np.isfinite(have).all() or not np.isfinite(want).all():
        return None
    mask = np.abs(want) > 1e-12 * max(np.abs(want).max(), 1e-300)
    if mask.sum() < 1:
        return None
    ratio = float(np.median(have[mask] / want[mask]))
    if not np.isfinite(ratio) or ratio == 0 or abs(ratio - 1) < 1e-3 or not _close(have, ratio * want, probe):
        return None
    if abs(ratio + 1) < 1e-6:
        return f"`{path}` is exactly the negative of the expected value: a sign is flipped."
    return (f"`{path}` is exactly {_factor(ratio)} times the expected value everywhere: a constant "
            "factor is missing or extra (averaging over the batch or not, a 1/2 in a squared "
            "loss, a scale such as the square root of a dimension).")


def _factor(ratio: float) -> str:
    fraction = Fraction(ratio).limit_denominator(64)
    if abs(float(fraction) - ratio) <= 1e-6 * abs(ratio):
        return str(fraction)
    return f"{ratio:.6g}"


def _offset(path, have, want, probe) -> str | None:
    if have.shape != want.shape or have.size < 2 or not np.isfinite(have - want).all():
        return None
    shift = float(np.median(have - want))
    if shift != 0 and _close(have, want + shift, probe):
        return (f"`{path}` differs from the expected value by the same constant everywhere: a term "
                "that does not depend on the input is added or missing.")
    return None


_MAX_PERMUTATIONS = 720  # every order of 6 axes; expected outputs have fewer


def _transposed(path, have, want, probe) -> str | None:
    if have.ndim < 2 or have.ndim != want.ndim or sorted(have.shape) != sorted(want.shape):
        return None  # no order of the obtained axes gives the expected shape
    for axes in itertools.islice(_orders(have.shape, want.shape), _MAX_PERMUTATIONS):
        if axes == tuple(range(have.ndim)):
            continue
        if _close(np.transpose(have, axes), want, probe):
            which = "transposed" if have.ndim == 2 else f"has its axes permuted (as axes {axes})"
            return f"`{path}` is the expected array {which}: check the order of your dimensions."
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
