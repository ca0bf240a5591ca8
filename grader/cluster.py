"""The cluster: submissions graded on dask.distributed workers (the ``[dask]`` extra).

``Cluster`` has a Grader's batch interface (``canary()``, ``warnings``, ``grade_all(items,
on_done)``), so grader.bookkeeper keeps a distributed batch exactly as a local one: the
client loads every submission (parse only), sends each loaded submission to a worker, and
writes the gradebook and the report files itself as the reports come back.

Each Dask worker process holds, through ``GraderPlugin`` (a WorkerPlugin), its own course
(the exact files the client fingerprinted, written to a folder of its own), its own
isolation layers (detected on that machine) and its own Grader with a warm pool of one
zygote per worker thread. Before the batch, the reference is graded on every worker (the
canary): a machine whose sandbox breaks the runtime stops the batch (exit 3) instead of
giving zeros. A worker that joins later runs its canary before its first submission.

Trust: the Dask worker process is the grader's trusted side (it holds the reference and
expected values, and Dask itself exchanges pickles between client, scheduler and workers);
student code still runs only in the sandboxed children its zygotes fork, which see no
network where the sandbox has network isolation (namespaces or seccomp) and so cannot
reach the scheduler. Use ``--strict`` on a cluster, and keep the scheduler's port closed
to anyone but the course staff (Dask's TLS, see the README).

Paths: the client sends the submission's code; student code may also look at its own
folder (read-only), which the worker reads at the same absolute path (a shared file
system, as on a university cluster). Reports are identical to local grading's but for
the durations.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import uuid
from dataclasses import replace
from pathlib import Path

from grader import assignment as assignments
from grader import fingerprint, rubric, sandbox
from grader.grading import CanaryFailed, Grader, Options
from grader.pool import WorkerFault
from grader.submission import Submission

try:
    from distributed import WorkerPlugin
except ImportError:  # the [dask] extra is missing: Cluster() says how to install it
    WorkerPlugin = object

PLUGIN = "grader"
INSTALL = "pip install 'mlgrader[dask]'"


class ClusterUnavailable(Exception):
    """dask.distributed is not installed, or the scheduler cannot be reached; the message says what to do."""


def parse_local(spec: str) -> int:
    """``local:N`` -> N (1..256); ValueError with the expected form otherwise."""
    kind, _, number = spec.partition(":")
    if kind != "local" or not number.isdigit() or not 1 <= int(number) <= 256:
        raise ValueError(f"--cluster {spec!r}: expected local:N with N worker processes, 1 to 256 (e.g. local:2)")
    return int(number)


class GraderPlugin(WorkerPlugin):
    """Made on the client, copied to every worker (Dask's WorkerPlugin protocol: ``setup``,
    ``teardown``); the worker's grader is made on first use, in a task thread."""

    name = PLUGIN

    def __init__(self, name: str, files: dict[str, bytes], digest: str, options: Options,
                 without: tuple[str, ...], strict: bool):
        self.assignment, self.files, self.digest, self.options = name, files, digest, options
        self.without, self.strict = tuple(without), strict
        self._grader: Grader | None = None
        self._failure: Exception | None = None
        self._lock = threading.Lock()
        self._folder: str | None = None
        self._threads = 1

    def __getstate__(self):
        state = dict(self.__dict__)
        state.update(_grader=None, _failure=None, _lock=None, _folder=None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def setup(self, worker=None) -> None:
        self._threads = max(1, getattr(getattr(worker, "state", None), "nthreads", 1) or 1)

    def teardown(self, worker=None) -> None:
        if self._grader is not None:
            self._grader.close()
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)

    def grader(self) -> Grader:
        """This worker's grader, made (with its canary) on first use; a failure is raised on every use."""
        with self._lock:
            if self._grader is None and self._failure is None:
                try:
                    self._grader = self._make()
                except Exception as exc:  # noqa: BLE001 - re-raised for every submission of this worker
                    self._failure = exc
            if self._failure is not None:
                raise self._failure
            return self._grader

    def _make(self) -> Grader:
        self._folder = tempfile.mkdtemp(prefix="grader-course-")
        root = fingerprint.materialize(self.files, Path(self._folder))
        found = assignments.load(self.assignment, root)
        if fingerprint.version(found).digest != self.digest:
            raise WorkerFault(f"the course written on this worker is not the client's ({self.digest[:12]}); "
                              "is this worker running another grader version?")
        layers = sandbox.detect(frozenset(self.without))
        problems = layers.strict_problems()
        if self.strict and problems:
            raise WorkerFault("--strict: a Dask worker lacks isolation: " + "; ".join(problems))
        made = Grader(found, rubric.load(found), layers, replace(self.options, jobs=self._threads))
        try:
            made.canary()
        except BaseException:
            made.close()
            raise
        return made


