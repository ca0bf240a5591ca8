"""Submissions: the graded file of a handin, read and parsed into code units.

Loading only reads and parses; nothing of the submission runs in the grader's process.
Which file of a folder, zip or class download is graded is grader.handin's business;
here it is read (only its own size counts), decoded as Python decodes source (PEP 263
coding lines and a UTF-8 byte order mark are honoured), and compiled to find syntax
errors. Bad input never raises: it becomes a Submission with ``load_errors`` and no code.
Every choice made on the student's behalf is a ``load_warnings`` entry.
"""
from __future__ import annotations

import functools
import hashlib
import io
import re
import threading
import tokenize
import warnings
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from grader import text, tree
from grader.handin import GRADABLE, Choice, Handin, choose, gradable
from grader.limits import Limits, megabytes
from grader.notebook import NotebookError, code_cells, neutralise

__all__ = ["GRADABLE", "CodeUnit", "Handin", "Submission", "load", "syntax_problem", "unit_name"]

_NEWLINE = re.compile(r"\r\n|\r|\n")       # the line ends Python's tokenizer knows
_COMPILING = threading.Lock()               # warnings filters are process-wide


@dataclass(frozen=True)
class CodeUnit:
    """One piece of code run in order: a whole module, or one notebook cell."""

    source: str
    filename: str   # compiled under this name: "<softmax.py>" or "<softmax.ipynb, cell 3>" (see unit_name)
    label: str      # "module" or "cell 3"


def unit_name(name: str, cell: int | None = None) -> str:
    """The file name student code is compiled under: ``<softmax.py>``, ``<softmax.ipynb, cell 3>``.

    A name of the form ``<...>`` is never looked up on disk by ``linecache`` (the worker
    fills it from the submission), so no traceback shows a line of another file; the
    submitted name inside is cleaned (``text.clean``) so it is safe to show anywhere.
    """
    shown = text.clean(name, lines=False)
    return f"<{shown}>" if cell is None else f"<{shown}, cell {cell}>"


@dataclass(frozen=True)
class Submission:
    """A loaded submission.

    ``path``/``member``: what was graded is ``path`` itself, or the file ``member`` (a
    POSIX path) inside the folder or zip ``path``. ``sha256``: of the graded file's bytes
    ("" when none was read). ``cell_errors``: (where, message) of notebook cells that do
    not compile; they are left out and every other cell runs. ``view``: the file or folder
    student code may see read-only (None: nothing, as for one student's files in a class
    zip); ``view_member``: the graded file inside ``view`` ("" when ``view`` is that file,
    None when it is not visible as a file of its own, as in a zip).
    """

    path: Path
    sha256: str
    member: str | None
    units: tuple[CodeUnit, ...]
    load_errors: tuple[str, ...] = ()
    load_warnings: tuple[str, ...] = ()
    student: str | None = None
    cell_errors: tuple[tuple[str, str], ...] = ()
    view: Path | None = None
    view_member: str | None = None

    @property
    def gradable(self) -> bool:
        return bool(self.units) and not self.load_errors

    def module_file(self, shown_at: str) -> str | None:
        """``__file__`` of a module submission when ``view`` is shown at ``shown_at`` (None: no such file)."""
        if self.view is None or self.view_member is None or not self.units or self.units[0].label != "module":
            return None
        return f"{shown_at}/{self.view_member}" if self.view_member else shown_at

    def import_errors(self, ran: list[dict]) -> list[dict]:
        """``ran`` (the worker's errors per unit) with the cells that did not compile, in cell order."""
        found = [{"where": where, "error": error} for where, error in self.cell_errors] + [dict(e) for e in ran]
        return sorted(found, key=lambda e: _position(e["where"]))


def _position(where: str) -> float:
    """Where an error goes in the list: a module first, cells in order, a summary last
    (the worker's "N more code units")."""
    if where.startswith("cell ") and where[5:].isdigit():
        return int(where[5:])
    return 0 if where == "module" else float("inf")


def load(target: Path | str | Handin, assignment: str, limits: Limits = Limits()) -> Submission:
    """Read and parse a submission; every problem is a load error, never an exception."""
    handin = target if isinstance(target, Handin) else Handin(Path(target))
    try:
        loaded = _load(handin, assignment, limits)
    except _Unreadable as exc:
        loaded = _failed(handin, str(exc))
    except tree.TreeError as exc:
        loaded = _failed(handin, str(exc))
    except OSError as exc:
        loaded = _failed(handin, f"{handin.source}: cannot read it ({exc.strerror or exc})")
    if handin.notes:
        loaded = _with(loaded, load_warnings=(*handin.notes, *loaded.load_warnings))
    return _with(loaded, student=handin.student)


def _with(loaded: Submission, **changes) -> Submission:
    return replace(loaded, **changes)


def _failed(handin: Handin, message: str, member: str | None = None, warnings_: tuple[str, ...] = ()) -> Submission:
    return Submission(path=handin.source, sha256="", member=member, units=(), load_errors=(message,),
                      load_warnings=warnings_)


