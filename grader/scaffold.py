"""`grader new NAME`: a master to start an assignment from (grader.master).

The scaffold is a small, complete assignment (one function, ``standardise``), so that
it passes validate and audit as written and shows every kind of cell: student text,
the reference with a solution region, probes, a rubric, two known mistakes and a
correct alternative, and notes for the author that go nowhere (``<!-- instructor -->``).
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from grader.master import ASSIGNMENT_NAME

CELLS: tuple[tuple[str, str], ...] = (
    ("markdown", """<!-- instructor -->
This is the master of the assignment: `grader assign` turns it into the course layout (the student
template, the reference, probes, rubric, mistakes, alternatives). Markdown cells become the student
notebook's text; code cells are the reference, and the student template hides every
`# BEGIN SOLUTION` ... `# END SOLUTION` region (and every line ending in `# SOLUTION`). A cell whose
first line is `# probes`, `# rubric`, `# mistake: NAME` or `# alternative: NAME` is for the grader.
A markdown cell starting with `<!-- instructor -->`, like this one, goes nowhere. The authoring guide
(docs/authoring.md in the grader's repository) explains each part."""),
    ("markdown", """# {title}

Implement `standardise` below with NumPy. Check your work before you submit:
`grader check {name}.py` (or this notebook)."""),
    ("code", """import numpy as np"""),
    ("code", '''def standardise(x, axis=0):
    """Shift and scale ``x`` so that every slice along ``axis`` has mean 0 and standard deviation 1.

    Inputs:
    - x: array of any shape, float64; no slice along ``axis`` is constant
    - axis: the axis to standardise along (default: 0, the columns of a 2-D array)

    Returns:
    - z: array of the shape of ``x``, ``(x - mean) / std`` along ``axis``, where ``std`` divides by N
    """
    # BEGIN SOLUTION
    mean = x.mean(axis=axis, keepdims=True)
    std = x.std(axis=axis, keepdims=True)
    return (x - mean) / std
    # END SOLUTION'''),
    ("code", '''# probes
from grader.probe import probe


@probe(calls=("standardise",))
def standardise_columns(m, rng):
    """standardise(x) of a (6, 3) array: every column"""
    return {"z": m.standardise(rng.normal(2.0, 3.0, size=(6, 3)))}


@probe(calls=("standardise",))
def standardise_rows(m, rng):
    """standardise(x, axis=1) of a (4, 5) array: every row"""
    return {"z": m.standardise(rng.normal(-1.0, 0.5, size=(4, 5)), axis=1)}


@probe(calls=("standardise",))
def standardise_leaves_input_unchanged(m, rng):
    """standardise(x) of a (5, 2) array: z, and x unchanged after the call"""
    x = rng.normal(size=(5, 2))
    return {"z": m.standardise(x), "x_after_call": x}'''),
    ("code", '''# rubric
[tests.standardise_columns]
points = 2
visibility = "visible"

[tests.standardise_rows]
points = 2
visibility = "hidden"

# standardise_leaves_input_unchanged is not listed: it gets 1 point and is visible'''),
    ("code", '''# mistake: ignores_axis
"""standardise always works along axis 0, whatever `axis` it is given.

Fix: Pass `axis` on to both the mean and the standard deviation.
"""


def standardise(x, axis=0):
    mean = x.mean(axis=0, keepdims=True)
    std = x.std(axis=0, keepdims=True)
    return (x - mean) / std'''),
    ("code", '''# mistake: modifies_input_in_place
"""standardise subtracts the mean with -=, which changes the caller's array.

Fix: Compute the centred values into a new array (x - mean), leaving x as it was.
"""


def standardise(x, axis=0):
    x -= x.mean(axis=axis, keepdims=True)
    return x / x.std(axis=axis, keepdims=True)'''),
    ("code", '''# alternative: moved_axis_loop
"""The axis moved to the front, then one slice at a time."""
import numpy as np


def standardise(x, axis=0):
    moved = np.moveaxis(np.asarray(x, dtype=float), axis, 0)
    out = np.empty_like(moved)
    for index in np.ndindex(moved.shape[1:]):
        column = moved[(slice(None),) + index]
        out[(slice(None),) + index] = (column - column.mean()) / np.sqrt(((column - column.mean()) ** 2).mean())
    return np.moveaxis(out, 0, axis)'''),
)


def cells(name: str) -> list[tuple[str, str]]:
    """The scaffold's cells for assignment ``name``: (kind, text)."""
    title = name.replace("_", " ").capitalize()
    return [(kind, text.replace("{title}", title).replace("{name}", name)) for kind, text in CELLS]


def notebook(name: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    nb.cells = [make[kind](text) for kind, text in cells(name)]
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def script(name: str) -> str:
    """The same master as a ``# %%``-cell script."""
    parts = []
    for kind, text in cells(name):
        if kind == "markdown":
            parts.append("# %% [markdown]\n" + "\n".join(f"# {line}".rstrip() for line in text.splitlines()))
        else:
            parts.append("# %%\n" + text)
    return "\n\n\n".join(parts) + "\n"


def write(name: str, course: Path, kind: str = "ipynb") -> Path:
    """Write ``course/masters/<name>.<kind>``; ValueError for a bad name, FileExistsError
    when the master or the assignment already exists."""
    if not ASSIGNMENT_NAME.match(name):
        raise ValueError(f"assignment name {name!r}: use lowercase letters, digits and _, starting with a letter "
                         "(it names files and a module)")
    target = Path(course) / "masters" / f"{name}.{kind}"
    for existing in (target, Path(course) / "assignments" / name):
        if existing.exists():
            raise FileExistsError(f"{existing} already exists; choose another name, or edit that master and run "
                                  "grader assign on it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(notebook(name) if kind == "ipynb" else script(name), encoding="utf-8")
    return target
