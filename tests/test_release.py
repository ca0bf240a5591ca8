"""Releases: what students get holds no solution, and checking from it alone gives the
instructor's verdicts, messages and diagnoses on the visible tests."""
from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from diagnosis_cases import CASES

from grader import assignment, checker, release, rubric, selfcheck
from grader.exitcode import ExitCode
from grader.grading import CanaryFailed, Grader, Options

SEED = 2024
NAMES = ("ols", "softmax", "two_layer_net", "conv", "lstm", "attention", "batchnorm")


@pytest.fixture(scope="module")
def releases(tmp_path_factory, layers, workers, course):
    """One release per assignment, made as `grader release` makes it."""
    made = {}
    for name in NAMES:
        found = course[name]
        folder = tmp_path_factory.mktemp("releases") / name
        release.build(found, rubric.load(found), layers, folder, seed=SEED, workers=workers)
        made[name] = folder
    return made


def _code_lines(path: Path) -> list[str]:
    """Every line of a Python file that is code (no docstring, comment, blank or import),
    of at least 12 characters without spaces."""
    source = path.read_text(encoding="utf-8")
    docs = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            docs.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines = [(n, raw.strip()) for n, raw in enumerate(source.splitlines(), 1)]
    return [line for n, line in lines if n not in docs and line and not line.startswith(("#", "import ", "from "))
            and len(line.replace(" ", "")) >= 12]


def _bodies(source: str, only=None) -> dict[str, str]:
    """Each top-level function's body (docstring left out) as an AST dump: quotes, comments
    and layout do not matter."""
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and (only is None or node.name in only):
            body = node.body[1:] if isinstance(node.body[0], ast.Expr) and isinstance(
                getattr(node.body[0], "value", None), ast.Constant) else node.body
            found[node.name] = ast.dump(ast.Module(body=body, type_ignores=[]))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_a_release_holds_no_reference_mistake_or_hidden_test(releases, course, name):
    found = course[name]
    folder = releases[name]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{name}.py", f"{name}.ipynb", "README.md", f"{name}.selfcheck.json"])
    released = "\n".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    check = selfcheck.read(folder / f"{name}.selfcheck.json")
    # student-facing by design: the template, the README, and the diagnoses a student is shown
    public = "\n".join([(found.folder / "template.py").read_text(), (found.folder / "README.md").read_text(),
                        *(f"{m.misconception} Fix: {m.fix}" for m in check.mistakes)])
    leaked = [f"{path.name}: {line}" for path in (found.reference_path, *found.mistake_paths)
              for line in _code_lines(path) if line in released and line not in public]
    assert not leaked, leaked[:5]
    scores = rubric.load(found)
    hidden = [e.test for e in scores.entries if e.visibility != "visible"]
    assert hidden, "every shipped assignment has hidden tests"
    assert not [test for test in hidden if re.search(rf"\b{test}\b", released)]
    hidden_bodies = _bodies(found.probes_path.read_text(encoding="utf-8"), set(hidden))
    released_bodies = set(_bodies(check.probes_source).values()) | set(_bodies(check.canary["source"]).values())
    assert len(hidden_bodies) == len(hidden) and not set(hidden_bodies.values()) & released_bodies
    assert [t.id for t in check.tests] == [e.test for e in scores.visible()]
    assert all(m.name + ".py" in {p.name for p in found.mistake_paths} for m in check.mistakes)


def test_the_leak_scan_finds_a_reference_line_and_a_hidden_name(releases, course, tmp_path):
    """The scan is not vacuous: a release with a line of the reference, or a hidden test's
    name, is refused."""
    found = course["softmax"]
    folder = tmp_path / "leaky"
    shutil.copytree(releases["softmax"], folder)
    assert release.leaks(folder, found, rubric.load(found)) == []
    public = (found.folder / "README.md").read_text() + (found.folder / "template.py").read_text()
    line = next(line for line in _code_lines(found.reference_path) if line not in public)
    (folder / "notes.txt").write_text(f"{line}\nsee softmax_large_logits\n")
    problems = release.leaks(folder, found, rubric.load(found))
    assert any(line in p for p in problems) and any("softmax_large_logits" in p for p in problems)


