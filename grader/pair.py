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
A release holds no mistake code: it records each pair's outputs on the visible tests
(grader.release, grader.selfcheck), and grader.checker replays them.
"""
from __future__ import annotations

import ast
import difflib
import itertools
import re

from grader import syntax


def merge(reference: str, first: str, second: str) -> str | None:
    """``reference`` with the edits of both ``first`` and ``second`` (each a whole module
    derived from it); None when their edits overlap or insert at the same place."""
    return combine(reference, edits(reference, first), edits(reference, second))


def edits(reference: str, other: str) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """The token edits that turn ``reference`` into ``other``: (first token, end token,
    new tokens). Computed once per mistake (the diagnoser keeps them)."""
    matcher = difflib.SequenceMatcher(None, _tokens(reference), _tokens(other), autojunk=False)
    new = _tokens(other)
    return tuple((i1, i2, tuple(new[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


def combine(reference: str, first, second) -> str | None:
    """``reference`` with both lists of ``edits``; None when they overlap."""
    hunks = sorted(set(first) | set(second))  # the same edit in both: once
    for (start, end, _), (next_start, _, _) in itertools.pairwise(hunks):
        if next_start < end or next_start == start:
            return None  # the two mistakes edit the same tokens (or insert at the same place)
    merged = _tokens(reference)
    for start, end, tokens in reversed(hunks):
        merged[start:end] = list(tokens)
    return "".join(merged)


_TOKEN = re.compile(r"\w+|[ \t]+|\n|[^\w\s]")


def _tokens(source: str) -> list[str]:
    return _TOKEN.findall(source)


def without_docstring(source: str) -> str:
    """A mistake file without its docstring: composed with the reference, it keeps the
    reference's docstring, so that the two mistakes of a pair differ only in their code."""
    tree = syntax.parse(source)
    first = tree.body[0] if tree.body else None
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)):
        return source
    lines = source.splitlines(keepends=True)
    return "".join(lines[:first.lineno - 1] + lines[first.end_lineno:])


def text(first, second) -> str:
    """The diagnosis naming both mistakes of a pair (each a diagnosis.Mistake)."""
    return (f"Matches two known mistakes made together: {first.misconception} Together with that: "
            f"{second.misconception} Fix: {first.fix} Then: {second.fix}")
