"""The grader's end of a child's result channel: hostile input, read on the grader's clock.

Student code runs in the child that writes the channel and can write to it too, so every
frame is checked (grader.protocol: the frame schema, dtypes, sizes, caps) and so is
their order: ``started``, ``loaded``, one ``result`` per requested test in the requested
order, ``done``. ``fatal`` counts (as a grader fault) only before ``started``, that is
before any student code ran. Anything else is a *violation*: the rest of the
submission's tests fail with a reason naming it, and nothing in the grader raises.

Deadlines and durations are the grader's own (``time.monotonic``): the load deadline
starts with ``started``, each test's with the frame that ended the previous step, and
only a frame that moves the order forward starts the next; nothing the child sends or
patches changes them. Outputs count against a per-test cap and a per-submission budget
(grader.limits) before any of their bytes are read.
"""
from __future__ import annotations

import math
import os
import select
import time
from dataclasses import dataclass, field

from grader import protocol
from grader.limits import GIB, MIB, Limits
from grader.output import Output

SETUP_SECONDS = 60.0  # for a child to enter the sandbox (no student code runs before `started`)
RESULT_FD = 1000      # the child's end of the channel (grader.worker.RESULT_FD)
GRACE_SECONDS = 1.0   # past a deadline, for a frame the grader was too busy to read


@dataclass(frozen=True)
class TestRun:
    """What the worker reported for one test, before any comparison; ``duration_s`` is
    the grader's measure."""

    test: str
    status: str  # returned | raised | not_plain | missing | oversized | timeout | crashed | channel
    tree: object = None
    error: str | None = None
    duration_s: float = 0.0
    forbidden: tuple = ()
    warnings: int = 0
    exception: str | None = None  # the qualified type name, when the test raised
    exception_message: str = ""   # and its message, normalised (grader.raised)
    raised_in: str = ""           # and the function of the student's code it came out of


@dataclass
class Budget:
    """Output bytes a submission may still return, and seconds its code may still run
    (across restarts of its child; grader.budget)."""

    remaining: int
    seconds: float = math.inf


@dataclass
class Attempt:
    """What one child reported before it ended (or was ended)."""

    loaded: bool = False
    import_errors: tuple = ()
    load_forbidden: tuple = ()  # guard events while the code loaded (grader.guard)
    load_warnings: tuple = ()   # e.g. modules the grading environment lacks (grader.standin)
    results: list = field(default_factory=list)
    end: str = ""         # done | timeout | crashed | fatal | violation
    detail: str = ""
    duration_s: float = 0.0  # of the step that was running when it ended
    memory_full: bool = False
    out_of_budget: bool = False  # the submission's time budget ended it (grader.budget)


def memory_limit_text(limits: Limits) -> str:
    return f"ran out of memory (limit {limits.memory_bytes / (1 << 30):.3g} GiB)"


def size_text(count: int) -> str:
    if count >= GIB:
        return f"{count / GIB:.2f} GiB ({count} bytes)"
    return f"{count / MIB:.1f} MiB ({count} bytes)" if count >= MIB else f"{count} bytes"


