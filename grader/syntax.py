"""Python source parsed into syntax trees (``ast.parse``), one thread at a time.

The grader parses on several threads at once: ``grade -j N`` loads submissions, scans them
for forbidden routines and composes known mistakes in parallel. CPython 3.11 counts the
depth of the syntax tree it is building in state shared by every thread; when the garbage
collector runs a finalizer in the middle of a build, another thread can run and build a
tree of its own, and the first one then fails with ``SystemError: AST constructor
recursion depth mismatch`` (CPython issue 106905 and its neighbours). Graded with ``-j 2``
on Python 3.11.7, that failed a correct submission as a grader error. Every parse in the
grader goes through ``parse`` below, which holds one lock while CPython builds the tree.
"""
from __future__ import annotations

import ast
import threading

_BUILDING = threading.Lock()


def parse(source: str | bytes, filename: str = "<unknown>", mode: str = "exec", **kwargs) -> ast.AST:
    """``ast.parse(source, filename, mode, **kwargs)``, never at the same time as another
    thread's. Raises SyntaxError (and ValueError for NUL bytes) as ``ast.parse`` does."""
    with _BUILDING:
        return ast.parse(source, filename, mode, **kwargs)
