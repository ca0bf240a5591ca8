"""Trees: the files of a folder or a zip archive, listed and read the same way.

A tree lists files only, by POSIX path relative to its root (``hw2/softmax.py``), with
their sizes; nothing is extracted and nothing runs. In a folder, links are never
followed (a link is not listed). In a zip, only the central directory is read when
listing, and one member when it is read, so the size of the archive or of files beside
the one graded costs nothing. Member names are labels only: ``..`` or an absolute name
never reaches the file system.
"""
from __future__ import annotations

import io
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_ENTRIES = 200_000   # files listed in one tree (a class of students with their environments)


class TreeError(Exception):
    """The folder or archive cannot be listed; the message names it and says why."""


class TooLarge(Exception):
    """A file is larger than the cap it is read with; ``size`` is its size in bytes."""

    def __init__(self, name: str, size: int):
        super().__init__(name)
        self.name, self.size = name, size


@dataclass(frozen=True)
class Tree:
    """The files under ``root`` (a folder or a ``.zip``): ``sizes`` maps each name to bytes.

    ``data`` holds an archive read into memory (a zip inside a zip); None otherwise.
    """

    root: Path
    sizes: dict[str, int]
    is_zip: bool
    data: bytes | None = None

    @property
    def names(self) -> list[str]:
        return sorted(self.sizes)

    def read(self, name: str, cap: int) -> bytes:
        """The bytes of ``name``; TooLarge past ``cap`` bytes (read no further), OSError, TreeError."""
        size = self.sizes[name]
        if size > cap:
            raise TooLarge(name, size)
        if not self.is_zip:
            return read_file(self.root / name, cap, name)
        try:
            with self._archive() as archive, archive.open(self._member(archive, name)) as member:
                data = member.read(cap + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, ValueError) as exc:
            raise TreeError(f"cannot read {name} from {self.root.name}: {exc}") from None
        if len(data) > cap:
            raise TooLarge(name, len(data))
        return data

    def open_zip(self, name: str, cap: int) -> Tree:
        """The tree of the archive ``name`` inside this one (read into memory, at most ``cap`` bytes)."""
        if not self.is_zip:
            return of_zip(self.root / name)
        return of_zip(self.root / name, self.read(name, cap))

    def _archive(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(io.BytesIO(self.data) if self.data is not None else self.root)

    @staticmethod
    def _member(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
        for info in archive.infolist():
            if _posix(info.filename) == name and not info.is_dir():
                return info
        raise TreeError(f"{name} is listed but cannot be found again")


def of(path: Path) -> Tree:
    """The tree of a folder or a ``.zip`` file; TreeError if it cannot be listed."""
    return of_folder(path) if path.is_dir() else of_zip(path)


def of_folder(path: Path) -> Tree:
    sizes: dict[str, int] = {}
    for folder, subfolders, files in os.walk(path, onerror=_raise):
        base = Path(folder)
        subfolders[:] = sorted(d for d in subfolders if not (base / d).is_symlink())
        for name in files:
            try:
                info = os.lstat(base / name)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                sizes[(base / name).relative_to(path).as_posix()] = info.st_size
        if len(sizes) > MAX_ENTRIES:
            raise TreeError(f"{path} holds more than {MAX_ENTRIES} files; point the grader at the submissions only")
    return Tree(path, sizes, is_zip=False)


def of_zip(path: Path, data: bytes | None = None) -> Tree:
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise TreeError(f"{path.name} is not a readable zip archive ({exc})") from None
    if len(infos) > MAX_ENTRIES:
        raise TreeError(f"{path.name} holds more than {MAX_ENTRIES} files")
    sizes = {_posix(info.filename): info.file_size for info in infos if not info.is_dir()}
    return Tree(path, sizes, is_zip=True, data=data)


def _posix(name: str) -> str:
    """A member name with Windows separators as ``/`` (some zip tools write ``hw\\a.py``)."""
    return name.replace("\\", "/").lstrip("/")


def read_file(path: Path, cap: int, name: str | None = None, follow: bool = False) -> bytes:
    """The bytes of the file ``path``; TooLarge past ``cap``. A link at ``path`` is followed
    only with ``follow`` (a file named on the command line, never one found in a tree)."""
    name = name or path.name
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(os.open(path, flags), "rb") as handle:
        data = handle.read(cap + 1)
        if len(data) > cap:
            raise TooLarge(name, os.fstat(handle.fileno()).st_size)
    return data


def _raise(error: OSError) -> None:
    raise TreeError(f"cannot list {error.filename}: {error.strerror or error}")
