"""Hints: the grader commands that messages tell a person to run, spelled so that they
work as printed (paths shell-quoted, the course given when it is not found by default)."""
from __future__ import annotations

import shlex
from pathlib import Path


def command(*words: str | Path, course: Path | None = None) -> str:
    """``grader WORDS... [--course COURSE]``, each word quoted for a POSIX shell."""
    parts = ["grader", *map(str, words)]
    if course is not None:
        parts += ["--course", str(course)]
    return shlex.join(parts)


def run(*words: str | Path, course: Path | None = None) -> str:
    """The hint "run `grader ...`" of a message."""
    return f"run `{command(*words, course=course)}`"
