"""The grader's side of the worker: zygotes, restarts, jobs, memory blame.

``execute`` runs a submission's tests in a sandboxed child forked from a warm zygote.
The job goes to the child in a file descriptor the zygote passes on unread (a memfd),
so the zygote never holds any submission's data. The channel (grader.channel) checks
every frame on the grader's clock; a test that times out or crashes the child fails
alone, and a fresh child runs the remaining tests; a child that ran out of memory is
named as such; a violation of the channel fails the rest of the submission. Everything
a child started is killed when the run ends.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from grader import cgroup
from grader.budget import Stalls, budget_spent
from grader.channel import Attempt, Budget, Follower, TestRun, memory_limit_text
from grader.limits import Limits
from grader.output import Output
from grader.worker import JOB_HEADER

__all__ = ["Pool", "SubmissionRun", "TestRun", "WorkerFault", "Zygote", "execute"]

EXIT_FATAL = 71


class WorkerFault(Exception):
    """The worker machinery itself failed (a grader fault, never a student's zero)."""


@dataclass(frozen=True)
class SubmissionRun:
    tests: dict
    import_errors: tuple = ()
    output: str = ""
    output_bytes: int = 0
    restarts: int = 0
    load_forbidden: tuple = ()  # guard events while the code loaded (grader.guard)
    load_warnings: tuple = ()   # e.g. modules the grading environment lacks (grader.standin)


class Zygote:
    """One pre-imported worker process and the socket to it.

    With ``cgroups``, the zygote is moved into a control group of its own once it has
    imported everything; every child it forks is born in that group (a fork into the
    parent's group is free, while moving a process between groups waits on the kernel),
    and the zygote itself is exempt from the OOM killer."""

    def __init__(self, environment: dict, cgroups: bool = False, name: str = "zygote", torch: bool = False,
                 wait: bool = True):
        """Start the zygote; with ``wait``, until it is ready (else ``wait_ready`` does)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.log = tempfile.TemporaryFile()
        self.torch = torch  # it imported torch (before joining its cgroup: not charged to submissions)
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-B", "-c", _BOOT, str(theirs.fileno()), json.dumps(_import_path()),
             "torch" if torch else "numpy"],
            pass_fds=[theirs.fileno()], env=environment, stdin=subprocess.DEVNULL, cwd="/",
            stdout=self.log, stderr=self.log, start_new_session=True)
        theirs.close()
        self.sock = ours
        self.pending = b""
        self.exits: dict[int, int] = {}
        self.ignored: set[int] = set()
        self.group = None
        self.settling = False
        self.cgroups, self.name, self.ready = cgroups, name, False
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Wait until the zygote has imported everything, then move it into its group."""
        if self.ready:
            return
        try:
            while "ready" not in self._next_line(timeout=120.0):
                pass
        except (TimeoutError, WorkerFault) as exc:
            raise WorkerFault(f"the worker did not start ({exc}); {self.diagnostics()}") from None
        if self.cgroups:
            self.group = cgroup.Group.create(f"{self.name}-{os.getpid()}-{self.process.pid}", 1 << 30, 64)
            self.group.add(self.process.pid)
            try:  # best effort: children make themselves the OOM killer's first choice anyway
                with open(f"/proc/{self.process.pid}/oom_score_adj", "w") as handle:
                    handle.write("-1000")
            except OSError:
                pass
        self.ready = True

    def start(self, fds: list[int], namespaces: bool) -> int:
        """Fork a child that gets ``fds`` (result pipe, output pipe, job); its pid."""
        payload = json.dumps({"namespaces": namespaces}).encode()
        if self.settling:  # what the last run left must be gone before the next starts
            try:
                self.group.kill(spare=frozenset({self.process.pid}))
            except cgroup.CgroupError as exc:
                raise WorkerFault(f"the worker's processes cannot be cleared: {exc}") from None
            self.settling = False
        try:
            socket.send_fds(self.sock, [JOB_HEADER.pack(len(payload))], fds)
            self.sock.sendall(payload)
            while True:
                message = self._next_line(timeout=60.0)
                if "pid" in message:
                    return message["pid"]
        except OSError as exc:
            raise WorkerFault(f"the worker process is gone ({exc}); {self.diagnostics()}") from None

    def pump(self) -> None:
        """Read the exit events that have arrived, without blocking."""
        while True:
            ready, _, _ = select.select([self.sock], [], [], 0)
            if not ready:
                return
            self._next_line(timeout=1.0)

    def exit_code(self, pid: int, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while pid not in self.exits and time.monotonic() < deadline:
            try:
                self._next_line(timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                break
        return self.exits.pop(pid, None)

    def forget(self, pid: int) -> None:
        """Drop ``pid``'s exit event, now or when it arrives."""
        self.exits.pop(pid, None)
        self.ignored.add(pid)

    def _next_line(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.pending:
            ready, _, _ = select.select([self.sock], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("no answer from the worker")
            data = self.sock.recv(65536)
            if not data:
                raise WorkerFault(f"the worker process ended; {self.diagnostics()}")
            self.pending += data
        line, self.pending = self.pending.split(b"\n", 1)
        message = json.loads(line)
        if "exit" in message:
            if message["exit"] in self.ignored:
                self.ignored.discard(message["exit"])
            else:
                self.exits[message["exit"]] = message["code"]
        return message

    def diagnostics(self) -> str:
        self.log.seek(0)
        tail = self.log.read()[-2000:].decode("utf-8", "replace").strip()
        return f"its log ends: {tail}" if tail else "it wrote nothing"

    def kill_children(self) -> None:
        """Kill everything in the zygote's group but the zygote (between runs). The next
        ``start`` waits until they are gone: their exit overlaps the grader's own work."""
        if self.group is not None:
            self.group.signal(spare=frozenset({self.process.pid}))
            self.settling = True

    def close(self) -> None:
        self.sock.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.group is not None:
            self.group.remove()
        self.log.close()


def worker_environment(allow: tuple[str, ...] = ()) -> dict:
    """The zygote's environment: a safe base plus explicitly allow-listed variables."""
    from grader.sandbox import SAFE_ENVIRONMENT
    env = dict(SAFE_ENVIRONMENT)
    env.update({name: os.environ[name] for name in allow if name in os.environ})
    return env


# The zygote runs isolated (-I: no environment variables, no user site, neither the current
# folder nor a script's on sys.path) and is told exactly where to import from instead.
_BOOT = ("import json, sys; sys.path[:0] = json.loads(sys.argv[2]); "
         "from grader.worker import main; main()")


def _import_path() -> list[str]:
    """Folders the zygote must search first: this very grader (whatever folder the grader
    was started in), and a user site this process sees (``pip install --user``)."""
    import site

    import grader
    search = []
    home = os.path.dirname(os.path.dirname(os.path.abspath(grader.__file__)))
    if "site-packages" not in home and "dist-packages" not in home:
        search.append(home)  # a checkout or an editable install: this grader, not another
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user_site and user_site in sys.path and os.path.isdir(user_site):
        search.append(user_site)  # packages installed with `pip install --user`
    return search


class Pool:
    """Zygotes for up to ``size`` concurrent submissions.

    A zygote imports torch only when made for a torch job (``zygote(torch=True)``), and
    stays warm for more torch jobs; NumPy jobs get zygotes without torch, so that what a
    NumPy submission finds (a forbidden torch, loaded or not) never depends on the jobs
    before it. A pool serving both kinds may hold up to twice ``size`` zygotes."""

    def __init__(self, size: int = 1, allow_env: tuple[str, ...] = (), cgroups: bool = False):
        self.size, self.cgroups = size, cgroups
        self.environment = worker_environment(allow_env)
        self.idle: list[Zygote] = []
        self.lock = threading.Lock()
        self.returned = threading.Condition(self.lock)
        self.all: list[Zygote] = []

    def prestart(self, torch: bool = False) -> None:
        """Start ``size`` zygotes (of torch jobs with ``torch``) now, all at once, without
        waiting for them: they import while the grader does its own work, and the first use
        of each waits until it is ready."""
        with self.lock:
            while sum(z.torch == torch for z in self.all) < self.size:
                zygote = Zygote(self.environment, self.cgroups, torch=torch, wait=False)
                self.all.append(zygote)
                self.idle.append(zygote)

    def _take(self, torch: bool) -> Zygote:
        """An idle zygote of the kind, a new one while there are fewer than ``size`` of it,
        else the next one given back (more threads than zygotes may ask: one waits while
        another's runs a submission)."""
        with self.lock:
            while True:
                for zygote in self.idle:
                    if zygote.torch == torch:
                        self.idle.remove(zygote)
                        return zygote
                if sum(z.torch == torch for z in self.all) < self.size:
                    zygote = Zygote(self.environment, self.cgroups, torch=torch, wait=False)
                    self.all.append(zygote)
                    return zygote
                self.returned.wait(timeout=0.5)

    def _give_back(self, zygote: Zygote) -> None:
        with self.lock:
            self.idle.append(zygote)
            self.returned.notify()

    @contextmanager
    def zygote(self, torch: bool = False):
        """An idle zygote (a new one if none fits); with ``torch``, one that imported torch."""
        zygote = self._take(torch)
        try:
            zygote.wait_ready()
            yield zygote
        except WorkerFault:
            zygote.close()
            with self.lock:
                self.all.remove(zygote)
                self.returned.notify()  # a thread waiting for a zygote may now start one
            raise
        except BaseException:  # a fault of the grader's side, not of the zygote: keep it
            zygote.kill_children()
            self._give_back(zygote)
            raise
        self._give_back(zygote)

    def close(self) -> None:
        for zygote in self.all:  # every zygote told first: they wind down together
            zygote.sock.close()
        for zygote in self.all:
            zygote.close()
        self.all.clear()


def execute(zygote: Zygote, job: dict, limits: Limits, cleanup=None, memory=None, keep=None,
            calls: dict | None = None) -> SubmissionRun:
    """Run ``job["tests"]`` for one submission, restarting the child after a failure,
    within the submission's time budget; a later test that calls (``calls``: test -> its
    functions) a function that timed out is not run (grader.budget).

    ``cleanup()`` runs after every attempt, before the next starts (it kills whatever
    the submission left, e.g. its cgroup's processes). ``memory`` is the cgroup.Group
    the children are born in (None without cgroups): a child that reached its limit is
    said to have run out of memory. ``keep(run)`` is called on every TestRun as soon as it
    is final; what it returns is stored (e.g. the run without its output tree)."""
    remaining = list(job["tests"])
    results: dict[str, object] = {}
    output = Output(limits.output_bytes_kept)
    budget = Budget(limits.max_submission_result_bytes, limits.submission_seconds)
    stalls = Stalls(calls or {})
    keep = keep or (lambda run: run)
    first: Attempt | None = None
    restarts = -1
    while remaining:
        restarts += 1
        attempt = _attempt(zygote, {**job, "tests": remaining}, limits, output, budget, memory, keep)
        if cleanup:
            cleanup()
        first = first or attempt
        for run in attempt.results:  # each already passed through keep()
            results[run.test] = run
        if attempt.end == "fatal" and restarts == 0:
            raise WorkerFault(f"the sandbox could not start: {attempt.detail}")
        if attempt.end == "fatal":  # after the submission exhausted something: its fault
            attempt.end = "crashed"
            attempt.detail = f"the sandbox could not be restarted after an earlier test ({attempt.detail})"
            attempt.loaded = False
        if attempt.end == "done":
            break
        pending = [t for t in remaining if t not in results]
        status = {"timeout": "timeout", "violation": "channel"}.get(attempt.end, "crashed")
        if attempt.out_of_budget:
            budget_spent(pending, attempt, results, keep, limits.submission_seconds)
            break
        if attempt.end == "violation" or not attempt.loaded:
            prefix = "" if attempt.end == "violation" else "while loading your code: "
            for test in pending:
                results[test] = keep(TestRun(test, status, error=prefix + attempt.detail))
            break
        results[pending[0]] = keep(TestRun(pending[0], status, error=attempt.detail,
                                           duration_s=attempt.duration_s))
        if status == "timeout":
            stalls.record(pending[0], attempt.detail)
        remaining = stalls.skip(pending[1:], results, keep)
        if remaining and budget.seconds <= 0:
            budget_spent(remaining, None, results, keep, limits.submission_seconds)
            break
    return SubmissionRun(results, first.import_errors if first else (), output.text(), output.student_bytes,
                         max(restarts, 0), first.load_forbidden if first else (),
                         first.load_warnings if first else ())


def _attempt(zygote: Zygote, job: dict, limits: Limits, output: Output, budget: Budget, memory,
             keep) -> Attempt:
    job = {**job, "result_bytes": {"test": limits.max_result_bytes, "submission": budget.remaining}}
    hits = memory.limit_hits() if memory is not None else 0
    result_r, result_w = os.pipe()
    output_r, output_w = os.pipe()
    job_fd = _job_file(job)
    try:
        pid = zygote.start([result_w, output_w, job_fd], bool(job["plan"]["namespaces"]))
    finally:
        for fd in (result_w, output_w, job_fd):
            os.close(fd)
    _widen(result_r)
    os.set_blocking(result_r, False)
    attempt = Attempt()
    try:
        follower = Follower(zygote, pid, job["tests"], limits, output, budget, memory, keep)
        attempt = follower.follow(result_r, output_r)
    finally:
        _kill(pid)
        code = None if attempt.end == "done" else zygote.exit_code(pid, timeout=2.0)
        zygote.forget(pid)
        _drain(output_r, output)
        os.close(result_r)
        os.close(output_r)
    if attempt.end in ("timeout", "crashed") and (attempt.memory_full or (
            memory is not None and memory.limit_hits() > hits)):
        attempt.end = "crashed"
        attempt.detail = (f"{memory_limit_text(limits)}: it reached the memory limit and was stopped; look "
                          "for an array that grows without bound, or an allocation much larger than the inputs need")
    elif attempt.end == "crashed" and not attempt.detail:
        attempt.detail = _crash_reason(code)
    return attempt


def _job_file(job: dict) -> int:
    """A file descriptor holding ``job`` as JSON, for the child to read (never the zygote)."""
    data = memoryview(json.dumps(job).encode())
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("grader-job", os.MFD_CLOEXEC)
    else:  # not Linux: an unnamed temporary file
        with tempfile.TemporaryFile() as handle:
            fd = os.dup(handle.fileno())
    while data:
        data = data[os.write(fd, data):]
    return fd


def _widen(fd: int) -> None:
    """Let a pipe hold 1 MiB (fewer wake-ups for large outputs); best effort."""
    try:
        import fcntl
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except OSError:
        pass


def _kill(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _drain(fd: int, output: Output) -> None:
    os.set_blocking(fd, False)
    try:
        while data := os.read(fd, 1 << 16):
            output.add(data)
    except (BlockingIOError, OSError):
        pass


def _crash_reason(code: int | None) -> str:
    if code is None:
        return "the worker process ended unexpectedly"
    if code > 128:
        number = code - 128
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        hint = {"SIGSEGV": " (a segmentation fault)", "SIGKILL": " (killed: often the memory limit)",
                "SIGXCPU": " (the CPU time limit)", "SIGXFSZ": " (wrote a file larger than allowed)"}
        return f"the process was killed by {name}{hint.get(name, '')}"
    return f"the process exited with code {code} (os._exit, or exit in a child thread) before the test finished"
