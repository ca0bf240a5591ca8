"""Pairs of known mistakes: a student often makes two at once in one function.

Where no single catalogue mistake explains a failing test, the diagnoser tries pairs of
mistakes that change the same definition (``Mistake.changes``), each of which fails that
test on its own. A pair is the reference with both mistakes' edits: a three-way merge,
token by token (names, numbers, operators, white space), of the two composed modules
(grader.mistake.compose), made only when the two edits touch different tokens of the
reference (one may change a line's factor, the other the same line's variable);
overlapping edits make no pair.

Cost, bounded: pairs only among the mistakes that fail the test at hand and share a
changed definition; each pair is built once per diagnoser (cached, with its outputs), and
run on every probe only when it matches the student's outputs on the failing test.
A release (grader.checker) holds no mistake code, so it tries no pairs.
"""
from __future__ import annotations

import ast
import difflib
import itertools
import re


def merge(reference: str, first: str, second: str) -> str | None:
    """``reference`` with the line edits of both ``first`` and ``second`` (each a whole
    module derived from it); None when their edits overlap or touch the same place."""
    base = _tokens(reference)
    hunks = _hunks(base, _tokens(first)) + _hunks(base, _tokens(second))
    hunks = sorted({(start, end, tuple(lines)) for start, end, lines in hunks})  # the same edit in both: once
    for (start, end, _), (next_start, _, _) in itertools.pairwise(hunks):
        if next_start < end or next_start == start:
            return None  # the two mistakes edit the same lines (or insert at the same place)
    merged = list(base)
    for start, end, lines in reversed(hunks):
        merged[start:end] = list(lines)
    return "".join(merged)


_TOKEN = re.compile(r"\w+|[ \t]+|\n|[^\w\s]")


def _tokens(source: str) -> list[str]:
    return _TOKEN.findall(source)


def _hunks(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    """The edits that turn ``base`` into ``other``: (first line, end line, new lines)."""
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def without_docstring(source: str) -> str:
    """A mistake file without its docstring: composed with the reference, it keeps the
    reference's docstring, so that the two mistakes of a pair differ only in their code."""
    tree = ast.parse(source)
    first = tree.body[0] if tree.body else None
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)):
        return source
    lines = source.splitlines(keepends=True)
    return "".join(lines[:first.lineno - 1] + lines[first.end_lineno:])


def text(first, second) -> str:
    """The diagnosis naming both mistakes of a pair (each a diagnosis.Mistake)."""
    return (f"Matches two known mistakes made together: {first.misconception} Together with that: "
            f"{second.misconception} Fix: {first.fix} Then: {second.fix}")
