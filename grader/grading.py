"""Grading: one submission from file to report, and a batch of them.

load (parse only) -> worker (sandboxed child runs the probes) -> compare with the
reference's outputs (computed here, on the trusted side) -> diagnose misses -> score
with the rubric -> report.
"""
from __future__ import annotations

import os
import random
import shutil
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from grader import __version__, compare, excerpt, forbidden, hint, pattern, pool, protocol, report, scoring, submission
from grader.assignment import Assignment, CourseError, shipped_course
from grader.diagnosis import Diagnoser, Raised, quiet
from grader.limits import Limits
from grader.rubric import Rubric
from grader.sandbox import Layers, Plan, hidden_course_paths, readable_by_anyone, runtime_paths

_STATUS = {"raised": "error", "missing": "error", "not_plain": "failed", "oversized": "failed",
           "timeout": "timeout", "crashed": "crashed", "channel": "error"}
_KEEP_FOR_DIAGNOSIS = 16  # an output tree is kept for diagnosis while at most this many times the expected
_KEEP_ANYWAY_BYTES = 1 << 20


@dataclass(frozen=True)
class Options:
    limits: Limits = Limits()
    seed: int | None = None
    jobs: int = 1
    reveal_hidden: bool = True   # instructors see expected values of hidden tests too
    diagnose: bool = True


_OUTSIDE_NOTE = "(raised outside your code, while the test used what your code returned)"


class CanaryFailed(Exception):
    """The reference solution, graded through the worker and the sandbox, does not get full
    marks: the grading environment (or the course) is broken, and nothing may be graded."""


