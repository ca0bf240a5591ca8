"""Every command a message tells a person to run works as printed (grader.hint): each hint
is triggered, the command is taken from its backquotes and run as it is."""
from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from grader.cli import cli
from grader.exitcode import ExitCode

HINT = re.compile(r"`(grader [^`]+)`")
BEN = ROOT / "examples" / "softmax" / "ben_overflows.py"


def grader(*args, cwd=ROOT, env=None):
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("GRADER_COURSE", None)
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "grader.cli_entry", *map(str, args)], capture_output=True, check=False,
                          text=True, cwd=cwd, env=environment, timeout=600)


def hinted(output: str) -> list[list[str]]:
    """The grader commands a message names, split as a shell would split them."""
    return [shlex.split(command)[1:] for command in HINT.findall(" ".join(output.split("\n")))]


@pytest.fixture
def course(tmp_path) -> Path:
    root = tmp_path / "my course"  # a space: the hints quote paths
    for part in ("assignments/softmax", "reference/mistakes/softmax"):
        shutil.copytree(ROOT / part, root / part)
    for part in ("reference/softmax.py", "rubrics/softmax.toml"):
        (root / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / part, root / part)
    return root


def test_validate_names_the_template_command_with_the_course_and_it_works(course):
    notebook = course / "assignments" / "softmax" / "template.ipynb"
    notebook.write_text(notebook.read_text().replace("Softmax", "Softmax (edited by hand)", 1))
    first = grader("validate", "--course", course)
    assert first.returncode == ExitCode.TESTS_FAILED
    [command] = hinted(first.stdout)
    assert command == ["template", "softmax", "--course", str(course)]
    assert grader(*command, cwd=course.parent.parent).returncode == ExitCode.OK  # from anywhere
    assert grader("validate", "--course", course).returncode == ExitCode.OK


def test_a_course_file_that_does_not_import_names_validate_with_its_course(course):
    probes = course / "assignments" / "softmax" / "probes.py"
    probes.write_text(probes.read_text() + "\nundefined_name\n")
    result = grader("grade", "-a", "softmax", "--course", course, "-o", course / "out", BEN)
    assert result.returncode == ExitCode.GRADER_FAULT
    [command] = hinted(result.stderr)
    assert command == ["validate", "--course", str(course)]
    validated = grader(*command)
    assert validated.returncode == ExitCode.TESTS_FAILED and "NameError" in validated.stdout


def test_a_mistake_left_out_of_the_diagnoses_names_validate_with_its_course(course):
    mistake = course / "reference" / "mistakes" / "softmax" / "softmax_ignores_axis.py"
    mistake.write_text(mistake.read_text() + "print('no definition')\n")
    result = grader("check", "-a", "softmax", "--course", course, BEN)
    [command] = hinted(result.stderr)
    assert command == ["validate", "--course", str(course)]
    validated = grader(*command)
    assert validated.returncode == ExitCode.TESTS_FAILED and "is not a definition" in validated.stdout


def test_a_failing_canary_names_validate_with_its_course_and_validate_finds_the_cause(course):
    reference = course / "reference" / "softmax.py"  # a reference whose outputs change from run to run
    reference.write_text(reference.read_text().replace("import numpy as np", "import random\n\nimport numpy as np")
                         .replace("return float(np.sum(p[support]", "return random.random() + float(np.sum(p[support]"))
    result = grader("grade", "-a", "softmax", "--course", course, "-o", course / "out", BEN)
    assert result.returncode == ExitCode.GRADER_FAULT
    [command] = hinted(result.stderr)
    assert command == ["validate", "--course", str(course)]
    validated = grader(*command)
    assert validated.returncode == ExitCode.TESTS_FAILED
    assert "probe kl_divergence_dense is not deterministic for a seed on the reference" in validated.stdout


def test_no_course_names_init_and_init_names_list_and_validate(tmp_path):
    missing = grader("list", env={"GRADER_COURSE": str(tmp_path / "nowhere")})
    assert missing.returncode == ExitCode.USAGE
    [command] = hinted(missing.stderr)
    assert command == ["init", "my-course"]
    made = grader(*command, cwd=tmp_path)
    assert made.returncode == ExitCode.OK, made.stderr
    commands = hinted(made.stdout)
    assert [c[0] for c in commands] == ["list", "validate"]
    listed = grader(*commands[0], cwd=tmp_path)
    assert listed.returncode == ExitCode.OK and "softmax" in listed.stdout
    validated = grader(*commands[1], cwd=tmp_path)
    assert validated.returncode == ExitCode.OK, validated.stdout


def _messages(path: Path) -> list[str]:
    """The string literals of a module that are not docstrings (f-strings with their
    placeholders as {})."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            found.append("".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values))
    return found


def test_every_command_a_message_names_exists_with_the_options_it_gives():
    """The static side: a backquoted `grader ...` in any message of the package names a
    command of the CLI, and each option it passes is one of that command's options. The
    tests above run the hints whose words are filled in at run time."""
    checked = 0
    for path in sorted((ROOT / "grader").rglob("*.py")):
        for message in _messages(path):
            for command in HINT.findall(message):
                words = command.split()
                assert words[1] in cli.commands, f"{path.name}: `{command}` names no command"
                options = {o for p in cli.commands[words[1]].params for o in getattr(p, "opts", [])}
                for word in words[2:]:
                    assert not word.startswith("-") or word in options, f"{path.name}: `{command}`: {word}"
                checked += 1
    assert checked >= 3
