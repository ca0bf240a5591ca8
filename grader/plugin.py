"""The pytest plugin (entry point ``pytest11``): a release's visible tests as pytest items.

In a folder holding a release (``<name>.selfcheck.json``) and the student's file, plain
``pytest`` collects one item per visible test, e.g.
``softmax.selfcheck.json::softmax.py::softmax_rows``, and ``pytest --junitxml`` gives CI
its report. The items are graded exactly as by ``grader check`` (grader.checker: the
same sandbox, canary, messages and diagnoses): the file is graded once, when its first
item runs. A failing test shows the check's message and hint; a canary that fails is an
*error* of every item (the machine, not the student's code). Which file is checked:
``--grader-file FILE`` if given; else ``<name>.py`` and ``<name>.ipynb`` beside the
release, those changed from the released template (both when both changed; the ``.py``
when neither has).
"""
from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser) -> None:
    group = parser.getgroup("grader", "grader self-check (visible tests of a release)")
    group.addoption("--grader-file", action="append", default=[], metavar="FILE",
                    help="the file to check against the release beside it (repeatable; default: "
                         "<assignment>.py / .ipynb beside the release)")
    group.addoption("--grader-timeout", type=float, default=None, metavar="SECONDS",
                    help="time limit per test (default: the grader's)")


def pytest_collect_file(file_path: Path, parent):
    from grader.selfcheck import SUFFIX
    if file_path.name.endswith(SUFFIX):
        return ReleaseFile.from_parent(parent, path=file_path)
    return None


class ReleaseFile(pytest.File):
    """A self-check file: one collector per student file it checks."""

    def collect(self):
        from grader import selfcheck
        try:
            check = selfcheck.read(self.path)
        except selfcheck.SelfCheckError as exc:
            raise self.CollectError(str(exc)) from None
        for file in self._files(check):
            yield Submission.from_parent(self, name=file.name, check=check, file=file)

    def _files(self, check) -> list[Path]:
        chosen = [Path(f).resolve() for f in self.config.getoption("grader_file")]
        if chosen:
            return [f for f in chosen if f.parent == self.path.parent.resolve()] or chosen
        import hashlib
        present = [self.path.parent / f"{check.assignment}{suffix}" for suffix in (".py", ".ipynb")]
        present = [p for p in present if p.is_file()]
        changed = [p for p in present if check.templates.get(p.name) != hashlib.sha256(p.read_bytes()).hexdigest()]
        if changed:
            return changed
        if present:
            return present[:1]
        raise self.CollectError(f"no {check.assignment}.py or {check.assignment}.ipynb beside {self.path.name}: "
                                "save your work there, or pass --grader-file FILE")


class CheckError(Exception):
    """The self-check could not run (the canary, a missing framework): no verdict."""


class Submission(pytest.Collector):
    """One student file checked against the release: graded once, for all its items."""

    def __init__(self, *, check, file: Path, **kwargs):
        super().__init__(**kwargs)
        self.check, self.file = check, file
        self._document: dict | None = None
        self._error: str | None = None

    def collect(self):
        for test in self.check.tests:
            yield Check.from_parent(self, name=test.id)

    def document(self) -> dict:
        if self._document is None and self._error is None:
            self._document, self._error = _grade(self.check, self.file, self.config.getoption("grader_timeout"))
        if self._error is not None:
            raise CheckError(self._error)
        return self._document


def _grade(check, file: Path, timeout: float | None) -> tuple[dict | None, str | None]:
    from grader import checker, sandbox
    from grader.grading import CanaryFailed
    from grader.limits import Limits
    from grader.pool import WorkerFault
    missing = checker.released(check).missing_framework
    if missing:
        return None, missing
    limits = Limits(timeout_s=timeout) if timeout else Limits()
    try:
        return checker.check_file(file, check, sandbox.detect(), limits), None
    except (CanaryFailed, WorkerFault) as exc:
        return None, f"grader fault: {exc}"


class Failed(Exception):
    """A visible test did not pass; the message is the check's."""


class Check(pytest.Item):
    """One visible test of the release, on the submission's file."""

    def setup(self) -> None:
        self.parent.document()  # a check that cannot run is an error of the item, not a failure

    def runtest(self) -> None:
        from grader import text
        document = self.parent.document()
        test = next(t for t in document["tests"] if t["id"] == self.name)
        self.user_properties.append(("score", f"{test['score']:g}/{test['max_score']:g}"))
        if test["status"] == "passed":
            return
        status = "" if test["status"] == "failed" else f" ({test['status']})"
        lines = [f"{test['id']}{status}, {test['score']:g}/{test['max_score']:g} points: {test['name']}", test["message"]]
        if test.get("diagnosis"):
            lines.append(f"Hint: {test['diagnosis']}")
        for error in document["import_errors"]:
            lines.append(f"Running your code ({error['where']}) raised an error; the rest still ran:\n{error['error']}")
        raise Failed(text.clean("\n".join(lines)))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, (Failed, CheckError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.parent.file, None, f"{self.parent.name}::{self.name}"
