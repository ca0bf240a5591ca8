"""`grader validate`: is every assignment of the course consistent and sound?

Per assignment: metadata and rubric follow their schemas and agree with the probes; the
reference passes its own probes, deterministically for a seed; the notebook template is
the one generated from template.py; the templates hold no solution (every contract
function only raises NotImplementedError) and load and fail cleanly in the worker; every
mistake module has a well-formed docstring.
"""
from __future__ import annotations

import ast
from pathlib import Path

from grader import assignment as course
from grader import compare, protocol, rubric, sandbox, template
from grader.diagnosis import parse_docstring
from grader.grading import Grader, Options
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
        problems += _template_grades(found, scores, layers, workers)
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


def _template_grades(found, scores, layers, workers) -> list[str]:
    problems = []
    with Grader(found, scores, layers, Options(seed=SEEDS[0], diagnose=False), workers=workers) as grader:
        for path in found.template_paths:
            document = grader.grade(path)
            if document["score"] != 0 or document["load_errors"]:
                problems.append(f"{path.name} scores {document['score']} with load errors "
                                f"{document['load_errors']}; an untouched template must load and score 0")
            unclean = [t["id"] for t in document["tests"] if t["status"] in ("timeout", "crashed")]
            if unclean:
                problems.append(f"{path.name}: tests {', '.join(unclean)} time out or crash instead of failing cleanly")
    return problems
