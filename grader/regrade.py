"""Regrades: whose score a course change changed, and which tests changed it.

``diff`` compares, student by student, the latest report under one course version with
the latest under another (by default the version graded before the newest, and the
newest). A student is listed when their score differs; the reason names every test
whose score changed (``total_rows: 3 -> 0 (passed -> failed)``), and says when the
student handed in another file or the seed differs between the two. What changed in the
course itself (which files, the grader version) heads the list. Students graded under
only one of the two versions are counted apart, never listed as changed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from grader import fingerprint, text
from grader.gradebook import Gradebook, Grading


class DiffError(Exception):
    """The versions asked for cannot be compared (unknown, ambiguous, fewer than two graded)."""


@dataclass(frozen=True)
class Change:
    """One student whose score changed: ``tests``: (test id, old score, new score, old status, new status)."""

    student: str
    before: float
    after: float
    max_before: float
    max_after: float
    tests: tuple[tuple[str, float | None, float | None, str | None, str | None], ...]
    notes: tuple[str, ...] = ()


@dataclass
class Diff:
    assignment: str
    before: str
    after: str
    course_changes: list[str]
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    only_before: list[str] = field(default_factory=list)
    only_after: list[str] = field(default_factory=list)


def _pick(versions: list[tuple[str, dict]], prefix: str | None, default: int, what: str) -> tuple[str, dict]:
    if prefix is None:
        return versions[default]
    found = [v for v in versions if v[0].startswith(prefix.lower())]
    if len(found) != 1:
        known = ", ".join(v[0][:12] for v in versions)
        raise DiffError(f"--{what} {prefix!r} matches {len(found)} course versions of this assignment "
                        f"(graded: {known}); give a longer prefix")
    return found[0]


def diff(book: Gradebook, assignment: str, before: str | None = None, after: str | None = None) -> Diff:
    """The students of ``assignment`` whose score differs between the two course versions."""
    versions = book.versions(assignment)
    if len(versions) < 2 and (before is None or after is None):
        raise DiffError(f"{assignment}: {len(versions)} course version(s) graded in this gradebook; a diff needs "
                        "two: change the course and run `grader grade` again")
    old, new = _pick(versions, before, -2, "from"), _pick(versions, after, -1, "to")
    rows_before = {row.student: row for row in book.current(assignment, old[0])}
    rows_after = {row.student: row for row in book.current(assignment, new[0])}
    both = sorted(set(rows_before) & set(rows_after))
    tests = book.tests_of([rows_before[s].id for s in both] + [rows_after[s].id for s in both])
    found = Diff(assignment, old[0], new[0], fingerprint.changes(old[1], new[1]),
                 only_before=sorted(set(rows_before) - set(rows_after)),
                 only_after=sorted(set(rows_after) - set(rows_before)))
    for student in both:
        change = _change(rows_before[student], rows_after[student], tests)
        if change is None:
            found.unchanged += 1
        else:
            found.changed.append(change)
    return found


def _change(old: Grading, new: Grading, tests: dict) -> Change | None:
    if old.score == new.score and old.max_score == new.max_score:
        return None
    a, b = tests[old.id], tests[new.id]
    moved = tuple((t, a.get(t, {}).get("score"), b.get(t, {}).get("score"), a.get(t, {}).get("status"),
                   b.get(t, {}).get("status"))
                  for t in sorted(set(a) | set(b), key=lambda t: (list(b).index(t) if t in b else len(b), t))
                  if a.get(t, {}).get("score") != b.get(t, {}).get("score"))
    notes = []
    if old.submission_sha256 != new.submission_sha256:
        notes.append("graded another file (the student handed in again)")
    if old.seed != new.seed:
        notes.append(f"another seed ({old.seed} -> {new.seed})")
    if old.status != new.status:
        notes.append(f"report status {old.status} -> {new.status}")
    return Change(new.student, old.score, new.score, old.max_score, new.max_score, moved, tuple(notes))


def _points(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def document(found: Diff) -> dict:
    """The diff as plain data (``--format json``)."""
    return {"assignment": found.assignment, "from": found.before, "to": found.after,
            "course_changes": found.course_changes, "unchanged": found.unchanged,
            "only_from": found.only_before, "only_to": found.only_after,
            "changed": [{"student": c.student, "score_from": c.before, "score_to": c.after,
                         "max_from": c.max_before, "max_to": c.max_after, "notes": list(c.notes),
                         "tests": [{"test": t, "score_from": s0, "score_to": s1, "status_from": st0,
                                    "status_to": st1} for t, s0, s1, st0, st1 in c.tests]}
                        for c in found.changed]}


def render(found: Diff, style: str = "plain") -> str:
    """Plain text for a person (cleaned, one student per line, reasons under it) or JSON."""
    if style == "json":
        return json.dumps(text.for_json(document(found)), indent=2, ensure_ascii=False) + "\n"
    lines = [f"{found.assignment}: course version {found.before[:12]} -> {found.after[:12]}"
             f" ({', '.join(found.course_changes) or 'no course file changed'})",
             f"{len(found.changed)} students' scores changed, {found.unchanged} unchanged"]
    for change in found.changed:
        lines.append(f"{change.student}: {change.before:g}/{change.max_before:g} -> {change.after:g}/{change.max_after:g}")
        lines += [f"  {test}: {_points(s0)} -> {_points(s1)} ({st0 or 'not graded'} -> {st1 or 'not graded'})"
                  for test, s0, s1, st0, st1 in change.tests]
        lines += [f"  note: {note}" for note in change.notes]
    if found.only_before or found.only_after:
        lines.append(f"not compared: {len(found.only_before)} graded only under {found.before[:12]}, "
                     f"{len(found.only_after)} only under {found.after[:12]}")
    return "".join(text.clean(line) + "\n" for line in lines)
