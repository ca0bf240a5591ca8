"""Benchmark: the grader process's peak resident memory while it grades a submission
that returns 264 MB from every function of the softmax assignment.

    PYTHONPATH=. python bench/peak_memory.py [--submission PATH]

Reports ``ru_maxrss`` of this process (the grader; its workers are other processes)
after start-up and after grading, and the grading's wall time. Goal (issue 9): under
1 GiB. Every output is read straight into its array, compared as soon as it arrives and
dropped unless the diagnosis may need it; past the per-submission cap
(Limits.max_submission_result_bytes) outputs are not even sent.
"""
from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from grader import assignment, rubric, sandbox
from grader.grading import Grader, Options

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "tests" / "submissions" / "returns_264_megabytes_from_every_function.py"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submission", type=Path, default=DEFAULT)
    args = parser.parse_args()
    found = assignment.load("softmax", assignment.course_root())
    layers = sandbox.detect()
    with Grader(found, rubric.load(found), layers, Options(seed=1)) as grader:
        grader.grade(ROOT / "examples" / "softmax" / "ada_loops.py")  # start-up: zygote, reference, mistakes
        before = peak_mib()
        started = time.perf_counter()
        report = grader.grade(args.submission.resolve())
        elapsed = time.perf_counter() - started
    after = peak_mib()
    capped = sum("per submission are graded" in t["message"] or "per test are graded" in t["message"]
                 for t in report["tests"])
    print(f"grader peak resident memory: {before:.0f} MiB after start-up, {after:.0f} MiB after grading "
          f"{args.submission.name} ({elapsed:.1f} s; {capped} of {len(report['tests'])} tests past a cap); "
          f"goal: under 1024 MiB")


if __name__ == "__main__":
    main()