class Follower:
    """Reads one child's result channel and output pipe until it is done or must end."""

    def __init__(self, zygote, pid: int, tests: list[str], limits: Limits, output: Output,
                 budget: Budget, memory=None, keep=None):
        """``keep(run)`` gets each TestRun as it arrives; what it returns is kept (so that
        an output tree need not outlive its comparison)."""
        self.zygote, self.pid, self.tests, self.limits = zygote, pid, tests, limits
        self.keep = keep or (lambda run: run)
        self.output, self.budget, self.memory = output, budget, memory
        self.reader = protocol.FrameReader(min(limits.max_result_bytes, budget.remaining))
        self.attempt = Attempt()
        self.phase, self.index = "setup", 0
        self.step_started = time.monotonic()
        self.deadline = self.step_started + SETUP_SECONDS
        self.started_at, self.budget_deadline = None, math.inf

    def follow(self, result_r: int, output_r: int) -> Attempt:
        watched = [result_r, output_r, self.zygote.sock]
        attempt = self.attempt
        while not attempt.end:
            now = time.monotonic()
            if now >= self.deadline:
                if self._waiting_frame(result_r):
                    continue  # it came while the grader was busy with the one before
                self._expire(now)
                break
            ready, _, _ = select.select(watched, [], [], self.deadline - now)
            if output_r in ready:
                data = _read(output_r)
                self.output.add(data) if data else watched.remove(output_r)
            if self.zygote.sock in ready:
                self.zygote.pump()
            exited = self.pid in self.zygote.exits
            if result_r in ready or exited:
                self._read_frame(result_r, exited)
        ended = time.monotonic()
        attempt.duration_s = ended - self.step_started
        if self.started_at is not None:
            self.budget.seconds -= ended - self.started_at
        return attempt

    def _waiting_frame(self, result_r: int) -> bool:
        """Read a frame that is already (or still being) written, for at most
        ``GRACE_SECONDS`` past the deadline; did the run move on?"""
        before, until = (self.phase, self.index, self.attempt.end), time.monotonic() + GRACE_SECONDS
        while (self.phase, self.index, self.attempt.end) == before:
            remaining = until - time.monotonic()
            ready = remaining > 0 and select.select([result_r], [], [], min(0.05, remaining))[0]
            if not ready:
                return False
            self._read_frame(result_r, exited=False)
        return True

    def _read_frame(self, result_r: int, exited: bool) -> None:
        try:
            frame, eof = self.reader.read_from(result_r)
        except protocol.ProtocolError as exc:
            self._violation(str(exc))
            return
        if frame is not None:
            self._accept(frame, time.monotonic())
        elif eof or exited:  # the child is gone and left no complete frame
            self.attempt.end = "crashed"

    def _accept(self, frame: dict, now: float) -> None:
        kind, attempt = frame["kind"], self.attempt
        if self.phase == "setup" and kind in ("started", "fatal"):
            if kind == "fatal":
                attempt.end, attempt.detail = "fatal", frame["message"]
            else:
                self.started_at, self.budget_deadline = now, now + self.budget.seconds
            self._next_step("loading", now)
        elif self.phase == "loading" and kind == "loaded":
            attempt.loaded, attempt.import_errors = True, tuple(frame["import_errors"])
            attempt.load_forbidden = tuple(frame.get("forbidden", ()))
            attempt.load_warnings = tuple(frame.get("load_warnings", ()))
            self._next_step("testing", now)
        elif self.phase == "testing" and kind == "result" and self.index < len(self.tests) \
                and frame["test"] == self.tests[self.index]:
            attempt.results.append(self.keep(self._test_run(frame, now - self.step_started)))
            self.index += 1
            self.budget.remaining -= self.reader.last_frame_bytes
            self.reader.max_frame_bytes = min(self.limits.max_result_bytes, self.budget.remaining)
            self._next_step("testing", now)
        elif self.phase == "testing" and kind == "done" and self.index == len(self.tests):
            attempt.end = "done"
        else:
            self._violation(f"{_kind_text(frame)} where {self._due()} was due")

    def _next_step(self, phase: str, now: float) -> None:
        self.phase, self.step_started = phase, now
        self.deadline = min(now + self.limits.timeout_s, self.budget_deadline)

    def _due(self) -> str:
        if self.phase == "setup":
            return "the start of your code"
        if self.phase == "loading":
            return "the end of loading your code"
        if self.index < len(self.tests):
            return f"the result of test {self.tests[self.index]!r}"
        return "the end of the run"

    def _violation(self, detail: str) -> None:
        self.attempt.end = "violation"
        self.attempt.detail = (f"your code wrote to the grader's result channel (file descriptor {RESULT_FD}): "
                               f"{detail[:400]}; the rest of this submission's tests were not run")

    def _expire(self, now: float) -> None:
        attempt = self.attempt
        if self.phase == "setup":
            attempt.end, attempt.detail = "fatal", f"the sandbox did not start within {SETUP_SECONDS:g} s"
            return
        attempt.end = "timeout"
        if self.deadline == self.budget_deadline < self.step_started + self.limits.timeout_s:
            attempt.out_of_budget = True  # grader.budget says what that means for each test
            return
        attempt.memory_full = self.memory is not None and self.memory.near_limit(self.limits.memory_bytes)
        attempt.detail = (f"did not finish within {self.limits.timeout_s:g} s (the time limit per "
                          "test); look for an infinite loop or a very slow computation")

    def _test_run(self, frame: dict, duration: float) -> TestRun:
        status, error = frame["status"], frame.get("error")
        if status == "missing":
            names = ", ".join(f"`{n}`" for n in frame["missing"])
            error = f"{names} {'is' if len(frame['missing']) == 1 else 'are'} not defined in your submission"
        elif status == "oversized":
            error = self._oversized_text(frame["oversized"])
        elif status == "raised" and str(frame.get("exception")).endswith("MemoryError"):  # NumPy's too
            error = f"{memory_limit_text(self.limits)}: {error}"
        return TestRun(frame["test"], status, frame.get("tree"), error, duration,
                       tuple(frame.get("forbidden", ())), frame.get("warnings", 0), frame.get("exception"),
                       frame.get("exception_message", ""), frame.get("raised_in", ""))

    def _oversized_text(self, oversized: dict) -> str:
        size = size_text(min(oversized["bytes"], 1 << 62))
        if oversized["cap"] == "test":
            return (f"returned {size} of outputs; at most {size_text(self.limits.max_result_bytes)} "
                    "per test are graded (Limits.max_result_bytes): return only what the function is asked for")
        if oversized["cap"] == "submission":
            used = self.limits.max_submission_result_bytes - self.budget.remaining
            return (f"returned {size} of outputs after earlier tests had returned {size_text(used)}; at most "
                    f"{size_text(self.limits.max_submission_result_bytes)} per submission are graded "
                    "(Limits.max_submission_result_bytes)")
        return (f"returned outputs whose structure alone takes {size} (more than "
                f"{size_text(protocol.MAX_HEADER_BYTES)}: long strings or many small values); return NumPy arrays")


def _kind_text(frame: dict) -> str:
    if frame["kind"] == "result":
        return f"a 'result' frame for test {str(frame['test'])[:80]!r}"
    return f"a {frame['kind']!r} frame"


def _read(fd: int) -> bytes:
    return os.read(fd, 1 << 16)
