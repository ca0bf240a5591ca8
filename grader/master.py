"""Masters: one notebook (or ``# %%``-cell script) that is the source of a whole assignment.

An instructor writes the assignment once, the way otter and nbgrader users already do,
and ``build`` turns it into the course layout (grader.assignment)::

    markdown cells           the student notebook's text (template.py / template.ipynb)
    code cells               the reference (reference/NAME.py) and, with every solution
                             region hidden (grader.solution), the student template
    a probes cell            assignments/NAME/probes.py (several are joined in order)
    a rubric cell (TOML)     rubrics/NAME.toml; a probe it does not list gets 1 point, visible
    an assignment cell       assignments/NAME/assignment.toml; missing keys are derived
    a mistake: NAME cell     reference/mistakes/NAME/<NAME>.py (an override, grader.mistake)
    an alternative: NAME     tests/alternatives/NAME/<NAME>.py (a correct submission)
    a readme cell            assignments/NAME/README.md (else one is written)
    an instructor cell       nowhere: notes for whoever reads the master

A cell's role is its first line (``# probes``, ``# rubric``, ``# assignment``,
``# mistake: NAME``, ``# alternative: NAME``; ``<!-- readme -->`` or ``<!-- instructor -->``
in a markdown cell; the marker line is not copied) or, in a notebook, a cell tag of the
same words (``probes``, ``mistake:NAME``...). ``build`` returns every file as text;
``write`` changes only the files whose text differs, so rebuilding from an unchanged
master touches nothing.
"""
from __future__ import annotations

import ast
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader import solution, syntax, template

