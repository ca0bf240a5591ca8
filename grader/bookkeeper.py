"""The bookkeeper: one batch kept in a gradebook, so that it can be stopped and resumed.

For each submission of the batch (already loaded: loading only parses), the bookkeeper
works out its key in the gradebook (grader.gradebook.done_key: assignment, student,
submission sha256, course version, seed). Those already graded under that key are not
graded again (``regrade`` grades them all); their stored reports are the batch's. Each
new report is then kept in this order:

1. its row (the report text, its sha256, its test results) is committed in one transaction;
2. its file is written atomically (a temporary file renamed into place, grader.report.write).

A ``kill -9`` between the two leaves a row whose file is missing or stale; a half-written
file never exists (the rename is atomic; a left-over temporary file is removed). So at
the start of every batch, ``reconcile`` rewrites, from the gradebook, the report file of
every student's current row that is missing or differs, and removes temporary files:
afterwards every report in OUTDIR has its row and every current row its file. A
submission in flight when the batch was killed has no row and is graded by the next run;
one whose row was committed is never graded twice (the unique done_key guards that even
between two processes).

Without a gradebook (``book`` None: the ``[gradebook]`` extra is missing, or ``--gradebook
none``), every submission is graded and its report written, as before.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from grader import report
from grader.gradebook import COUNTED, Gradebook, done_key
from grader.submission import Submission

_PARTIAL = re.compile(r"^\..+\.[0-9a-f]{12}\.partial$")  # grader.report's temporary files


@dataclass
class Outcome:
    """The batch in argument order: ``documents[i]``'s report is at ``paths[i]``;
    ``skipped``: how many were graded before (their stored reports are used);
    ``restored``: report files rewritten from the gradebook by ``reconcile``."""

    documents: list[dict]
    paths: list[Path]
    skipped: int = 0
    restored: list[Path] = field(default_factory=list)


def student_keys(loaded: list[Submission]) -> list[str]:
    """Who each submission is in the gradebook: the student, else the absolute path of
    what was handed in (and the member graded inside it); the n-th repeat of one key in
    a batch gets ``#n``, so that the same file given twice keeps two reports."""
    seen: dict[str, int] = {}
    keys = []
    for each in loaded:
        key = storable(each.student or os.path.abspath(each.path))
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return keys


def storable(name: str) -> str:
    """``name`` as text any database stores: a file name's undecodable bytes (lone
    surrogates in Python) become ``\\xff`` escapes, the same ones every run."""
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogatepass").decode("utf-8", "backslashreplace")


def submission_key(loaded: Submission) -> str:
    """The graded file's sha256; for a submission that could not be loaded, a hash of why
    (loading is repeated on every run, so an unchanged problem is not graded twice)."""
    if loaded.sha256:
        return loaded.sha256
    return "load:" + hashlib.sha256("\n".join(loaded.load_errors).encode("utf-8", "replace")).hexdigest()


@dataclass
class Plan:
    """A batch split by the gradebook: ``documents[i]`` is None for a submission to grade
    (``pending[id(loaded[i])]`` = (i, student key, done_key)), else its stored report."""

    loaded: list[Submission]
    documents: list[dict | None]
    paths: list[Path]
    restored: list[Path]
    pending: dict[int, tuple[int, str, str]] = field(default_factory=dict)

    @property
    def todo(self) -> list[Submission]:
        return [each for each, document in zip(self.loaded, self.documents) if document is None]


