"""Progress of a batch on stderr: a bar on a terminal, plain periodic lines otherwise.

On a terminal: a Rich bar with done/total, failures so far, elapsed time and an estimate
of the time left (it disappears when the batch ends). Elsewhere (CI logs, ``| tee``): a
line when grading starts, one every ``interval_s`` seconds (default 10) while it goes on,
and one at the end, e.g.::

    grader: grading 187 submissions (13 graded before under this course version, skipped)
    grader: 50/187 graded (27%), 3 failed, 0 grader errors, 12 s elapsed, about 33 s left
    grader: graded 187 submissions in 44 s: 11 failed, 0 grader errors

"failed" counts reports without full marks (a failing test or a submission that could not
be loaded); "grader errors" those the grader itself failed on (status grading_error).
``quiet``: nothing at all. Counts come from the reports only; nothing here is a student's text.
"""
from __future__ import annotations

import sys
import threading
import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as Bar

from grader.render import count


def failed(document: dict) -> bool:
    """A report without full marks (or of a submission that could not be loaded)."""
    return bool(document["load_errors"]) or document["score"] < document["max_score"]


class Progress:
    """``start(total, skipped)``, then ``advance(report)`` per report (any thread), then ``close()``."""

    def __init__(self, quiet: bool = False, stream=None, interval_s: float = 10.0, terminal: bool | None = None,
                 clock=time.monotonic):
        self.quiet, self.stream, self.interval_s, self.clock = quiet, stream or sys.stderr, interval_s, clock
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.total = self.done = self.failed = self.errors = self.skipped = 0
        self.started = self.last_line = 0.0
        self._lock = threading.Lock()
        self._bar: Bar | None = None
        self._task = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close(finished=exc[0] is None)

    def start(self, total: int, skipped: int = 0) -> None:
        self.total, self.skipped = total, skipped
        self.started = self.last_line = self.clock()
        if self.quiet:
            return
        before = f" ({skipped} graded before under this course version, skipped)" if skipped else ""
        if total == 0:
            self._line(f"nothing to grade: all {count(skipped, 'submission')} were graded before under this "
                       "course version (--regrade grades them again)" if skipped else "nothing to grade")
            return
        if self.terminal and total > 1:
            self._bar = Bar(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[failures]}"), TimeElapsedColumn(),
                            TextColumn("left"), TimeRemainingColumn(),
                            console=Console(file=self.stream, highlight=False, force_terminal=True),
                            transient=True)
            self._bar.start()
            self._task = self._bar.add_task("grading", total=total, failures=self._failures())
            if skipped:
                self._bar.console.print(f"grader: {count(skipped, 'submission')} graded before under this "
                                        "course version, skipped", markup=False)
        else:
            self._line(f"grading {count(total, 'submission')}{before}")

    def advance(self, document: dict) -> None:
        with self._lock:
            self.done += 1
            self.failed += failed(document) and document.get("status") != "grading_error"
            self.errors += document.get("status") == "grading_error"
            if self.quiet:
                return
            if self._bar is not None:
                self._bar.update(self._task, advance=1, failures=self._failures())
            elif self.clock() - self.last_line >= self.interval_s and self.done < self.total:
                self.last_line = self.clock()
                self._line(self.status())

    def status(self) -> str:
        """``50/187 graded (27%), 3 failed, 0 grader errors, 12 s elapsed, about 33 s left``."""
        elapsed = self.clock() - self.started
        left = elapsed / self.done * (self.total - self.done) if self.done else None
        share = 100 * self.done // self.total if self.total else 100
        eta = f", about {_seconds(left)} left" if left is not None else ""
        return f"{self.done}/{self.total} graded ({share}%), {self._failures()}, {_seconds(elapsed)} elapsed{eta}"

    def close(self, finished: bool = True) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        if self.quiet or not finished or self.total == 0:
            return
        self._line(f"graded {count(self.done, 'submission')} in {_seconds(self.clock() - self.started)}: "
                   f"{self._failures()}")

    def _failures(self) -> str:
        return f"{self.failed} failed, {count(self.errors, 'grader error')}"

    def _line(self, message: str) -> None:
        self.stream.write(f"grader: {message}\n")
        self.stream.flush()


def _seconds(value: float) -> str:
    if value < 60:
        return f"{value:.0f} s"
    minutes, seconds = divmod(int(round(value)), 60)
    return f"{minutes} min {seconds:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
