"""One submission cannot take the batch down (issue 9): an exception while grading one
becomes that submission's report (status "grading_error", with the reason), every other
submission is still graded (-j 1 and -j 2), and only a fault of the machinery itself
(the worker cannot start) stops the batch."""
from __future__ import annotations

import threading

import pytest
from conftest import ROOT, SEED, SUBMISSIONS
from processes import wait_until_none_left

from grader import pool, rubric
from grader.grading import Grader, Options
from grader.limits import Limits

CORRECT = ROOT / "examples" / "softmax" / "ada_loops.py"
OTHER = SUBMISSIONS / "sys_exit_at_import.py"


def _grader(course, layers, workers, jobs):
    found = course["softmax"]
    return Grader(found, rubric.load(found), layers, Options(limits=Limits(timeout_s=3.0), seed=SEED, jobs=jobs),
                  workers=workers)


def _fail_on(victim, monkeypatch, after_results: int = 2):
    """Make the grader's own code raise while it receives the third result of ``victim``
    (in the middle of a run: a child is alive), in whichever thread grades it."""
    local = threading.local()
    grade, keep = Grader._grade, Grader._keep

    def marking(self, path, tests, started):
        local.victim, local.results = path.name == victim.name, 0
        return grade(self, path, tests, started)

    def failing(self, run, comparisons):
        if local.victim:
            local.results += 1
            if local.results > after_results:
                raise KeyError("a grader bug")
        return keep(self, run, comparisons)
    monkeypatch.setattr(Grader, "_grade", marking)
    monkeypatch.setattr(Grader, "_keep", failing)


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_exception_while_grading_one_submission_becomes_its_report(course, layers, workers, monkeypatch,
                                                                      tmp_path, jobs):
    victim = tmp_path / "victim.py"
    victim.write_text(CORRECT.read_text())
    _fail_on(victim, monkeypatch)
    written = {}
    with _grader(course, layers, workers, jobs) as grader:
        reports = grader.grade_all([CORRECT, victim, OTHER, CORRECT],
                                   on_done=lambda path, document: written.setdefault(path.name, []).append(document))
    assert [r["status"] for r in reports] == ["graded", "grading_error", "graded", "graded"]
    assert [r["score"] for r in reports] == [30, 0, 30, 30]
    broken = reports[1]
    assert broken["reason"].startswith("KeyError: 'a grader bug' (at test_batch_survives.py line"), broken["reason"]
    assert all(t["status"] == "error" and t["message"].startswith("not graded: the grader failed on this submission")
               for t in broken["tests"])
    assert {name: len(documents) for name, documents in written.items()} == {"ada_loops.py": 2, "victim.py": 1,
                                                                             "sys_exit_at_import.py": 1}
    assert wait_until_none_left() == []


def test_a_report_that_cannot_be_delivered_is_replaced_by_its_grading_error(course, layers, workers):
    delivered = []

    def deliver(path, document):
        if document["status"] == "graded" and path == OTHER:
            raise ValueError("the disk is full")
        delivered.append((path.name, document["status"], document.get("reason", "")))
    with _grader(course, layers, workers, 1) as grader:
        grader.grade_all([OTHER, CORRECT], on_done=deliver)
    assert delivered[0][:2] == ("sys_exit_at_import.py", "grading_error")
    assert delivered[0][2].startswith("ValueError: the disk is full")
    assert delivered[1][:2] == ("ada_loops.py", "graded")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_fault_of_the_worker_machinery_stops_the_batch(course, layers, workers, monkeypatch, jobs):
    execute = pool.execute

    def broken(zygote, job, *args, **kwargs):
        if job["units"][0]["filename"] == f"<{OTHER.name}>":
            raise pool.WorkerFault("the worker process ended")
        return execute(zygote, job, *args, **kwargs)
    monkeypatch.setattr(pool, "execute", broken)
    with _grader(course, layers, workers, jobs) as grader, pytest.raises(pool.WorkerFault):
        grader.grade_all([CORRECT, OTHER] + [CORRECT] * 6)


def test_a_worker_that_cannot_start_is_a_grader_fault_exit_3(tmp_path, monkeypatch, capsys):
    import sys

    from grader import cli
    from grader.exitcode import ExitCode

    def cannot_start(self, *args, **kwargs):
        raise pool.WorkerFault("the worker did not start (no answer from the worker); it wrote nothing")
    monkeypatch.setattr(pool.Zygote, "__init__", cannot_start)
    monkeypatch.setattr(sys, "argv", ["grader", "grade", "-a", "softmax", "-o", str(tmp_path / "out"),
                                      str(CORRECT), str(OTHER)])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    assert ended.value.code == ExitCode.GRADER_FAULT
    assert "grader fault: the worker did not start" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
