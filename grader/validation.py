"""`grader validate`: is every assignment of the course consistent and sound?

Per assignment: metadata and rubric follow their schemas and agree with the probes; the
reference passes its own probes, deterministically for a seed; the notebook template is
the one generated from template.py; the templates hold no solution (every contract
function raises NotImplementedError before it could return) and load and fail cleanly in the worker; every
mistake file has a well-formed docstring, composes with the reference (grader.mistake)
and imports, changes every definition it holds, and its texts (which reach students)
quote no line of the reference; the allow-list of equivalent mutants (grader.mutation)
follows its schema; and no test pays for no work: the templates
and the degenerate submissions generated from the reference (grader.degenerate) score 0
on every test that uses a function doing no work.
"""
from __future__ import annotations

import ast
from pathlib import Path

from grader import assignment as course, syntax
from grader import compare, hint, mistake, protocol, rubric, sandbox, template
from grader.audit import degenerate_findings
from grader.pool import Pool
from grader.schema import SchemaError

SEEDS = (0, 1)
QUOTED_CHARACTERS = 12  # as grader.release: `return out` gives nothing away


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
    problems = _reference(found) + _templates(found) + _mistakes(found) + _equivalent_mutants(found)
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
    try:
        tree = syntax.parse(script.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError) as exc:
        return [f"{script} cannot be parsed: {exc}"]
    problems = []
    if not notebook.is_file() or notebook.read_text(encoding="utf-8") != template.render(script):
        problems.append(f"{notebook} is not the notebook generated from {script.name}; "
                        f"{hint.run('template', found.name, course=found.root)}")
    defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    for missing in sorted(set(found.functions) - defined):
        problems.append(f"{script.name} does not define `{missing}`")
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and not _raises_first(node):
            problems.append(f"{script.name}: `{node.name}` (line {node.lineno}) does not raise NotImplementedError "
                            "before it could return: a template function raises it where its solution goes")
    return problems


def _raises_first(function: ast.FunctionDef) -> bool:
    """Does ``function`` raise NotImplementedError (a statement of its body) before any
    statement that could return? Lines before the raise are the template's scaffolding
    (grader.solution keeps a function's lines outside its solution region)."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]  # the docstring
    for statement in body:
        if isinstance(statement, ast.Raise) and "NotImplementedError" in ast.unparse(statement.exc or ast.Pass()):
            return True
        if any(isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)) for node in ast.walk(statement)):
            return False
    return False


def _mistakes(found: course.Assignment) -> list[str]:
    reference = found.reference_path.read_text(encoding="utf-8")
    quotable = _quotable(found, reference)
    problems = []
    for path in found.mistake_paths:
        problems += [f"{path}: {problem}" for problem in _mistake(found, path, reference, quotable)]
    return problems


def _equivalent_mutants(found: course.Assignment) -> list[str]:
    """The allow-list of `grader audit --mutants` follows its schema (whether each entry names a
    mutant is the audit's check: it generates them)."""
    from grader import mutation
    try:
        mutation.equivalents(found)
    except course.CourseError as exc:
        return [str(exc)]
    return []


def _mistake(found: course.Assignment, path: Path, reference: str, quotable: list[str]) -> list[str]:
    source = path.read_text(encoding="utf-8")
    try:
        misconception, fix = mistake.parse_docstring(path.stem, ast.get_docstring(syntax.parse(source)))
        changes = mistake.changes(reference, source, str(path))
        composed = mistake.compose(reference, source, str(path))
    except (ValueError, SyntaxError, course.CourseError) as exc:
        return [str(exc).removeprefix(f"{path}: ").removeprefix(f"{path} ")]
    problems = [f"`{c.name}` (line {c.line}) is the reference's own; a mistake file holds only the definitions "
                "it changes: delete it" for c in changes if not c.differs]
    if not changes:
        problems.append("changes nothing: give the definitions the mistake changes, as they would be in the reference")
    told = _compact(f"{misconception} {fix}")
    problems += [f"its docstring quotes the reference's line `{line}`, and releases show it to students: say "
                 "what to change without giving the solution's code" for line in quotable if _compact(line) in told]
    try:
        mistake.load_composed(composed, f"_grader_validate_{found.name}_{path.stem}", str(path))
    except Exception as exc:  # noqa: BLE001 - any fault of a course file
        problems.append(f"the reference with this mistake does not import: {type(exc).__name__}: {exc}")
    return problems


def _quotable(found: course.Assignment, reference: str) -> list[str]:
    """The reference's code lines (``mistake.code_lines``) that students do not see
    anyway in the template or the README, and long enough to give something away."""
    public = ""
    for path in (found.template_paths[0], found.folder / "README.md"):
        if path.is_file():
            public += _compact(path.read_text(encoding="utf-8"))
    return [line for line in mistake.code_lines(reference)
            if len(_compact(line)) >= QUOTED_CHARACTERS and _compact(line) not in public]


def _compact(text: str) -> str:
    """``text`` without whitespace: a quoted line is recognised whatever its spacing."""
    return "".join(text.split())


def _degenerate_grades(found, scores, layers, workers) -> list[str]:
    """The untouched templates and the degenerate submissions (grader.degenerate) score 0
    on every test that uses a function doing no work, and fail cleanly."""
    prefix = f"{found.name}: "
    return [finding.removeprefix(prefix) for finding in
            degenerate_findings(found, scores, layers, workers, SEEDS[0], jobs=1, echo=lambda line: None)]
