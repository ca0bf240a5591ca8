"""Fingerprints: the course version a report was graded under, as one hash.

A report's score depends on the grader and on five kinds of course file: the probes
(``assignments/NAME/probes.py``), the assignment's metadata (``assignment.toml``: its
forbidden routines cost points), the reference (``reference/NAME.py``), the rubric
(``rubrics/NAME.toml``) and the known mistakes (``reference/mistakes/NAME/*.py``, which
name the diagnoses). The course version is::

    sha256(json.dumps({"assignment": NAME, "grader_version": grader.__version__,
                       "files": {<path relative to the course root>: <sha256 of its bytes>, ...}},
                      sort_keys=True, separators=(",", ":")))

as 64 hex digits. Paths are relative, so a course copied to another folder (or shipped to
a Dask worker) keeps its version; bytes are hashed as they are (a change of line ends is
a change). Templates, the student README and the correct alternatives are left out:
they do not change a score. Limits (``--timeout``) and the seed are not part of it either;
the gradebook keeps the seed beside it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.assignment import Assignment, CourseError


@dataclass(frozen=True)
class CourseVersion:
    """``digest``: the course version (64 hex digits). ``files``: {relative path: sha256}
    of every file hashed, to tell what changed between two versions."""

    assignment: str
    digest: str
    grader_version: str
    files: tuple[tuple[str, str], ...]

    def components(self) -> dict:
        """What went into the digest, as stored in the gradebook."""
        return {"assignment": self.assignment, "grader_version": self.grader_version, "files": dict(self.files)}


def course_files(assignment: Assignment) -> dict[str, bytes]:
    """{path relative to the course root: bytes} of every file the course version covers.
    Raises CourseError naming a file that is missing or unreadable."""
    root = assignment.root
    paths = [assignment.probes_path, assignment.folder / "assignment.toml", assignment.reference_path,
             assignment.rubric_path, *assignment.mistake_paths]
    found = {}
    for path in paths:
        try:
            found[path.relative_to(root).as_posix()] = path.read_bytes()
        except OSError as exc:
            raise CourseError(f"{path}: cannot read it to fingerprint the course ({exc.strerror or exc})") from exc
    return found


def version(assignment: Assignment, files: dict[str, bytes] | None = None,
            grader_version: str = __version__) -> CourseVersion:
    """The course version of ``assignment`` (``files``: its ``course_files``, read if not given)."""
    files = course_files(assignment) if files is None else files
    hashed = tuple(sorted((name, hashlib.sha256(data).hexdigest()) for name, data in files.items()))
    document = {"assignment": assignment.name, "grader_version": grader_version, "files": dict(hashed)}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return CourseVersion(assignment.name, hashlib.sha256(text.encode()).hexdigest(), grader_version, hashed)


def changes(before: dict, after: dict) -> list[str]:
    """What differs between two stored ``components``: ``["rubrics/softmax.toml changed",
    "grader 0.2.0 -> 0.3.0", ...]`` (empty when nothing recorded differs)."""
    found = []
    if before.get("grader_version") != after.get("grader_version"):
        found.append(f"grader {before.get('grader_version')} -> {after.get('grader_version')}")
    old, new = before.get("files", {}), after.get("files", {})
    for name in sorted(set(old) | set(new)):
        if name not in old:
            found.append(f"{name} added")
        elif name not in new:
            found.append(f"{name} removed")
        elif old[name] != new[name]:
            found.append(f"{name} changed")
    return found


def materialize(files: dict[str, bytes], folder: Path) -> Path:
    """Write ``files`` (``course_files``) under ``folder`` as a course root; returns it.
    Used by Dask workers, which grade exactly the course the client fingerprinted."""
    for name, data in files.items():
        target = folder / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise CourseError(f"course file name {name!r} leaves the course folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder
