"""The gradebook: every report of every batch in a database (SQLAlchemy 2.x; SQLite by default).

Reports stay the source of truth; the gradebook stores each one whole, with what tells
whether it still holds: the student, the assignment, the sha256 of the graded file, the
course version (grader.fingerprint) and the seed. ``grade`` asks it which submissions are
already graded under this course version, and records each new report in one transaction
before its file is written (grader.bookkeeper).

Schema (revision 0002; migrations in grader/migrations, applied by Alembic on open)::

    course_versions(digest CHAR64 PK, assignment, grader_version, components JSON text, created_at)
    batches(id PK, assignment, course_version -> course_versions, seed BIGINT, executor,
            started_at, finished_at NULL)
    gradings(id PK, batch_id -> batches NULL, assignment, student, submission_sha256,
             course_version -> course_versions, seed BIGINT, status, score DOUBLE,
             max_score DOUBLE, report_path TEXT, report_sha256, report LONGTEXT, graded_at,
             done_key UNIQUE NULL)                  index (assignment, student)
    test_results(grading_id -> gradings, test_id, status, score, max_score, diagnosis NULL)
             primary key (grading_id, test_id)

``student`` is the report's student, else the absolute path of what was handed in.
``done_key`` = sha256 of (assignment, student, submission key, course version, seed) for
a report that counts as graded (status graded or load_error); NULL for a grading_error
(the grader failed: it must be graded again) and for a row a ``--regrade`` superseded.
The unique index on it is what makes "nothing graded twice" hold across processes too.
A student's current row is their latest (highest id).

URLs: ``sqlite:////abs/path/gradebook.sqlite`` (default: ``OUTDIR/gradebook.sqlite``),
``postgresql+psycopg://user@host/db``, ``mysql+pymysql://user@host/db`` (drivers installed
separately). SQLAlchemy and Alembic are the ``[gradebook]`` extra (see pyproject.toml).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "gradebook.sqlite"
COUNTED = ("graded", "load_error")  # statuses that need no regrade
INSTALL = "pip install 'mlgrader[gradebook]'"


class GradebookUnavailable(Exception):
    """SQLAlchemy or Alembic is not installed (the ``[gradebook]`` extra); says how to get them."""


class GradebookError(Exception):
    """The gradebook cannot be opened or used (bad URL, no server, a newer schema); the message says which."""


def installed() -> bool:
    """Are SQLAlchemy and Alembic installed? Looked up, not imported: Alembic is imported
    only when a gradebook must be migrated (grader.migration), a quarter of a second saved."""
    import importlib.util
    try:
        return all(importlib.util.find_spec(name) is not None for name in ("alembic", "sqlalchemy"))
    except (ImportError, ValueError):  # a finder that refuses it, or a module left as None
        return False


def require() -> None:
    if not installed():
        raise GradebookUnavailable(f"the gradebook needs SQLAlchemy and Alembic, which are not installed: {INSTALL}")


def default_url(outdir: Path) -> str:
    """The SQLite gradebook beside the reports: ``sqlite:////abs/OUTDIR/gradebook.sqlite``."""
    return f"sqlite:///{(Path(outdir) / FILE_NAME).resolve()}"


def done_key(assignment: str, student: str, submission: str, course_version: str, seed: int) -> str:
    """The key a report that needs no regrade is stored under (64 hex digits)."""
    text = "\0".join((assignment, student, submission, course_version, str(int(seed))))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Grading:
    """One row of ``gradings``; ``report`` is the report's JSON text, exactly as its file holds it."""

    id: int
    batch_id: int | None
    assignment: str
    student: str
    submission_sha256: str
    course_version: str
    seed: int
    status: str
    score: float
    max_score: float
    report_path: str
    report_sha256: str
    report: str
    graded_at: dt.datetime
    done_key: str | None

    def document(self) -> dict:
        return json.loads(self.report)