class Grader:
    """Grades submissions of one assignment; holds the reference outputs of this run."""

    def __init__(self, assignment: Assignment, rubric: Rubric, layers: Layers, options: Options = Options(),
                 workers: pool.Pool | None = None):
        """``workers``: a pool to share with other graders (zygotes know no assignment).
        Raises CourseError, naming the file, when the probes or the reference do not import."""
        assignment.check_loadable()
        self.assignment, self.rubric, self.layers, self.options = assignment, rubric, layers, options
        self.seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**31)
        self.owns_pool = workers is None
        self.pool = workers or pool.Pool(max(1, options.jobs), cgroups=layers.cgroups)
        if self.owns_pool:
            self.pool.prestart(torch=assignment.framework == "torch")
        if layers.cgroups and not self.pool.cgroups:
            raise pool.WorkerFault("the worker pool was made without cgroups, but this grader uses them")
        self.scratch = Path(tempfile.mkdtemp(prefix="grader-"))
        self.scratch.chmod(0o755)
        (self.scratch / "shared" / "root").mkdir(parents=True)
        self.read_only = tuple(runtime_paths())
        self.hidden = tuple(hidden_course_paths(self.read_only, (assignment.root, shipped_course())))
        self.switch_user = readable_by_anyone(list(self.read_only))
        self._expected: dict[str, object] = {}
        self._lock = threading.Lock()
        self._counter = 0
        self._excerpts: dict[tuple[str, ...], str] = {}
        self.diagnoser = self._diagnoser() if options.diagnose else None
        if self.diagnoser is not None:
            self.diagnoser.mistakes  # noqa: B018 - load the catalogue now; a broken file is a warning

    def _diagnoser(self) -> Diagnoser:
        """The diagnoser of this run (a release's replays recorded outputs: grader.checker)."""
        return Diagnoser(self.assignment, self.seed)

    @property
    def warnings(self) -> list[str]:
        """Course problems that did not stop grading (a mistake file left out)."""
        return list(self.diagnoser.warnings) if self.diagnoser is not None else []

    def close(self) -> None:
        if self.owns_pool:
            self.pool.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the trusted side
    def expected(self, probe) -> object:
        """The reference's outputs for ``probe`` in this run; a failure is a course fault."""
        with self._lock:
            if probe.id not in self._expected:
                try:
                    with quiet():
                        self._expected[probe.id] = protocol.to_plain(probe.run(self.assignment.reference, self.seed))
                except Exception as exc:
                    raise CourseError(f"the reference solution reference/{self.assignment.name}.py fails "
                                      f"test {probe.id!r}: {type(exc).__name__}: {exc}") from exc
            return self._expected[probe.id]

    # -- before a batch
    def canary(self, tests: tuple[str, ...] | None = None) -> dict:
        """Grade the reference solution itself through the real worker, sandbox and
        comparison, on every test the run will use (``tests``; default all), with this
        run's seed. Returns its report; raises CanaryFailed, naming the first failing test
        and its message (or what raised while it loaded), unless it loads cleanly and gets
        full marks."""
        path = self.assignment.reference_path
        document = self.grade(path, tests=tests)
        failing = [t for t in document["tests"] if t["status"] != "passed"]
        if not failing and not document["load_errors"] and not document["import_errors"] \
                and document["score"] == document["max_score"]:
            return document
        if document["load_errors"]:
            cause = f"it could not be loaded: {document['load_errors'][0]}"
        elif document["import_errors"]:  # what the reference needs, the sandbox does not give
            first = document["import_errors"][0]
            cause = f"it raised while loading ({first['where']}): {first['error'][:1500]}"
        else:
            first = failing[0]
            message = first["message"].replace(_OUTSIDE_NOTE, "").strip()
            cause = (f"{len(failing)} of {len(document['tests'])} tests fail; the first, {first['id']!r}, "
                     f"ends with {first['status']}: {message[:1500]}")
        raise CanaryFailed(
            f"the reference solution {path} does not get full marks when graded through the worker "
            f"and the sandbox, so nothing was graded (a fault of this machine or of the course, never "
            f"of a student). {cause}\nNext: {hint.run('validate', course=self.assignment.root)}; if only the "
            f"sandbox is to blame, `--without namespaces` (or another layer) shows which layer breaks the runtime.")

    # -- one submission
    def grade(self, path: Path | submission.Handin | submission.Submission, tests: tuple[str, ...] | None = None
              ) -> dict:
        """The report of one submission: a path, a handin of a class (grader.classroom), or
        a submission already loaded (grader.submission.load); ``tests``: default all of the rubric.

        Never raises for the submission's sake: an exception while grading it becomes its
        report, with ``status`` "grading_error" and the ``reason``. Only faults of the
        machinery (WorkerFault: the worker cannot start) or of the course (CourseError)
        propagate."""
        started = time.perf_counter()
        try:
            return self._grade(path, tests, started)
        except (pool.WorkerFault, CourseError):
            raise
        except Exception as exc:  # noqa: BLE001 - a fault of the grader on this one submission
            return self._error_report(path, tests, exc, started)

    def _grade(self, path: Path | submission.Handin | submission.Submission, tests: tuple[str, ...] | None,
               started: float) -> dict:
        entries = [e for e in self.rubric.entries if tests is None or e.test in tests]
        loaded = path if isinstance(path, submission.Submission) else \
            submission.load(path, self.assignment.name, self.options.limits)
        if not loaded.gradable:
            results = [self._not_run(entry, "not run: " + "; ".join(loaded.load_errors)) for entry in entries]
            return self._report(_identity(loaded), loaded, results, None, started, "load_error")
        comparisons: dict[str, compare.Comparison] = {}
        run = self._run(loaded, [e.test for e in entries], keep=lambda each: self._keep(each, comparisons))
        scan = forbidden.scan(loaded.units, self.assignment.forbidden, run.load_forbidden)
        results = [self._judge(entry, run.tests[entry.test], scan, comparisons.get(entry.test))
                   for entry in entries]
        self._diagnose(results, run, loaded)
        return self._report(_identity(loaded), loaded, results, run, started, "graded")

    def _keep(self, run: pool.TestRun, comparisons: dict) -> pool.TestRun:
        """Compare a returned output as soon as it arrives; keep its tree only for the
        diagnosis, and only while it is not much larger than the expected output."""
        if run.status != "returned":
            return run
        probe = self.assignment.probe(run.test)
        expected = self.expected(probe)
        comparisons[run.test] = compare.compare(run.tree, expected, probe.rtol, probe.atol)
        bound = max(_KEEP_FOR_DIAGNOSIS * _size(expected), _KEEP_ANYWAY_BYTES)
        if self.diagnoser is None or _size(run.tree) > bound:
            return replace(run, tree=None)
        return run

    def _error_report(self, path, tests, exc: Exception, started: float) -> dict:
        where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        at = f" (at {Path(where[0].filename).name} line {where[0].lineno}, in {where[0].name})" if where else ""
        reason = f"{type(exc).__name__}: {str(exc)[:1500]}{at}"
        note = (f"not graded: the grader failed on this submission ({reason}); this says nothing about "
                "your work, which must be graded again once the grader is fixed")
        entries = [e for e in self.rubric.entries if tests is None or e.test in tests]
        handin = path if isinstance(path, submission.Handin) else \
            submission.Handin(path.path, student=path.student) if isinstance(path, submission.Submission) else \
            submission.Handin(Path(path))
        identity = {"path": str(handin.source), "sha256": "", "member": None}
        return self._report(identity, None, [self._not_run(e, note) for e in entries], None, started,
                            "grading_error", reason, student=handin.student)

    def _diagnose(self, results: list[dict], run: pool.SubmissionRun, loaded: submission.Submission) -> None:
        if self.diagnoser is None:
            return
        obtained = {t: r.tree for t, r in run.tests.items() if r.status == "returned" and r.tree is not None}
        obtained.update({t: Raised(r.exception, r.exception_message, r.raised_in) for t, r in run.tests.items()
                         if r.status == "raised" and r.exception})
        failed = {r["id"] for r in results if r["status"] in ("failed", "error") and r["id"] in obtained}
        if not failed:
            return
        expected = {t: self.expected(self.assignment.probe(t)) for t in obtained}
        found = self.diagnoser.diagnose(obtained, expected, failed, confirm=lambda tests: self._again(loaded, tests))
        for result in results:
            result["diagnosis"] = found.get(result["id"])

    def _again(self, loaded: submission.Submission, tests: list[str]) -> dict[str, tuple]:
        """{test: (the student's outputs, the reference's)} at the second seed
        (grader.pattern.second_seed): ``tests`` run once more in the sandbox, as grading runs
        them; a test that does not return there is left out. One worker run per submission,
        only for the failing tests about to get a ratio, sign or offset claim."""
        seed = pattern.second_seed(self.seed)
        expected = {t: self.expected_at(self.assignment.probe(t), seed) for t in tests}
        tests = [t for t in tests if expected[t] is not None]
        if not tests:
            return {}
        run = self._run(loaded, tests, seed=seed)
        return {t: (r.tree, expected[t]) for t, r in run.tests.items()
                if r.status == "returned" and r.tree is not None}

    def expected_at(self, probe, seed: int) -> object:
        """The reference's outputs for ``probe`` at another ``seed`` (not kept); None when the
        reference raises there (then no claim is confirmed)."""
        try:
            with quiet():
                return protocol.to_plain(probe.run(self.assignment.reference, seed))
        except Exception:  # noqa: BLE001 - a course fault shows in the run's own seed, not here
            return None

    def _run(self, loaded: submission.Submission, tests: list[str], keep=None, seed: int | None = None
             ) -> pool.SubmissionRun:
        limits = self.options.limits
        folder = self._folder()
        plan = self._plan(folder, len(tests), loaded.view)
        try:
            job = {"module": self.assignment.name, "tests": tests, "seed": self.seed if seed is None else seed,
                   "probes": self._excerpt(tuple(tests)),
                   "units": [{"source": u.source, "filename": u.filename, "label": u.label}
                             for u in loaded.units],
                   "forbidden": {"modules": list(self.assignment.forbidden.modules),
                                 "calls": list(self.assignment.forbidden.calls)},
                   "plan": plan.to_dict(), "file": self._file(loaded, plan)}
            with self.pool.zygote(torch=self.assignment.framework == "torch") as zygote:
                group = zygote.group if self.layers.cgroups else None
                if group is not None:
                    group.set_limits(limits.memory_bytes, limits.max_processes + 1)
                return pool.execute(zygote, job, limits, cleanup=zygote.kill_children, memory=group, keep=keep,
                                    calls={t: self.assignment.probe(t).calls for t in tests})
        finally:
            if folder.name != "shared":
                shutil.rmtree(folder, ignore_errors=True)

    def _folder(self) -> Path:
        """Where a child makes its view: with namespaces, one empty folder for every child (each
        mounts its new root over it in a mount namespace of its own, so it stays empty); without,
        a scratch folder of its own (removed after the run)."""
        if self.layers.namespaces:
            return self.scratch / "shared"
        with self._lock:
            self._counter += 1
            folder = self.scratch / f"s{self._counter}"
        for name in ("root", "scratch"):
            (folder / name).mkdir(parents=True)
        (folder / "scratch").chmod(0o1777)
        return folder

    def _excerpt(self, tests: tuple[str, ...]) -> dict:
        """What the child gets of the probe module: the source of these probes only."""
        with self._lock:
            if tests not in self._excerpts:
                path = self.assignment.probes_path
                try:
                    self._excerpts[tests] = excerpt.excerpt(path.read_text(encoding="utf-8"), tests)
                except (OSError, SyntaxError, LookupError) as exc:
                    raise CourseError(f"{path}: cannot take the probes {list(tests)} from it: {exc}") from exc
            return {"source": self._excerpts[tests], "filename": f"<{self.assignment.name} probes>"}

    @staticmethod
    def _file(loaded: submission.Submission, plan: Plan) -> str | None:
        """``__file__`` of a module submission, as the student code sees it (None for notebooks)."""
        return loaded.module_file(plan.submission_view)

    def _plan(self, folder: Path, test_count: int, submitted: Path | None) -> Plan:
        limits = self.options.limits
        return Plan(namespaces=self.layers.namespaces, seccomp=self.layers.seccomp,
                    landlock_abi=self.layers.landlock_abi, memory_cgroup=self.layers.cgroups,
                    new_root=str(folder / "root"), scratch=str(folder / "scratch"),
                    read_only=self.read_only, limits=limits.__dict__.copy(),
                    cpu_seconds=int(limits.timeout_s * (test_count + 1)) + 5,
                    environment=dict(self.pool.environment), switch_user=self.switch_user,
                    submission=str(submitted.resolve()) if submitted else "", hidden=self.hidden)

    def _judge(self, entry, run: pool.TestRun, scan: forbidden.Scan, result: compare.Comparison | None) -> dict:
        probe = self.assignment.probe(entry.test)
        reveal = entry.visibility == "visible" or self.options.reveal_hidden
        used = scan.blocking(probe.calls) or _runtime_use(run.forbidden)
        outputs, safe = {}, None
        if used:
            status, message = "failed", (f"{used}; the {self.assignment.name} assignment must be "
                                         "solved without it, so this test scores 0")
        elif run.status == "returned":
            result = result or compare.compare(run.tree, self.expected(probe), probe.rtol, probe.atol)
            outputs = result.top_level_ok()
            status = "passed" if result.ok else "failed"
            message = "" if result.ok else result.message(reveal)
            safe = result.message_without_values()  # no expected value: for students (grader.audience)
        else:
            status, message = _STATUS[run.status], run.error or run.status
        score = scoring.points(entry, status == "passed", outputs if status == "failed" and not used else None)
        return {"id": entry.test, "name": probe.description, "score": score, "max_score": entry.points,
                "status": status, "message": message, "student_message": message if safe is None else safe,
                "visibility": entry.visibility, "diagnosis": None, "duration_s": round(run.duration_s, 6),
                "outputs": outputs,
                "tolerance": {"rtol": probe.rtol, "atol": probe.atol}}

    def _not_run(self, entry, message: str) -> dict:
        probe = self.assignment.probe(entry.test)
        return {"id": entry.test, "name": probe.description, "score": 0.0, "max_score": entry.points,
                "status": "error", "message": message, "student_message": message, "visibility": entry.visibility,
                "diagnosis": None, "duration_s": 0.0, "outputs": {},
                "tolerance": {"rtol": probe.rtol, "atol": probe.atol}}

    def _report(self, identity: dict, loaded: submission.Submission | None, results: list[dict], run,
                started: float, status: str, reason: str | None = None, student: str | None = None) -> dict:
        """The report document; ``loaded`` is None when grading failed before it was loaded."""
        load_errors = loaded.load_errors if loaded is not None else ()
        load_warnings = list(loaded.load_warnings) if loaded is not None else []
        ran = [dict(e) for e in run.import_errors] if run else []
        import_errors = loaded.import_errors(ran) if loaded is not None else ran
        student = loaded.student if loaded is not None else student
        document = {
            "schema_version": report.SCHEMA_VERSION, "grader_version": __version__,
            "assignment": self.assignment.name, "status": status,
            "submission": identity, "student": student,
            "seed": self.seed,
            "score": round(sum(r["score"] for r in results), 6),
            "max_score": round(sum(r["max_score"] for r in results), 6),
            "tests": results, "load_errors": list(load_errors),
            "load_warnings": [*load_warnings, *(run.load_warnings if run else ())],
            "import_errors": import_errors,
            "output": {"text": run.output if run else "", "bytes": run.output_bytes if run else 0},
            "isolation": {**self.layers.report(), "runs_as": self._runs_as()},
            "restarts": run.restarts if run else 0,
            "duration_s": round(time.perf_counter() - started, 6),
        }
        if reason is not None:
            document["reason"] = reason
        document = report.clean(document)  # student text made safe once, for every destination
        report.validate(document)  # and strict JSON: no NaN or infinity anywhere
        return document

    def _runs_as(self) -> str:
        if self.layers.namespaces:
            return "uid 65534 in its own user namespace, no capabilities"
        if os.geteuid() != 0:
            return f"uid {os.geteuid()} (the grader's own user), no capabilities"
        if self.switch_user:
            return "uid 65534, no capabilities"
        return "uid 0 without any capability (the Python runtime is not readable by uid 65534)"

    # -- a batch
    def grade_all(self, paths: list[Path], on_done=None) -> list[dict]:
        """Grade every path (``jobs`` workers at once); reports in the order given.

        One submission cannot stop the batch (see ``grade``). ``on_done(path, report)``
        runs as each report is ready; should it raise, it gets that submission's
        "grading_error" report instead, and only a second failure propagates. A fault of
        the machinery or the course cancels the submissions not yet started and propagates."""
        def one(path):
            document = self.grade(path)
            if on_done:
                try:
                    on_done(path, document)
                except Exception as exc:  # noqa: BLE001 - e.g. the report could not be written
                    document = self._error_report(path, None, exc, time.perf_counter())
                    on_done(path, document)
            return document
        if self.options.jobs <= 1:
            return [one(p) for p in paths]
        # twice as many threads as workers: while one thread judges and writes a report, another
        # has the worker run the next submission
        with ThreadPoolExecutor(2 * self.options.jobs) as executor:
            futures = [executor.submit(one, p) for p in paths]
            try:
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise


def _identity(loaded: submission.Submission) -> dict:
    return {"path": str(loaded.path), "sha256": loaded.sha256, "member": loaded.member}


def _size(tree) -> int:
    """Bytes of a plain tree's arrays and strings."""
    return sum(leaf.nbytes if isinstance(leaf, np.ndarray) else len(leaf) if isinstance(leaf, str) else 0
               for _, _, leaf in compare.pairs(None, tree))


def _runtime_use(events) -> str:
    if not events:
        return ""
    first = events[0]
    return f"your code used the forbidden `{first.get('what')}` ({first.get('where')}, detected while the test ran)"
