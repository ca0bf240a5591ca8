"""The gradebook: a course change and `gradebook diff`, LMS exports, schema migrations,
the course version, another database server, and `grade` without the extra."""
from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from grader import assignment, fingerprint, migration
from grader.exitcode import ExitCode
from grader.gradebook import Gradebook, GradebookError, default_url
from scale_course import make_class, make_course


def grader(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader.cli_entry", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def graded(course: Path, klass: Path, out: Path, *extra) -> subprocess.CompletedProcess:
    result = grader("grade", "-a", "scale", "--course", course, "-o", out, "-j", "2", *extra, klass)
    assert result.returncode == ExitCode.OK, result.stderr
    return result


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    """A class of 12 graded under the course, then again after total_rows's inputs became
    signed (only abs_total students can lose points)."""
    root = tmp_path_factory.mktemp("change")
    course = make_course(root / "course")
    kinds = make_class(root / "class", 12)
    out = root / "out"
    graded(course, root / "class", out, "--seed", "21")
    make_course(course, inputs="normal(size=(3, 4))")
    second = graded(course, root / "class", out)
    return root, course, kinds, out, second


def test_a_course_change_regrades_everyone_and_diff_lists_exactly_whose_score_changed(changed):
    root, course, kinds, out, second = changed
    assert "grading 12 submissions" in second.stderr  # a new course version: nothing is skipped
    result = grader("gradebook", "diff", "-a", "scale", "-o", out, "--format", "json")
    assert result.returncode == ExitCode.OK, result.stderr
    found = json.loads(result.stdout)
    assert found["course_changes"] == ["assignments/scale/probes.py changed"]
    expected = sorted(s for s, kind in kinds.items() if kind == "abs_total")
    assert [c["student"] for c in found["changed"]] == expected
    assert found["unchanged"] == 12 - len(expected)
    for change in found["changed"]:
        assert [t["test"] for t in change["tests"]] == ["total_rows"]
        test = change["tests"][0]
        assert (test["status_from"], test["status_to"]) == ("passed", "failed")
        assert change["score_to"] == change["score_from"] - test["score_from"] and not change["notes"]
    shown = grader("gradebook", "show", "-o", out)
    assert shown.returncode == ExitCode.OK and shown.stdout.startswith("scale: 12 students, 2 course versions")
    plain = grader("gradebook", "diff", "-a", "scale", "-o", out)
    assert f"{len(expected)} students' scores changed, {12 - len(expected)} unchanged" in plain.stdout
    assert f"{expected[0]}: 6/6 -> 3/6\n  total_rows: 3 -> 0 (passed -> failed)\n" in plain.stdout


def test_diff_needs_two_course_versions_and_says_so(tmp_path):
    course = make_course(tmp_path / "course")
    make_class(tmp_path / "class", 2)
    graded(course, tmp_path / "class", tmp_path / "out", "--seed", "1")
    result = grader("gradebook", "diff", "-a", "scale", "-o", tmp_path / "out")
    assert result.returncode == ExitCode.USAGE and "a diff needs two" in result.stderr
    nothing = grader("gradebook", "diff", "-a", "scale", "-o", tmp_path / "elsewhere")
    assert nothing.returncode == ExitCode.USAGE and "no gradebook at" in nothing.stderr


def test_export_one_row_per_student_with_the_total_and_each_test(changed):
    root, course, kinds, out, _ = changed
    result = grader("gradebook", "export", "-a", "scale", "-o", out)
    assert result.returncode == ExitCode.OK, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["student"] for r in rows] == sorted(kinds)
    assert list(rows[0])[6:] == ["scale_matrix", "scale_vector", "total_rows"]
    for row in rows:
        report = json.loads((out / f"{row['student']}.json").read_text())
        assert float(row["score"]) == report["score"]
        assert {t["id"]: t["score"] for t in report["tests"]} == {t: float(row[t]) for t in list(row)[6:]}
        assert row["course_version"] == fingerprint.version(assignment.load("scale", course)).digest
    older = grader("gradebook", "export", "-a", "scale", "-o", out, "--course-version",
                   json.loads(grader("gradebook", "diff", "-a", "scale", "-o", out, "--format",
                                     "json").stdout)["from"][:10])
    before = {r["student"]: float(r["score"]) for r in csv.DictReader(io.StringIO(older.stdout))}
    assert before == {s: (0.0 if kind == "raises" else 3.0) + 3.0 for s, kind in kinds.items()}


