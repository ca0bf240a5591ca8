"""Installed as users install it: a wheel (not editable) in a fresh venv under /tmp, without
PyTorch, run from `/`. The shipped course travels in the wheel; torch is an extra."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from grader.exitcode import ExitCode

EXAMPLES = ROOT / "examples" / "softmax"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True)
    folder = Path("/tmp") / f"grader-venv-{os.getpid()}"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    wheel = next(wheels.glob("mlgrader-*.whl"))
    installed = subprocess.run([str(folder / "bin" / "pip"), "install", "-q", str(wheel)], capture_output=True,
                               text=True)
    assert installed.returncode == 0, installed.stderr[-2000:]
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def run(venv: Path, *args, cwd="/"):
    env = {k: v for k, v in os.environ.items() if k not in ("GRADER_COURSE", "PYTHONPATH")}
    env["COLUMNS"] = "250"  # one table row per line
    return subprocess.run([str(venv / "bin" / "grader"), *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def test_the_wheel_installs_without_torch_in_a_small_venv(venv):
    probe = subprocess.run([str(venv / "bin" / "python"), "-c", "import importlib.util as u; "
                            "print(u.find_spec('torch') is None, u.find_spec('grader').origin)"],
                           capture_output=True, text=True, cwd="/", check=True).stdout.split()
    assert probe[0] == "True"
    assert probe[1].startswith(str(venv)), "the wheel's grader, not this checkout's"
    assert _size(venv) < 150 * 10**6


def test_list_from_root_shows_the_seven_assignments(venv):
    result = run(venv, "list")
    assert result.returncode == ExitCode.OK, result.stderr
    for name in ("ols", "softmax", "two_layer_net", "conv", "lstm", "attention", "batchnorm"):
        assert name in result.stdout
    assert "needs PyTorch" in result.stdout  # attention, in this venv


def test_grade_from_root_grades_the_examples_with_the_shipped_course(venv, tmp_path):
    result = run(venv, "grade", "-a", "softmax", "-o", str(tmp_path), "--seed", "4", *map(str, EXAMPLES.iterdir()))
    assert result.returncode == ExitCode.OK, result.stderr
    report = json.loads((tmp_path / "ada_loops.json").read_text())
    assert report["score"] == report["max_score"] == 30


def test_an_assignment_needing_torch_says_how_to_install_it(venv, tmp_path):
    result = run(venv, "grade", "-a", "attention", "-o", str(tmp_path), str(EXAMPLES / "ada_loops.py"))
    assert result.returncode == ExitCode.USAGE
    assert "pip install 'mlgrader[torch]'" in result.stderr
    assert not list(tmp_path.iterdir())


def test_init_copies_the_shipped_course_for_an_instructor(venv, tmp_path):
    course = tmp_path / "my-course"
    assert run(venv, "init", str(course)).returncode == ExitCode.OK
    assert (course / "reference" / "softmax.py").is_file() and (course / "rubrics" / "softmax.toml").is_file()
    inside = run(venv, "list", cwd=course)
    assert inside.returncode == ExitCode.OK and "softmax" in inside.stdout
    again = run(venv, "init", str(course))
    assert again.returncode == ExitCode.USAGE and "is not empty" in again.stderr


def test_a_course_folder_that_is_not_one_is_a_usage_error(venv, tmp_path):
    result = run(venv, "list", "--course", str(tmp_path))
    assert result.returncode == ExitCode.USAGE
    assert "grader init" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("without", [(), ("--without", "namespaces")])
def test_the_course_inside_the_installed_package_is_invisible_to_student_code(venv, tmp_path, without):
    """A wheel carries the course (references and mistakes included) inside site-packages,
    which the sandbox shows read-only: that one folder is hidden, with or without namespaces."""
    fixture = ROOT / "tests" / "submissions" / "reads_the_course_shipped_inside_the_installed_package.py"
    result = run(venv, "grade", "-a", "softmax", "-o", str(tmp_path), "--seed", "4", *without, str(fixture))
    assert result.returncode == ExitCode.OK, result.stderr
    report = json.loads(next(tmp_path.glob("*.json")).read_text())
    output = report["output"]["text"]
    assert "listing" in output, "the fixture looked inside the installed package"
    assert "THREAT SUCCEEDED" not in output and "blocked:" in output
    assert report["score"] <= 1  # at most the property probe a constant answer can pass
