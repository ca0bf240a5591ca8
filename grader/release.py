"""Releases: what an instructor hands out for one assignment, holding no solution.

``build`` writes into a folder::

    <name>.py, <name>.ipynb      the templates (the notebook ends with a check cell)
    README.md                    the student README, with how to check one's work
    <name>.selfcheck.json        the visible tests (grader.selfcheck)

Before writing anything it grades the reference through the worker at the release seed
(the instructor's canary), so the recorded outputs are those of a reference that passes;
after writing, it checks the release the way a student will (grader.checker): the
canary replays, and the reference, graded from the release alone, gets full marks.
``leaks`` scans a release for the course's secrets (used before a release is reported
written; the tests scan independently).
"""
from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy

from grader import __version__, canary, excerpt, pattern, selfcheck, syntax, template
from grader.assignment import Assignment, CourseError
from grader.checker import Checker
from grader.diagnosis import Diagnoser, _agrees
from grader.grading import Grader, Options
from grader.rubric import Rubric

CHECK_CELL = "import grader\ngrader.check()"
_TRIVIAL_CHARACTERS = 12


class ReleaseError(Exception):
    """The release cannot be made as asked (a usage problem, e.g. no visible test)."""


@dataclass(frozen=True)
class Release:
    folder: Path
    files: tuple[Path, ...]
    seed: int
    tests: tuple[str, ...]
    mistakes: int


def build(found: Assignment, rubric: Rubric, layers, folder: Path, seed: int | None = None,
          workers=None) -> Release:
    """Write the release of ``found`` into ``folder`` (new or empty). Raises ReleaseError,
    CourseError / CanaryFailed (the course or this machine is broken), FileExistsError."""
    visible = tuple(entry.test for entry in rubric.visible())
    if not visible:
        raise ReleaseError(f"rubric {found.rubric_path} has no visible test: a release checks visible tests only; "
                           "make at least one test visible = \"visible\"")
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty; choose a new folder for the release")
    with Grader(found, rubric, layers, Options(seed=seed), workers=workers) as grader:
        grader.canary(tests=visible)
        check = record(found, rubric, grader, visible)
    with tempfile.TemporaryDirectory(prefix="grader-release-") as staging:
        files = _write(found, check, Path(staging))
        verify(check, found, layers, Path(staging), workers)
        problems = leaks(Path(staging), found, rubric)
        if problems:
            raise CourseError(f"the release of {found.name} would leak: {'; '.join(problems[:5])}")
        folder.mkdir(parents=True, exist_ok=True)
        for path in files:
            shutil.copy2(path, folder / path.name)
    return Release(folder, tuple(folder / p.name for p in files), check.seed, visible, len(check.mistakes))


def record(found: Assignment, rubric: Rubric, grader: Grader, visible: tuple[str, ...]) -> selfcheck.SelfCheck:
    """The self-check of ``visible`` tests, recorded on the trusted side at ``grader.seed``."""
    probes = {test: found.probe(test) for test in visible}
    expected = {test: grader.expected(probe) for test, probe in probes.items()}
    diagnoser = grader.diagnoser or Diagnoser(found, grader.seed)
    tests = tuple(selfcheck.RecordedTest(
        test, probe.description, probe.calls, probe.rtol, probe.atol, rubric.entry(test).points,
        rubric.entry(test).partial, expected[test], tuple(diagnoser.axis_variants(probe)),
        grader.expected_at(probe, pattern.second_seed(grader.seed)))
        for test, probe in probes.items())
    mistakes = []
    for mistake in diagnoser.mistakes:
        outputs = {test: diagnoser.outputs(mistake, probe) for test, probe in probes.items()}
        if all(_agrees(outputs[test], expected[test], probe) for test, probe in probes.items()):
            continue  # never a candidate on a visible test: its text would only hint at hidden ones
        mistakes.append(selfcheck.RecordedMistake(mistake.name, mistake.misconception, mistake.fix, outputs,
                                                  mistake.changes))
    pairs = []  # grader.pair: the pairs of mistakes the diagnosis may name, with their outputs
    for first, second, both in diagnoser.pairs():
        outputs = {test: diagnoser.outputs(both, probe) for test, probe in probes.items()}
        if not all(_agrees(outputs[test], expected[test], probe) for test, probe in probes.items()):
            pairs.append((first.name, second.name, outputs))
    source = excerpt.excerpt(found.probes_path.read_text(encoding="utf-8"), visible)
    forbidden = found.forbidden
    return selfcheck.SelfCheck(
        None, found.name, found.title, found.framework, found.functions, forbidden.modules, forbidden.calls,
        grader.seed, __version__, numpy.__version__, source, tests, tuple(mistakes),
        {"source": canary.source(visible, grader.seed), "submission": canary.submission(found.framework),
         "tests": canary.record(source, visible, grader.seed)},
        {}, dict(found.pattern_texts), tuple(pairs))