_CODE_ROLE = re.compile(r"^#\s*(?P<role>probes|rubric|assignment)\s*$")
_NAMED_ROLE = re.compile(r"^#\s*(?P<role>mistake|alternative)\s*:\s*(?P<name>.*?)\s*$")
_TEXT_ROLE = re.compile(r"^<!--\s*(?P<role>readme|instructor)\s*-->\s*$")
_TAG = re.compile(r"^(?P<role>probes|rubric|assignment|readme|instructor)$"
                  r"|^(?P<named>mistake|alternative)\s*[:=]\s*(?P<name>\S+)$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ASSIGNMENT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # as assignment.schema.json says
DEFAULT_POINTS = 1
DEFAULT_VISIBILITY = "visible"


class MasterError(Exception):
    """The master cannot be built: a usage error whose message names the cell and line."""


@dataclass(frozen=True)
class Cell:
    number: int      # 1-based, as the notebook shows it
    kind: str        # code | markdown
    role: str        # code | markdown | probes | rubric | assignment | mistake | alternative | readme | instructor
    name: str | None  # of a mistake or an alternative
    text: str        # without the marker line


@dataclass(frozen=True)
class Built:
    name: str
    files: dict[str, str]  # path relative to the course root -> text


def read(path: Path) -> list[Cell]:
    """The cells of a master (``.ipynb``, or ``.py`` with ``# %%`` cells). MasterError."""
    try:
        if path.suffix == ".ipynb":
            notebook = nbformat.read(str(path), as_version=4)
            raw = [(c.cell_type, c.source, c.get("metadata", {}).get("tags", [])) for c in notebook.cells
                   if c.cell_type in ("code", "markdown")]
        elif path.suffix == ".py":
            raw = [(kind, text, []) for kind, text in template.cells(path.read_text(encoding="utf-8"))]
        else:
            raise MasterError(f"{path}: a master is a notebook (.ipynb) or a script with # %% cells (.py)")
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # nbformat's errors are ValueErrors
        raise MasterError(f"{path}: cannot read it: {exc}") from exc
    return [_cell(path, number, kind, text, tags) for number, (kind, text, tags) in enumerate(raw, start=1)]


def _cell(path: Path, number: int, kind: str, text: str, tags: list) -> Cell:
    lines = text.splitlines()
    first = lines[0] if lines else ""
    role, name = ("markdown" if kind == "markdown" else "code"), None
    marker = (_TEXT_ROLE if kind == "markdown" else _CODE_ROLE).match(first)
    named = _NAMED_ROLE.match(first) if kind == "code" else None
    if marker or named:
        role, name = (marker or named)["role"], named["name"] if named else None
        text = "\n".join(lines[1:])
    for tag in tags:
        tagged = _TAG.match(str(tag).strip())
        if tagged:
            role, name = (tagged["role"], None) if tagged["role"] else (tagged["named"], tagged["name"])
    if role in ("probes", "rubric", "assignment", "mistake", "alternative") and kind != "code":
        raise MasterError(f"{path}, cell {number}: a {role} cell must be a code cell")
    if name is not None and not _IDENTIFIER.match(name):
        raise MasterError(f"{path}, cell {number}: {role} name {name!r} is not a file name; use letters, digits "
                          "and _ (e.g. `# mistake: sums_instead_of_mean`)")
    return Cell(number, kind, role, name, text.strip("\n"))


def build(path: Path, name: str | None = None) -> Built:
    """Every file of the assignment a master describes. MasterError names what is wrong."""
    cells = read(path)
    code = [c for c in cells if c.role == "code"]
    for cell in code:
        try:
            solution.template(cell.text)
        except solution.RegionError as exc:
            raise MasterError(f"{path}, cell {cell.number}, {exc}") from None
    reference = _joined(solution.reference(c.text) for c in code)
    template_py = _template(cells)
    meta = _metadata(path, cells, template_py, reference, name)
    name = meta["name"]
    probes = _joined(c.text for c in cells if c.role == "probes")
    if not probes:
        raise MasterError(f"{path}: no probes cell; mark the cell holding the @probe functions with a first "
                          "line `# probes` (or the cell tag `probes`)")
    files = {f"reference/{name}.py": reference,
             f"assignments/{name}/template.py": template_py,
             f"assignments/{name}/template.ipynb": _notebook(template_py),
             f"assignments/{name}/probes.py": probes,
             f"assignments/{name}/assignment.toml": meta["text"],
             f"rubrics/{name}.toml": _rubric(path, cells, name, _probe_names(path, probes)),
             f"assignments/{name}/README.md": _readme(cells, meta)}
    for role, folder in (("mistake", f"reference/mistakes/{name}"), ("alternative", f"tests/alternatives/{name}")):
        for cell in (c for c in cells if c.role == role):
            target = f"{folder}/{cell.name}.py"
            if target in files:
                raise MasterError(f"{path}, cell {cell.number}: a second {role} named {cell.name!r}")
            files[target] = cell.text + "\n"
    return Built(name, files)


def _joined(texts) -> str:
    parts = [text.strip("\n") for text in texts if text.strip()]
    return "\n\n\n".join(parts) + "\n" if parts else ""


def _template(cells: list[Cell]) -> str:
    """The percent-format template.py: markdown cells as comments, code cells hidden."""
    out = []
    for cell in cells:
        if cell.role == "markdown":
            lines = [f"# {line}".rstrip() for line in cell.text.splitlines()]
            out.append("# %% [markdown]\n" + "\n".join(lines) + "\n\n")
        elif cell.role == "code":
            hidden = solution.template(cell.text).strip("\n")
            if hidden.strip():
                out.append("# %%\n" + hidden + "\n\n\n")
    return "".join(out).rstrip("\n") + "\n"


def _notebook(template_py: str) -> str:
    nb = template.notebook(template_py)
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def _toml(path: Path, cell: Cell | None) -> dict:
    if cell is None:
        return {}
    try:
        return tomllib.loads(cell.text)
    except tomllib.TOMLDecodeError as exc:
        raise MasterError(f"{path}, cell {cell.number}: not valid TOML: {exc}") from None


def _metadata(path: Path, cells: list[Cell], template_py: str, reference: str, name: str | None) -> dict:
    """assignment.toml: the assignment cell, with the keys it lacks derived (name from the
    master's file name, title from the first heading, framework from the imports,
    functions from the template's public definitions)."""
    cell = next((c for c in cells if c.role == "assignment"), None)
    given = _toml(path, cell)
    derived = {"schema_version": 1, "name": name or given.get("name") or path.stem,
               "title": _title(cells) or path.stem, "framework": _framework(reference),
               "functions": _public(template_py)}
    if not ASSIGNMENT_NAME.match(derived["name"]):
        raise MasterError(f"{path}: the assignment name {derived['name']!r} must be lowercase letters, digits and _, "
                          "starting with a letter; "
                          "rename the master or give name = \"...\" in an assignment cell")
    if name and given.get("name") not in (None, name):
        raise MasterError(f"{path}, cell {cell.number}: name = {given['name']!r} but --name {name}")
    missing = {key: value for key, value in derived.items() if key not in given}
    head = "".join(f"{key} = {json.dumps(value)}\n" for key, value in missing.items())
    body = cell.text.strip("\n") + "\n" if cell and cell.text.strip() else ""
    return {**given, **missing, "text": head + ("\n" if head and body and body.lstrip().startswith("[") else "") + body}


def _title(cells: list[Cell]) -> str | None:
    for cell in cells:
        if cell.role == "markdown":
            for line in cell.text.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def _framework(reference: str) -> str:
    try:
        tree = syntax.parse(reference)
    except SyntaxError:
        return "numpy"
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        if any(n.split(".")[0] == "torch" for n in names):
            return "torch"
    return "numpy"


def _public(template_py: str) -> list[str]:
    try:
        tree = syntax.parse(template_py)
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")]


def _probe_names(path: Path, probes: str) -> list[str]:
    """The @probe functions of the probes cells, in order (by their decorator)."""
    try:
        tree = syntax.parse(probes)
    except SyntaxError as exc:
        raise MasterError(f"{path}: the probes cells do not parse: line {exc.lineno}: {exc.msg}") from None
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and any(
        isinstance(d, ast.Call) and getattr(d.func, "id", getattr(d.func, "attr", None)) == "probe"
        for d in node.decorator_list)]


