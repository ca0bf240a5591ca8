"""Known mistakes as overrides of the reference: a mistake file holds only what it changes.

A mistake file (``reference/mistakes/<assignment>/<name>.py``) is what an author writes
to describe one bug: its docstring (the misconception, then ``Fix: ...``), the imports it
uses, and only the definitions the bug changes, written as they would be in the
reference::

    \"\"\"cross_entropy sums the per-example losses instead of averaging them.

    Fix: Divide by the number of examples (take the mean).
    \"\"\"
    import numpy as np


    def cross_entropy(logits, labels):
        log_p = log_softmax(logits, axis=1)
        return float(-np.sum(log_p[np.arange(logits.shape[0]), labels]))

``compose`` makes the submission it stands for: the reference's source with every
top-level function, class or assignment of the same name replaced by the mistake's, in
place. A class in a mistake names the reference's class and lists only the members it
changes (``class BatchNorm1d:`` with one ``def eval(self): ...``); the other members are
the reference's, and the mistake's class statement (bases, decorators) is used. A
definition the reference does not have (a new helper) goes before the first replaced
one; an import the reference lacks goes after its imports. Because the rest of the
module is the reference's, a mistake that changes a helper (``output_size``) changes
every reference function that calls it. The composed module's docstring is the
mistake's.

Everything in a mistake file must be one of these: a docstring, an import, a ``def``, a
``class`` or an assignment to a name; anything else is a CourseError naming the line.
"""
from __future__ import annotations

import ast
import io
import linecache
import sys
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from grader.assignment import Assignment, CourseError
from grader import syntax

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_IMPORTS = (ast.Import, ast.ImportFrom)


def parse_docstring(name: str, doc: str | None) -> tuple[str, str]:
    """(misconception, fix) from a mistake's docstring; ValueError if malformed."""
    paragraphs = [" ".join(p.split()) for p in (doc or "").strip().split("\n\n") if p.strip()]
    fixes = [p for p in paragraphs if p.startswith("Fix:")]
    if not paragraphs or not fixes or paragraphs[0].startswith("Fix:"):
        raise ValueError(f"mistake {name}: its docstring must be 'misconception\\n\\nFix: how to fix it'")
    return paragraphs[0], fixes[0][len("Fix:"):].strip()


@dataclass(frozen=True)
class Change:
    """One definition of a mistake file: ``name`` (``f`` or ``Class.method``), and whether
    it differs from the reference's (docstrings aside); ``new`` when the reference has none."""

    name: str
    line: int
    differs: bool
    new: bool


def _statement_name(node: ast.stmt) -> str | None:
    if isinstance(node, _DEFINITIONS):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def _docstring_node(body: list[ast.stmt]) -> ast.Expr | None:
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first
    return None


def _parse(source: str, label: str) -> ast.Module:
    try:
        return syntax.parse(source)
    except SyntaxError as exc:
        raise CourseError(f"{label} line {exc.lineno}: {exc.msg}; a mistake file must be valid Python") from exc


def _members(body: list[ast.stmt], label: str, where: str) -> dict[str, ast.stmt]:
    """The named statements of a module or class body (the docstring and, at module level,
    imports aside); anything else is a CourseError."""
    found: dict[str, ast.stmt] = {}
    for node in body[1:] if _docstring_node(body) else body:
        if isinstance(node, _IMPORTS) and where == "module":
            continue
        name = _statement_name(node)
        if name is None:
            snippet = ast.unparse(node).splitlines()[0][:60]
            raise CourseError(f"{label} line {node.lineno}: `{snippet}` is not a definition; a mistake file holds "
                              f"its docstring, imports, and the functions, classes or assignments it changes "
                              f"(in a {where} body)")
        found[name] = node
    return found


def _shape(node: ast.stmt) -> str:
    """The statement without docstrings, for telling whether two definitions differ."""
    node = syntax.parse(ast.unparse(node)).body[0]
    for each in ast.walk(node):
        if isinstance(each, _DEFINITIONS) and _docstring_node(each.body):
            each.body = each.body[1:] or [ast.Pass()]
    return ast.dump(node)


