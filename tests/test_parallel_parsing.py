"""Parsing on several threads at once never fails (grader/syntax.py).

On Python 3.11, ``ast.parse`` on two threads while the garbage collector runs finalizers
failed with "SystemError: AST constructor recursion depth mismatch"; graded with ``-j 2``,
a correct alternative of two_layer_net got a grading error on every test.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path

from grader import syntax

SOURCE = (Path(__file__).resolve().parents[1] / "reference" / "two_layer_net.py").read_text(encoding="utf-8") * 3


class _Cycle:
    """Garbage in a reference cycle whose finalizer runs Python code (a thread switch point)."""

    def __init__(self):
        self.me = self

    def __del__(self):
        sum(range(50))


def _parse_on_threads(parse, garbage: int = 50_000, parses: int = 50) -> list[str]:
    """Three threads parse while a fourth makes ``garbage`` cycles; the SystemErrors raised."""
    errors: list[str] = []

    def parsing():
        for _ in range(parses):
            try:
                parse(SOURCE)
            except SystemError as exc:
                errors.append(str(exc))
                return

    def churn():
        for _ in range(garbage):
            _Cycle()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=churn)] + [threading.Thread(target=parsing) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    return errors


def test_parsing_on_threads_while_finalizers_run_never_fails():
    assert _parse_on_threads(syntax.parse) == []


def test_every_parse_in_the_grader_goes_through_the_lock():
    """A module that calls ast.parse directly brings the race back."""
    package = Path(syntax.__file__).parent
    direct = [str(path.relative_to(package)) for path in sorted(package.rglob("*.py"))
              if path != Path(syntax.__file__) and "ast.parse(" in path.read_text(encoding="utf-8")]
    assert direct == []
