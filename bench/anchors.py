"""The overhead yardstick: 40 one-question softmax notebooks, graded end to end, beside the floor.

    python bench/anchors.py                 # both forms, -j 2, a 1,000-notebook batch too
    python bench/anchors.py --count 0       # without the 1,000-notebook batch

Prints, measured in one run on this machine (compare only within a run: machines here are
shared and noisy):

- floor: a plain in-process loop over the same notebooks (read each notebook, run its code
  cells, call the four tests, compare with the reference): no sandbox, no isolation, no
  report; and the same with a fresh interpreter's start-up (``python -c pass`` plus
  importing NumPy);
- grader: ``grader grade -j 2`` on the 40 notebooks, end to end (a fresh process: start-up,
  course, canary, workers, every report written), with every isolation layer on (--strict);
- marginal: the same on ``--count`` notebooks (the 40, copied), minus the 40's time, per
  extra notebook;
- fairness: every student's lost tests against expected.json (both forms).

Targets (issue 15): the 40 under 1.0 s end to end, the marginal cost under 10 ms per notebook.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "anchors40"
COURSE = DATA / "course"
TESTS = ("test_simple", "test_batch", "test_large", "test_rowsum")


def floor(notebooks: list[Path]) -> tuple[float, dict]:
    """Seconds for a plain loop over ``notebooks`` in this process, and each one's lost tests."""
    sys.path.insert(0, str(ROOT))
    from grader.probe import collect, load_module
    probes = {p.id: p for p in collect(load_module(COURSE / "assignments/softmax1/probes.py", "_bench_probes"))}
    reference = load_module(COURSE / "reference/softmax1.py", "_bench_reference")
    expected = {test: probes[test].run(reference, 0) for test in TESTS}
    started = time.perf_counter()
    lost = {}
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _loop(notebooks, probes, expected, lost)
    return time.perf_counter() - started, lost


def _loop(notebooks: list[Path], probes: dict, expected: dict, lost: dict) -> None:
    import types

    import numpy as np
    for path in notebooks:
        cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
        module = types.ModuleType("submission")
        for cell in cells:
            source = "".join(cell["source"])
            try:
                exec(compile(source, path.name, "exec"), module.__dict__)
            except BaseException:  # noqa: BLE001 - a failing assert cell, a missing `otter`
                pass
        lost[path.stem] = []
        for test in TESTS:
            try:
                got = probes[test].run(module, 0)
                ok = all(np.allclose(got[k], expected[test][k], rtol=1e-5, atol=1e-6) for k in expected[test])
            except Exception:  # noqa: BLE001
                ok = False
            if not ok:
                lost[path.stem].append(test)


PYTHON = sys.executable
CHECKOUT = ROOT  # the grader that is measured: this checkout's, or another's (--checkout)
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as installed: bytecode cached


def start_up() -> float:
    """Seconds for a fresh interpreter that imports NumPy (the floor's fixed cost)."""
    started = time.perf_counter()
    subprocess.run([PYTHON, "-c", "import numpy"], check=True, env=ENVIRONMENT)
    return time.perf_counter() - started


CPU: dict[str, list[float]] = {}  # CPU seconds of each run (the grader, its workers and their children)


