"""Notebooks: their code cells as plain Python, with IPython syntax neutralised line by line.

Nothing here runs a cell. A line magic (``%matplotlib inline``), a shell line (``!pip
install x``), an assignment from either (``files = !ls``), and a help query (``np.sum?``)
each become ``pass`` at the same indentation, so the rest of the cell still runs and line
numbers stay those of the notebook. Cell magics whose body is Python (``%%time``) keep
their body; any other cell magic (``%%bash``, ``%%writefile``) neutralises the whole body.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import nbformat

PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python", "python3"})
_LINE_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?:%|!)")
_ASSIGNED_MAGIC = re.compile(r"^(?P<indent>[ \t]*)[A-Za-z_][\w., ]*=\s*(?:%|!)")
_HELP = re.compile(r"^(?P<indent>[ \t]*)(?:\?\??[\w.]+|[\w.]+\?\??)\s*$")


class NotebookError(Exception):
    """The file is not a notebook we can grade; the message says why and what to do."""


@dataclass(frozen=True)
class Cell:
    index: int        # position among all cells, 1-based as Jupyter shows them
    source: str       # Python source, IPython syntax neutralised
    neutralised: int  # how many lines were neutralised


def code_cells(text: str, name: str) -> list[Cell]:
    """The code cells of a notebook's JSON text, in order; raises NotebookError."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise NotebookError(f"{name} is not valid JSON ({exc}); re-save it from Jupyter") from None
    if not isinstance(raw, dict):
        raise NotebookError(f"{name} is JSON but not a notebook (no top-level object)")
    major = raw.get("nbformat")
    if major != 4:
        raise NotebookError(f"{name} uses nbformat {major!r}; only nbformat 4 is graded: "
                            "open it in a current Jupyter and save it again")
    try:
        nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    except Exception as exc:  # nbformat raises several unrelated types on bad input
        raise NotebookError(f"{name} is not a readable notebook: {exc}") from None
    cells = []
    for index, cell in enumerate(nb.get("cells", []), start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(part) for part in source)
        if not isinstance(source, str):
            continue
        python, count = neutralise(source)
        cells.append(Cell(index, python, count))
    return cells


def neutralise(source: str) -> tuple[str, int]:
    """``source`` with IPython-only lines replaced by ``pass``; returns (python, count)."""
    lines = source.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split(maxsplit=1)[0] if first[2:].strip() else ""
        if magic not in PYTHON_CELL_MAGICS:
            return "\n".join("pass" if i == 0 else f"# {line}" for i, line in enumerate(lines)), len(lines)
        lines[0] = "pass"
        body, count = neutralise("\n".join(lines[1:]))
        return "pass\n" + body, count + 1
    count = 0
    for i, line in enumerate(lines):
        match = _LINE_MAGIC.match(line) or _ASSIGNED_MAGIC.match(line) or _HELP.match(line)
        if match and not _is_python(line, i, lines):
            lines[i] = f"{match['indent']}pass  # neutralised: {line.strip()[:60]}"
            count += 1
    return "\n".join(lines), count


def _is_python(line: str, index: int, lines: list[str]) -> bool:
    """A line like ``x = a % b`` or one inside a multi-line string is Python, not a magic."""
    stripped = line.lstrip()
    if stripped.startswith(("%", "!")) and index > 0:
        previous = lines[index - 1].rstrip()
        if previous.endswith(("\\", ",", "(", "[", "{", "+", "-", "*", "/")):
            return True
    return False
