"""Self-check from a release alone: the visible tests, graded as the instructor grades them.

A ``Checker`` is the instructor's ``Grader`` (same worker, sandbox, comparison, scoring,
report) with the trusted side replaced by the recorded one of a self-check file
(grader.selfcheck): the expected outputs are the reference's, recorded at the release
seed; the diagnoser replays the known mistakes' recorded outputs; the canary replays
recorded inputs (grader.canary). No course is needed, and none is read.

For a seed, a file and the visible tests, the verdicts, messages, scores and diagnoses
are those of the instructor's ``grader check`` with the course (tested on the mistake
catalogue and the examples). The instructor's full grading may diagnose a visible test
differently in two cases, as there the hidden tests count too: when two catalogue
mistakes both explain a visible test, the one agreeing with the student on more tests
wins; and a mistake is named only when the student agrees with it on every test where
it differs from the reference. A ratio, sign or offset pattern is confirmed at the second
seed with the reference's outputs recorded there.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from grader import canary as canaries
from grader import pattern
from grader.assignment import Assignment, CourseError, Forbidden
from grader.diagnosis import Diagnoser, Mistake
from grader.grading import CanaryFailed, Grader, Options
from grader.probe import Probe
from grader.rubric import Entry, Rubric
from grader.selfcheck import SelfCheck


@dataclass(frozen=True)
class ReleasedAssignment(Assignment):
    """An assignment as a release knows it: metadata and visible probes, no reference."""

    selfcheck: SelfCheck | None = field(default=None, compare=False)

    @cached_property
    def probes(self) -> tuple[Probe, ...]:
        tests = [Probe(t.id, None, t.calls, t.rtol, t.atol, t.name) for t in self.selfcheck.tests]
        tests += [Probe(c["id"], None, (), 1e-5, 1e-6, "the sandbox replays the inputs recorded at release")
                  for c in self.selfcheck.canary["tests"]]
        return tuple(tests)

    @property
    def reference(self):
        raise CourseError("a release holds no reference solution")

    @property
    def pattern_texts(self) -> dict[str, str]:
        return dict(self.selfcheck.patterns)

    @property
    def mistake_paths(self) -> tuple[Path, ...]:
        return ()

    def check_loadable(self) -> None:
        """Nothing to import: the probes run only in the worker."""


def released(check: SelfCheck) -> ReleasedAssignment:
    """The assignment of a self-check file (its folder stands for the course root)."""
    folder = check.path.parent if check.path else Path(".")
    return ReleasedAssignment(check.assignment, check.title, check.framework, check.functions,
                              Forbidden(check.forbidden_modules, check.forbidden_calls), folder.resolve(), check)


def rubric(check: SelfCheck) -> Rubric:
    """The visible part of the rubric, as the release holds it, then the canary's tests
    (one point each; ``Checker.grade`` runs them only when asked to)."""
    entries = [Entry(t.id, t.points, "visible", t.partial) for t in check.tests]
    entries += [Entry(c["id"], 1.0, "visible", "all_or_nothing") for c in check.canary["tests"]]
    return Rubric(check.assignment, tuple(entries))


class RecordedDiagnoser(Diagnoser):
    """The instructor's diagnosis, with every trusted-side run replaced by its recording."""

    def __init__(self, assignment: ReleasedAssignment, seed: int):
        super().__init__(assignment, seed)
        check = assignment.selfcheck
        self._recorded = {m.name: m.outputs for m in check.mistakes}
        self._recorded.update({f"{first}+{second}": outputs for first, second, outputs in check.pairs})
        self._mistakes = [Mistake(m.name, m.misconception, m.fix, None, m.changes) for m in check.mistakes]
        self._variants = {t.id: t.axis_variants for t in check.tests}

    def outputs(self, mistake: Mistake, probe) -> object:
        return self._recorded[mistake.name].get(probe.id)

    def _paired(self, first: Mistake, second: Mistake) -> Mistake | None:
        name = f"{first.name}+{second.name}"
        return Mistake(name, "", "", None) if name in self._recorded else None

    def axis_variants(self, probe):
        yield from self._variants.get(probe.id, ())


