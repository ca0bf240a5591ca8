"""Submissions: a .py file, an .ipynb notebook, or a folder or .zip holding one.

Loading only reads and parses; nothing of the submission runs in the grader's process.
Bad input never raises: it becomes a Submission with ``load_errors`` and no code.
"""
from __future__ import annotations

import hashlib
import io
import re
import threading
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader import text
from grader.limits import Limits
from grader.notebook import NotebookError, code_cells

GRADABLE = (".py", ".ipynb")
_IGNORED_PARTS = ("__MACOSX", ".ipynb_checkpoints", "__pycache__")
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
    path: Path
    sha256: str
    member: str | None                  # the gradable file chosen in a folder or zip
    units: tuple[CodeUnit, ...]
    load_errors: tuple[str, ...] = ()

    @property
    def gradable(self) -> bool:
        return bool(self.units) and not self.load_errors


def load(path: Path, assignment: str, limits: Limits = Limits()) -> Submission:
    """Read and parse a submission; every problem is a load error, never an exception."""
    path = Path(path)
    try:
        if path.is_dir():
            return _from_folder(path, assignment, limits)
        if not path.is_file():
            return _failed(path, "", f"{path} does not exist or is not a file or folder")
        data = _read_capped(path, limits.max_zip_bytes if path.suffix.lower() == ".zip" else _cap(path.name, limits))
        digest = hashlib.sha256(data).hexdigest()
        if path.suffix.lower() == ".zip":
            return _from_zip(path, data, digest, assignment, limits)
        if path.suffix.lower() not in GRADABLE:
            return _failed(path, digest, f"{path.name}: cannot grade a {path.suffix or 'extensionless'} "
                                         "file; submit a .py file, an .ipynb notebook, or a folder or .zip holding one")
        return _from_bytes(path, digest, None, path.name, data)
    except _TooLarge as exc:
        return _failed(path, "", str(exc))
    except OSError as exc:
        return _failed(path, "", f"{path}: cannot read it ({exc.strerror or exc})")


class _TooLarge(Exception):
    pass


def _failed(path: Path, digest: str, message: str, member: str | None = None) -> Submission:
    return Submission(path=path, sha256=digest, member=member, units=(), load_errors=(message,))


def _cap(name: str, limits: Limits) -> int:
    """The size limit of one gradable file: notebooks carry outputs, which are ignored."""
    return limits.max_notebook_bytes if name.lower().endswith(".ipynb") else limits.max_source_bytes


def _read_capped(path: Path, cap: int) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise _TooLarge(f"{path.name} is larger than {cap} bytes; submit only your source file")
    return data


def _from_bytes(path: Path, digest: str, member: str | None, name: str, data: bytes) -> Submission:
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _failed(path, digest, f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8", member)
    if name.lower().endswith(".ipynb"):
        return _notebook(path, digest, member, name, source)
    return _module(path, digest, member, name, source)


def _module(path, digest, member, name, source) -> Submission:
    problem = syntax_problem(source, name)
    if problem:
        return _failed(path, digest, problem, member)
    if not source.strip():
        return _failed(path, digest, f"{name} is empty: there is no code to grade", member)
    return Submission(path, digest, member, (CodeUnit(source, unit_name(name), "module"),))


def _notebook(path, digest, member, name, source) -> Submission:
    try:
        cells = code_cells(source, name)
    except NotebookError as exc:
        return _failed(path, digest, str(exc), member)
    units = tuple(CodeUnit(cell.source, unit_name(name, cell.index), f"cell {cell.index}")
                  for cell in cells if cell.source.strip())
    if not units:
        return _failed(path, digest, f"{name} has no code cells: there is no code to grade", member)
    return Submission(path, digest, member, units)


def syntax_problem(source: str, name: str) -> str | None:
    """A student-facing description of why ``source`` does not compile, or None.

    Compiles (runs nothing), so errors found after parsing ('return' outside function,
    duplicate argument names...) are caught too. The offending line is quoted from
    ``source`` itself, never from ``SyntaxError.text``, which Python may have read from
    whatever file of that name is in the current folder.
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


def choose(names: list[str], assignment: str) -> tuple[str | None, str | None]:
    """The gradable file among ``names`` (posix paths): (chosen, None) or (None, error)."""
    candidates = [n for n in names if PurePosixPath(n).suffix.lower() in GRADABLE
                  and not any(part in _IGNORED_PARTS or part.startswith(".")
                              for part in PurePosixPath(n).parts)]
    if not candidates:
        return None, "holds no .py or .ipynb file to grade"
    for suffix in GRADABLE:
        named = [n for n in candidates if PurePosixPath(n).name == f"{assignment}{suffix}"]
        if len(named) == 1:
            return named[0], None
    if len(candidates) == 1:
        return candidates[0], None
    listed = ", ".join(sorted(candidates)[:10])
    return None, (f"holds several gradable files ({listed}); name the one to grade "
                  f"{assignment}.py or {assignment}.ipynb")


def _from_folder(path: Path, assignment: str, limits: Limits) -> Submission:
    names = sorted(p.relative_to(path).as_posix() for p in path.rglob("*")
                   if p.is_file() and not p.is_symlink())
    chosen, error = choose(names, assignment)
    if error:
        return _failed(path, "", f"folder {path.name} {error}")
    data = _read_capped(path / chosen, _cap(chosen, limits))
    return _from_bytes(path, hashlib.sha256(data).hexdigest(), chosen, PurePosixPath(chosen).name, data)


def _from_zip(path: Path, data: bytes, digest: str, assignment: str, limits: Limits) -> Submission:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = {info.filename: info for info in archive.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        return _failed(path, digest, f"{path.name} is not a readable zip archive ({exc})")
    chosen, error = choose(list(infos), assignment)
    if error:
        return _failed(path, digest, f"{path.name} {error}")
    info, cap = infos[chosen], _cap(chosen, limits)
    if info.file_size > cap:
        return _failed(path, digest, f"{chosen} in {path.name} is larger than {cap} bytes", chosen)
    try:
        with archive.open(info) as member:
            content = member.read(cap + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
        return _failed(path, digest, f"cannot read {chosen} from {path.name}: {exc}", chosen)
    if len(content) > cap:
        return _failed(path, digest, f"{chosen} in {path.name} is larger than declared", chosen)
    return _from_bytes(path, digest, chosen, PurePosixPath(chosen).name, content)
