"""A tiny course for batch tests: one cheap NumPy assignment, ``scale``, and a class of
generated students of known kinds (so a test knows who must pass what without a stored score).

    scale(x, k) -> x * k          total(x) -> x.sum(axis=-1)

Kinds of student: ``correct``; ``abs_total`` (sums |x|: right while the probe's inputs are
positive, wrong once they are not); ``raises`` (total raises NotImplementedError).
"""
from __future__ import annotations

from pathlib import Path

ASSIGNMENT = "scale"
KINDS = ("correct", "abs_total", "raises")

_TOML = '''schema_version = 1
name = "scale"
title = "Scale and total"
framework = "numpy"
functions = ["scale", "total"]

[forbidden]
modules = ["torch"]
'''

_PROBES = '''"""Probes of the scale assignment."""
import numpy as np

from grader.probe import probe


@probe(calls=("scale",))
def scale_matrix(m, rng):
    """scale(x, 3.0) for x (4, 3)"""
    return {"out": m.scale(rng.normal(size=(4, 3)), 3.0)}


@probe(calls=("scale",))
def scale_vector(m, rng):
    """scale(x, -2.0) for x (5,)"""
    return {"out": m.scale(rng.normal(size=5), -2.0)}


@probe(calls=("total",))
def total_rows(m, rng):
    """total(x) for x (3, 4)"""
    return {"out": m.total(rng.INPUTS)}
'''

_REFERENCE = '''import numpy as np


def scale(x, k):
    return x * k


def total(x):
    return x.sum(axis=-1)
'''

_MISTAKE = '''"""total sums absolute values

Fix: sum the entries themselves: x.sum(axis=-1).
"""
import numpy as np


def scale(x, k):
    return x * k


def total(x):
    return np.abs(x).sum(axis=-1)
'''

_RUBRIC = '''schema_version = 1
assignment = "scale"

[tests.scale_matrix]
points = 2
visibility = "visible"

[tests.scale_vector]
points = 1
visibility = "hidden"

[tests.total_rows]
points = 3
visibility = "visible"
'''

BODIES = {
    "correct": "import numpy as np\n\n\ndef scale(x, k):\n    return x * k\n\n\ndef total(x):\n"
               "    return x.sum(axis=-1)\n",
    "abs_total": "import numpy as np\n\n\ndef scale(x, k):\n    return k * x\n\n\ndef total(x):\n"
                 "    return np.abs(x).sum(axis=-1)\n",
    "raises": "def scale(x, k):\n    return x * k\n\n\ndef total(x):\n    raise NotImplementedError\n",
}


def make_course(root: Path, inputs: str = "uniform(0.0, 1.0, size=(3, 4))") -> Path:
    """Write the course under ``root``; ``inputs``: the rng call of total_rows's input
    (positive by default; ``normal(size=(3, 4))`` is the course change that tells
    abs_total apart)."""
    files = {"assignments/scale/assignment.toml": _TOML,
             "assignments/scale/probes.py": _PROBES.replace("INPUTS", inputs),
             "reference/scale.py": _REFERENCE, "reference/mistakes/scale/abs_total.py": _MISTAKE,
             "rubrics/scale.toml": _RUBRIC}
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return root


def make_class(folder: Path, count: int, kinds=KINDS) -> dict[str, str]:
    """``count`` students ``s000.py``... in ``folder`` (a `students` class), kinds in turn; {student: kind}."""
    folder.mkdir(parents=True, exist_ok=True)
    placed = {}
    for i in range(count):
        kind = kinds[i % len(kinds)]
        name = f"s{i:03d}"
        (folder / f"{name}.py").write_text(f"# student {name}\n" + BODIES[kind])
        placed[name] = kind
    return placed