class Checker(Grader):
    """Grades files against a self-check file; ``canary()`` replays the recorded inputs."""

    def __init__(self, check: SelfCheck, layers, options: Options | None = None, workers=None):
        self.selfcheck = check
        options = options or Options()
        options = Options(limits=options.limits, seed=check.seed, jobs=options.jobs, reveal_hidden=False,
                          diagnose=options.diagnose)
        super().__init__(released(check), rubric(check), layers, options, workers=workers)
        self._recorded = {t.id: t.expected for t in check.tests}
        self._recorded.update({c["id"]: c["expected"] for c in check.canary["tests"]})
        self._second = {t.id: t.expected_second for t in check.tests if t.expected_second is not None}

    def _diagnoser(self) -> Diagnoser:
        return RecordedDiagnoser(self.assignment, self.seed)

    def expected(self, probe) -> object:
        return self._recorded[probe.id]

    def expected_at(self, probe, seed: int) -> object:
        """The reference's outputs recorded at the second seed (None for any other seed, or
        when the release did not record them: then no ratio, sign or offset is claimed)."""
        if seed != pattern.second_seed(self.seed) or probe.id not in self._second:
            return None
        return self._second[probe.id]

    def _excerpt(self, tests: tuple[str, ...]) -> dict:
        source = self.selfcheck.probes_source
        if any(test.startswith(canaries.PREFIX) for test in tests):
            source += "\n" + self.selfcheck.canary["source"]
        return {"source": source, "filename": f"<{self.assignment.name} probes>"}

    def canary(self, tests: tuple[str, ...] | None = None) -> dict:
        """Run the canary probes in the sandbox on a stand-in file; raise CanaryFailed,
        naming the first difference, unless every recorded input and check is reproduced."""
        ids = tuple(c["id"] for c in self.selfcheck.canary["tests"])
        with tempfile.TemporaryDirectory(prefix="grader-canary-") as folder:
            path = Path(folder) / f"{self.assignment.name}.py"
            path.write_text(self.selfcheck.canary["submission"], encoding="utf-8")
            document = self.grade(path, ids)
        failing = [t for t in document["tests"] if t["status"] != "passed"]
        if not failing and not document["load_errors"]:
            return document
        cause = (f"the stand-in file could not be loaded: {document['load_errors'][0]}" if document["load_errors"]
                 else f"{len(failing)} of {len(ids)} canary tests fail; the first, {failing[0]['id']!r}, ends with "
                      f"{failing[0]['status']}: {failing[0]['message'][:1500]}")
        import numpy
        versions = "" if numpy.__version__ == self.selfcheck.numpy_version else (
            f" The release was recorded with NumPy {self.selfcheck.numpy_version}; this machine has "
            f"{numpy.__version__}: install that version (pip install 'numpy=={self.selfcheck.numpy_version}').")
        raise CanaryFailed(
            "the self-check cannot run on this machine: replaying the inputs recorded in the release "
            f"through the sandbox does not reproduce them, so no verdict was given (this says nothing "
            f"about your work). {cause}{versions}\nNext: install the grader and NumPy versions the "
            f"release names (grader {self.selfcheck.grader_version}); if only the sandbox is to blame, tell "
            "your instructor what this message says.")

    def grade(self, path: Path, tests: tuple[str, ...] | None = None) -> dict:
        """The report of ``path`` on ``tests`` (default: every visible test, no canary)."""
        return super().grade(path, tests if tests is not None else tuple(t.id for t in self.selfcheck.tests))


def check_file(file: Path, check: SelfCheck, layers, limits=None, workers=None) -> dict:
    """`grader check` from a release: the canary, then the report of ``file`` on the visible
    tests. Raises CanaryFailed when the sandbox cannot reproduce the recorded inputs."""
    from grader.limits import Limits
    with Checker(check, layers, Options(limits=limits or Limits()), workers=workers) as checker:
        checker.canary()
        return checker.grade(Path(file))
