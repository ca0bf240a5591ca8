"""Benchmark: what the optional isolation layers add per submission.

    python bench/isolation_cost.py [--count 40] [--rounds 3]

Grades the same correct softmax submissions (-j 1) with every layer this machine offers,
then with the always-on layer only (own session, rlimits, no root, scrubbed environment),
alternating the two configurations over several rounds so machine noise hits both.
Target (issue 6): under 20 ms added per submission.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

from grader import assignment, rubric, sandbox
from grader.grading import Grader, Options

SOURCE = Path(__file__).resolve().parents[1] / "examples" / "softmax" / "ada_loops.py"


def per_submission(layers, paths, found, scores) -> float:
    with Grader(found, scores, layers, Options(seed=1, jobs=1)) as grader:
        grader.grade_all(paths[:2])  # warm-up
        started = time.perf_counter()
        grader.grade_all(paths)
        return (time.perf_counter() - started) / len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    found = assignment.load("softmax", assignment.course_root())
    scores = rubric.load(found)
    full = sandbox.detect()
    bare = dataclasses.replace(full, namespaces=False, cgroups=False, seccomp=False, landlock_abi=0)
    print(f"all layers: namespaces={full.namespaces} cgroups={full.cgroups} seccomp={full.seccomp} "
          f"landlock_abi={full.landlock_abi}")
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(args.count):
            path = Path(tmp) / f"s{i}.py"
            path.write_text(SOURCE.read_text())
            paths.append(path)
        with_layers, without = [], []
        for _ in range(args.rounds):
            with_layers.append(per_submission(full, paths, found, scores))
            without.append(per_submission(bare, paths, found, scores))
    a, b = statistics.median(with_layers), statistics.median(without)
    print(f"per submission, median of {args.rounds} rounds of {args.count}: all layers {a * 1000:.1f} ms, "
          f"always-on layer only {b * 1000:.1f} ms")
    print(f"added by namespaces + cgroups + seccomp + landlock: {(a - b) * 1000:.1f} ms per submission "
          f"(ratio {a / b:.2f})")


if __name__ == "__main__":
    main()
