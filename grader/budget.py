"""A submission's time: its budget across tests, and the functions that ran out of time.

Each test has its own limit (``Limits.timeout_s``, on the grader's clock). The submission
as a whole has a budget, ``Limits.submission_timeout_s``: by default
``limits.SUBMISSION_TIMEOUT_FACTOR`` (6) times the per-test limit (60 s for the default
10 s). It counts the time the submission's code runs (loading it, and every test), across
the fresh children started after a timeout or a crash (grader.channel measures it); a
child's start-up before any student code runs is the grader's and never counts.
When the budget runs out, the running test and every test not yet reached end as
``timeout``, with a message saying so.

A function that did not finish within the per-test limit is not called again: the later
tests that call it (every function a timed-out test called, when it called several) end
as ``timeout`` at once, with the first test's message and a note that says why. A
submission that loops in every function therefore costs about one time limit per
function, not one per test.
"""
from __future__ import annotations

from grader.channel import Attempt, TestRun


def exhausted_text(seconds: float, when: str) -> str:
    """The message of a test when the budget of ``seconds`` ran out: ``when`` is "test"
    (while it ran), "loading" (while the code loaded) or "before" (it was never reached)."""
    how = {"test": "ran out while this test ran", "loading": "ran out while your code was loading",
           "before": "had run out before this test"}[when]
    first = "stopped" if when == "test" else "not run"
    return (f"{first}: the submission's time budget of {seconds:g} s for all its tests (--submission-timeout) "
            f"{how}; make the slow tests faster (look for loops over array elements, or a loop that never ends)")


def budget_spent(pending: list[str], attempt: Attempt | None, results: dict, keep, seconds: float) -> None:
    """The budget of ``seconds`` ran out in ``attempt`` (None: before the next child): the
    test that was running and every test ``pending`` after it end as ``timeout``, saying so."""
    if attempt is not None and attempt.loaded:
        results[pending[0]] = keep(TestRun(pending[0], "timeout", error=exhausted_text(seconds, "test"),
                                           duration_s=attempt.duration_s))
        pending = pending[1:]
    when = "loading" if attempt is not None and not attempt.loaded else "before"
    for test in pending:
        results[test] = keep(TestRun(test, "timeout", error=exhausted_text(seconds, when)))


class Stalls:
    """The functions of a submission that did not finish in time, and the test that showed it."""

    def __init__(self, calls: dict[str, tuple[str, ...]]):
        """``calls``: for each test, the submission's functions it calls (``Probe.calls``)."""
        self.calls = calls
        self.found: list[tuple[frozenset[str], str, str]] = []  # (functions, test, message)

    def record(self, test: str, message: str) -> None:
        """``test`` timed out with ``message``: every function it calls is suspected."""
        functions = frozenset(self.calls.get(test, ()))
        if functions:
            self.found.append((functions, test, message))

    def blocking(self, test: str) -> str | None:
        """The message for ``test`` if it calls every function of an earlier timed-out test
        (so it would call the one that did not finish), else None."""
        called = set(self.calls.get(test, ()))
        for functions, first, message in self.found:
            if functions <= called:
                names = ", ".join(f"`{name}`" for name in sorted(functions))
                return (f"not run: {names} did not finish in test {first!r} ({message}); the later "
                        f"tests of {names} were not run, so that a loop costs one time limit, not one "
                        "per test: fix it and they will be")
        return None

    def skip(self, tests: list[str], results: dict, keep) -> list[str]:
        """The ``tests`` still to run; each that would call a function that did not finish
        ends as ``timeout`` at once (its TestRun, through ``keep``, into ``results``)."""
        remaining = []
        for test in tests:
            blocked = self.blocking(test)
            if blocked:
                results[test] = keep(TestRun(test, "timeout", error=blocked))
            else:
                remaining.append(test)
        return remaining
