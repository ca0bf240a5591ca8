"""Rubrics: points, visibility and partial credit per test, as data (never executed)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader import schema
from grader.assignment import Assignment, CourseError, read_toml


@dataclass(frozen=True)
class Entry:
    test: str
    points: float
    visibility: str  # visible | hidden | after_due_date
    partial: str     # all_or_nothing | per_output


@dataclass(frozen=True)
class Rubric:
    assignment: str
    entries: tuple[Entry, ...]

    @property
    def max_score(self) -> float:
        return sum(entry.points for entry in self.entries)

    def entry(self, test: str) -> Entry:
        for entry in self.entries:
            if entry.test == test:
                return entry
        raise CourseError(f"rubric for {self.assignment}: no entry for test {test!r}")

    def visible(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.visibility == "visible")


def load(assignment: Assignment, path: Path | None = None) -> Rubric:
    """Read and check a rubric against the schema and the assignment's probes."""
    path = path or assignment.rubric_path
    if not path.is_file():
        raise CourseError(f"rubric {path} is missing; every assignment needs rubrics/{assignment.name}.toml")
    data = read_toml(path)
    schema.check(data, "rubric", path)
    if data["assignment"] != assignment.name:
        raise CourseError(f"rubric {path}: assignment = {data['assignment']!r}, expected {assignment.name!r}")
    probe_ids = [p.id for p in assignment.probes]
    for test in data["tests"]:
        if test not in probe_ids:
            raise CourseError(f"rubric {path}: test {test!r} is not defined in "
                              f"assignments/{assignment.name}/probes.py")
    unscored = [test for test in probe_ids if test not in data["tests"]]
    if unscored:
        raise CourseError(f"rubric {path}: probes {', '.join(unscored)} have no points; "
                          f"add a [tests.<name>] table for each")
    entries = tuple(Entry(test, float(data["tests"][test]["points"]), data["tests"][test]["visibility"],
                          data["tests"][test].get("partial", "all_or_nothing")) for test in probe_ids)
    return Rubric(assignment.name, entries)