def _guarded(method):
    """Database failures of ``method`` (a server gone, a disk full) as GradebookError, with the next step."""
    import functools

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        import sqlalchemy as sa
        try:
            return method(self, *args, **kwargs)
        except sa.exc.SQLAlchemyError as exc:
            where = self.engine.url.render_as_string(hide_password=True)
            raise GradebookError(f"the gradebook {where} failed ({type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0][:300]}); every report recorded before is kept: "
                                 "run the same command again once the database works") from None
    return run


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Gradebook:
    """An open gradebook. Thread-safe: writes are serialised; each is its own transaction."""

    def __init__(self, engine, url: str):
        self.engine, self.url = engine, url
        self._lock = threading.Lock()

    # -- opening
    @classmethod
    def open(cls, url: str) -> Gradebook:
        """Connect (a SQLite file and its folder are created) and migrate to the newest schema.
        Raises GradebookUnavailable without the extra, GradebookError when it cannot be used."""
        require()
        from grader import migration
        engine = _engine(url)
        try:
            migration.upgrade(engine)
        except GradebookError:
            engine.dispose()
            raise
        return cls(engine, url)

    @classmethod
    def peek(cls, url: str) -> Gradebook | None:
        """The gradebook at ``url`` if it exists (a SQLite file is not created); None otherwise."""
        require()
        from sqlalchemy.engine import make_url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
                and not Path(parsed.database).is_file():
            return None
        return cls.open(url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- course versions and batches
    @_guarded
    def add_version(self, version) -> None:
        """Store a grader.fingerprint.CourseVersion (once)."""
        from grader.tables import course_versions
        with self._lock, self.engine.begin() as db:
            if db.execute(course_versions.select().where(course_versions.c.digest == version.digest)).first():
                return
            db.execute(course_versions.insert().values(
                digest=version.digest, assignment=version.assignment, grader_version=version.grader_version,
                components=json.dumps(version.components(), sort_keys=True), created_at=_now()))

    @_guarded
    def stored_seed(self, assignment: str) -> int | None:
        """The seed of the assignment's latest batch (or row), None when it was never graded here."""
        import sqlalchemy as sa

        from grader.tables import batches, gradings
        with self.engine.connect() as db:
            seed = db.execute(sa.select(batches.c.seed).where(batches.c.assignment == assignment)
                              .order_by(batches.c.id.desc()).limit(1)).scalar()
            if seed is None:
                seed = db.execute(sa.select(gradings.c.seed).where(gradings.c.assignment == assignment)
                                  .order_by(gradings.c.id.desc()).limit(1)).scalar()
        return None if seed is None else int(seed)

    @_guarded
    def start_batch(self, assignment: str, course_version: str, seed: int, executor: str) -> int:
        from grader.tables import batches
        with self._lock, self.engine.begin() as db:
            result = db.execute(batches.insert().values(
                assignment=assignment, course_version=course_version, seed=int(seed),
                executor=executor[:500], started_at=_now()))
            return int(result.inserted_primary_key[0])

    @_guarded
    def finish_batch(self, batch_id: int) -> None:
        from grader.tables import batches
        with self._lock, self.engine.begin() as db:
            db.execute(batches.update().where(batches.c.id == batch_id).values(finished_at=_now()))

    # -- rows
    @_guarded
    def finished(self, keys: list[str]) -> dict[str, Grading]:
        """{done_key: row} for the keys already recorded."""
        import sqlalchemy as sa

        from grader.tables import gradings
        found: dict[str, Grading] = {}
        with self.engine.connect() as db:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                for row in db.execute(sa.select(gradings).where(gradings.c.done_key.in_(chunk))):
                    found[row.done_key] = Grading(**row._mapping)
        return found

    @_guarded
    def record(self, values: dict, tests: list[dict], supersede: bool = False) -> Grading | None:
        """Insert a gradings row (``values``: its columns but id) and its test_results, in
        one transaction. ``supersede``: a row holding the same done_key loses it first
        (``--regrade``). Returns the row, or None when another process recorded the same
        done_key first (nothing is written then)."""
        import sqlalchemy as sa

        from grader.tables import gradings, test_results
        with self._lock:
            try:
                with self.engine.begin() as db:
                    if supersede and values.get("done_key"):
                        db.execute(gradings.update().where(gradings.c.done_key == values["done_key"])
                                   .values(done_key=None))
                    new_id = int(db.execute(gradings.insert().values(**values)).inserted_primary_key[0])
                    if tests:
                        db.execute(test_results.insert(), [{**t, "grading_id": new_id} for t in tests])
            except sa.exc.IntegrityError:
                if values.get("done_key") and self.finished([values["done_key"]]):
                    return None
                raise
        return Grading(id=new_id, **values)

    @_guarded
    def forget(self, grading_id: int) -> None:
        """The row stops counting as graded (its report file could not be written)."""
        from grader.tables import gradings
        with self._lock, self.engine.begin() as db:
            db.execute(gradings.update().where(gradings.c.id == grading_id).values(done_key=None))

    @_guarded
    def current(self, assignment: str, course_version: str | None = None) -> list[Grading]:
        """Each student's latest row for ``assignment`` (under ``course_version`` if given), by student."""
        import sqlalchemy as sa

        from grader.tables import gradings
        latest = sa.select(sa.func.max(gradings.c.id)).where(gradings.c.assignment == assignment)
        if course_version is not None:
            latest = latest.where(gradings.c.course_version == course_version)
        latest = latest.group_by(gradings.c.student)
        with self.engine.connect() as db:
            rows = db.execute(sa.select(gradings).where(gradings.c.id.in_(latest)).order_by(gradings.c.student))
            return [Grading(**row._mapping) for row in rows]

    @_guarded
    def tests_of(self, grading_ids: list[int]) -> dict[int, dict[str, dict]]:
        """{grading id: {test id: {"status", "score", "max_score", "diagnosis"}}}."""
        import sqlalchemy as sa

        from grader.tables import test_results
        found: dict[int, dict[str, dict]] = {i: {} for i in grading_ids}
        with self.engine.connect() as db:
            for start in range(0, len(grading_ids), 500):
                chunk = grading_ids[start:start + 500]
                for row in db.execute(sa.select(test_results).where(test_results.c.grading_id.in_(chunk))):
                    found[row.grading_id][row.test_id] = {"status": row.status, "score": row.score,
                                                          "max_score": row.max_score, "diagnosis": row.diagnosis}
        return found

    @_guarded
    def versions(self, assignment: str) -> list[tuple[str, dict]]:
        """(digest, components) of every course version graded for ``assignment``, oldest
        first (by the first report graded under it)."""
        import sqlalchemy as sa

        from grader.tables import course_versions, gradings
        first = sa.func.min(gradings.c.id)
        query = (sa.select(course_versions.c.digest, course_versions.c.components)
                 .join(gradings, gradings.c.course_version == course_versions.c.digest)
                 .where(gradings.c.assignment == assignment)
                 .group_by(course_versions.c.digest, course_versions.c.components).order_by(first))
        with self.engine.connect() as db:
            return [(row.digest, json.loads(row.components)) for row in db.execute(query)]

    @_guarded
    def assignments(self) -> list[str]:
        import sqlalchemy as sa

        from grader.tables import gradings
        with self.engine.connect() as db:
            return list(db.execute(sa.select(gradings.c.assignment).distinct().order_by(gradings.c.assignment))
                        .scalars())


def _engine(url: str):
    import sqlalchemy as sa
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise GradebookError(f"--gradebook {url!r} is not a database URL ({exc}); e.g. "
                             "sqlite:////path/gradebook.sqlite or postgresql+psycopg://user@host/db") from None
    options: dict = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"timeout": 60}
    else:
        options["pool_pre_ping"] = True
    try:
        engine = sa.create_engine(parsed, **options)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise GradebookError(f"the gradebook at {parsed.render_as_string(hide_password=True)} needs a database "
                             f"driver that is not installed ({exc}); e.g. pip install 'psycopg[binary]' for "
                             "PostgreSQL, pip install pymysql for MySQL") from None
    if parsed.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection, _record) -> None:
    """Foreign keys on; a write-ahead log synced at checkpoints (``synchronous=NORMAL``):
    a committed row survives the grader being killed (kill -9, out of memory, Ctrl-C),
    and a commit costs about a millisecond instead of three fsyncs. After a power loss the
    last rows may be gone: the next run grades those submissions again and rewrites their
    files. The log needs shared memory, so one machine at a time may use a SQLite
    gradebook (README: use PostgreSQL to share one)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
