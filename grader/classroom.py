"""Classrooms: the arguments of `grader grade` expanded into the handins of a batch.

A ``.py``, ``.ipynb`` (or any other) file is one submission. A folder or a ``.zip`` is
read by a layout (``--layout``; ``--one`` is ``--layout one``); a folder or zip holding
nothing but one folder is read as that folder. Layouts:

===========  ============================================================  ===================
layout       a folder or zip that holds                                    each student is
===========  ============================================================  ===================
one          one submission                                                (not named)
students     one entry per student: a file, a folder or a zip              the entry's name
             (``alice.py``, ``bob/``, ``carol.zip``; files of one name     without its suffix
             are one student's: ``dan.py`` + ``dan.ipynb``)
nbgrader     ``<student>/<assignment>/`` folders: nbgrader's               the folder name
             ``submitted/``, or the course folder holding it
canvas       Canvas "Download Submissions": ``smithbob_12345_67890_f.py``  ``smithbob``
             (``smithbob_LATE_12345_...`` when late)                       (user id groups)
moodle       Moodle "Download all submissions", in folders or not:         ``Ada Lovelace``
             ``Ada Lovelace_12345_assignsubmission_file_[/]softmax.py``    (id groups)
blackboard   Blackboard "Download Assignment":                             the user name; the
             ``HW2_jdoe_attempt_2024-03-01-12-00-00_softmax.py``           latest attempt
===========  ============================================================  ===================

``auto`` (the default) picks, in order: an LMS when every entry is named as that LMS
names them; ``nbgrader`` when there is a ``submitted/`` folder, or every entry holding
code is a folder of per-assignment folders, one of them ``<assignment>/``; for a zip,
``one`` (a zip is what one student hands in unless its names say otherwise; ``--layout
students`` reads a zip of a class), but ambiguous when two or more of its entries hold a
file named after the assignment and none is at its top (a zipped class folder) and it is
the only argument (beside others, each zip is one student's hand-in); ``one`` when a
file named after the assignment is at the top (so ``hw2/softmax.py`` beside
``hw2/old/softmax.py`` stays one submission), or when fewer than two entries hold code
(a ``.py``, ``.ipynb`` or ``.zip`` anywhere inside); ``students`` when two or more
entries hold a file named after the assignment, or none does. Ambiguous, a usage error
that lists what was ambiguous and is settled by ``--layout``: some but not all entries
named by an LMS; a file named after the assignment at the top beside two or more entries
holding one; exactly one entry holding such a file among several holding code.
Top-level files that hold no code (``README.md``) are nobody's and are left out, with
a note. Paths that do not exist, and a batch with nothing to grade, are usage errors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader import report, text, tree
from grader.handin import Handin, gradable, left_out, listed, named_after

LAYOUTS = ("auto", "one", "students", "nbgrader", "canvas", "moodle", "blackboard")
_LMS = {
    "canvas": re.compile(r"(?P<name>[^\W_]+)(?P<late>_LATE)?_(?P<id>\d+)(?:_\d+)?_(?P<file>.+)"),
    "moodle": re.compile(r"(?P<name>.+?)_(?P<id>\d+)_+assignsubmission_[a-z]+(?:_(?P<file>.*))?"),
    "blackboard": re.compile(r".+_(?P<id>(?P<name>[^_]+))_attempt_(?P<date>\d{4}(?:-\d\d){5})(?:_(?P<file>.+)|\.txt)?"),
}
_DESCRIBED = {"one": "one submission", "students": "one entry per student", "nbgrader": "nbgrader's submitted/",
              "canvas": "a Canvas download", "moodle": "a Moodle download", "blackboard": "a Blackboard download"}


class Unusable(Exception):
    """The arguments cannot be graded as given: a usage error. ``problems``: one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Batch:
    """The handins of a batch, in argument order, and what the person running it should know.

    ``arguments[i]``: the argument handin i came from; ``readings``: how each folder or zip
    argument was read; ``notes``: what was left out of the batch, and why.
    """

    handins: tuple[Handin, ...]
    arguments: tuple[Path, ...]
    readings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def report_paths(self, outdir: Path) -> list[Path]:
        """``OUTDIR/<name>.json`` per handin: named after the student (``alice.json``), else
        after the file; unique within the batch (grader.report.report_names)."""
        choices = [report.candidates(Path(arg) / h.student if h.student else h.source)
                   for h, arg in zip(self.handins, self.arguments)]
        return [outdir / f"{name}.json" for name in report.report_names(choices)]


