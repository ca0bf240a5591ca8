"""Notebooks: their code cells as plain Python, with IPython syntax neutralised line by line.

Only code counts: outputs (plots, images, printed text) and attachments are dropped while
the JSON is parsed, so a notebook's size limit is its code's. nbformat 1 to 3 notebooks
are converted to nbformat 4 by nbformat itself. Nothing here runs a cell.

A line magic (``%matplotlib inline``), a shell line (``!pip install x``), an assignment
from either (``files = !ls``), and a help query (``np.sum?``) each become ``pass`` at the
same indentation, so the rest of the cell still runs and line numbers stay those of the
notebook. Cell magics whose body is Python (``%%time``) keep their body; any other cell
magic (``%%bash``, ``%%writefile``) neutralises the whole body.
"""
from __future__ import annotations

import json
import re
import threading
import warnings
from dataclasses import dataclass

from grader.limits import megabytes

PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python", "python3"})
_LINE_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?:%|!)")
_ASSIGNED_MAGIC = re.compile(r"^(?P<indent>[ \t]*)[A-Za-z_][\w., ]*=\s*(?:%|!)")
_HELP = re.compile(r"^(?P<indent>[ \t]*)(?:\?\??[\w.]+|[\w.]+\?\??)\s*$")
_CONVERTING = threading.Lock()  # warnings filters are process-wide


class NotebookError(Exception):
    """The file is not a notebook we can grade; the message says why and what to do."""


@dataclass(frozen=True)
class Cell:
    index: int        # position among all cells, 1-based as Jupyter shows them
    source: str       # Python source, IPython syntax neutralised
    neutralised: int  # how many lines were neutralised


def code_cells(data: bytes, name: str, code_limit: int) -> list[Cell]:
    """The code cells of a notebook file's bytes, in order; raises NotebookError.

    Outputs (plots, images, printed text) and attachments are dropped while the JSON is
    parsed, before anything is counted: only the code cells' source counts against
    ``code_limit`` (bytes of UTF-8). Notebooks of nbformat 1 to 3 are converted to 4 by
    nbformat's own converter; a version nbformat cannot read is refused with its reason.
    """
    cells = _cells(read(data, name))
    code = sum(len(cell.source.encode("utf-8", "surrogatepass")) for cell in cells)
    if code > code_limit:
        raise NotebookError(f"{name} holds {megabytes(code)} of code in its code cells, more than the "
                            f"{megabytes(code_limit)} a submission's code may be (outputs do not count); "
                            "move data pasted into cells into a file, then save")
    return cells


def read(data: bytes, name: str) -> dict:
    """A notebook file's bytes as an nbformat 4 dict without outputs or attachments (dropped
    while the JSON is parsed); raises NotebookError saying why and what to do."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise NotebookError(f"{name} is not UTF-8 text (byte {data[exc.start]:#04x} on line {line}); notebooks "
                            "are saved as UTF-8 by Jupyter: open it there and save it again") from None
    try:
        raw = json.loads(text, object_pairs_hook=_without_outputs)
    except (ValueError, RecursionError) as exc:
        raise NotebookError(f"{name} is not valid JSON ({exc}); re-save it from Jupyter") from None
    del text
    if not isinstance(raw, dict):
        raise NotebookError(f"{name} is JSON but not a notebook (no top-level object)")
    return _as_version_4(raw, name)


def source_of(cell: object) -> str | None:
    """A cell's source as one string (None when it has none that is text)."""
    if not isinstance(cell, dict):
        return None
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(str(part) for part in source)
    return source if isinstance(source, str) else None


def _without_outputs(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object with outputs and attachments emptied as soon as it is parsed."""
    found = dict(pairs)
    if isinstance(found.get("outputs"), list):
        found["outputs"] = []
    if isinstance(found.get("attachments"), dict):
        found["attachments"] = {}
    return found


def _as_version_4(raw: dict, name: str) -> dict:
    major = raw.get("nbformat")
    if major == 4:
        return raw
    if not isinstance(major, int) or isinstance(major, bool):
        raise NotebookError(f"{name} does not say which nbformat it uses (nbformat: {major!r}); "
                            "open it in Jupyter and save it again")
    import nbformat  # only for notebooks older than version 4 (importing it costs 60 ms)
    try:
        with _CONVERTING, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat warns about what it repairs
            return nbformat.reads(json.dumps(raw), as_version=4, capture_validation_error={})
    except Exception as exc:  # nbformat raises several unrelated types on what it cannot convert
        raise NotebookError(f"{name} uses nbformat {major}, which nbformat {nbformat.__version__} cannot "
                            f"convert ({type(exc).__name__}: {exc}); open it in a current Jupyter and "
                            "save it again") from None


def _cells(nb: dict) -> list[Cell]:
    cells = []
    listed = nb.get("cells", [])
    for index, cell in enumerate(listed if isinstance(listed, list) else [], start=1):
        source = source_of(cell)
        if source is None or cell.get("cell_type") != "code":
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
