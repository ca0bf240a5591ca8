"""A batch killed with SIGKILL midway and run again: only the rest is graded, and the
gradebook and the report files agree (no report without its row, no row without its
report, nothing graded twice, nothing half-written)."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT
from grader.exitcode import ExitCode
from scale_course import make_class, make_course

COUNT = 200


def command(course: Path, out: Path, klass: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "grader.cli_entry", "grade", "-a", "scale", "--course", str(course),
            "-o", str(out), "-j", "2", *extra, str(klass)]


def rows(database: Path, query: str = "SELECT student, batch_id, done_key, report_path, report_sha256, status "
                                      "FROM gradings ORDER BY id") -> list[tuple]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        try:
            return list(connection.execute(query))
        except sqlite3.OperationalError:  # the tables are not made yet
            return []


def kill_when(process: subprocess.Popen, database: Path, at_least: int, timeout: float = 300) -> int:
    """SIGKILL the grader once ``at_least`` rows are committed; the number committed then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the batch ended before it was killed: {process.stderr.read()}"
        if database.exists() and len(rows(database)) >= at_least:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return len(rows(database))
        time.sleep(0.02)
    process.kill()
    raise AssertionError("the batch did not get far enough in time")


def consistent(out: Path, database: Path) -> dict[str, tuple]:
    """Every report file has the current row of its student with the same bytes, and every
    current row its file; no temporary file is left. Returns {student: current row}."""
    current: dict[str, tuple] = {}
    for row in rows(database):
        current[row[0]] = row
    reports = sorted(out.glob("*.json"))
    by_path = {row[3]: row for row in current.values()}
    for path in reports:
        row = by_path.get(str(path.resolve()))
        assert row is not None, f"{path.name} has no row in the gradebook"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row[4], f"{path.name} differs from its row"
    assert len(reports) == len(current), "a row without its report file"
    assert not [p for p in out.iterdir() if p.name.endswith(".partial")]
    return current