def changes(reference: str, override: str, label: str = "mistake") -> list[Change]:
    """Every definition of ``override`` (methods of a class one by one), compared with the
    reference's. Raises CourseError when ``override`` is not a well-formed mistake file."""
    theirs = _members(_parse(reference, "the reference").body, "the reference", "module")
    found = []
    for name, node in _members(_parse(override, label).body, label, "module").items():
        base = theirs.get(name)
        if isinstance(node, ast.ClassDef) and isinstance(base, ast.ClassDef):
            methods = _members(base.body, "the reference", "class")
            for member, each in _members(node.body, label, "class").items():
                known = methods.get(member)
                found.append(Change(f"{name}.{member}", each.lineno,
                                    known is None or _shape(known) != _shape(each), known is None))
            if _header(node) != _header(base):
                found.append(Change(f"{name} (class statement)", node.lineno, True, False))
        else:
            found.append(Change(name, node.lineno, base is None or _shape(base) != _shape(node), base is None))
    return found


def _header(node: ast.ClassDef) -> str:
    return ast.dump(ast.ClassDef(node.name, node.bases, node.keywords, [], node.decorator_list))


class _Source:
    """A parsed source with the text spans of its statements."""

    def __init__(self, source: str, label: str):
        self.lines = source.splitlines()
        self.tree = _parse(source, label)
        self.label = label

    def start(self, node: ast.stmt, comments: bool = False) -> int:
        """0-based first line of ``node`` (its decorators, and with ``comments`` the comment
        lines right above it)."""
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        while comments and first > 0 and self.lines[first - 1].lstrip().startswith("#"):
            first -= 1
        return first

    def text(self, node: ast.stmt, indent: int, comments: bool = True) -> list[str]:
        """The lines of ``node``, moved to ``indent`` columns."""
        lines = self.lines[self.start(node, comments):node.end_lineno]
        if node.col_offset == indent:
            return lines
        return textwrap.indent(textwrap.dedent("\n".join(lines)), " " * indent).splitlines()


def compose(reference: str, override: str, label: str = "mistake") -> str:
    """The module a mistake stands for: ``reference`` with the definitions of ``override``
    in place of its own (see the module docstring). Raises CourseError naming ``label``
    when ``override`` is malformed or the result does not compile."""
    ref, mine = _Source(reference, "the reference"), _Source(override, label)
    theirs = _members(ref.tree.body, "the reference", "module")
    ours = _members(mine.tree.body, label, "module")
    replace: dict[int, list[str]] = {}  # index of a reference statement -> its new lines
    added: list[str] = []
    for name, node in ours.items():
        base = theirs.get(name)
        if base is None:
            added += [""] * 2 + mine.text(node, 0)
        elif isinstance(node, ast.ClassDef) and isinstance(base, ast.ClassDef):
            replace[ref.tree.body.index(base)] = _merged_class(ref, base, mine, node)
        else:
            replace[ref.tree.body.index(base)] = mine.text(node, 0)
    out = _spliced(ref, replace, added)
    out = _with_imports(out, mine, ref)
    out = _with_docstring(out, mine)
    composed = "\n".join(out).rstrip("\n") + "\n"
    try:
        compile(composed, label, "exec")
    except SyntaxError as exc:
        raise CourseError(f"{label}: the reference with this mistake's definitions does not compile "
                          f"(line {exc.lineno}: {exc.msg})") from exc
    return composed


def _spliced(ref: _Source, replace: dict[int, list[str]], added: list[str]) -> list[str]:
    out: list[str] = []
    position = 0
    first_replaced = min(replace, default=None)
    for index, node in enumerate(ref.tree.body):
        start = ref.start(node)
        if start < position:
            raise CourseError(f"the reference line {node.lineno}: two statements share a line; "
                              "put each on its own line so that mistakes can replace them")
        out += ref.lines[position:start]
        if index == first_replaced and added:
            out += added[2:] + ["", ""]
        out += replace.get(index, ref.lines[start:node.end_lineno])
        position = node.end_lineno
    out += ref.lines[position:]
    if first_replaced is None and added:
        out += added
    return out


