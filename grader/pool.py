"""The grader's side of the worker: zygotes, deadlines, restarts, output capping.

``Pool.execute`` runs a submission's tests in a sandboxed child forked from a warm
zygote. Every test has a wall-clock deadline; a test that times out, crashes the child
or sends a malformed frame fails alone, and a fresh child runs the remaining tests.
Everything a child started is killed when the run ends.
"""
from __future__ import annotations

import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from grader import cgroup, protocol
from grader.limits import Limits
from grader.worker import JOB_HEADER

EXIT_FATAL = 71


class WorkerFault(Exception):
    """The worker machinery itself failed (a grader fault, never a student's zero)."""


@dataclass(frozen=True)
class TestRun:
    """What the worker reported for one test, before any comparison."""

    test: str
    status: str  # returned | raised | not_plain | missing | timeout | crashed
    tree: object = None
    error: str | None = None
    duration_s: float = 0.0
    forbidden: tuple = ()
    warnings: int = 0
    exception: str | None = None  # the qualified type name, when the test raised


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

    def __init__(self, environment: dict, cgroups: bool = False, name: str = "zygote"):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader.worker", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=environment, stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=self.log, start_new_session=True)
        theirs.close()
        self.sock = ours
        self.pending = b""
        self.exits: dict[int, int] = {}
        self.ignored: set[int] = set()
        self.group = None
        try:
            while "ready" not in self._next_line(timeout=120.0):
                pass
        except (TimeoutError, WorkerFault) as exc:
            raise WorkerFault(f"the worker did not start ({exc}); {self.diagnostics()}") from None
        if cgroups:
            self.group = cgroup.Group.create(f"{name}-{os.getpid()}-{self.process.pid}", 1 << 30, 64)
            self.group.add(self.process.pid)
            try:  # best effort: children make themselves the OOM killer's first choice anyway
                with open(f"/proc/{self.process.pid}/oom_score_adj", "w") as handle:
                    handle.write("-1000")
            except OSError:
                pass

    def start(self, job: dict, fds: list[int]) -> int:
        payload = json.dumps(job).encode()
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
        """Kill everything in the zygote's group but the zygote (between runs)."""
        if self.group is not None:
            self.group.kill(spare=frozenset({self.process.pid}))

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


class Pool:
    """Zygotes for up to ``size`` concurrent submissions."""

    def __init__(self, size: int = 1, allow_env: tuple[str, ...] = (), cgroups: bool = False):
        self.size, self.cgroups = size, cgroups
        self.environment = worker_environment(allow_env)
        self.idle: queue.Queue = queue.Queue()
        self.all: list[Zygote] = []

    @contextmanager
    def zygote(self):
        try:
            zygote = self.idle.get_nowait()
        except queue.Empty:
            zygote = Zygote(self.environment, self.cgroups)
            self.all.append(zygote)
        try:
            yield zygote
        except WorkerFault:
            zygote.close()
            self.all.remove(zygote)
            raise
        self.idle.put(zygote)

    def close(self) -> None:
        for zygote in self.all:
            zygote.close()
        self.all.clear()


@dataclass
class _Attempt:
    loaded: bool = False
    import_errors: tuple = ()
    load_forbidden: tuple = ()
    load_warnings: tuple = ()
    results: list = field(default_factory=list)
    end: str = ""      # done | timeout | crashed | fatal
    detail: str = ""


class _Output:
    def __init__(self, cap: int):
        self.cap, self.kept, self.total = cap, bytearray(), 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = self.cap - len(self.kept)
        if room > 0:
            self.kept += data[:room]

    def text(self) -> str:
        text = self.kept.decode("utf-8", "replace")
        if self.total > len(self.kept):
            text += f"\n[... {self.total - len(self.kept)} more bytes of output not kept]"
        return text


def execute(zygote: Zygote, job: dict, limits: Limits, cleanup=None) -> SubmissionRun:
    """Run ``job["tests"]`` for one submission, restarting the child after a failure.

    ``cleanup()`` runs after every attempt, before the next starts (it kills whatever
    the submission left, e.g. its cgroup's processes)."""
    remaining = list(job["tests"])
    results: dict[str, TestRun] = {}
    output = _Output(limits.output_bytes_kept)
    first: _Attempt | None = None
    restarts = -1
    while remaining:
        restarts += 1
        attempt = _attempt(zygote, {**job, "tests": remaining}, limits, output)
        if cleanup:
            cleanup()
        first = first or attempt
        for run in attempt.results:
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
        if not attempt.loaded:
            for test in pending:
                results[test] = TestRun(test, attempt.end, error=f"while loading your code: {attempt.detail}")
            break
        results[pending[0]] = TestRun(pending[0], attempt.end, error=attempt.detail,
                                      duration_s=limits.timeout_s if attempt.end == "timeout" else 0.0)
        remaining = pending[1:]
    return SubmissionRun(results, first.import_errors if first else (), output.text(), output.total,
                         max(restarts, 0), first.load_forbidden if first else (),
                         first.load_warnings if first else ())