@dataclass(frozen=True)
class _Entry:
    """A top-level entry: a file, or a folder and the names inside it (relative to it)."""

    name: str
    folder: bool
    inner: tuple[str, ...] = ()

    def pairs(self, handed: str) -> list[tuple[str, str]]:
        """(name as handed in, name relative to the entry's parent); ``handed`` replaces the entry's name."""
        if not self.folder:
            return [(handed or self.name, self.name)]
        return [(f"{handed}/{rel}" if handed else rel, f"{self.name}/{rel}") for rel in self.inner]


@dataclass
class _Student:
    name: str
    key: str
    files: list[tuple[str, str, str]] = field(default_factory=list)  # (handed in, entry-relative name, attempt)
    wholes: list[str] = field(default_factory=list)                  # what a folder handin may be
    notes: list[str] = field(default_factory=list)


def expand(arguments: list[Path], assignment: str, layout: str = "auto") -> Batch:
    """The handins of ``arguments``; raises Unusable listing every problem found."""
    if layout not in LAYOUTS:
        raise Unusable([f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}"])
    handins, origins, readings, notes, problems = [], [], [], [], []
    for argument in map(Path, arguments):
        if not argument.is_file() and not argument.is_dir():
            problems.append(f"{_shown(argument)}: no such file or folder")
            continue
        if argument.is_file() and (argument.suffix.lower() != ".zip" or layout == "one"):
            found = [Handin(argument)]
        else:
            try:
                found, reading, left = _read(argument, assignment, layout, alone=len(arguments) == 1)
            except Unusable as exc:
                problems += exc.problems
                continue
            readings += [reading] if reading else []
            notes += left
        handins += found
        origins += [argument] * len(found)
    if not handins and not problems:
        problems.append("nothing to grade in " + ", ".join(_shown(a) for a in arguments))
    if problems:
        raise Unusable(problems)
    return Batch(tuple(handins), tuple(origins), tuple(readings), tuple(notes))


def _shown(path) -> str:
    return text.clean(str(path), lines=False)


def _read(argument: Path, assignment: str, layout: str, alone: bool) -> tuple[list[Handin], str, list[str]]:
    """A folder or zip argument as handins, how it was read, and what was left out."""
    try:
        files = tree.of(argument)
    except tree.TreeError as exc:
        if argument.is_file():
            return [Handin(argument)], "", []  # a broken zip: the student's report says why
        raise Unusable([_shown(exc)]) from None
    if not files.sizes and argument.is_dir():
        raise Unusable([f"{_shown(argument)}: holds no files"])
    if layout == "one":
        return [Handin(argument)], "", []
    prefix = _wrapper(files.names)
    entries = _entries(files.names, prefix)
    if layout == "auto":
        layout = _detect(argument, entries, assignment, files.is_zip, alone)
        if layout == "one":
            return [Handin(argument)], "", []
    if layout == "nbgrader" and "submitted/" in entries:
        prefix += "submitted/"
        entries = _entries(files.names, prefix)
    students, left = _students(layout, entries, assignment)
    if not students:
        raise Unusable([(f"{_shown(argument)}: nothing in it is laid out as {_DESCRIBED[layout]} "
                        f"({_EXAMPLE[layout]}); choose another --layout")])
    handins = [_handin(argument, files.is_zip, prefix, student) for student in students]
    count = f"{len(handins)} student{'s' if len(handins) != 1 else ''}"
    reading = f"{_shown(argument)}: read as {_DESCRIBED[layout]}, {count} (--layout one grades it as one submission)"
    notes = [f"{_shown(argument)}: left out {_shown(prefix + name)} ({why})" for name, why in left]
    return handins, reading, notes


def _wrapper(names: list[str]) -> str:
    """The path of the folder that alone holds everything (``class/``), however deep; "" if none."""
    junk = left_out(names)
    kept = [n for n in names if n not in junk]
    prefix = ""
    while kept and all("/" in n[len(prefix):] for n in kept):
        tops = {n[len(prefix):].split("/", 1)[0] for n in kept}
        if len(tops) != 1:
            break
        prefix += f"{tops.pop()}/"
    return prefix


def _entries(names: list[str], prefix: str) -> dict[str, _Entry]:
    """The entries under ``prefix``, keyed ``alice.py`` (a file) or ``bob/`` (a folder); junk left out."""
    junk = left_out(names)
    files, folders = [], {}
    for name in names:
        if not name.startswith(prefix) or name in junk:
            continue
        head, _, rest = name[len(prefix):].partition("/")
        if rest:
            folders.setdefault(head, []).append(rest)
        else:
            files.append(head)
    entries = {name: _Entry(name, False) for name in files}
    entries.update({f"{name}/": _Entry(name, True, tuple(inner)) for name, inner in folders.items()})
    return entries


def _names(entry: _Entry) -> list[str]:
    return list(entry.inner) if entry.folder else [entry.name]


def _holds_code(entry: _Entry) -> bool:
    return any(gradable(n) or n.lower().endswith(".zip") for n in _names(entry))


def _detect(argument: Path, entries: dict[str, _Entry], assignment: str, is_zip: bool, alone: bool) -> str:
    for kind, pattern in _LMS.items():
        matched = [key for key, entry in entries.items() if pattern.fullmatch(entry.name)]
        if matched and len(matched) == len(entries):
            return kind
        if len(matched) >= 2:
            raise Unusable([(f"{_shown(argument)}: {len(matched)} of {len(entries)} entries are named as in "
                            f"{_DESCRIBED[kind]} ({_EXAMPLE[kind]}), but not {_listed(set(entries) - set(matched))}; "
                            f"move those out, or pass --layout {kind} (they are then left out) or --layout students")])
    if "submitted/" in entries:
        return "nbgrader"
    coded = [e for e in entries.values() if _holds_code(e)]
    holders = [e for e in coded if any(named_after(n, assignment) for n in _names(e))]
    top = [e.name for e in holders if not e.folder]
    if is_zip:  # what one student hands in, unless its names say otherwise
        if _nbgrader(coded, assignment):
            return "nbgrader"
        if alone and not top and len(holders) >= 2:  # a zipped class folder: as one it would score 0
            raise Unusable([_ambiguous(argument, argument.name, holders, assignment)])
        return "one"
    if top:
        if len(holders) - len(top) >= 2:
            raise Unusable([_ambiguous(argument, _listed(top), holders, assignment)])
        return "one"
    if _nbgrader(coded, assignment):
        return "nbgrader"
    if len(coded) < 2:
        return "one"
    if len(holders) == 1:
        raise Unusable([_ambiguous(argument, _label(holders[0]), coded, assignment)])
    return "students"


def _nbgrader(coded: list[_Entry], assignment: str) -> bool:
    """Every entry holding code is a student's folder of per-assignment folders, one of them this one."""
    return bool(coded) and all(e.folder and all("/" in rel for rel in e.inner) for e in coded) \
        and any(_assignment_folder(e, assignment) for e in coded)


def _ambiguous(argument: Path, one: str, students: list[_Entry], assignment: str) -> str:
    count = len({(e.name if e.folder else PurePosixPath(e.name).stem).casefold() for e in students})
    return (f"{_shown(argument)}: ambiguous: one submission ({one}) or a class of {count} students "
            f"({_listed(_label(e) for e in students)}), each with their own {assignment} code? Pass --layout one "
            "or --layout students")


def _label(entry: _Entry) -> str:
    return f"{entry.name}/" if entry.folder else entry.name


def _assignment_folder(entry: _Entry, assignment: str) -> bool:
    return any(rel.startswith(f"{assignment}/") for rel in entry.inner)


def _students(layout: str, entries: dict[str, _Entry], assignment: str
              ) -> tuple[list[_Student], list[tuple[str, str]]]:
    """The students of a layout, in name order, and the entries that are nobody's, with why."""
    found: dict[str, _Student] = {}
    left = []
    for key in sorted(entries):
        entry = entries[key]
        owner = _owner(layout, entry, assignment)
        if owner is None:
            left.append((key, _WHY_LEFT.get(layout, f"not named as in {_DESCRIBED[layout]}")))
            continue
        student_key, name, handed, whole, extra = owner
        student = found.setdefault(student_key, _Student(name=name, key=student_key))
        pairs = entry.pairs(handed)
        if layout == "nbgrader":
            pairs = [(h[len(assignment) + 1:], n) for h, n in pairs if h.startswith(f"{assignment}/")]
        student.files += [(h, n, extra.get("date", "")) for h, n in pairs]
        student.wholes.append(whole)
        student.notes += [note for note in extra.get("notes", []) if note not in student.notes]
    for student in found.values():
        _latest_attempt(student)
    return _unique_names(list(found.values())), left


def _owner(layout: str, entry: _Entry, assignment: str):
    """(student key, name, name handed in for the entry, whole handin or "", extras) or None."""
    if layout in _LMS:
        match = _LMS[layout].fullmatch(entry.name)
        if not match:
            return None
        extra = {"date": match.groupdict().get("date") or ""}
        if match.groupdict().get("late"):
            extra["notes"] = ["Canvas marks this submission LATE"]
        handed = match["file"] or ""
        whole = entry.name if entry.folder and not handed else ""
        return match["id"], match["name"], handed, whole, extra
    if layout == "nbgrader":
        if not entry.folder or not _assignment_folder(entry, assignment):
            return None
        return entry.name.casefold(), entry.name, "", f"{entry.name}/{assignment}", {}
    if not entry.folder and not _holds_code(entry):
        return None
    stem = entry.name if entry.folder else PurePosixPath(entry.name).stem
    return stem.casefold(), stem, "", entry.name, {}


_WHY_LEFT = {"nbgrader": "no folder for this assignment",
             "students": "no .py, .ipynb or .zip file: not a student's submission"}


def _latest_attempt(student: _Student) -> None:
    dates = sorted({date for _, _, date in student.files})
    if len(dates) > 1:
        student.files = [f for f in student.files if f[2] == dates[-1]]
        student.wholes = [""]
        student.notes.append(f"{len(dates)} attempts handed in; graded the latest, of {dates[-1]}")


def _unique_names(students: list[_Student]) -> list[_Student]:
    """Students sharing a name (two Smiths) are told apart by their id."""
    counts: dict[str, int] = {}
    for student in students:
        counts[student.name.casefold()] = counts.get(student.name.casefold(), 0) + 1
    for student in students:
        if counts[student.name.casefold()] > 1 and student.key != student.name.casefold():
            student.name = f"{student.name} ({student.key})"
    return sorted(students, key=lambda s: (s.name.casefold(), s.key))


def _handin(argument: Path, is_zip: bool, prefix: str, student: _Student) -> Handin:
    notes = tuple(student.notes)
    if not is_zip and len(student.wholes) == 1 and student.wholes[0]:
        return Handin(argument / prefix / student.wholes[0], student.name, None, notes)
    taken: set[str] = set()
    files = []
    for handed, name, _ in sorted(student.files, key=lambda f: _natural(f[1]), reverse=True):
        files.append((handed if handed not in taken else name, prefix + name))  # two uploads of one name:
        taken.add(handed)                                                       # the newest keeps it
    return Handin(argument, student.name, tuple(sorted(files)), notes)


def _natural(name: str) -> list:
    """``a_9_x`` before ``a_10_x``: numbers compared as numbers (LMS ids grow with time)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


_EXAMPLE = {"students": "alice.py, bob/", "nbgrader": "<student>/<assignment>/",
            "canvas": "lastnamefirstname_12345_67890_file.py", "moodle": "First Last_12345_assignsubmission_file_",
            "blackboard": "HW2_user_attempt_2024-03-01-12-00-00_file.py"}


def _listed(names) -> str:
    return listed(names, shown=_shown)
