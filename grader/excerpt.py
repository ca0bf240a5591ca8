"""Excerpts of a probe module: only the probes a run needs, and what they use.

The worker child gets such an excerpt (as source text) instead of the path of the
assignment's ``probes.py``: student code, which can reach every object of the child,
finds no host path, no probe that is not being run (a ``grader check`` child holds
no hidden probe at all) and no docstring or comment.

Kept, from the module's top level: every import; the requested probes; every other
function, class or simple assignment that a kept statement names (transitively);
any other statement (it might have effects). Docstrings are removed everywhere.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable
from grader import syntax

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)


def excerpt(source: str, tests: Iterable[str]) -> str:
    """The source of a module holding the top-level functions named in ``tests`` and
    everything they use; SyntaxError if ``source`` does not parse, LookupError naming
    the tests that are not functions of it."""
    module = syntax.parse(source)
    body = [node for node in module.body if not _is_docstring(node)]
    defined = {node: _names_defined(node) for node in body if isinstance(node, _DEFINITIONS)}
    functions = {name for node, names in defined.items() if isinstance(node, ast.FunctionDef) for name in names}
    absent = sorted(set(tests) - functions)
    if absent:
        raise LookupError(f"the probe module defines no function {', '.join(absent)}")
    wanted = set(tests)
    kept = [node for node in body if node not in defined or defined[node] & wanted]
    while True:
        used = set().union(*(_names_used(node) for node in kept))
        more = [node for node in body if node not in kept and defined[node] & used]
        if not more:
            break
        kept += more
    kept.sort(key=body.index)
    for node in kept:
        _strip_docstrings(node)
    return ast.unparse(ast.Module(body=kept, type_ignores=[])) + "\n"


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _names_defined(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = {target.id for target in targets if isinstance(target, ast.Name)}
    if len(names) != len(targets):  # an attribute or tuple target: keep it, whatever it does
        return {"*"}
    return names


def _names_used(node: ast.stmt) -> set[str]:
    return {child.id for child in ast.walk(node) if isinstance(child, ast.Name)} | {"*"}


def _strip_docstrings(node: ast.AST) -> None:
    for child in ast.walk(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child.body \
                and _is_docstring(child.body[0]):
            child.body = child.body[1:] or [ast.Pass()]
