"""CI: --fail-under and its exit code, the Markdown summary and GitHub's job summary, and
the recipes in examples/ci (every grader command they run exists with those options)."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from conftest import ROOT

from grader import cli, text
from grader.exitcode import ExitCode
from grader.scoring import Threshold

EXAMPLES = ROOT / "examples" / "softmax"
RECIPES = sorted((ROOT / "examples" / "ci").glob("*.yml"))


def _grade(tmp_path, *args, env=None):
    return subprocess.run([sys.executable, "-m", "grader.cli_entry", "grade", "-a", "softmax", "-o",
                           str(tmp_path / "out"), "--seed", "3", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, env={**os.environ, **(env or {})}, check=False)


@pytest.mark.parametrize(("given", "score", "met"), [
    ("22", 22, True), ("22", 21.99, False), ("73.3%", 22, True), ("73.4%", 22, False), ("100%", 30, True),
    ("0%", 0, True), ("0", 0, True)])
def test_a_threshold_is_points_or_a_percentage_of_the_maximum(given, score, met):
    assert Threshold.parse(given).met(score, 30) is met


@pytest.mark.parametrize("given", ["eighty", "80 %%", "-1", "101%", "nan", "inf", ""])
def test_a_threshold_that_is_neither_is_refused(given):
    with pytest.raises(ValueError):
        Threshold.parse(given)


def test_fail_under_exits_1_below_it_and_0_at_it_and_says_which(tmp_path):
    ben = str(EXAMPLES / "ben_overflows.py")  # 22/30 at this seed
    below = _grade(tmp_path, "--fail-under", "23", ben)
    assert below.returncode == ExitCode.TESTS_FAILED
    assert "1 of 1 submissions scored below 23 points" in below.stderr
    assert (tmp_path / "out" / "ben_overflows.json").exists()  # the report is written all the same
    assert _grade(tmp_path, "--fail-under", "22", ben).returncode == ExitCode.OK
    assert _grade(tmp_path, "--fail-under", "70%", ben, str(EXAMPLES / "ada_loops.py")).returncode == ExitCode.OK
    bad = _grade(tmp_path, "--fail-under", "most", ben)
    assert bad.returncode == ExitCode.USAGE and "--fail-under" in bad.stderr
    assert not (tmp_path / "out" / "most").exists()


def test_the_summary_goes_to_the_file_and_to_the_github_step_summary(tmp_path):
    step = tmp_path / "step.md"
    step.write_text("earlier step\n")
    result = _grade(tmp_path, "--summary-md", str(tmp_path / "summary.md"), *map(str, sorted(EXAMPLES.iterdir())),
                    env={"GITHUB_STEP_SUMMARY": str(step)})
    assert result.returncode == ExitCode.OK, result.stderr
    summary = (tmp_path / "summary.md").read_text()
    assert step.read_text() == "earlier step\n" + summary + "\n"
    assert summary.startswith("## softmax: 5 submissions")
    assert "| ada\\_loops.py | 30/30 |  |" in summary
    assert "### Diagnoses" in summary and "**ben\\_overflows.py**, softmax\\_large\\_logits: Matches a known" in summary


def test_the_summary_for_students_leaves_out_hidden_diagnoses(tmp_path):
    ben = str(EXAMPLES / "ben_overflows.py")
    _grade(tmp_path, "--summary-md", str(tmp_path / "i.md"), ben)
    _grade(tmp_path, "--summary-md", str(tmp_path / "s.md"), "--audience", "student", ben)
    instructor, student = (tmp_path / "i.md").read_text(), (tmp_path / "s.md").read_text()
    assert "softmax\\_large\\_logits: Matches" in instructor  # a hidden test
    assert "softmax\\_large\\_logits: Matches" not in student
    assert "cross\\_entropy\\_batch: Matches" in student  # a visible one


def test_student_text_in_the_summary_is_inert_markdown():
    assert text.markdown("a|b") == "a\\|b"
    assert text.markdown("[x](http://evil) <img src=x> `c`") == "\\[x\\](http://evil) \\<img src=x\\> \\`c\\`"
    assert "\n" not in text.markdown("two\nlines")


def _commands(recipe: Path) -> list[str]:
    """Every shell line a GitHub workflow (steps' run) or a GitLab job (script,
    before_script, after_script) runs."""
    document = yaml.safe_load(recipe.read_text())
    lines = []
    for job in (document.get("jobs") or {}).values():
        for step in job.get("steps", []):
            lines += step.get("run", "").splitlines()
    for name, job in document.items():
        if isinstance(job, dict) and name not in ("default", "jobs", "on", True):
            for key in ("before_script", "script", "after_script"):
                lines += job.get(key, [])
    return [line.strip() for line in lines if line.strip()]


def check_grader_command(line: str) -> list[str]:
    """Problems of one `grader ...` command line: an unknown command, option or choice."""
    words = shlex.split(line.split("||")[0])
    command = cli.cli.get_command(click.Context(cli.cli), words[1]) if len(words) > 1 else None
    if command is None:
        return [f"{line}: no such command"]
    options = {opt: param for param in command.params if isinstance(param, click.Option)
               for opt in param.opts + param.secondary_opts}
    problems = []
    for index, word in enumerate(words[2:], start=2):
        if not word.startswith("-"):
            continue
        name = word.split("=", 1)[0]
        if name not in options:
            problems.append(f"{line}: {words[1]} has no option {name}")
            continue
        param = options[name]
        if isinstance(param.type, click.Choice) and not param.is_flag:
            value = word.split("=", 1)[1] if "=" in word else words[index + 1]
            if value not in param.type.choices:
                problems.append(f"{line}: {name} {value} is not one of {param.type.choices}")
    return problems


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_every_ci_recipe_parses_and_runs_only_commands_the_cli_has(recipe):
    commands = _commands(recipe)
    graders = [line for line in commands if line.startswith("grader ")]
    assert graders, f"{recipe.name} runs no grader command"
    problems = [problem for line in graders for problem in check_grader_command(line)]
    assert not problems
    for line in commands:
        assert line.split()[0] in ("grader", "pip", "pytest"), f"{recipe.name}: unexpected command {line!r}"


def test_the_recipes_cover_a_student_and_an_instructor_repository_and_gitlab_junit():
    names = {p.name for p in RECIPES}
    assert {"github-student.yml", "github-instructor.yml", "gitlab-ci.yml"} <= names
    gitlab = yaml.safe_load((ROOT / "examples" / "ci" / "gitlab-ci.yml").read_text())
    assert all(job["artifacts"]["reports"]["junit"] == "junit.xml" for name, job in gitlab.items() if name != "default")
    student = _commands(ROOT / "examples" / "ci" / "github-student.yml")
    assert "grader check softmax.py" in student and "pytest --junitxml=junit.xml" in student


def test_the_command_checker_is_not_vacuous():
    assert check_grader_command("grader grade -a softmax --fail-under 80% x") == []
    assert check_grader_command("grader grdae -a softmax x")
    assert check_grader_command("grader grade --fail-undr 3 x")
    assert check_grader_command("grader export -f pdf x.json")
