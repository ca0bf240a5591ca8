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
from types import ModuleType

import numpy as np

from grader import compare, hint, pair, pattern, protocol
from grader import raised as raising
from grader.assignment import Assignment
from grader.mistake import changes, compose, compose_file, load_composed, parse_docstring
from grader.raised import Raised, exception_name

__all__ = ["Diagnoser", "Mistake", "Raised", "describe_pattern", "exception_name", "quiet"]


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
        self._sources: dict[str, str] = {}  # mistake name -> its composed module
        self._pairs: dict[tuple[str, str], Mistake | None] = {}
        self._edits: dict[str, tuple] = {}  # mistake name -> its token edits of the reference (grader.pair)
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
        self._sources[path.stem] = compose(self.assignment.reference_path.read_text(encoding="utf-8"),
                                           pair.without_docstring(path.read_text(encoding="utf-8")), str(path))
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
                    self._outputs[key] = raising.of(exc, {getattr(mistake.module, "__file__", None)})
            return self._outputs[key]

    def diagnose(self, obtained: dict, expected: dict, failed: set, confirm=None) -> dict[str, str]:
        """Diagnoses for the ``failed`` tests; ``obtained`` maps test id -> tree or Raised,
        ``expected`` test id -> the reference's tree. ``confirm(tests)`` -> {test: (obtained,
        expected)} at pattern.second_seed(seed) (the student's outputs from the sandbox): a
        ratio, sign, offset or row-offset pattern is claimed only when it holds there too;
        without ``confirm`` no such claim is made. Order: a single catalogue mistake, a pair
        of them (grader.pair), a pattern (grader.pattern), another axis."""
        probes = {p.id: p for p in self.assignment.probes if p.id in obtained}
        agreement = {m.name: self._agreement(m, probes, obtained) for m in self.mistakes}
        holding = [m for m in self.mistakes if self._holds(m, probes, obtained, expected, agreement[m.name])]
        found, claims = {}, {}
        for test in failed:
            if _agrees(obtained[test], expected[test], probes[test]):
                continue  # failed for another reason (a forbidden call): nothing to diagnose
            candidates = [m for m in holding if test in agreement[m.name]]
            if candidates:
                best = max(candidates, key=lambda m: (len(agreement[m.name]), m.name))
                found[test] = f"Matches a known mistake: {best.text}"
            elif obtained.get(test) is not None and not isinstance(obtained[test], Raised):
                both = self.pair(test, probes, obtained, expected)
                if both:
                    found[test] = both
                    continue
                with quiet():
                    claim = pattern.find(obtained[test], expected[test], probes[test], self.texts)
                if claim is not None:
                    claims[test] = claim
                else:
                    axis = self.other_axis(probes[test], obtained[test])
                    if axis:
                        found[test] = axis
        found.update(self._confirmed(claims, probes, confirm))
        for test in claims.keys() - found.keys():  # a claim that did not hold at the second seed
            axis = self.other_axis(probes[test], obtained[test])
            if axis:
                found[test] = axis
        return found

    def _confirmed(self, claims: dict, probes: dict, confirm) -> dict[str, str]:
        """The texts of ``claims`` that need no second seed or hold on it (one call of ``confirm``)."""
        found = {test: c.text for test, c in claims.items() if not c.needs_second_seed}
        pending = sorted(test for test, c in claims.items() if c.needs_second_seed)
        if pending and confirm is not None:
            again = confirm(pending)
            with quiet():
                found.update({test: claims[test].text for test in pending if test in again
                              and pattern.confirmed(claims[test], *again[test], probes[test])})
        return found

    def _holds(self, mistake: Mistake, probes: dict, obtained: dict, expected: dict, agreed: set) -> bool:
        """A mistake explains the student's results only if the student agrees with it on
        every probe where the mistake's outputs differ from the reference's (there, it
        competes with the reference and with every other mistake), and on every probe that
        calls only what the mistake changes (where it leaves such a function as the reference
        has it, a student who differs made another mistake, or more than this one)."""
        owned = {name.split(".")[0] for name in mistake.changes}
        return all(test in agreed or (not (owned and set(probe.calls) <= owned)
                                      and _agrees(self.outputs(mistake, probe), expected[test], probe))
                   for test, probe in probes.items())

    def pair(self, test: str, probes: dict, obtained: dict, expected: dict) -> str | None:
        """The diagnosis naming two catalogue mistakes that together explain ``test`` (grader.pair)."""
        probe = probes[test]
        failing = sorted((m for m in self.mistakes if not _agrees(self.outputs(m, probe), expected[test], probe)),
                         key=lambda m: m.name)
        for first, second in itertools.combinations(failing, 2):
            both = self._paired(first, second)
            if both is None or not _agrees(obtained[test], self.outputs(both, probe), probe):
                continue
            if self._holds(both, probes, obtained, expected, self._agreement(both, probes, obtained)):
                return pair.text(first, second)
        return None

    def pairs(self):
        """Yield every pair of mistakes that change a common definition and whose edits merge,
        as (first, second, both), in name order (a release records them: grader.release)."""
        for first, second in itertools.combinations(sorted(self.mistakes, key=lambda m: m.name), 2):
            both = self._paired(first, second)
            if both is not None:
                yield first, second, both

    def _paired(self, first: Mistake, second: Mistake) -> Mistake | None:
        """The two mistakes made together (cached); None when they change no common
        definition or their edits overlap."""
        if first.module is None or second.module is None or not set(first.changes) & set(second.changes):
            return None
        key = (first.name, second.name)
        with self._lock:
            if key not in self._pairs:
                reference = self.assignment.reference_path.read_text(encoding="utf-8")
                for each in (first, second):
                    if each.name not in self._edits:
                        self._edits[each.name] = pair.edits(reference, self._sources[each.name])
                source = pair.combine(reference, self._edits[first.name], self._edits[second.name])
                module = None
                if source is not None:
                    try:
                        module = load_composed(source, f"_grader_pair_{self.assignment.name}_{first.name}_{second.name}",
                                               f"<{self.assignment.name}/{first.name}.py and {second.name}.py>")
                    except Exception:  # noqa: BLE001 - two edits that do not work together make no pair
                        module = None
                self._pairs[key] = None if module is None else Mistake(
                    f"{first.name}+{second.name}", "", "", module, tuple(set(first.changes) | set(second.changes)))
            return self._pairs[key]

    @property
    def texts(self) -> dict:
        """The assignment's own pattern texts (grader.pattern.DEFAULT_TEXTS for the others)."""
        return dict(getattr(self.assignment, "pattern_texts", None) or {})

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


def describe_pattern(obtained, expected, probe, second=None, texts=None) -> str | None:
    """A catalogue-free diagnosis of the first failing output it can explain (grader.pattern);
    a ratio, sign or offset claim only when ``second`` (the student's and the reference's
    outputs at the second seed) shows the same claim."""
    claim = pattern.find(obtained, expected, probe, texts)
    if claim is None:
        return None
    if claim.needs_second_seed and (second is None or not pattern.confirmed(claim, *second, probe)):
        return None
    return claim.text
