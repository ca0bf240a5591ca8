"""Benchmark: the wall time of grading every fixture of tests/submissions/ and two
correct controls through the command line, as tests/test_hostile_batch.py does.

    python bench/hostile_batch.py [--jobs 2] [--timeout 5]

Prints the wall time, the number of reports and the exit code.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTROLS = (ROOT / "examples" / "softmax" / "ada_loops.py",
            ROOT / "tests" / "alternatives" / "softmax" / "logsumexp_based.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    fixtures = sorted(p for p in (ROOT / "tests" / "submissions").iterdir() if not p.name.startswith((".", "_")))
    inputs = [*fixtures, *CONTROLS]
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "grader.cli_entry", "grade", "-a", "softmax", "-o", out, "-j",
                   str(args.jobs), "--timeout", str(args.timeout), "--memory-mb", "1024", "--seed", "9",
                   *map(str, inputs)]
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        elapsed = time.perf_counter() - started
        reports = len(list(Path(out).glob("*.json")))
    print(f"hostile batch: {len(inputs)} inputs, {reports} reports, exit {result.returncode}, "
          f"{elapsed:.1f} s wall (-j {args.jobs}, --timeout {args.timeout:g})")


if __name__ == "__main__":
    main()
