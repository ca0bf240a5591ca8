"""The course: for every assignment, every correct alternative gets full marks, every
known mistake loses points and is diagnosed as itself (the audit, through the worker),
templates are generated, hold no solution, and fail cleanly with a message per function."""
from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from conftest import ROOT
from grader import assignment, audit, degenerate, rubric, template, validation

NAMES = assignment.names(ROOT)


def test_the_seven_assignments_are_there():
    assert NAMES == ("attention", "batchnorm", "conv", "lstm", "ols", "softmax", "two_layer_net")


AUDIT_SEEDS = 2  # grader audit --all --seeds 5 (and 20, by hand) is green too; 2 keeps CI short


@pytest.mark.parametrize("name", NAMES)
def test_audit_finds_nothing(name, course, layers, workers):
    """grader audit -a NAME --seeds 2: mistakes lose points with their own diagnosis and the
    same tests catch each on both seeds, alternatives keep all, and the degenerate
    submissions (every function `pass`, raising, returning its first argument or zeros)
    and the untouched templates score 0 on every test that uses a function doing no work."""
    found = course[name]
    lines = []
    findings = audit.run(found, rubric.load(found), layers, seed=2024, seeds=AUDIT_SEEDS, echo=lines.append,
                         workers=workers)
    assert findings == 0, "\n".join(lines)
    assert len(found.mistake_paths) >= 10 and len(found.alternative_paths) >= 4
    degenerates = [line for line in lines if line.startswith("    ") and ("every function" in line or "template" in line)]
    assert len(degenerates) >= len(degenerate.FORMS) + 2
    for line in degenerates:  # "  2/60  every function and method: pass (kept: ...); 2 from tests of kept code only"
        earned = float(line.split("; ")[1].split(" from")[0]) if "kept code only" in line else 0.0
        assert float(line.split("/")[0]) == earned, line


@pytest.mark.parametrize("name", NAMES)
def test_untouched_template_scores_zero_with_a_message_per_function(name, course, grade):
    found = course[name]
    for path in found.template_paths:
        report = grade(path, name=name)
        assert report["score"] == 0 and not report["load_errors"]
        for test in report["tests"]:
            assert test["status"] == "error", (path.name, test["id"])
            assert "NotImplementedError" in test["message"]
            assert "write your implementation here" in test["message"]


@pytest.mark.parametrize("name", NAMES)
def test_template_is_generated_and_holds_no_solution(name, course):
    found = course[name]
    script, notebook = found.template_paths
    assert notebook.read_text(encoding="utf-8") == template.render(script)
    assert validation._templates(found) == []  # every function body only raises
    module = ast.parse(script.read_text(encoding="utf-8"))
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Expr)
    assert all(isinstance(node, allowed) for node in module.body), "template runs code at module level"


@pytest.mark.parametrize("name", NAMES)
def test_template_matches_the_reference_signatures_and_docstrings(name, course):
    found = course[name]
    template_defs = _definitions(found.template_paths[0])
    reference_defs = _definitions(found.reference_path)
    for contract_name in found.functions:
        assert template_defs[contract_name] == reference_defs[contract_name], contract_name


def _definitions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = (ast.dump(node.args), ast.get_docstring(node))
        elif isinstance(node, ast.ClassDef):
            methods = {m.name: (ast.dump(m.args), ast.get_docstring(m)) for m in node.body
                       if isinstance(m, ast.FunctionDef) and not m.name.startswith("_") or
                       isinstance(m, ast.FunctionDef) and m.name == "__init__"}
            found[node.name] = (ast.get_docstring(node), methods)
    return found


@pytest.mark.parametrize("name", NAMES)
def test_every_assignment_has_a_student_readme(name, course):
    readme = course[name].folder / "README.md"
    assert readme.is_file() and "grader check" in readme.read_text()


def test_grader_validate_passes():
    result = subprocess.run([sys.executable, "-m", "grader.cli_entry", "validate"], capture_output=True,
                            text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
