"""Solution regions of a master's code: what the reference keeps and the template hides.

Two markers, both comments, so a master's code runs as it is:

- a region: a line ``# BEGIN SOLUTION``, the solution's lines, a line ``# END SOLUTION``;
- one line: a line of code that ends with ``# SOLUTION``.

``reference(text)`` is the code with the marker lines (and the trailing markers)
removed. ``template(text)`` is what a student gets: inside a function, the solution's
first region or line becomes ``raise NotImplementedError("<function>: write your
implementation here")`` at its indentation (once per function; later solution lines of
the same function are dropped, the function's other lines are kept); outside any
function, a region is left out and a marked line ``name = value`` becomes
``name = ...`` (any other marked line is left out).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from grader import syntax

_BEGIN = re.compile(r"^\s*#\s*BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*#\s*END SOLUTION\s*$")
_LINE = re.compile(r"^(?P<code>\s*\S.*?)\s*#\s*SOLUTION\s*$")
_ASSIGNED = re.compile(r"^(?P<target>\s*[A-Za-z_][\w.\[\], ]*?\s*(:[^=]+)?=)(?!=)")
MESSAGE = "{}: write your implementation here"


class RegionError(ValueError):
    """Unbalanced or misplaced solution markers; ``line`` is 1-based in the text."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class _Marked:
    """A stretch of solution lines (0-based, ``first``..``last`` inclusive, markers included)."""

    first: int
    last: int
    content: tuple[int, ...]  # the lines of solution code in it (0-based)


def _regions(lines: list[str]) -> list[_Marked]:
    found, opened = [], None
    for number, line in enumerate(lines):
        if _BEGIN.match(line):
            if opened is not None:
                raise RegionError(number + 1, f"# BEGIN SOLUTION inside the region opened on line {opened + 1}; "
                                              "close it with # END SOLUTION first")
            opened = number
        elif _END.match(line):
            if opened is None:
                raise RegionError(number + 1, "# END SOLUTION without a # BEGIN SOLUTION above it")
            found.append(_Marked(opened, number, tuple(range(opened + 1, number))))
            opened = None
        elif opened is None and _LINE.match(line) and not line.lstrip().startswith("#"):
            found.append(_Marked(number, number, (number,)))
    if opened is not None:
        raise RegionError(opened + 1, "# BEGIN SOLUTION is never closed by a # END SOLUTION")
    return found


def has_solution(text: str) -> bool:
    """Does ``text`` hold a solution region or line?"""
    return bool(_regions(text.splitlines()))


def reference(text: str) -> str:
    """``text`` without its solution markers (RegionError when they are unbalanced)."""
    lines = text.splitlines()
    marked = _regions(lines)
    drop = {m.first for m in marked if m.first != m.last} | {m.last for m in marked if m.first != m.last}
    out = []
    for number, line in enumerate(lines):
        if number in drop:
            continue
        single = _LINE.match(line)
        out.append(single["code"] if single and not line.lstrip().startswith("#") else line)
    return "\n".join(out)


def template(text: str) -> str:
    """``text`` with its solutions hidden, as the module docstring says (RegionError when
    the markers are unbalanced or the code does not parse)."""
    lines = text.splitlines()
    marked = _regions(lines)
    if not marked:
        return text
    owners = _functions(reference(text), lines)
    out: list[str] = []
    raised: set[str] = set()
    hidden = {number: m for m in marked for number in range(m.first, m.last + 1)}
    for number, line in enumerate(lines):
        if number not in hidden:
            out.append(line)
            continue
        region = hidden[number]
        if number != region.first:
            continue
        owner = next((owners[n] for n in region.content if owners.get(n)), None)
        if owner is not None:
            if owner not in raised:
                raised.add(owner)
                indent = _indent(lines, region)
                out.append(f'{indent}raise NotImplementedError("{MESSAGE.format(owner)}")')
        elif region.first == region.last:
            assigned = _ASSIGNED.match(_LINE.match(line)["code"])
            if assigned:
                out.append(f"{assigned['target']} ...")
    return "\n".join(out)


def _indent(lines: list[str], region: _Marked) -> str:
    line = lines[region.content[0]] if region.content else lines[region.first]
    return line[:len(line) - len(line.lstrip())]


def _functions(code: str, lines: list[str]) -> dict[int, str]:
    """0-based line of ``lines`` -> the qualified name of the innermost function holding
    it (``f``, ``Class.method``). ``code`` is ``lines`` without markers, parsed to find
    the functions; line numbers are mapped back."""
    kept = [n for n, line in enumerate(lines) if not (_BEGIN.match(line) or _END.match(line))]
    try:
        tree = syntax.parse(code)
    except SyntaxError as exc:
        original = kept[exc.lineno - 1] + 1 if exc.lineno and exc.lineno <= len(kept) else exc.lineno
        raise RegionError(original or 1, f"the code does not parse: {exc.msg}") from exc
    owners: dict[int, str] = {}

    def visit(node, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                for line in range(child.lineno, child.end_lineno + 1):
                    owners[kept[line - 1]] = name
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)
    visit(tree, "")
    return owners