def _key(document: dict) -> list[tuple]:
    return [(t["id"], t["status"], t["score"], t["message"], t["diagnosis"]) for t in document["tests"]]


@pytest.mark.parametrize("name", NAMES)
def test_checking_from_the_release_gives_the_instructors_verdicts_messages_and_diagnoses(
        releases, course, layers, workers, name, mistake_file):
    """Every known mistake, correct alternative, the template and the reference: the release
    alone gives what the instructor's `grader check` gives at the same seed."""
    found = course[name]
    check = selfcheck.read(releases[name] / f"{name}.selfcheck.json")
    files = [*map(mistake_file, found.mistake_paths), *found.alternative_paths, found.template_paths[0],
             found.reference_path]
    if name == "softmax":
        files += sorted((ROOT / "examples" / "softmax").iterdir())
    visible = tuple(e.test for e in rubric.load(found).visible())
    options = Options(seed=SEED, reveal_hidden=False)
    diagnosed = 0
    with Grader(found, rubric.load(found), layers, options, workers=workers) as grader, \
            checker.Checker(check, layers, workers=workers) as offline:
        offline.canary()
        for path in files:
            theirs, ours = grader.grade(path, tests=visible), offline.grade(path)
            assert _key(ours) == _key(theirs), path.name
            assert ours["load_errors"] == theirs["load_errors"]
            diagnosed += any(t["diagnosis"] for t in ours["tests"])
    assert diagnosed >= len(check.mistakes) // 2  # the offline diagnoses are really made


def _grader(*args, cwd, env=None):
    """The CLI of this checkout, run from ``cwd``."""
    import os
    env = {**(env if env is not None else os.environ), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "grader.cli_entry", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300, env=env)


def _student_folder(releases, tmp_path, name="softmax") -> Path:
    folder = tmp_path / "student"
    shutil.copytree(releases[name], folder)
    return folder


def test_grader_check_finds_the_release_beside_the_file(releases, tmp_path, mistake_file):
    folder = _student_folder(releases, tmp_path)
    shutil.copy(ROOT / "examples" / "softmax" / "ada_loops.py", folder / "softmax.py")
    env = {"PATH": "/usr/bin:/bin", "GRADER_COURSE": str(tmp_path / "no-course-here")}  # no course: not read
    passed = _grader("check", "softmax.py", cwd=folder, env=env)
    assert passed.returncode == ExitCode.OK, passed.stderr + passed.stdout
    assert "Visible tests: 9/9" in passed.stdout
    shutil.copy(mistake_file(ROOT / "reference" / "mistakes" / "softmax" / "softmax_ignores_axis.py"), folder / "softmax.py")
    failed = _grader("check", "softmax.py", cwd=folder, env=env)
    assert failed.returncode == ExitCode.TESTS_FAILED
    assert "FAIL softmax_axis0" in failed.stdout
    assert "softmax always normalises along the last axis" in failed.stdout


def test_grader_check_takes_the_release_folder_and_refuses_another_assignments(releases, tmp_path):
    mine = tmp_path / "work" / "softmax.py"
    mine.parent.mkdir()
    shutil.copy(ROOT / "examples" / "softmax" / "ben_overflows.py", mine)
    result = _grader("check", "--release", str(releases["softmax"]), str(mine), cwd=tmp_path)
    assert result.returncode == ExitCode.TESTS_FAILED and "Hint:" in result.stdout
    other = _grader("check", "-a", "ols", "--release", str(releases["softmax"]), str(mine), cwd=tmp_path)
    assert other.returncode == ExitCode.USAGE and "release of softmax, not of ols" in other.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    none = _grader("check", "--release", str(empty), str(mine), cwd=tmp_path)
    assert none.returncode == ExitCode.USAGE and "holds no *.selfcheck.json" in none.stderr


