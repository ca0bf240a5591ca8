"""The README's "For students" and "In CI" sections: their commands run as written."""
from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from test_ci import check_grader_command

from grader import release, rubric

README = (ROOT / "README.md").read_text()


def _section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end != -1 else None]


def _commands(title: str) -> list[str]:
    """The indented command lines (code blocks) of a section."""
    return [line.strip() for line in _section(title).splitlines() if line.startswith("    ") and line.strip()]


def _bin(folder: Path) -> dict:
    """`grader` and `pytest` on PATH, as an installed grader gives them (this checkout's)."""
    folder.mkdir()
    for name, module in (("grader", "grader.cli_entry"), ("pytest", "pytest -p grader.plugin")):
        script = folder / name
        script.write_text(f"#!/bin/sh\nexec {sys.executable} -m {module} \"$@\"\n")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # the plugin once, by -p, whatever egg-info is near


@pytest.mark.parametrize("title", ["For students", "In CI"])
def test_the_sections_exist_and_name_only_commands_the_cli_has(title):
    commands = _commands(title)
    assert commands
    assert not [p for line in commands if line.startswith("grader ") for p in check_grader_command(line)]


def test_the_students_commands_work_in_a_release_folder(tmp_path, layers, workers, course):
    folder = tmp_path / "hw"
    release.build(course["softmax"], rubric.load(course["softmax"]), layers, folder, seed=4, workers=workers)
    shutil.copy(ROOT / "examples" / "softmax" / "ada_loops.py", folder / "softmax.py")
    env = _bin(tmp_path / "bin")
    for line in _commands("For students"):
        if line.startswith("import grader"):  # a notebook's cell: in a kernel that ran the solution first
            kernel = ("import sys\nfrom IPython.core.interactiveshell import InteractiveShell\n"
                      "shell = InteractiveShell.instance()\n"
                      "shell.run_cell(open('softmax.py').read(), store_history=True)\n"
                      f"outcome = shell.run_cell({line!r}, store_history=True)\n"
                      "sys.exit(0 if outcome.result.passed else 1)\n")
            command = [sys.executable, "-c", kernel]
            env = {**env, "IPYTHONDIR": str(tmp_path / "ipython")}
        else:
            command = ["sh", "-c", line]
        result = subprocess.run(command, capture_output=True, text=True, cwd=folder, env=env, timeout=300,
                                check=False)
        assert result.returncode == 0, (line, result.stdout[-2000:], result.stderr[-2000:])
    assert (folder / "junit.xml").exists()


def test_the_ci_commands_work_on_a_class_folder(tmp_path):
    shutil.copytree(ROOT / "examples" / "softmax", tmp_path / "submissions")
    env = _bin(tmp_path / "bin")
    for line in _commands("In CI"):
        result = subprocess.run(["sh", "-c", line], capture_output=True, text=True, cwd=tmp_path, env=env,
                                timeout=600, check=False)
        if "--fail-under" in line:  # some example students are below 60%... or not: the exit says which
            below = re.search(r"(\d+) of \d+ submissions scored below", result.stderr)
            assert result.returncode == (1 if below else 0), result.stderr[-2000:]
        else:
            assert result.returncode == 0, (line, result.stderr[-2000:])
    for made in ("summary.md", "junit.xml", "autograder.zip", "reports", "gradescope"):
        assert (tmp_path / made).exists(), made
    assert len(list((tmp_path / "gradescope").glob("*.json"))) == 5
