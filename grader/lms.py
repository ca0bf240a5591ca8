"""LMS exports: the gradebook as one CSV row per student, for a learning management system.

Columns: who the student is, the total, then one column per test (``--total-only``: the
total alone). Conventions (README, "Gradebook": the sources are cited there):

- ``plain``: ``student, score, max_score, status, course_version, graded_at, <test>...``
- ``canvas``: Canvas's gradebook import matches a row by ``ID``, ``SIS User ID`` or
  ``SIS Login ID`` (``Student`` alone is not enough) and expects ``Section``; every other
  column is an assignment, matched by name (``Name (id)`` as Canvas exports it), and a
  name it does not know becomes a new assignment. The ID is taken from the Canvas file
  name (``smithbob_12345_...``) when the submission came from a Canvas download.
- ``moodle``: Moodle's CSV import asks which column identifies the user (username, ID
  number, email address) and maps each other column to a grade item; a name is not one.

For both, ``--roster FILE`` (the LMS's own gradebook export: Canvas's, or Moodle's "Export
to text file") is the reliable way: its identity columns are copied into each row, found
by the student's name (``Smith, Bob`` and ``Bob Smith`` both match ``smithbob`` and
``Bob Smith``), so the LMS recognises every row; roster students without a report get
empty cells, students missing from the roster are reported. Every cell passes
``text.csv_cell`` (no spreadsheet formula).
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from pathlib import Path

from grader import text
from grader.gradebook import Gradebook

LMS = ("plain", "canvas", "moodle")
IDENTITY = {"canvas": ("Student", "ID", "SIS User ID", "SIS Login ID", "Section"),
            "moodle": ("First name", "Last name", "ID number", "Email address")}
_CANVAS_FILE = re.compile(r"(?:^|/)[^\W_]+(?:_LATE)?_(\d+)_")


class ExportError(Exception):
    """Nothing to export, or a roster that cannot be used; the message says what to do."""


def export(book: Gradebook, assignment: str, lms: str = "plain", course_version: str | None = None,
           roster: Path | None = None, total_only: bool = False) -> tuple[str, list[str]]:
    """(CSV text, warnings) for ``assignment``: each student's latest report (under
    ``course_version``, a hash prefix, if given)."""
    version = _version(book, assignment, course_version)
    rows = book.current(assignment, version)
    if not rows:
        raise ExportError(f"the gradebook holds no report of {assignment!r}"
                          + (f" under course version {course_version}" if course_version else ""))
    tests = book.tests_of([row.id for row in rows])
    order = list(dict.fromkeys(t for row in rows for t in tests[row.id]))
    order = [] if total_only else order
    if lms == "plain":
        header = ["student", "score", "max_score", "status", "course_version", "graded_at", *order]
        body = [[_name(row), f"{row.score:g}", f"{row.max_score:g}", row.status, row.course_version,
                 row.graded_at.isoformat(), *_cells(tests[row.id], order)] for row in rows]
        return _csv([header, *body]), []
    grades = {_name(row): [f"{row.score:g}", *_cells(tests[row.id], order)] for row in rows}
    columns = [assignment, *(f"{assignment}: {t}" for t in order)]
    if roster is not None:
        return _with_roster(roster, lms, grades, columns)
    identity = {_name(row): _identity(row, lms) for row in rows}
    return _csv([[*IDENTITY[lms], *columns], *([*identity[n], *grades[n]] for n in grades)]), []


def _version(book: Gradebook, assignment: str, prefix: str | None) -> str | None:
    if prefix is None:
        return None
    found = [digest for digest, _ in book.versions(assignment) if digest.startswith(prefix.lower())]
    if len(found) != 1:
        raise ExportError(f"--course-version {prefix!r} matches {len(found)} course versions of {assignment}")
    return found[0]


def _name(row) -> str:
    """The report's student (the gradebook key may be a path, or carry a ``#2`` repeat)."""
    return json.loads(row.report).get("student") or row.student


def _cells(results: dict, order: list[str]) -> list[str]:
    return [f"{results[t]['score']:g}" if t in results else "" for t in order]


def _identity(row, lms: str) -> list[str]:
    name = _name(row)
    if lms == "moodle":
        first, _, last = name.rpartition(" ")
        return [first, last, "", ""] if first else [name, "", "", ""]
    document = json.loads(row.report)
    where = f"{document['submission']['path']}/{document['submission'].get('member') or ''}"
    found = _CANVAS_FILE.findall(where)
    return [name, found[-1] if found else "", "", "", ""]


def key(name: str) -> str:
    """A name as the LMSs spell it in different places: letters and digits, case folded."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", name).casefold() if ch.isalnum())


def _roster_keys(record: dict) -> set[str]:
    keys = set()
    student = record.get("Student", "")
    if student:
        last, _, first = student.partition(",")
        keys |= {key(student), key(first + last), key(last + first)}
    first, last = record.get("First name", ""), record.get("Last name", "")
    if first or last:
        keys |= {key(first + last), key(last + first)}
    for field in ("Username", "SIS Login ID", "Email address"):
        if record.get(field):
            keys.add(key(record[field].split("@")[0]))
    return keys - {""}


def _with_roster(roster: Path, lms: str, grades: dict, columns: list[str]) -> tuple[str, list[str]]:
    try:
        records = list(csv.DictReader(io.StringIO(roster.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ExportError(f"--roster {roster}: cannot read it as a CSV file ({exc})") from None
    fields = [f for f in IDENTITY[lms] if records and f in records[0]]
    if not fields:
        raise ExportError(f"--roster {roster}: none of the {lms} identity columns ({', '.join(IDENTITY[lms])}) "
                          "is in it; give the gradebook export of the LMS itself")
    by_key = {key(name): name for name in grades}
    used, out = set(), [[*fields, *columns]]
    for record in records:
        if record.get(fields[0], "").strip() == "Points Possible":
            continue
        match = next((by_key[k] for k in _roster_keys(record) if k in by_key), None)
        used.add(match)
        out.append([record.get(f, "") for f in fields] + (grades[match] if match else [""] * len(columns)))
    missing = sorted(set(grades) - used)
    warnings = [f"{len(missing)} graded students are not in the roster and were left out: "
                f"{', '.join(missing[:10])}"] if missing else []
    return _csv(out), warnings


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([text.csv_cell(str(cell)) for cell in row])
    return out.getvalue()
