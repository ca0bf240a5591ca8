"""Progress: periodic plain lines off a terminal, a bar with counts and an estimate on one, nothing with --quiet."""
from __future__ import annotations

import io
import subprocess
import sys

from conftest import ROOT
from grader.exitcode import ExitCode
from grader.progress import Progress
from scale_course import make_class, make_course


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def report(score: float, status: str = "graded", load_errors=()) -> dict:
    return {"score": score, "max_score": 6.0, "status": status, "load_errors": list(load_errors)}


def test_off_a_terminal_a_line_every_interval_with_counts_failures_and_time_left():
    stream, clock = io.StringIO(), Clock()
    with Progress(stream=stream, interval_s=10, terminal=False, clock=clock) as progress:
        progress.start(4, skipped=2)
        clock.now += 4
        progress.advance(report(6))               # 4 s: no line yet
        clock.now += 8
        progress.advance(report(3))               # 12 s: a line
        clock.now += 1
        progress.advance(report(0, "grading_error"))  # 13 s: too soon for another
        clock.now += 3
        progress.advance(report(0, "load_error", ["cannot read it"]))
    assert stream.getvalue().splitlines() == [
        "grader: grading 4 submissions (2 graded before under this course version, skipped)",
        "grader: 2/4 graded (50%), 1 failed, 0 grader errors, 12 s elapsed, about 12 s left",
        "grader: graded 4 submissions in 16 s: 2 failed, 1 grader error",
    ]


def test_nothing_to_grade_says_why_and_quiet_says_nothing():
    stream = io.StringIO()
    with Progress(stream=stream, terminal=False) as progress:
        progress.start(0, skipped=3)
    assert stream.getvalue() == ("grader: nothing to grade: all 3 submissions were graded before under this "
                                 "course version (--regrade grades them again)\n")
    quiet = io.StringIO()
    with Progress(quiet=True, stream=quiet, terminal=True) as progress:
        progress.start(2)
        progress.advance(report(6))
        progress.advance(report(1))
    assert quiet.getvalue() == ""


def test_on_a_terminal_a_bar_with_done_total_failures_and_time_left():
    stream, clock = io.StringIO(), Clock()
    with Progress(stream=stream, terminal=True, clock=clock) as progress:
        progress.start(3)
        progress.advance(report(6))
        progress.advance(report(2))
        assert progress.status().startswith("2/3 graded (66%), 1 failed, 0 grader errors")
        progress._bar.refresh()
        drawn = stream.getvalue()
        assert "grading" in drawn and "2/3" in drawn and "1 failed, 0 grader errors" in drawn and "left" in drawn
        progress.advance(report(6))
    assert stream.getvalue().endswith("grader: graded 3 submissions in 0 s: 1 failed, 0 grader errors\n")


def test_grade_quiet_prints_no_progress(tmp_path):
    course = make_course(tmp_path / "course")
    make_class(tmp_path / "class", 2)
    argv = [sys.executable, "-m", "grader.cli_entry", "grade", "-a", "scale", "--course", str(course), "-o",
            str(tmp_path / "out"), "--seed", "1", "--gradebook", "none", str(tmp_path / "class")]
    loud = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=600)
    quiet = subprocess.run([*argv[:-1], "--quiet", argv[-1]], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert loud.returncode == quiet.returncode == ExitCode.OK, loud.stderr + quiet.stderr
    assert "grader: grading 2 submissions" in loud.stderr and "grader: graded 2 submissions" in loud.stderr
    assert "grading" not in quiet.stderr.replace("grades it as one", "")
    assert quiet.stdout == loud.stdout


def test_tied_diagnoses_are_listed_in_the_same_order_whatever_the_hash_seed():
    """A submission's diagnoses were a set: tied counts came out in an order that changed
    with PYTHONHASHSEED, so the same batch printed two different summaries."""
    code = ("from grader.render import diagnosis_counts\n"
            "docs = [{'tests': [{'diagnosis': name} for name in ('b mistake', 'a mistake', 'c mistake')]}]\n"
            "print(list(diagnosis_counts(docs).most_common()))\n")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                           env={"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin"}).stdout for seed in range(6)}
    assert seen == {"[('a mistake', 1), ('b mistake', 1), ('c mistake', 1)]\n"}