def _merged_class(ref: _Source, base: ast.ClassDef, mine: _Source, node: ast.ClassDef) -> list[str]:
    """The reference's class with the members of the mistake's class in place of its own
    (new members at the end), under the mistake's class statement."""
    label = mine.label
    members = _members(node.body, label, "class")
    known = {name: each for name, each in _members(base.body, "the reference", "class").items()}
    indent = base.body[0].col_offset
    body_start = ref.start(base.body[0], comments=True)
    header = ref.lines[ref.start(base):body_start] if _header(node) == _header(base) else \
        mine.lines[mine.start(node):mine.start(node.body[0], comments=True)]
    if _header(node) != _header(base) and node.body[0].lineno == node.lineno:
        raise CourseError(f"{label} line {node.lineno}: put the class body on its own lines")
    lines: list[str] = list(header)
    position = body_start
    doc = _docstring_node(node.body)
    for each in base.body:
        start = ref.start(each)
        lines += ref.lines[position:start]
        name = _statement_name(each)
        if each is _docstring_node(base.body) and doc is not None:
            lines += mine.text(doc, indent, comments=False)
        elif name in members:
            lines += mine.text(members[name], indent)
        else:
            lines += ref.lines[start:each.end_lineno]
        position = each.end_lineno
    for name, each in members.items():
        if name not in known:
            lines += [""] + mine.text(each, indent)
    return lines


def _with_imports(out: list[str], mine: _Source, ref: _Source) -> list[str]:
    """``out`` with the mistake's imports that the reference lacks, after the reference's
    imports (``from __future__`` ones first)."""
    present = {ast.dump(node) for node in ref.tree.body if isinstance(node, _IMPORTS)}
    wanted = [node for node in mine.tree.body if isinstance(node, _IMPORTS) and ast.dump(node) not in present]
    if not wanted:
        return out
    tree = syntax.parse("\n".join(out))
    imports = [node for node in tree.body if isinstance(node, _IMPORTS)]
    doc = _docstring_node(tree.body)
    after = imports[-1].end_lineno if imports else (doc.end_lineno if doc else 0)
    future = [line for node in wanted if isinstance(node, ast.ImportFrom) and node.module == "__future__"
              for line in mine.text(node, 0, comments=False)]
    rest = [line for node in wanted if not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
            for line in mine.text(node, 0, comments=False)]
    top = doc.end_lineno if doc else 0
    return out[:top] + future + out[top:after] + rest + out[after:]


def _with_docstring(out: list[str], mine: _Source) -> list[str]:
    doc = _docstring_node(mine.tree.body)
    if doc is None:
        return out
    tree = syntax.parse("\n".join(out))
    theirs = _docstring_node(tree.body)
    text = mine.text(doc, 0, comments=False)
    if theirs is None:
        return text + out
    return out[:theirs.lineno - 1] + text + out[theirs.end_lineno:]


def compose_file(found: Assignment, path: Path) -> str:
    """The submission the mistake file ``path`` stands for (CourseError when malformed)."""
    reference = found.reference_path.read_text(encoding="utf-8")
    return compose(reference, path.read_text(encoding="utf-8"), str(path))


def load_composed(source: str, name: str, filename: str) -> ModuleType:
    """Import a composed mistake (trusted, run on the grader's side) under a private name;
    its lines are shown in tracebacks as ``filename``'s."""
    module = ModuleType(name)
    module.__file__ = filename
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    sys.modules[name] = module
    try:
        exec(compile(source, filename, "exec"), module.__dict__)  # noqa: S102 - a trusted course file
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def write_submission(found: Assignment, path: Path, folder: Path) -> Path:
    """Write the submission the mistake file ``path`` stands for into ``folder`` (same file
    name, readable by the sandboxed child); CourseError when the file is malformed."""
    target = folder / path.name
    target.write_text(compose_file(found, path), encoding="utf-8")
    target.chmod(0o644)
    return target


def code_lines(source: str) -> list[str]:
    """The code of each line of ``source`` that is not blank, a comment, an import or a
    docstring, stripped, with its comment cut off."""
    tree = syntax.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, *_DEFINITIONS)):
            doc = _docstring_node(node.body)
            if doc is not None:
                skipped.update(range(doc.lineno, doc.end_lineno + 1))
        if isinstance(node, _IMPORTS):
            skipped.update(range(node.lineno, node.end_lineno + 1))
    comments = {token.start[0]: token.start[1] for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type == tokenize.COMMENT}
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        if number in skipped:
            continue
        code = line[:comments.get(number, len(line))].strip()
        if code:
            found.append(code)
    return found