def _load(handin: Handin, assignment: str, limits: Limits) -> Submission:
    source = handin.source
    if handin.files is None and not source.is_dir():
        if not source.is_file():
            return _failed(handin, f"{source} does not exist or is not a file or folder")
        if source.suffix.lower() != ".zip":
            if not gradable(source.name):
                return _failed(handin, f"{source.name}: cannot grade a {source.suffix or 'extensionless'} file; "
                                       "submit a .py file, an .ipynb notebook, or a folder or .zip holding one")
            data = _read(None, source, limits)
            return _parse(handin, data, None, source.name, (source, ""), limits)
    files = tree.of(source)
    names = dict(handin.files) if handin.files is not None else {n: n for n in files.names}
    where = _where(handin, files)
    choice = _choice(files, names, assignment, limits)
    if choice.error:
        return _failed(handin, f"{where} {choice.error}", warnings_=choice.warnings)
    stored = names[choice.name]
    if choice.is_zip:
        return _inner(handin, files, stored, assignment, limits, choice.warnings)
    data = _read(files, stored, limits, shown=choice.name)
    return _parse(handin, data, stored, PurePosixPath(choice.name).name, _view(handin, files, stored),
                  limits, choice.warnings)


def _where(handin: Handin, files: tree.Tree) -> str:
    if handin.files is not None:
        return f"what {handin.student or 'the student'} handed in"
    return files.root.name if files.is_zip else f"folder {files.root.name}"


def _choice(files: tree.Tree, names: dict[str, str], assignment: str, limits: Limits) -> Choice:
    @functools.cache
    def digest(stored: str) -> str | None:
        try:
            return hashlib.sha256(files.read(stored, limits.max_notebook_bytes)).hexdigest()
        except (OSError, tree.TreeError, tree.TooLarge):
            return None

    def identical(a: str, b: str) -> bool:
        first, second = names[a], names[b]
        return files.sizes[first] == files.sizes[second] and digest(first) is not None \
            and digest(first) == digest(second)
    sizes = {shown: files.sizes[stored] for shown, stored in names.items()}
    return choose(sizes, assignment, identical, limits.max_source_bytes)


def _inner(handin: Handin, files: tree.Tree, stored: str, assignment: str, limits: Limits,
           notes: tuple[str, ...]) -> Submission:
    """The graded file of a zip found inside the handin (one level deep)."""
    try:
        inner = files.open_zip(stored, limits.max_zip_bytes)
    except tree.TooLarge as exc:
        return _failed(handin, f"{stored} is {megabytes(exc.size)}, more than the {megabytes(limits.max_zip_bytes)} "
                               "a zip inside a zip may be; unzip it", stored, warnings_=notes)
    choice = _choice(inner, {n: n for n in inner.names}, assignment, limits)
    notes = (*notes, *choice.warnings)
    if choice.error or choice.is_zip:
        error = choice.error or f"holds only another zip ({choice.name}); hand in the files themselves"
        return _failed(handin, f"{stored} {error}", stored, warnings_=notes)
    data = _read(inner, choice.name, limits)
    member = f"{stored}/{choice.name}"
    view = _view(handin, files, stored)
    view = (view[0], None) if view else None  # a file inside a zip is not a file of its own
    return _parse(handin, data, member, PurePosixPath(choice.name).name, view, limits, notes)


def _view(handin: Handin, files: tree.Tree, stored: str) -> tuple[Path, str | None] | None:
    """What student code may see: the whole handin, else only the graded file; nothing in a class zip."""
    if handin.files is None:
        return files.root, (None if files.is_zip else stored)
    return None if files.is_zip else (files.root / stored, "")


class _Unreadable(Exception):
    pass


def _read(files: tree.Tree | None, stored: str | Path, limits: Limits, shown: str | None = None) -> bytes:
    """The graded file's bytes (``stored`` in ``files``, or the file ``stored`` itself), within
    its kind's limit; _Unreadable with the message otherwise."""
    notebook = str(stored).lower().endswith(".ipynb")
    cap = limits.max_notebook_bytes if notebook else limits.max_source_bytes
    try:
        if files is None:
            return tree.read_file(Path(stored), cap, follow=True)
        return files.read(str(stored), cap)
    except tree.TooLarge as exc:
        name = shown or (Path(stored).name if files is None else str(stored))
        if notebook:
            raise _Unreadable(f"{name} is {megabytes(exc.size)}, more than the {megabytes(cap)} a notebook file may "
                              "be even with its outputs left out; clear all outputs and save (Jupyter: Edit > "
                              "Clear All Outputs, then File > Save), then hand it in again") from None
        raise _Unreadable(f"{name} is {megabytes(exc.size)}, more than the {megabytes(cap)} a source file may be; "
                          "hand in only your code (data and models are not graded)") from None


