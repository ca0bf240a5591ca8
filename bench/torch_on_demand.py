"""Benchmark: what torch costs a NumPy batch now that the worker imports it on demand.

    python bench/torch_on_demand.py [--rounds 3]

Times the start of a zygote without torch (what a NumPy assignment's batch gets) and of
one with torch (an attention batch), alternating the two over several rounds so machine
noise hits both, and the first `grader check` of a release (canary and visible tests)
for a NumPy assignment and for attention, each in a fresh pool (its zygote start included).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from grader import assignment, checker, pool, release, rubric, sandbox, selfcheck

ROOT = Path(__file__).resolve().parents[1]


def zygote_start(torch: bool) -> float:
    started = time.perf_counter()
    zygote = pool.Zygote(pool.worker_environment(), torch=torch)
    elapsed = time.perf_counter() - started
    zygote.close()
    return elapsed


def first_check(name: str, answer: Path, layers) -> float:
    found = assignment.load(name, ROOT)
    with tempfile.TemporaryDirectory() as folder:
        made = release.build(found, rubric.load(found), layers, Path(folder) / name, seed=1)
        check = selfcheck.read(made.folder / selfcheck.file_name(name))
        started = time.perf_counter()
        document = checker.check_file(answer, check, layers)
        elapsed = time.perf_counter() - started
    assert document["score"] == document["max_score"], document["tests"]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    starts = {False: [], True: []}
    for _ in range(rounds):
        for torch in (False, True):
            starts[torch].append(zygote_start(torch))
    for torch, times in starts.items():
        print(f"zygote start, {'with' if torch else 'without'} torch: median {statistics.median(times):.3f} s "
              f"over {rounds} rounds")
    layers = sandbox.detect()
    numpy_check = first_check("softmax", ROOT / "examples" / "softmax" / "ada_loops.py", layers)
    torch_check = first_check("attention", ROOT / "reference" / "attention.py", layers)
    print(f"first grader check from a release, cold pool: softmax {numpy_check:.2f} s, attention {torch_check:.2f} s")


if __name__ == "__main__":
    main()