def _tampered(releases, tmp_path, change) -> Path:
    folder = _student_folder(releases, tmp_path)
    path = folder / "softmax.selfcheck.json"
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    shutil.copy(ROOT / "examples" / "softmax" / "ada_loops.py", folder / "softmax.py")
    return folder


def test_a_canary_that_does_not_replay_stops_check_before_any_verdict(releases, tmp_path):
    """As if this machine's NumPy drew other inputs from the same seed: the canary's
    recorded inputs are not reproduced, so no test is failed; exit 3 and the cause."""
    def other_inputs(document):
        document["canary"]["source"] = document["canary"]["source"].replace(f"_CANARY_SEED = {SEED}",
                                                                            f"_CANARY_SEED = {SEED + 1}")
    folder = _tampered(releases, tmp_path, other_inputs)
    result = _grader("check", "softmax.py", cwd=folder)
    assert result.returncode == ExitCode.GRADER_FAULT
    assert "no verdict was given" in result.stderr and "canary__softmax_rows" in result.stderr
    assert "FAIL" not in result.stdout and "PASS" not in result.stdout


MALFORMED = {
    "not_json": lambda d: d.clear() or d.update({"x": float("nan")}),
    "newer_schema_version": lambda d: d.update({"schema_version": 99}),
    "missing_tests": lambda d: d.pop("tests"),
    "array_bytes_disagree_with_shape": lambda d: d["tests"][0]["expected"]["d"]["p"]["a"].update({"shape": [9, 9]}),
    "hidden_visibility": lambda d: d["tests"][0].update({"visibility": "hidden"}),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_self_check_file_is_a_usage_error_that_says_what_to_do(releases, tmp_path, case):
    folder = _tampered(releases, tmp_path, MALFORMED[case])
    result = _grader("check", "softmax.py", cwd=folder)
    assert result.returncode == ExitCode.USAGE, result.stderr
    assert "softmax.selfcheck.json" in result.stderr and "Traceback" not in result.stderr
    assert "release" in result.stderr or "grader version" in result.stderr


def test_a_release_needs_a_visible_test_and_an_empty_folder(course, layers, workers, tmp_path):
    found = course["softmax"]
    scores = rubric.load(found)
    from dataclasses import replace
    hidden_only = replace(scores, entries=tuple(replace(e, visibility="hidden") for e in scores.entries))
    with pytest.raises(release.ReleaseError, match="no visible test"):
        release.build(found, hidden_only, layers, tmp_path / "a", seed=1, workers=workers)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x").write_text("")
    with pytest.raises(FileExistsError, match="not empty"):
        release.build(found, scores, layers, tmp_path / "b", seed=1, workers=workers)


def test_a_release_is_not_made_from_a_reference_that_fails(course, layers, workers, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_COURSE_TEST", "1")  # seen on the trusted side only: the worker scrubs it
    course_copy = tmp_path / "course"
    for part in ("assignments/softmax", "reference", "rubrics"):
        (course_copy / part).mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "assignments" / "softmax", course_copy / "assignments" / "softmax", dirs_exist_ok=True)
    shutil.copy(ROOT / "rubrics" / "softmax.toml", course_copy / "rubrics")
    reference = (ROOT / "reference" / "softmax.py").read_text()
    broken = {"raises on the trusted side": reference + "\n\ndef kl_divergence(p, q):\n    raise RuntimeError('broken')\n",
              "fails only in the sandbox": reference + "\n\nimport os\n_HOME = os.environ.get('GRADER_COURSE_TEST')\n"
              "_real = softmax\n\ndef softmax(z, axis=-1):\n    return _real(z, axis) * (1 if _HOME else 2)\n"}
    for case, source in broken.items():
        (course_copy / "reference" / "softmax.py").write_text(source)
        found = assignment.load("softmax", course_copy)
        with pytest.raises((CanaryFailed, assignment.CourseError)):
            release.build(found, rubric.load(found), layers, tmp_path / "out", seed=1, workers=workers)
        assert not (tmp_path / "out").exists(), case


def test_the_released_notebook_ends_with_a_one_line_check(releases):
    import nbformat
    nb = nbformat.read(releases["softmax"] / "softmax.ipynb", as_version=4)
    assert nb.cells[-1].cell_type == "code" and nb.cells[-1].source == "import grader\ngrader.check()"
    nbformat.validate(nb)


@pytest.mark.parametrize("configuration", ["all layers", "no namespaces"])
def test_student_code_cannot_read_the_release_beside_it(releases, tmp_path, layers, workers, configuration):
    """The recorded expected outputs sit beside the student's file: the sandbox shows
    student code its own file and the runtime only (with namespaces, or Landlock without)."""
    import dataclasses
    if configuration == "no namespaces":
        layers = dataclasses.replace(layers, namespaces=False)
    folder = _student_folder(releases, tmp_path)
    shutil.copy(ROOT / "tests" / "submissions" / "reads_the_selfcheck_file_beside_it.py", folder / "softmax.py")
    check = selfcheck.read(folder / "softmax.selfcheck.json")
    with checker.Checker(check, layers, workers=workers) as offline:
        document = offline.grade(folder / "softmax.py")
    output = document["output"]["text"]
    assert "blocked:" in output and "THREAT SUCCEEDED" not in output, output
    assert document["score"] == 0


def test_a_module_that_calls_grader_check_at_import_is_graded_as_usual(grade):
    report = grade(ROOT / "tests" / "submissions" / "calls_grader_check_at_import.py")
    assert report["import_errors"] == [] and report["score"] == report["max_score"]
    assert "grader.check() -> None" in report["output"]["text"]


def test_check_without_a_release_or_a_course_names_both_ways(tmp_path):
    shutil.copy(ROOT / "examples" / "softmax" / "ada_loops.py", tmp_path / "softmax.py")
    import os
    env = {**os.environ, "GRADER_COURSE": str(tmp_path)}
    result = _grader("check", "softmax.py", cwd=tmp_path, env=env)
    assert result.returncode == ExitCode.USAGE
    assert "selfcheck.json beside FILE, or pass --release DIR" in result.stderr and "grader init" in result.stderr


@pytest.mark.parametrize("case", ["dw_times_three", "log_softmax_without_plus_max_by_rows", "conv_unpads_with_minus_pad",
                                  "conv_output_size_without_plus_one", "batchnorm_cs231n_momentum_and_biased_var",
                                  "reg_without_half_and_its_gradient"])
def test_pattern_and_pair_diagnoses_from_the_release_are_the_instructors(releases, course, layers, workers, tmp_path,
                                                                         case):
    """A ratio or row offset is confirmed at the second seed offline too (the release records
    the reference's outputs there); shape patterns need nothing more; pairs of mistakes are
    replayed from their recorded outputs."""
    found = next(c for c in CASES if c.name == case)
    path = tmp_path / f"{found.assignment}.py"
    path.write_text(found.source())
    check = selfcheck.read(releases[found.assignment] / f"{found.assignment}.selfcheck.json")
    visible = tuple(e.test for e in rubric.load(course[found.assignment]).visible())
    with Grader(course[found.assignment], rubric.load(course[found.assignment]), layers,
                Options(seed=SEED, reveal_hidden=False), workers=workers) as grader, \
            checker.Checker(check, layers, workers=workers) as offline:
        theirs, ours = grader.grade(path, tests=visible), offline.grade(path)
    assert _key(ours) == _key(theirs)
    diagnosis = next(t for t in ours["tests"] if t["id"] == found.test)["diagnosis"]
    assert diagnosis and found.expect[1] in diagnosis, diagnosis