def _parse(handin: Handin, data: bytes, member: str | None, name: str, view, limits: Limits,
           notes: tuple[str, ...] = ()) -> Submission:
    digest = hashlib.sha256(data).hexdigest()
    view_path, view_member = view if view is not None else (None, None)
    base = Submission(handin.source, digest, member, (), load_warnings=notes, view=view_path,
                      view_member=view_member)
    if name.lower().endswith(".ipynb"):
        return _notebook(base, name, data, limits.max_source_bytes)
    return _module(base, name, data)


def _failing(base: Submission, message: str) -> Submission:
    return _with(base, units=(), load_errors=(message,))


def _module(base: Submission, name: str, data: bytes) -> Submission:
    source, problem = python_source(data, name)
    problem = problem or syntax_problem(source, name)
    if problem and source:
        source, skipped = _exported_notebook(source, name)
        if skipped:
            problem = syntax_problem(source, name)
            base = _with(base, load_warnings=(*base.load_warnings, skipped))
    if problem:
        return _failing(base, problem)
    if not source.strip():
        return _failing(base, f"{name} is empty: there is no code to grade")
    return _with(base, units=(CodeUnit(source, unit_name(name), "module"),))


def _exported_notebook(source: str, name: str) -> tuple[str, str]:
    """A ``.py`` saved from a notebook (Colab's "Download .py" keeps ``!pip install ...`` and
    ``%matplotlib inline`` as they were) with those lines neutralised as in a notebook
    (grader.notebook.neutralise), and the load warning that says so; ``(source, "")``
    when it has no such line."""
    python, count = neutralise(source)
    if not count:
        return source, ""
    return python, (f"{name}: {count} notebook-only line{'s' if count != 1 else ''} (shell commands or "
                    "magics, such as !pip install or %matplotlib) are not Python and were skipped, as a "
                    "notebook skips them; delete them from the .py file")


def _notebook(base: Submission, name: str, data: bytes, code_limit: int) -> Submission:
    try:
        cells = [cell for cell in code_cells(data, name, code_limit) if cell.source.strip()]
    except NotebookError as exc:
        return _failing(base, str(exc))
    if not cells:
        return _failing(base, f"{name} has no code cells: there is no code to grade")
    units, errors = [], []
    for cell in cells:
        problem = syntax_problem(cell.source, f"{name}, cell {cell.index}")
        if problem:
            errors.append((f"cell {cell.index}", problem))
        else:
            units.append(CodeUnit(cell.source, unit_name(name, cell.index), f"cell {cell.index}"))
    if not units:
        return _failing(base, "; ".join(message for _, message in errors))
    return _with(base, units=tuple(units), cell_errors=tuple(errors))


def python_source(data: bytes, name: str) -> tuple[str, str | None]:
    """``data`` decoded as Python decodes a source file: (source, None) or ("", why not).

    The encoding is UTF-8 unless a byte order mark or a PEP 263 coding line on line 1 or 2
    says otherwise (``# -*- coding: cp1251 -*-``); only what Python itself refuses is
    refused, with Python's reason and the line.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing encoding declaration" not in str(exc):
            return "", f"{name} cannot be read as Python source: {exc.msg} (the coding line or byte order mark)"
        encoding = "utf-8"
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = f"\\x{data[exc.start]:02x}"
        if encoding.startswith("utf-8"):
            why = (f"Non-UTF-8 code starting with '{byte}' on line {line}, but no encoding declared; save it "
                   "as UTF-8, or declare its encoding on line 1 or 2 (PEP 263), e.g. # -*- coding: cp1251 -*-")
        else:
            why = (f"byte '{byte}' on line {line} is not {encoding}, the encoding its coding line declares "
                   f"({exc.reason}); declare the encoding the file is saved in")
        return "", f"{name} cannot be read as Python source: {why}"


def syntax_problem(source: str, name: str) -> str | None:
    """A student-facing description of why ``source`` does not compile, or None.

    Compiles (runs nothing), so errors found after parsing ('return' outside function,
    duplicate argument names...) are caught too. The offending line is quoted from
    ``source`` itself, never from ``SyntaxError.text``, which Python may have read from
    whatever file of that name is in the current folder. ``name`` is what the message
    calls the code: ``softmax.py``, or ``softmax.ipynb, cell 3`` for a notebook cell.
    """
    try:
        with _COMPILING, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings are the worker's to report
            compile(source, unit_name(name), "exec", dont_inherit=True)
    except SyntaxError as exc:
        kind = "an indentation error" if isinstance(exc, IndentationError) else "a syntax error"
        where = f"line {exc.lineno}" if exc.lineno else "somewhere"
        line = _line(source, exc.lineno)
        shown = f": {line}" if line else ""
        return f"{name} has {kind} at {where} ({exc.msg}){shown}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"{name} cannot be parsed: {type(exc).__name__}: {exc}"
    return None


def _line(source: str, lineno: int | None, width: int = 200) -> str:
    """Line ``lineno`` (1-based, counted as Python counts lines) of ``source``, stripped and cut."""
    if not lineno or lineno < 1:
        return ""
    lines = _NEWLINE.split(source, maxsplit=lineno)
    line = lines[lineno - 1].strip() if lineno <= len(lines) else ""
    return line if len(line) <= width else line[:width] + "..."