def _rubric(path: Path, cells: list[Cell], name: str, probes: list[str]) -> str:
    """rubrics/NAME.toml: the rubric cell, its header added when absent, and a table for
    every probe it does not list (DEFAULT_POINTS, DEFAULT_VISIBILITY, all or nothing)."""
    cell = next((c for c in cells if c.role == "rubric"), None)
    given = _toml(path, cell)
    listed = given.get("tests", {})
    unknown = sorted(set(listed) - set(probes))
    if unknown:
        raise MasterError(f"{path}, cell {cell.number}: the rubric lists {', '.join(unknown)}, which no probe "
                          f"defines (probes: {', '.join(probes)})")
    head = "" if "schema_version" in given else "schema_version = 1\n"
    head += "" if "assignment" in given else f"assignment = {json.dumps(name)}\n"
    body = cell.text.strip("\n") + "\n" if cell and cell.text.strip() else ""
    tail = "".join(f"\n[tests.{probe}]\npoints = {DEFAULT_POINTS}\nvisibility = \"{DEFAULT_VISIBILITY}\"\n"
                   for probe in probes if probe not in listed)
    return head + ("\n" if head and body else "") + body + tail


def _readme(cells: list[Cell], meta: dict) -> str:
    given = [c.text for c in cells if c.role == "readme"]
    if given:
        return "\n\n".join(given) + "\n"
    functions = ", ".join(f"`{f}`" for f in meta["functions"])
    return (f"# {meta['title']}\n\nStart from `template.py` (or `template.ipynb`) and save your work as "
            f"`{meta['name']}.py` (or a notebook). Implement {functions}, keeping every name and signature of "
            "the template; you may add helper functions.\n")


def write(built: Built, root: Path) -> tuple[list[Path], list[Path]]:
    """Write the files under ``root`` whose text differs; (written, unchanged)."""
    written, unchanged = [], []
    for relative, text in built.files.items():
        target = root / relative
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            unchanged.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written, unchanged


def strays(built: Built, root: Path) -> list[Path]:
    """Mistakes and alternatives of the assignment in ``root`` that the master does not
    hold (left in place: the audit still grades them)."""
    found = []
    for folder in (root / "reference" / "mistakes" / built.name, root / "tests" / "alternatives" / built.name):
        if folder.is_dir():
            found += [p for p in sorted(folder.glob("[!_]*.py"))
                      if str(p.relative_to(root)) not in built.files]
    return found