def _attempt(zygote: Zygote, job: dict, limits: Limits, output: _Output) -> _Attempt:
    result_r, result_w = os.pipe()
    output_r, output_w = os.pipe()
    try:
        pid = zygote.start(job, [result_w, output_w])
    finally:
        os.close(result_w)
        os.close(output_w)
    attempt = _Attempt()
    try:
        _follow(zygote, pid, result_r, output_r, job["tests"], limits, output, attempt)
    finally:
        _kill(pid)
        code = None if attempt.end == "done" else zygote.exit_code(pid, timeout=2.0)
        zygote.forget(pid)
        _drain(output_r, output)
        os.close(result_r)
        os.close(output_r)
    if attempt.end == "crashed" and not attempt.detail:
        attempt.detail = _crash_reason(code)
    return attempt


def _follow(zygote, pid, result_r, output_r, tests, limits, output, attempt) -> None:
    reader = protocol.FrameReader(limits.max_result_bytes)
    os.set_blocking(result_r, False)
    expected = iter(tests)
    next_test = next(expected, None)
    deadline = time.monotonic() + limits.timeout_s
    open_fds = [result_r, output_r, zygote.sock]
    while not attempt.end:
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            attempt.end = "timeout"
            attempt.detail = (f"did not finish within {limits.timeout_s:g} s (the time limit per "
                              "test); look for an infinite loop or a very slow computation")
            return
        ready, _, _ = select.select(open_fds, [], [], timeout)
        if output_r in ready:
            data = os.read(output_r, 1 << 16)
            output.add(data) if data else open_fds.remove(output_r)
        exited = False
        if zygote.sock in ready:
            zygote.pump()
            exited = pid in zygote.exits
        if result_r not in ready and not exited:
            continue
        try:
            data = os.read(result_r, 1 << 20)
        except BlockingIOError:
            data = b""  # the child is gone and left nothing more
        if not data:
            attempt.end = "crashed"
            return
        try:
            frames = reader.feed(data)
        except protocol.ProtocolError as exc:
            attempt.end, attempt.detail = "crashed", f"sent a malformed result ({exc})"
            return
        for frame in frames:
            kind = frame.get("kind")
            if kind == "fatal":
                attempt.end, attempt.detail = "fatal", str(frame.get("message"))[:2000]
                return
            if kind == "done":
                attempt.end = "done"
                return
            if kind == "loaded" and not attempt.loaded:
                attempt.loaded = True
                attempt.import_errors = tuple(frame.get("import_errors") or ())
                attempt.load_forbidden = tuple(e for e in _listed(frame, "forbidden") if isinstance(e, dict))[:100]
                attempt.load_warnings = tuple(str(w)[:500] for w in _listed(frame, "load_warnings"))[:20]
            elif kind == "result" and attempt.loaded and frame.get("test") == next_test:
                attempt.results.append(_test_run(frame))
                next_test = next(expected, None)
            elif kind not in ("started", "loaded"):
                attempt.end, attempt.detail = "crashed", f"sent an unexpected message {kind!r}"
                return
            deadline = time.monotonic() + limits.timeout_s


def _listed(frame: dict, key: str) -> list:
    value = frame.get(key)
    return value if isinstance(value, list) else []


def _test_run(frame: dict) -> TestRun:
    status = frame.get("status")
    if status not in ("returned", "raised", "not_plain", "missing"):
        status, frame = "crashed", {"error": f"sent an unknown status {str(status)[:40]!r}"}
    error = frame.get("error")
    if status == "missing":
        names = ", ".join(f"`{n}`" for n in frame.get("missing", ()))
        error = f"{names} {'is' if len(frame.get('missing', ())) == 1 else 'are'} not defined in your submission"
    return TestRun(frame.get("test", ""), status, frame.get("tree"), str(error)[:4000] if error else None,
                   float(frame.get("duration_s") or 0.0), tuple(frame.get("forbidden") or ()),
                   int(frame.get("warnings") or 0), str(frame.get("exception") or "")[:200] or None)


def _kill(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _drain(fd: int, output: _Output) -> None:
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
