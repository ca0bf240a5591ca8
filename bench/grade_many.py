"""Benchmark: grade 100 softmax modules and 100 notebooks; print seconds per submission.

    python bench/grade_many.py [--count 100] [--jobs 2]

The submissions are generated into a temporary folder: a third correct, a third with a
realistic bug, a third that raises; modules and notebooks alike. Start-up (the worker's
first import of NumPy and torch) is reported apart from the steady state.
Target (issue 2): under 0.2 s per submission on a 2-core machine.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nbformat

from grader import assignment, rubric, sandbox
from grader.grading import Grader, Options

BODIES = {
    "correct": "def softmax(z, axis=-1):\n    e = np.exp(z - z.max(axis=axis, keepdims=True))\n"
               "    return e / e.sum(axis=axis, keepdims=True)\n",
    "overflows": "def softmax(z, axis=-1):\n    e = np.exp(z)\n    return e / e.sum(axis=axis, keepdims=True)\n",
    "raises": "def softmax(z, axis=-1):\n    raise NotImplementedError\n",
}
REST = ("def log_softmax(z, axis=-1):\n    s = z - z.max(axis=axis, keepdims=True)\n"
        "    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))\n\n\n"
        "def cross_entropy(logits, labels):\n"
        "    return float(-log_softmax(logits, 1)[np.arange(len(labels)), labels].mean())\n\n\n"
        "def kl_divergence(p, q):\n    m = p > 0\n    return float((p[m] * np.log(p[m] / q[m])).sum())\n")


def make(folder: Path, count: int) -> tuple[list[Path], list[Path]]:
    modules, notebooks = [], []
    kinds = list(BODIES)
    for i in range(count):
        body = BODIES[kinds[i % len(kinds)]]
        module = folder / f"student_{i:03d}.py"
        module.write_text("import numpy as np\n\n\n" + body + "\n\n" + REST)
        modules.append(module)
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(src) for src in
                    ("%matplotlib inline\nimport numpy as np", body, REST)]
        notebook = folder / f"student_{i:03d}.ipynb"
        nbformat.write(nb, notebook)
        notebooks.append(notebook)
    return modules, notebooks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    found = assignment.load("softmax", assignment.course_root())
    layers = sandbox.detect()
    print(f"isolation: namespaces={layers.namespaces} cgroups={layers.cgroups} "
          f"seccomp={layers.seccomp} landlock_abi={layers.landlock_abi}")
    with tempfile.TemporaryDirectory() as tmp:
        modules, notebooks = make(Path(tmp), args.count)
        options = Options(seed=1, jobs=args.jobs)
        with Grader(found, rubric.load(found), layers, options) as grader:
            started = time.perf_counter()
            grader.grade_all(modules[:args.jobs])  # warm-up: zygotes, reference, mistakes
            print(f"start-up (first {args.jobs} submissions, zygote import): {time.perf_counter() - started:.2f} s")
            for label, paths in (("modules", modules), ("notebooks", notebooks)):
                started = time.perf_counter()
                grader.grade_all(paths)
                elapsed = time.perf_counter() - started
                print(f"{label}: {len(paths)} in {elapsed:.2f} s = {elapsed / len(paths):.3f} s per submission "
                      f"(-j {args.jobs})")


if __name__ == "__main__":
    main()