def test_canvas_and_moodle_exports_follow_their_import_columns(changed, tmp_path):
    root, course, kinds, out, _ = changed
    canvas = grader("gradebook", "export", "-a", "scale", "-o", out, "--lms", "canvas", "--total-only")
    header = next(csv.reader(io.StringIO(canvas.stdout)))
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "scale"]
    roster = tmp_path / "moodle.csv"
    roster.write_text("First name,Last name,ID number,Institution,Department,Email address\n"
                      "S,000,1000,,,s000@uni.example\nNo,Body,1999,,,nobody@uni.example\n", encoding="utf-8")
    moodle = grader("gradebook", "export", "-a", "scale", "-o", out, "--lms", "moodle", "--roster", roster)
    assert moodle.returncode == ExitCode.OK, moodle.stderr
    rows = list(csv.reader(io.StringIO(moodle.stdout)))
    assert rows[0] == ["First name", "Last name", "ID number", "Email address", "scale", "scale: scale_matrix",
                       "scale: scale_vector", "scale: total_rows"]
    s000 = json.loads((out / "s000.json").read_text())
    assert rows[1][:4] == ["S", "000", "1000", "s000@uni.example"] and float(rows[1][4]) == s000["score"]
    assert rows[2] == ["No", "Body", "1999", "nobody@uni.example", "", "", "", ""]
    assert "11 graded students are not in the roster" in moodle.stderr


def test_the_course_version_covers_probes_reference_rubric_mistakes_metadata_and_grader(tmp_path):
    course = make_course(tmp_path / "course")
    found = assignment.load("scale", course)
    base = fingerprint.version(found)
    assert sorted(dict(base.files)) == ["assignments/scale/assignment.toml", "assignments/scale/probes.py",
                                        "reference/mistakes/scale/abs_total.py", "reference/scale.py",
                                        "rubrics/scale.toml"]
    moved = shutil.copytree(course, tmp_path / "elsewhere")
    assert fingerprint.version(assignment.load("scale", moved)).digest == base.digest
    assert fingerprint.version(found, grader_version="9.9").digest != base.digest
    for name in dict(base.files):
        with (course / name).open("a") as handle:
            handle.write("\n")
        changed = fingerprint.version(assignment.load("scale", course))
        assert changed.digest != base.digest, name
        assert fingerprint.changes(base.components(), changed.components()) == [f"{name} changed"]
        base = changed
    (course / "assignments" / "scale" / "README.md").write_text("students read this\n")
    assert fingerprint.version(assignment.load("scale", course)).digest == base.digest


def test_an_old_gradebook_is_migrated_on_open_and_its_rows_still_count(tmp_path):
    """A gradebook of schema 0001 (before batches) is upgraded by Alembic when opened: its
    rows keep counting as graded, and the schema equals grader/tables.py's."""
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from grader.gradebook import _engine, done_key
    from grader.tables import metadata
    url = default_url(tmp_path)
    engine = _engine(url)
    migration.upgrade(engine, "0001")
    assert migration.current(engine) == "0001"
    assert "batches" not in sa.inspect(engine).get_table_names()
    key = done_key("scale", "alice", "ab" * 32, "cd" * 32, 7)
    with engine.begin() as db:
        db.execute(sa.text("INSERT INTO course_versions VALUES (:d, 'scale', '0.1.0', '{}', '2026-01-01')"),
                   {"d": "cd" * 32})
        db.execute(sa.text(
            "INSERT INTO gradings (assignment, student, submission_sha256, course_version, seed, status, score, "
            "max_score, report_path, report_sha256, report, graded_at, done_key) VALUES ('scale', 'alice', :s, "
            ":d, 7, 'graded', 5, 6, '/r/alice.json', :h, '{\"student\": \"alice\"}', '2026-01-01', :k)"),
            {"s": "ab" * 32, "d": "cd" * 32, "h": "ef" * 32, "k": key})
    engine.dispose()
    with Gradebook.open(url) as book:
        assert migration.current(book.engine) == migration.HEAD == "0002"
        with book.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        stored = book.finished([key])[key]
        assert (stored.student, stored.score, stored.batch_id, stored.seed) == ("alice", 5.0, None, 7)
        assert book.stored_seed("scale") == 7
        assert [row.student for row in book.current("scale")] == ["alice"]


def test_a_gradebook_of_a_newer_grader_is_refused_and_left_alone(tmp_path):
    url = default_url(tmp_path)
    Gradebook.open(url).close()
    with sqlite3.connect(tmp_path / "gradebook.sqlite") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(GradebookError, match="newer grader"):
        Gradebook.open(url)
    with sqlite3.connect(tmp_path / "gradebook.sqlite") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [("0099",)]


