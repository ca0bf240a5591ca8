"""`grader validate`: is every assignment of the course consistent and sound?

Per assignment: metadata and rubric follow their schemas and agree with the probes; the
reference passes its own probes, deterministically for a seed; the notebook template is
the one generated from template.py; the templates hold no solution (every contract
function only raises NotImplementedError) and load and fail cleanly in the worker; every
mistake module has a well-formed docstring; and no test pays for no work: the templates
and the degenerate submissions generated from the reference (grader.degenerate) score 0
on every test that uses a function doing no work.
"""
from __future__ import annotations

import ast
from pathlib import Path

from grader import assignment as course
from grader import compare, protocol, rubric, sandbox, template
from grader.audit import degenerate_findings
from grader.diagnosis import parse_docstring
from grader.pool import Pool
from grader.schema import SchemaError

SEEDS = (0, 1)


def run(root: Path, echo=print) -> int:
    """Check every assignment; print one line per problem; return how many there were."""
    problems = 0
    layers = sandbox.detect()
    workers = Pool(1, cgroups=layers.cgroups)
    try:
        for name in course.names(root):
            found = [f"{name}: {p}" for p in check(name, root, layers, workers)]
            for problem in found:
                echo(problem)
            echo(f"{name}: {'ok' if not found else f'{len(found)} problem(s)'}")
            problems += len(found)
    finally:
        workers.close()
    return problems


def check(name: str, root: Path, layers, workers: Pool) -> list[str]:
    try:
        found = course.load(name, root)
        scores = rubric.load(found)
    except (course.CourseError, SchemaError) as exc:
        return [str(exc)]
    problems = _reference(found) + _templates(found) + _mistakes(found)
    if not problems:
        problems += _degenerate_grades(found, scores, layers, workers)
    return problems


def _reference(found: course.Assignment) -> list[str]:
    problems = []
    for probe in found.probes:
        try:
            first, again = (protocol.to_plain(probe.run(found.reference, SEEDS[0])) for _ in range(2))
            protocol.to_plain(probe.run(found.reference, SEEDS[1]))
        except Exception as exc:
            problems.append(f"the reference fails probe {probe.id}: {type(exc).__name__}: {exc}")
            continue
        if not compare.compare(again, first, 0.0, 0.0).ok:
            problems.append(f"probe {probe.id} is not deterministic for a seed on the reference")
    return problems


def _templates(found: course.Assignment) -> list[str]:
    script, notebook = found.template_paths
    if not script.is_file():
        return [f"{script} is missing"]
    problems = []
    if not notebook.is_file() or notebook.read_text(encoding="utf-8") != template.render(script):
        problems.append(f"{notebook} is not the notebook generated from {script.name}; "
                        f"run `grader template {found.name}`")
    tree = ast.parse(script.read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    for missing in sorted(set(found.functions) - defined):
        problems.append(f"{script.name} does not define `{missing}`")
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and not _only_raises(node):
            problems.append(f"{script.name}: `{node.name}` (line {node.lineno}) has a body; a template "
                            "function may only raise NotImplementedError")
    return problems


def _only_raises(function: ast.FunctionDef) -> bool:
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]  # the docstring
    return len(body) == 1 and isinstance(body[0], ast.Raise)


def _mistakes(found: course.Assignment) -> list[str]:
    problems = []
    for path in found.mistake_paths:
        try:
            parse_docstring(path.stem, ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))))
        except (ValueError, SyntaxError) as exc:
            problems.append(f"{path}: {exc}")
    return problems


def _degenerate_grades(found, scores, layers, workers) -> list[str]:
    """The untouched templates and the degenerate submissions (grader.degenerate) score 0
    on every test that uses a function doing no work, and fail cleanly."""
    prefix = f"{found.name}: "
    return [finding.removeprefix(prefix) for finding in
            degenerate_findings(found, scores, layers, workers, SEEDS[0], jobs=1, echo=lambda line: None)]