def test_a_batch_killed_midway_grades_only_the_rest_when_run_again(tmp_path):
    course = make_course(tmp_path / "course")
    kinds = make_class(tmp_path / "class", COUNT)
    out, database = tmp_path / "out", tmp_path / "out" / "gradebook.sqlite"
    first = subprocess.Popen(command(course, out, tmp_path / "class", "--seed", "11"), cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    committed = kill_when(first, database, at_least=COUNT // 3)
    assert 0 < committed < COUNT
    # at the moment of the kill: a report on disk only for a committed row
    for path in out.glob("*.json"):
        assert any(row[3] == str(path.resolve()) for row in rows(database)), path.name

    again = subprocess.run(command(course, out, tmp_path / "class"), cwd=ROOT, capture_output=True, text=True,
                           timeout=600)  # no --seed: the gradebook's seed is used
    assert again.returncode == ExitCode.OK, again.stderr
    assert f"grading {COUNT - committed} submissions ({committed} graded before" in again.stderr

    history = rows(database)
    assert len(history) == COUNT, "a submission was graded twice, or one was lost"
    first_batch = {r[0] for r in history if r[1] == 1}
    second_batch = {r[0] for r in history if r[1] == 2}
    assert len(first_batch) == committed and len(second_batch) == COUNT - committed
    assert not first_batch & second_batch and first_batch | second_batch == set(kinds)
    assert all(r[2] is not None and r[5] == "graded" for r in history)
    current = consistent(out, database)
    assert set(current) == set(kinds)
    seeds = {json.loads(p.read_text())["seed"] for p in out.glob("*.json")}
    assert seeds == {11}
    for student, kind in kinds.items():
        document = json.loads((out / f"{student}.json").read_text())
        assert document["student"] == student
        full = document["score"] == document["max_score"]
        assert full == (kind != "raises"), (student, kind, document["score"])  # inputs are positive here

    third = subprocess.run(command(course, out, tmp_path / "class"), cwd=ROOT, capture_output=True, text=True,
                           timeout=600)
    assert third.returncode == ExitCode.OK, third.stderr
    assert f"nothing to grade: all {COUNT} submissions were graded before" in third.stderr
    assert len(rows(database)) == COUNT


def test_a_row_whose_report_was_not_written_gets_its_file_back_without_a_regrade(tmp_path):
    """The window between the commit and the rename: the row is there, the file is not
    (or is an older report). The next run writes it from the gradebook and grades nothing."""
    course = make_course(tmp_path / "course")
    make_class(tmp_path / "class", 3)
    out, database = tmp_path / "out", tmp_path / "out" / "gradebook.sqlite"
    first = subprocess.run(command(course, out, tmp_path / "class", "--seed", "3"), cwd=ROOT, capture_output=True,
                           text=True, timeout=600)
    assert first.returncode == ExitCode.OK, first.stderr
    written = (out / "s001.json").read_bytes()
    (out / "s000.json").unlink()
    (out / "s001.json").write_text(json.dumps({"stale": True}))
    (out / ".s002.json.0123456789ab.partial").write_text('{"half": ')
    again = subprocess.run(command(course, out, tmp_path / "class"), cwd=ROOT, capture_output=True, text=True,
                           timeout=600)
    assert again.returncode == ExitCode.OK, again.stderr
    assert "nothing to grade" in again.stderr and "written again from the gradebook" in again.stderr
    assert (out / "s001.json").read_bytes() == written
    assert len(rows(database)) == 3
    consistent(out, database)


def test_regrade_grades_again_and_keeps_one_current_row_per_student(tmp_path):
    course = make_course(tmp_path / "course")
    make_class(tmp_path / "class", 3)
    out, database = tmp_path / "out", tmp_path / "out" / "gradebook.sqlite"
    for extra in (("--seed", "3"), ("--regrade",)):
        result = subprocess.run(command(course, out, tmp_path / "class", *extra), cwd=ROOT, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == ExitCode.OK, result.stderr
        assert "grading 3 submissions" in result.stderr
    history = rows(database)
    assert len(history) == 6
    assert [r[2] is None for r in history] == [True] * 3 + [False] * 3  # the first three superseded
    consistent(out, database)


def test_the_same_file_given_twice_keeps_two_reports_and_two_rows(tmp_path):
    course = make_course(tmp_path / "course")
    make_class(tmp_path / "class", 1)
    one = tmp_path / "class" / "s000.py"
    out, database = tmp_path / "out", tmp_path / "out" / "gradebook.sqlite"
    argv = [sys.executable, "-m", "grader.cli_entry", "grade", "-a", "scale", "--course", str(course),
            "-o", str(out), "--seed", "2", str(one), str(one)]
    for _ in range(2):
        result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert result.returncode == ExitCode.OK, result.stderr
    assert sorted(p.name for p in out.glob("*.json")) == ["s000-2.json", "s000.json"]
    assert "nothing to grade: all 2 submissions" in result.stderr
    students = [r[0] for r in rows(database)]
    assert sorted(students) == [str(one), f"{one}#2"]
    consistent(out, database)


def test_no_gradebook_is_made_when_nothing_is_graded(tmp_path):
    course = make_course(tmp_path / "course")
    result = subprocess.run([sys.executable, "-m", "grader.cli_entry", "grade", "-a", "scale", "--course",
                             str(course), "-o", str(tmp_path / "out"), str(tmp_path / "missing.py")],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == ExitCode.USAGE
    assert not (tmp_path / "out").exists()


def test_gradebook_none_grades_everything_every_time_and_keeps_no_database(tmp_path):
    course = make_course(tmp_path / "course")
    make_class(tmp_path / "class", 2)
    out = tmp_path / "out"
    for _ in range(2):
        result = subprocess.run(command(course, out, tmp_path / "class", "--gradebook", "none"), cwd=ROOT,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == ExitCode.OK, result.stderr
        assert "grading 2 submissions" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["s000.json", "s001.json"]
    assert os.path.exists(out / "s000.json")


def test_a_report_that_cannot_be_written_leaves_no_row_counting_as_graded(tmp_path, monkeypatch):
    """The row is committed first; if the file then cannot be written, the row stops
    counting as graded, so the next run grades that submission again."""
    import pytest

    from grader import assignment, fingerprint, report
    from grader.bookkeeper import Bookkeeper
    from grader.gradebook import Gradebook, default_url
    course = make_course(tmp_path / "course")
    found = assignment.load("scale", course)
    document = {"seed": 1, "score": 1.0, "max_score": 2.0, "status": "graded", "tests": [],
                "submission": {"path": "x.py", "sha256": "ab" * 32, "member": None}}

    def cannot_write(doc, path):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(report, "write", cannot_write)
    with Gradebook.open(default_url(tmp_path / "out")) as book:
        keeper = Bookkeeper(book, fingerprint.version(found), 1, tmp_path / "out")
        batch = keeper._start("test")
        with pytest.raises(OSError, match="No space left"):
            keeper.keep(document, tmp_path / "out" / "x.json", "x", "key-x", batch)
        assert book.finished(["key-x"]) == {}
        assert [row.student for row in book.current("scale")] == ["x"]


def test_a_file_name_that_is_not_utf8_is_kept_and_skipped_like_any_other(tmp_path):
    """A name with undecodable bytes (lone surrogates in Python) is no database's text:
    the gradebook stores it escaped, the same way every run."""
    course = make_course(tmp_path / "course")
    make_class(tmp_path / "class", 1)
    odd = Path(os.fsdecode(bytes(tmp_path / "class") + b"/bad\xff\xfename.py"))
    (tmp_path / "class" / "s000.py").rename(odd)
    out, database = tmp_path / "out", tmp_path / "out" / "gradebook.sqlite"
    argv = [sys.executable, "-m", "grader.cli_entry", "grade", "-a", "scale", "--course", str(course), "-o",
            str(out), "--seed", "2", "--one", os.fsencode(odd)]
    for expected in ("grading 1 submission", "nothing to grade: all 1 submission"):
        result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert result.returncode == ExitCode.OK, result.stderr
        assert expected in result.stderr
    assert [r[0] for r in rows(database)] == [f"{tmp_path}/class/bad\\xff\\xfename.py"]
    consistent(out, database)