def test_a_bad_gradebook_url_stops_grade_before_anything_is_graded(tmp_path):
    course = make_course(tmp_path / "course")
    make_class(tmp_path / "class", 2)
    result = grader("grade", "-a", "scale", "--course", course, "-o", tmp_path / "out", "--gradebook",
                    "nosuchdb://x", tmp_path / "class")
    assert result.returncode == ExitCode.USAGE, result.stderr
    assert "nothing was graded" in result.stderr and not (tmp_path / "out").exists()


def test_grade_without_the_gradebook_extra_grades_everything_and_says_so(tmp_path):
    """SQLAlchemy and Alembic made unimportable: grade still grades and writes every report."""
    course = make_course(tmp_path / "course")
    make_class(tmp_path / "class", 2)
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\nclass Block:\n    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('sqlalchemy', 'alembic'):\n"
        "            raise ImportError(name + ' is blocked by the test')\n"
        "sys.meta_path.insert(0, Block())\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{blocker}:{ROOT}"}
    argv = [sys.executable, "-m", "grader.cli_entry", "grade", "-a", "scale", "--course", str(course), "-o",
            str(tmp_path / "out"), "--seed", "1", str(tmp_path / "class")]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert result.returncode == ExitCode.OK, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["s000.json", "s001.json"]
    assert "no gradebook is kept" in result.stderr and "mlgrader[gradebook]" in result.stderr
    refused = subprocess.run([*argv[:-1], "--regrade", argv[-1]], capture_output=True, text=True, env=env,
                             cwd=ROOT, timeout=600)
    assert refused.returncode == ExitCode.USAGE and "pip install 'mlgrader[gradebook]'" in refused.stderr


def test_a_postgresql_gradebook_keeps_a_batch_as_sqlite_does(tmp_path):
    """Another database by URL: the same batch, skip, diff and export against a real
    PostgreSQL server (started by the test, on a Unix socket)."""
    from postgres_server import server
    course = make_course(tmp_path / "course")
    kinds = make_class(tmp_path / "class", 6)
    out = tmp_path / "out"
    with server() as url:
        first = graded(course, tmp_path / "class", out, "--seed", "4", "--gradebook", url)
        assert "grading 6 submissions" in first.stderr
        again = graded(course, tmp_path / "class", out, "--gradebook", url)
        assert "nothing to grade: all 6 submissions were graded before" in again.stderr
        make_course(course, inputs="normal(size=(3, 4))")
        graded(course, tmp_path / "class", out, "--gradebook", url)
        found = json.loads(grader("gradebook", "diff", "-a", "scale", "--gradebook", url, "--format", "json").stdout)
        assert [c["student"] for c in found["changed"]] == sorted(s for s, k in kinds.items() if k == "abs_total")
        exported = grader("gradebook", "export", "-a", "scale", "--gradebook", url)
        assert [r["student"] for r in csv.DictReader(io.StringIO(exported.stdout))] == sorted(kinds)
        with Gradebook.open(url) as book:
            assert migration.current(book.engine) == migration.HEAD
    assert not (out / "gradebook.sqlite").exists()


def test_the_migrations_render_for_mysql(capsys):
    """No MySQL server here: the migrations are rendered as MySQL SQL (Alembic's offline
    mode), where reports need LONGTEXT and SQLite's table copy must not be used."""
    from alembic import command
    settings = migration.config()
    settings.set_main_option("sqlalchemy.url", "mysql+pymysql://grader@localhost/grades")
    command.upgrade(settings, "head", sql=True)
    ddl = capsys.readouterr().out
    assert "report LONGTEXT NOT NULL" in ddl and "components LONGTEXT NOT NULL" in ddl
    assert "ALTER TABLE gradings ADD COLUMN batch_id INTEGER" in ddl and "_alembic_tmp" not in ddl
    assert "UPDATE alembic_version SET version_num='0002'" in ddl


def test_head_is_the_newest_migration_so_an_up_to_date_gradebook_skips_alembic():
    """`grade` reads the gradebook's revision without Alembic and migrates only when it is
    not migration.HEAD: a new migration must move HEAD, or gradebooks would stay behind."""
    from alembic.script import ScriptDirectory
    assert ScriptDirectory.from_config(migration.config()).get_current_head() == migration.HEAD


def test_a_new_gradebook_is_made_at_head_as_alembic_would_make_it(tmp_path):
    """A new gradebook is created from grader/tables.py and stamped without Alembic; Alembic
    reads it as at HEAD and finds nothing to change."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from grader.tables import metadata
    with Gradebook.open(default_url(tmp_path)) as book:
        with book.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert context.get_current_revision() == migration.HEAD
            assert compare_metadata(context, metadata) == []
