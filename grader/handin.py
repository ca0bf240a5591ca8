"""Handins: what one student handed in, and which of its files is graded.

A handin is a ``.py`` or ``.ipynb`` file, a folder or a ``.zip`` (the same rules for
both), or the files one student has in a class folder or zip (see grader.classroom).
Only one file is graded, chosen by these rules (the README's table says the same):

1. Left out, each kind named in a load warning: ``__MACOSX/`` (macOS resource forks),
   ``.ipynb_checkpoints/``, ``__pycache__/`` and ``.pyc`` files, virtual environments
   (a folder holding ``pyvenv.cfg``), ``site-packages/`` and ``node_modules/``, and hidden
   files and folders (``.git/``) when they hold code. Files that are not code are never
   graded and never count against a limit; the large ones are named in a warning.
2. Gradable files are ``.py`` and ``.ipynb``. Those named after the assignment
   (``softmax.py``; also ``Softmax.ipynb``, ``softmax (1).py``, ``softmax-2.py``) are
   the candidates; without one, the only gradable file (or the only name, as in
   ``hw.py`` + ``hw.ipynb``) is; otherwise the handin is ambiguous and not graded.
3. Among candidates: the one nearest the top (fewest folders), then the exact name,
   then a ``.py`` file before a notebook (a module runs top to bottom as written; a
   notebook may have been run in another order). Every candidate left out is named
   in a warning, with "identical" when its bytes are the graded file's. Two different
   files that tie on all three are ambiguous.
4. No gradable file but exactly one ``.zip``: that zip is opened and read by the same
   rules (one level deep).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.limits import megabytes

GRADABLE = (".py", ".ipynb")
_LEFT_OUT = {  # a folder name anywhere in the path -> what it is
    "__MACOSX": "macOS resource forks (__MACOSX/)",
    ".ipynb_checkpoints": "Jupyter checkpoints (.ipynb_checkpoints/)",
    "__pycache__": "Python caches (__pycache__/)",
    "site-packages": "installed packages (site-packages/)",
    "node_modules": "installed packages (node_modules/)",
}
_COPY_MARK = re.compile(r"(?: \(\d+\)|-\d+)$")   # "softmax (1)" from a browser, "softmax-1" from Canvas
_SHOWN = 5


@dataclass(frozen=True)
class Handin:
    """One submission of a batch.

    ``source``: the file, folder or zip it is in. ``files``: None when the whole of
    ``source`` is the submission; else the student's files in it, as pairs (name as
    handed in, name in ``source``), e.g. ``("softmax.py", "smithbob_12_34_softmax.py")``.
    ``student``: who handed it in, as the class folder names them (None: not known).
    ``notes``: what the class layout noticed about it (a late mark, several attempts),
    reported as load warnings.
    """

    source: Path
    student: str | None = None
    files: tuple[tuple[str, str], ...] | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
    """The graded file (a name as handed in) or why there is none; warnings either way."""

    name: str | None
    warnings: tuple[str, ...] = ()
    error: str | None = None

    @property
    def is_zip(self) -> bool:
        return bool(self.name) and self.name.lower().endswith(".zip")


def gradable(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in GRADABLE


def named_after(name: str, assignment: str) -> int:
    """2: ``<assignment>.py``/``.ipynb`` exactly; 1: the same but for case or a copy mark; 0: not."""
    path = PurePosixPath(name)
    if path.suffix.lower() not in GRADABLE:
        return 0
    if path.stem == assignment:
        return 2
    return int(_COPY_MARK.sub("", path.stem).casefold() == assignment.casefold())


def left_out(names: list[str]) -> dict[str, str]:
    """The names rule 1 leaves out, each with the kind of thing it is."""
    environments = {str(PurePosixPath(n).parent) for n in names if PurePosixPath(n).name == "pyvenv.cfg"}
    found = {}
    for name in names:
        reason = _left_out(PurePosixPath(name), environments)
        if reason:
            found[name] = reason
    return found


def _left_out(path: PurePosixPath, environments: set[str]) -> str | None:
    folders = path.parts[:-1]
    for part in folders:
        if part in _LEFT_OUT:
            return _LEFT_OUT[part]
    if path.suffix.lower() in (".pyc", ".pyo"):
        return _LEFT_OUT["__pycache__"]
    for depth in range(1, len(folders) + 1):
        if "/".join(folders[:depth]) in environments:
            return f"a virtual environment ({'/'.join(folders[:depth])}/)"
    if any(part.startswith(".") for part in path.parts):
        return "hidden files and folders"
    return None


def choose(sizes: dict[str, int], assignment: str, identical: Callable[[str, str], bool],
           large: int) -> Choice:
    """Apply the rules to a handin's files (``sizes``: name as handed in -> bytes).

    ``identical(a, b)`` says whether two files hold the same bytes; files of more than
    ``large`` bytes that are not code are named in a warning. Never raises.
    """
    names = sorted(sizes)
    dropped = left_out(names)
    warnings = _dropped_warnings(dropped, sizes)
    kept = [n for n in names if n not in dropped]
    warnings += _large_warnings([n for n in kept if not gradable(n) and not n.lower().endswith(".zip")],
                                sizes, large)
    code = [n for n in kept if gradable(n)]
    if not code:
        zips = [n for n in kept if n.lower().endswith(".zip")]
        if len(zips) == 1:
            return Choice(zips[0], tuple(warnings))
        more = f" and several zip files ({listed(zips)}); hand in one" if zips else ""
        return Choice(None, tuple(warnings), f"holds no .py or .ipynb file to grade{more}")
    named = [n for n in code if named_after(n, assignment)]
    pool = named or (code if len({_stem(n) for n in code}) == 1 else [])
    if not pool:
        return Choice(None, tuple(warnings), f"holds several gradable files ({listed(code, 10)}); name the one "
                                             f"to grade {assignment}.py or {assignment}.ipynb")
    rank = _ranker(assignment)
    best = min(pool, key=rank)
    tied = [n for n in pool if n != best and rank(n)[:3] == rank(best)[:3] and not identical(best, n)]
    if tied:
        return Choice(None, tuple(warnings), f"holds several different files that could be the one to grade "
                                             f"({listed([best, *tied])}); keep only one")
    warnings += [f"graded {best}, not {n} ({_why_not(n, best, rank, identical)})" for n in sorted(pool, key=rank)
                 if n != best][:_SHOWN]
    others = [n for n in code if n not in pool]
    if others:
        warnings.append(f"not graded: {listed(others)} (one file is graded, {best}; a submission must not "
                        "import its other files)")
    return Choice(best, tuple(warnings))


def _ranker(assignment: str):
    def rank(name: str) -> tuple:
        path = PurePosixPath(name)
        return (len(path.parts), -named_after(name, assignment), path.suffix.lower() != ".py", name)
    return rank


def _why_not(name: str, best: str, rank, identical) -> str:
    mine, theirs = rank(name), rank(best)
    same = ", identical" if identical(best, name) else ""
    if mine[0] > theirs[0]:
        return f"a copy further down{same}; the file nearest the top is graded"
    if mine[1] > theirs[1]:
        return f"not named exactly {PurePosixPath(best).name}{same}"
    if mine[2] != theirs[2]:
        return f"a notebook{same}; a .py file is graded before a notebook of the same name"
    return f"the same file{same}" if same else "a copy"


def _stem(name: str) -> str:
    return _COPY_MARK.sub("", PurePosixPath(name).stem).casefold()


def _dropped_warnings(dropped: dict[str, str], sizes: dict[str, int]) -> list[str]:
    kinds: dict[str, list[str]] = {}
    for name, reason in dropped.items():
        kinds.setdefault(reason, []).append(name)
    warnings = []
    for reason, names in kinds.items():
        if reason == "hidden files and folders" and not any(gradable(n) for n in names):
            continue  # a .DS_Store or .git/ without code is not worth a word
        count = f"{len(names)} file{'s' if len(names) != 1 else ''}"
        warnings.append(f"left out {reason}: {count}, {megabytes(sum(sizes[n] for n in names))} "
                        f"(e.g. {names[0]})")
    return warnings


def _large_warnings(names: list[str], sizes: dict[str, int], large: int) -> list[str]:
    big = [n for n in names if sizes[n] > large]
    shown = [f"{n} ({megabytes(sizes[n])})" for n in big[:_SHOWN]]
    if not big:
        return []
    more = f" and {len(big) - _SHOWN} more" if len(big) > _SHOWN else ""
    return [f"not graded, not code: {', '.join(shown)}{more}"]


def listed(names, limit: int = _SHOWN, shown=str) -> str:
    """``a, b, c and 2 more``: the first ``limit`` of ``names`` in order, each passed through ``shown``."""
    names = sorted(names)
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(shown(n) for n in names[:limit]) + more