def _write(found: Assignment, check: selfcheck.SelfCheck, folder: Path) -> list[Path]:
    script, _ = found.template_paths
    py = folder / f"{found.name}.py"
    shutil.copyfile(script, py)
    ipynb = folder / f"{found.name}.ipynb"
    ipynb.write_text(notebook(script), encoding="utf-8")
    readme = folder / "README.md"
    readme.write_text(student_readme(found), encoding="utf-8")
    templates = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (py, ipynb)}
    target = folder / selfcheck.file_name(found.name)
    selfcheck.write(_with(check, templates=templates), target)
    return [py, ipynb, readme, target]


def _with(check: selfcheck.SelfCheck, **changes) -> selfcheck.SelfCheck:
    from dataclasses import replace
    return replace(check, **changes)


def notebook(script: Path) -> str:
    """The notebook template, ending with a cell that checks the work in the running kernel."""
    nb = template.notebook(script.read_text(encoding="utf-8"))
    count = len(nb.cells)
    nb.cells.append(nbformat.v4.new_markdown_cell(
        "## Check your work\n\nRun the cell below: it runs the visible tests on the functions this "
        "notebook has defined (run every cell above it first), in a sandbox, and explains every failure."))
    nb.cells.append(nbformat.v4.new_code_cell(CHECK_CELL))
    for index, cell in enumerate(nb.cells[count:], start=count):
        cell["id"] = f"cell-{index}"
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def student_readme(found: Assignment) -> str:
    """The assignment's README, pointing at the released file names, and how to check."""
    source = found.folder / "README.md"
    text = source.read_text(encoding="utf-8") if source.is_file() else f"# {found.title}\n"
    text = text.replace("template.ipynb", f"{found.name}.ipynb").replace("template.py", f"{found.name}.py")
    name = found.name
    return text.rstrip("\n") + f"""

## Checking your work

This folder is a release of the assignment: your templates (`{name}.py`, `{name}.ipynb`) and
`{name}.selfcheck.json`, which holds the visible tests. With the grader installed
(`pip install mlgrader`{"" if found.framework == "numpy" else " 'mlgrader[torch]'"}), from this folder:

    grader check {name}.py          # or: grader check {name}.ipynb
    pytest                          # the same tests, one pytest item each

In the notebook, the last cell (`grader.check()`) checks the functions you have run.
Your code runs in a sandbox, and every failure is explained, with a hint when it
matches a common mistake. Hidden tests are graded after you submit: passing the
visible tests is necessary, not sufficient.
"""


def verify(check: selfcheck.SelfCheck, found: Assignment, layers, folder: Path, workers=None) -> None:
    """Check the written release as a student would: its canary replays in the sandbox, and
    the reference, graded from the release alone, gets full marks (else CourseError)."""
    written = selfcheck.read(folder / selfcheck.file_name(found.name))
    with Checker(written, layers, workers=workers) as checker:
        checker.canary()
        document = checker.grade(found.reference_path)
    if document["score"] != document["max_score"]:
        failing = [f"{t['id']}: {t['message'][:300]}" for t in document["tests"] if t["status"] != "passed"]
        raise CourseError(f"the reference graded from the release of {found.name} loses points: {failing[:3]}")


def leaks(folder: Path, found: Assignment, rubric: Rubric) -> list[str]:
    """What of the course's secrets a release folder holds: a non-trivial line of the
    reference or of a mistake, a hidden test's name. Empty when none.

    A line that the student-facing material already shows is not a secret: the template,
    the assignment's README, and the diagnoses the release carries (the instructor's
    grading shows them to every student who makes that mistake; `grader validate` refuses
    a mistake text that quotes a line of the reference)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    released = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    public = "\n".join(p.read_text(encoding="utf-8") for p in (found.template_paths[0], found.folder / "README.md")
                       if p.is_file())
    for path in files:
        if path.name.endswith(selfcheck.SUFFIX):
            public += "\n".join(f"{m.misconception} Fix: {m.fix}" for m in selfcheck.read(path).mistakes)
    problems = []
    for path in (found.reference_path, *found.mistake_paths):
        for line in solution_lines(path.read_text(encoding="utf-8")):
            if line in released and line not in public:
                problems.append(f"{path.name} line {line!r}")
    hidden = [entry.test for entry in rubric.entries if entry.visibility != "visible"]
    for test in hidden:
        if re.search(rf"\b{re.escape(test)}\b", released):
            problems.append(f"hidden test name {test!r}")
    return problems


def solution_lines(source: str) -> list[str]:
    """The code lines of a reference or mistake file: not blank, comments, imports or
    docstrings, and at least ``_TRIVIAL_CHARACTERS`` characters without spaces (``return
    out`` gives nothing away)."""
    import ast
    docstring_lines: set[int] = set()
    for node in ast.walk(syntax.parse(source)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            doc = node.body[0] if node.body else None
            if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and isinstance(doc.value.value, str):
                docstring_lines.update(range(doc.lineno, doc.end_lineno + 1))
    found = []
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.strip()
        if (number in docstring_lines or not line or line.startswith(("#", "import ", "from "))
                or len(line.replace(" ", "")) < _TRIVIAL_CHARACTERS):
            continue
        found.append(line)
    return found