class Bookkeeper:
    """Keeps one batch of ``assignment`` under course version ``version``
    (grader.fingerprint.CourseVersion) and ``seed`` in ``book`` (None: no gradebook)."""

    def __init__(self, book: Gradebook | None, version, seed: int, outdir: Path, regrade: bool = False):
        self.book, self.version, self.seed, self.outdir, self.regrade = book, version, seed, outdir, regrade
        self.assignment = version.assignment
        self._lock = threading.Lock()

    def plan(self, loaded: list[Submission], targets: list[Path]) -> Plan:
        """Reconcile OUTDIR with the gradebook, then split the batch into what the gradebook
        holds already (its stored reports) and what is to be graded."""
        restored = self.reconcile()
        keys = student_keys(loaded)
        done_keys = [done_key(self.assignment, k, submission_key(s), self.version.digest, self.seed)
                     for k, s in zip(keys, loaded)]
        stored = self.book.finished(done_keys) if self.book is not None and not self.regrade else {}
        found = Plan(loaded, [None] * len(loaded), list(targets), restored)
        for i, key in enumerate(done_keys):
            if key in stored:
                found.documents[i], found.paths[i] = stored[key].document(), Path(stored[key].report_path)
            else:
                found.pending[id(loaded[i])] = (i, keys[i], key)
        return found

    def grade(self, plan: Plan, runner, progress=None, executor: str = "local") -> Outcome:
        """Grade what ``plan`` left to grade with ``runner.grade_all(items, on_done)`` (a
        grader.grading.Grader, or a grader.cluster.Cluster) and keep every report.
        ``progress``: a grader.progress.Progress (``start(total, skipped)``, ``advance(report)``)."""
        todo = plan.todo
        if progress is not None:
            progress.start(len(todo), len(plan.loaded) - len(todo))
        batch = self._start(executor) if todo else None

        def on_done(item: Submission, document: dict) -> None:
            index, student, key = plan.pending[id(item)]
            self.keep(document, plan.paths[index], student, key, batch)
            plan.documents[index] = document
            if progress is not None:
                progress.advance(document)

        if todo:
            runner.grade_all(todo, on_done=on_done)
            if self.book is not None:
                self.book.finish_batch(batch)
        return Outcome(list(plan.documents), plan.paths, len(plan.loaded) - len(todo), plan.restored)

    def _start(self, executor: str) -> int | None:
        if self.book is None:
            return None
        self.book.add_version(self.version)
        return self.book.start_batch(self.assignment, self.version.digest, self.seed, executor)

    def keep(self, document: dict, path: Path, student: str, key: str, batch: int | None) -> None:
        """Row first (one transaction), then the file (atomic rename). Raises what
        grader.report.write raises or grader.gradebook.GradebookError. The document was
        validated when it was made (grader.grading); should its file still fail to be
        written, its row stops counting as graded before the error propagates."""
        if self.book is None:
            report.write(document, path)
            return
        text = report.dumps(document)
        counted = document.get("status", "graded") in COUNTED
        values = {"batch_id": batch, "assignment": self.assignment, "student": student,
                  "submission_sha256": document["submission"]["sha256"], "course_version": self.version.digest,
                  "seed": int(document["seed"]), "status": document.get("status", "graded"),
                  "score": float(document["score"]), "max_score": float(document["max_score"]),
                  "report_path": str(path.resolve()), "report_sha256": hashlib.sha256(text.encode()).hexdigest(),
                  "report": text, "graded_at": _now(), "done_key": key if counted else None}
        tests = [{"test_id": t["id"], "status": t["status"], "score": float(t["score"]),
                  "max_score": float(t["max_score"]), "diagnosis": t.get("diagnosis")} for t in document["tests"]]
        row = self.book.record(values, tests, supersede=self.regrade)
        if row is None:
            return
        try:
            report.write(document, path)
        except BaseException:
            self.book.forget(row.id)
            raise

    def reconcile(self) -> list[Path]:
        """Make OUTDIR agree with the gradebook after a crash: rewrite the report of every
        current row (of this assignment, under OUTDIR) whose file is missing or differs;
        remove grader.report's left-over temporary files. Returns the files rewritten."""
        if self.book is None:
            return []
        outdir = self.outdir.resolve()
        restored = []
        for row in self.book.current(self.assignment):
            path = Path(row.report_path)
            if outdir not in path.parents or _sha256_of(path) == row.report_sha256:
                continue
            report.write(row.document(), path)
            restored.append(path)
        if outdir.is_dir():
            for leftover in outdir.iterdir():
                if _PARTIAL.match(leftover.name) and leftover.is_file() and not leftover.is_symlink():
                    leftover.unlink(missing_ok=True)
        return restored


def _sha256_of(path: Path) -> str | None:
    try:
        if path.is_symlink():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _now():
    import datetime as dt
    return dt.datetime.now(dt.UTC)
