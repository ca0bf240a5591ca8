"""The Gradescope autograder, run in a temporary folder that stands in for /autograder:
setup.sh installs the grader's wheel into a venv there, run_autograder grades
/autograder/submission and writes results.json in Gradescope's documented format, for
the student audience."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, SUBMISSIONS

from grader import audience
from grader.exitcode import ExitCode

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "gradescope_results.schema.json").read_text())
EXAMPLES = ROOT / "examples" / "softmax"


def _grader(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader.cli_entry", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600, check=False)


@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> Path:
    """/autograder as Gradescope lays it out after building the image: source/ holds the zip's
    contents, run_autograder is copied to the root, setup.sh has run."""
    folder = tmp_path_factory.mktemp("gradescope")
    made = _grader("gradescope", "-a", "softmax", "-o", str(folder / "autograder.zip"))
    assert made.returncode == ExitCode.OK, made.stderr
    root = folder / "autograder"
    with zipfile.ZipFile(folder / "autograder.zip") as archive:
        archive.extractall(root / "source")
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    for name in ("setup.sh", "run_autograder"):
        (root / "source" / name).chmod(0o755)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True, text=True, cwd=root,
                           env=_environment(root), timeout=900, check=False)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
    return root


def _environment(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GRADER_COURSE")}
    return {**env, "GRADER_AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}


def _run(root: Path, submission: Path) -> tuple[subprocess.CompletedProcess, dict | None]:
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    (root / "submission").mkdir()
    shutil.copy(submission, root / "submission" / submission.name)
    run = subprocess.run([str(root / "run_autograder")], capture_output=True, text=True, cwd=root,
                         env=_environment(root), timeout=600, check=False)
    results = root / "results" / "results.json"
    return run, json.loads(results.read_text()) if results.exists() else None


def test_the_zip_holds_the_two_scripts_the_wheel_and_this_assignment_only(autograder):
    source = autograder / "source"
    assert {p.name for p in source.iterdir()} == {"setup.sh", "run_autograder", "wheels", "course"}
    assert [p.name for p in (source / "wheels").iterdir()][0].startswith("mlgrader-")
    assert [p.name for p in (source / "course" / "assignments").iterdir()] == ["softmax"]
    assert sorted(p.name for p in (source / "course" / "rubrics").iterdir()) == ["softmax.toml"]
    assert (autograder / "venv" / "bin" / "grader").exists()


@pytest.mark.parametrize("submission", [EXAMPLES / "ada_loops.py", EXAMPLES / "dana_notebook.ipynb",
                                        ROOT / "reference" / "mistakes" / "softmax" / "kl_divergence_reversed.py",
                                        ROOT / "reference" / "mistakes" / "softmax" / "softmax_without_max_subtraction.py",
                                        SUBMISSIONS / "syntax_error.py"], ids=lambda p: p.stem)
def test_run_autograder_writes_valid_results_for_the_student(autograder, submission, mistake_file):
    if submission.parent.parent.name == "mistakes":
        submission = mistake_file(submission)  # the submission a catalogue mistake stands for
    run, results = _run(autograder, submission)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    jsonschema.validate(results, SCHEMA)
    rubric_visibility = {"visible", "hidden", "after_due_date"}
    assert {t["visibility"] for t in results["tests"]} == rubric_visibility
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]), abs=1e-6)
    for test in results["tests"]:
        if test["visibility"] == "hidden":
            assert test["output"] in ("", audience.HIDDEN_NOTE)
            assert test["output"] == (audience.HIDDEN_NOTE if test["status"] == "failed" else "")
        elif test["visibility"] == "after_due_date" and not test["output"].startswith("not run:"):
            # shown by Gradescope after the due date only, and then without any value of the reference
            assert not re.search(r"\d", test["output"].split("Hint:")[0]), test["output"]
    if submission.stem == "ada_loops":
        assert results["score"] == 30 and all(t["status"] == "passed" for t in results["tests"])
    if submission.stem == "syntax_error":
        assert results["score"] == 0 and "syntax error" in results["output"]
    if submission.stem == "kl_divergence_reversed":
        visible = [t for t in results["tests"] if t["visibility"] == "visible" and t["status"] == "failed"]
        assert visible and all("expected" in t["output"] and "Hint: Matches a known mistake" in t["output"]
                               for t in visible)


def test_export_of_many_reports_gives_results_gradescope_accepts(tmp_path):
    reports = tmp_path / "reports"
    graded = _grader("grade", "-a", "softmax", "-o", str(reports), "--seed", "2", *map(str, EXAMPLES.iterdir()))
    assert graded.returncode == ExitCode.OK, graded.stderr
    for who in ("instructor", "student"):
        made = _grader("export", "-f", "gradescope", "--audience", who, "-o", str(tmp_path / who),
                       *map(str, sorted(reports.glob("*.json"))))
        assert made.returncode == ExitCode.OK, made.stderr
        written = sorted((tmp_path / who).glob("*.json"))
        assert [p.name for p in written] == sorted(p.name for p in reports.glob("*.json"))
        for path in written:
            jsonschema.validate(json.loads(path.read_text()), SCHEMA)
