"""A broken course file is the grader's fault, never a student's zero, and never a
traceback: grade and check refuse at start with exit 3 naming the file, or, for a mistake
of the catalogue, grade without that one diagnosis and say so."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from grader.exitcode import ExitCode

CORRECT = ROOT / "examples" / "softmax" / "ada_loops.py"
BUGGY = ROOT / "examples" / "softmax" / "ben_overflows.py"


@pytest.fixture
def course(tmp_path) -> Path:
    """A course folder holding only the softmax assignment, copied from this checkout."""
    root = tmp_path / "course"
    shutil.copytree(ROOT / "assignments" / "softmax", root / "assignments" / "softmax")
    shutil.copytree(ROOT / "reference" / "mistakes" / "softmax", root / "reference" / "mistakes" / "softmax")
    shutil.copy(ROOT / "reference" / "softmax.py", root / "reference" / "softmax.py")
    (root / "rubrics").mkdir()
    shutil.copy(ROOT / "rubrics" / "softmax.toml", root / "rubrics" / "softmax.toml")
    return root


def grader(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader.cli_entry", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_a_mistake_file_without_docstring_is_left_out_with_a_warning(course, tmp_path):
    broken = course / "reference" / "mistakes" / "softmax" / "softmax_without_max_subtraction.py"
    broken.write_text(broken.read_text().split('"""', 2)[2])  # the docstring removed
    result = grader("grade", "-a", "softmax", "--course", str(course), "-o", str(tmp_path / "out"),
                    "--seed", "5", str(CORRECT), str(BUGGY))
    assert result.returncode == ExitCode.OK, result.stderr
    assert "Traceback" not in result.stderr
    assert "softmax_without_max_subtraction.py is left out of the diagnoses" in result.stderr
    reports = {p.stem: json.loads(p.read_text()) for p in (tmp_path / "out").glob("*.json")}
    assert reports["ada_loops"]["score"] == 30
    assert 0 < reports["ben_overflows"]["score"] < 30  # graded as usual, without that diagnosis


def test_a_mistake_file_that_raises_on_import_is_left_out_and_check_still_runs(course):
    broken = course / "reference" / "mistakes" / "softmax" / "softmax_ignores_axis.py"
    broken.write_text(broken.read_text() + "\n\ndef _broken():\n    raise RuntimeError('a broken mistake file')\n"
                      "\n\nBROKEN = _broken()\n")  # raises when the reference with this mistake is imported
    result = grader("check", "--course", str(course), str(BUGGY.with_name("ben_overflows.py")), "-a", "softmax")
    assert result.returncode == ExitCode.TESTS_FAILED, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "softmax_ignores_axis.py is left out of the diagnoses: RuntimeError: a broken mistake file" in result.stderr


def test_a_mistake_file_with_a_statement_that_is_no_definition_is_left_out_naming_the_line(course):
    broken = course / "reference" / "mistakes" / "softmax" / "softmax_ignores_axis.py"
    lines = broken.read_text().count("\n")
    broken.write_text(broken.read_text() + "print('not a definition')\n")
    result = grader("check", "--course", str(course), str(BUGGY.with_name("ben_overflows.py")), "-a", "softmax")
    assert result.returncode == ExitCode.TESTS_FAILED, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert (f"softmax_ignores_axis.py is left out of the diagnoses: CourseError: {broken} line {lines + 1}: "
            "`print('not a definition')` is not a definition") in " ".join(result.stderr.split())
    validated = grader("validate", "--course", str(course))
    assert validated.returncode == ExitCode.TESTS_FAILED
    assert f"{broken}: line {lines + 1}: `print('not a definition')` is not a definition" in validated.stdout


@pytest.mark.parametrize("file, damage, named", [
    ("assignments/softmax/probes.py", "\nundefined_name_in_probes\n", "probes.py cannot be imported: NameError"),
    ("reference/softmax.py", "\ndef broken(:\n", "softmax.py cannot be imported: SyntaxError"),
    ("rubrics/softmax.toml", "\n[tests.softmax_rows]\npoints = 'two'\n", "rubrics/softmax.toml"),
])
@pytest.mark.parametrize("command", ["grade", "check"])
def test_a_broken_probe_reference_or_rubric_refuses_at_start_naming_the_file(course, tmp_path, file, damage,
                                                                           named, command):
    path = course / file
    path.write_text(path.read_text() + damage)
    extra = ["-o", str(tmp_path / "out")] if command == "grade" else []
    result = grader(command, "-a", "softmax", "--course", str(course), *extra, str(CORRECT))
    assert result.returncode == ExitCode.GRADER_FAULT, result.stderr
    assert "Traceback" not in result.stderr
    assert "grader fault" in result.stderr and named in result.stderr
    assert not (tmp_path / "out").exists()  # no report of zeros