def grade(notebooks: list[Path], jobs: int, out: Path, label: str = "") -> float:
    """Seconds for `grader grade` on ``notebooks``, end to end, every isolation layer on; the
    CPU seconds it took (every process of the run) go to ``CPU[label]``."""
    shutil.rmtree(out, ignore_errors=True)
    command = [PYTHON, "-m", "grader.cli_entry", "grade", "--course", str(COURSE), "-a", "softmax1",
               "-j", str(jobs), "--strict", "--seed", "1", "--format", "json", "-o", str(out), *map(str, notebooks)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=CHECKOUT, capture_output=True, text=True, env=ENVIRONMENT)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(label, []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if result.returncode != 0:
        sys.exit(f"grader grade failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return elapsed


def lost_tests(out: Path) -> dict:
    found = {}
    for path in out.glob("*.json"):
        report = json.loads(path.read_text())
        found[path.stem] = sorted(t["id"] for t in report["tests"] if t["status"] != "passed")
        layers = report["isolation"]
        assert layers["namespaces"] and layers["cgroups"] and layers["seccomp"] and layers["landlock_abi"], layers
    return found


def fairness(lost: dict, expected: dict) -> list[str]:
    """Students whose lost tests differ from expected.json (empty: every grade is as expected)."""
    return [f"{student}: lost {lost.get(student)}, expected {sorted(e['expected_lost'])}"
            for student, e in expected.items() if lost.get(student) != sorted(e["expected_lost"])]


def copies(notebooks: list[Path], count: int, folder: Path) -> list[Path]:
    made = []
    for k in range(count):
        source = notebooks[k % len(notebooks)]
        target = folder / f"{source.stem}_{k:04d}.ipynb"
        shutil.copy(source, target)
        made.append(target)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--count", type=int, default=1000, help="notebooks in the large batch (0: none)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the 40 (the median is printed)")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter that runs the grader (e.g. a venv without torch)")
    parser.add_argument("--checkout", type=Path, default=ROOT,
                        help="measure the grader of this checkout instead (before/after a change, one run)")
    args = parser.parse_args()
    global PYTHON, CHECKOUT
    PYTHON, CHECKOUT = args.python, args.checkout.resolve()
    torch = subprocess.run([PYTHON, "-c", "import torch"], capture_output=True, env=ENVIRONMENT).returncode == 0
    print(f"grader of {CHECKOUT}, run by {PYTHON} (torch {'installed' if torch else 'not installed'}), "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    expected = json.loads((DATA / "expected.json").read_text())
    rows = []
    work = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    try:
        for form in ("nbgrader_form", "otter_form"):
            notebooks = sorted((DATA / form).glob("*.ipynb"))
            seconds, lost = floor(notebooks)
            unfair = fairness(lost, expected)
            rows.append((f"floor, {form}", seconds, "in-process loop, no isolation", unfair))
            grade(notebooks[:2], args.jobs, work / "warm-up")  # bytecode written, caches warm
            runs = [grade(notebooks, args.jobs, work / form, form) for _ in range(args.repeat)]
            unfair = fairness(lost_tests(work / form), expected)
            rows.append((f"grader -j {args.jobs}, {form}", statistics.median(runs),
                         f"end to end, start-up included (runs: {', '.join(f'{r:.2f}' for r in runs)}; "
                         f"CPU {statistics.median(CPU[form]):.2f} s)", unfair))
        rows.insert(1, ("floor + interpreter start-up", rows[0][1] + start_up(), "python -c 'import numpy' added", []))
        for label, seconds, note, unfair in rows:
            print(f"{label:34s} {seconds:7.3f} s  {seconds / 40 * 1000:7.1f} ms/notebook  {note}")
            for line in unfair:
                print(f"    UNFAIR {line}")
        if args.count:
            notebooks = copies(sorted((DATA / "nbgrader_form").glob("*.ipynb")), args.count, _folder(work / "many"))
            large = grade(notebooks, args.jobs, work / "many-out", "many")
            marginal = (large - rows[2][1]) / (args.count - 40)  # minus the 40's median, nbgrader form
            cpu = (CPU["many"][0] - statistics.median(CPU["nbgrader_form"])) / (args.count - 40)
            print(f"{'grader -j %d, %d notebooks' % (args.jobs, args.count):34s} {large:7.3f} s  "
                  f"marginal {marginal * 1000:.1f} ms/notebook beyond the 40 (CPU {cpu * 1000:.1f} ms/notebook, "
                  f"{cpu * 1000 / min(args.jobs, os.cpu_count() or 1):.1f} ms of wall time on {args.jobs} idle cores)")
            wrong = [f"{copy}: lost {lost}, expected {sorted(expected[copy.rsplit('_', 1)[0]]['expected_lost'])}"
                     for copy, lost in lost_tests(work / "many-out").items()
                     if lost != sorted(expected[copy.rsplit("_", 1)[0]]["expected_lost"])]
            if len(lost_tests(work / "many-out")) != args.count:
                wrong.append(f"{len(lost_tests(work / 'many-out'))} reports for {args.count} notebooks")
            print("    every copy graded as expected" if not wrong else "\n".join(f"    UNFAIR {w}" for w in wrong))
        print("targets: the 40 under 1.000 s end to end; marginal under 10 ms/notebook")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


if __name__ == "__main__":
    main()