def _plugin() -> GraderPlugin:
    from distributed import get_worker
    return get_worker().plugins[PLUGIN]


def _grade_task(loaded: Submission) -> dict:
    return _plugin().grader().grade(loaded)


def _canary_task() -> list[str]:
    return _plugin().grader().warnings


class Cluster:
    """Grades ``assignment`` on a Dask cluster: ``address`` of a running scheduler, or
    ``local`` worker processes on this machine (a LocalCluster, one thread each).
    Raises ClusterUnavailable (no dask, no scheduler) or CourseError."""

    def __init__(self, found, options: Options, without: tuple[str, ...] = (), strict: bool = False,
                 address: str | None = None, local: int | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ClusterUnavailable(f"distributed grading needs dask.distributed, which is not installed: {INSTALL}"
                                     ) from None
        if options.seed is None:
            raise ValueError("a cluster grades with one seed on every worker: give Options a seed")
        self._local = None
        try:
            if local:
                self._local = LocalCluster(n_workers=local, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
                self.client = Client(self._local)
            else:
                self.client = Client(address, timeout="10s")
        except OSError as exc:
            self.close()
            raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address!r} ({exc}); start one "
                                     "(`dask scheduler`, or dask-jobqueue) or use --cluster local:N") from None
        self.where = f"dask {self.client.scheduler.address}" if not local else f"dask local:{local}"
        files = fingerprint.course_files(found)
        digest = fingerprint.version(found, files).digest
        self.client.register_plugin(GraderPlugin(found.name, files, digest, options, without, strict), name=PLUGIN)
        self.warnings: list[str] = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self._local is not None:
            self._local.close()

    def workers(self) -> list[str]:
        return sorted(self.client.scheduler_info()["workers"])

    def canary(self) -> None:
        """Grade the reference on every worker now; CanaryFailed (or WorkerFault) from the first that fails."""
        workers = self.workers()
        if not workers:
            raise WorkerFault(f"the Dask scheduler at {self.client.scheduler.address} has no workers; start "
                              "some (`dask worker ADDRESS`) and try again")
        futures = [self.client.submit(_canary_task, workers=[w], allow_other_workers=False, pure=False,
                                      key=f"grader-canary-{uuid.uuid4().hex}") for w in workers]
        found: list[str] = []
        for future in futures:
            found += [w for w in future.result() if w not in found]
        self.warnings = found

    def grade_all(self, items: list, on_done=None) -> list[dict]:
        """Reports of ``items`` (loaded submissions) in the order given; ``on_done(item,
        report)`` runs here, on the client, as each arrives. A fault of a worker, the course
        or the machinery cancels the rest and propagates (a worker that died is a WorkerFault)."""
        from distributed import as_completed
        from distributed.scheduler import KilledWorker
        batch = uuid.uuid4().hex
        sent = [_absolute_view(item) for item in items]
        futures = [self.client.submit(_grade_task, each, pure=False, key=f"grader-{batch}-{i}")
                   for i, each in enumerate(sent)]
        position = {future.key: i for i, future in enumerate(futures)}
        documents: list[dict | None] = [None] * len(items)
        try:
            for future in as_completed(futures):
                i = position[future.key]
                documents[i] = future.result()
                if on_done:
                    on_done(items[i], documents[i])
        except KilledWorker as exc:
            raise WorkerFault(f"a Dask worker died while grading ({exc}); the reports kept so far are in the "
                              "gradebook: run the same command again to grade the rest") from None
        finally:
            self.client.cancel([f for f in futures if not f.done()])
        return documents


def _absolute_view(item):
    """The submission with the folder its code may see as an absolute path (a worker's
    current folder is not the client's); nothing in the report changes."""
    if isinstance(item, Submission) and item.view is not None:
        return replace(item, view=Path(item.view).resolve())
    return item


__all__ = ["CanaryFailed", "Cluster", "ClusterUnavailable", "GraderPlugin", "parse_local"]
