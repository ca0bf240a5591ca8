"""Feedback for each student: the graded notebook (or module) as an HTML page, with each
function's test results and diagnosis right after the cell that defines it.

The code is the file the report graded (read again from the report's path and member,
and shown only if its SHA-256 is still the report's). A notebook keeps its cells (code
and markdown; outputs are left out: they were saved by the student's Jupyter, not made
by grading); a module is cut into cells at each top-level function or class. A test goes
after the last cell that defines every function it calls (``Probe.calls``, from the
course); a test whose functions no cell defines, or whose calls are not known, goes at
the end. nbconvert renders the page (its JupyterLab look, inline CSS); its markdown is
sanitised, and the page allows no script and no network (Content-Security-Policy).

For the ``student`` audience (grader.audience), a hidden test (and an ``after_due_date``
one before the due date) shows its name, status and points only: no message (its expected
values), no diagnosis.
"""
from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import bleach
import nbformat
from markupsafe import Markup
from nbconvert import HTMLExporter

from grader import audience as audiences, syntax
from grader import notebook, report, submission, text, tree
from grader.limits import Limits
from grader.page import asset, environment


@dataclass
class Block:
    """One cell of the page, and the results shown after it."""

    kind: str                      # code | markdown | raw
    source: str
    label: str                     # "cell 3" (a notebook) or "lines 4-9" (a module)
    defines: frozenset = frozenset()
    tests: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def graded_file(document: dict) -> tuple[bytes | None, str]:
    """The bytes of the file the report graded and its name, or (None, why it cannot be shown)."""
    where = document["submission"]
    path, member = Path(where["path"]), where["member"]
    name = PurePosixPath(member).name if member else path.name
    limits = Limits()
    try:
        data = tree.read_file(path, limits.max_notebook_bytes, follow=True) if member is None \
            else _member(tree.of(path), member, limits)
    except (OSError, KeyError, tree.TreeError, tree.TooLarge) as exc:
        return None, f"the graded file {text.clean(str(path))} cannot be read any more ({exc})"
    if where["sha256"] and hashlib.sha256(data).hexdigest() != where["sha256"]:
        return None, f"{text.clean(name)} has changed since it was graded, so its code is not shown beside the results"
    return data, name


def _member(files: tree.Tree, member: str, limits: Limits) -> bytes:
    if member in files.sizes:
        return files.read(member, limits.max_notebook_bytes)
    parts = member.split("/")
    for end in range(1, len(parts)):
        outer = "/".join(parts[:end])
        if outer.lower().endswith(".zip") and outer in files.sizes:  # a zip inside the handin
            return files.open_zip(outer, limits.max_zip_bytes).read("/".join(parts[end:]), limits.max_notebook_bytes)
    raise KeyError(member)


def blocks_of(data: bytes, name: str) -> list[Block]:
    """The cells of the page: a notebook's cells, or a module cut at its definitions."""
    if name.lower().endswith(".ipynb"):
        nb = notebook.read(data, name)
        found = []
        for index, cell in enumerate(nb.get("cells", []), start=1):
            source = notebook.source_of(cell)
            kind = cell.get("cell_type") if isinstance(cell, dict) else None
            if source is None or kind not in ("code", "markdown", "raw"):
                continue
            defines = _names(notebook.neutralise(source)[0]) if kind == "code" else frozenset()
            found.append(Block(kind, source, f"cell {index}", defines))
        return found
    source, problem = submission.python_source(data, name)
    return [Block("code", source or data.decode("utf-8", "replace"), "module")] if problem else _module(source)


def _module(source: str) -> list[Block]:
    """A module in cells: one per top-level function or class (with its decorators and the
    comments above it), the statements between them together."""
    lines = source.splitlines(keepends=True)
    try:
        body = syntax.parse(source).body
    except (SyntaxError, ValueError):
        return [Block("code", source, "module")]
    starts = {0}
    for node, following in zip(body, [*body[1:], None]):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            while first > 0 and lines[first - 1].lstrip().startswith("#"):
                first -= 1
            starts.add(first)
            if following is not None:
                starts.add(node.end_lineno)
    edges = sorted(starts) + [len(lines)]
    found = []
    for begin, end in zip(edges, edges[1:]):
        chunk = "".join(lines[begin:end]).strip("\n")
        if chunk.strip():
            found.append(Block("code", chunk, f"lines {begin + 1}-{end}", _names(chunk)))
    return found


def _names(source: str) -> frozenset:
    """The names a piece of code binds at its top level (functions, classes, assignments, imports)."""
    try:
        body = syntax.parse(source).body
    except (SyntaxError, ValueError):
        return frozenset()
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return frozenset(names)


def place(blocks: list[Block], document: dict, calls: dict) -> list[dict]:
    """Attach each test (and each import error of a cell) to its block; what has no place is returned."""
    last: dict[str, int] = {}
    for position, block in enumerate(blocks):
        for name in block.defines:
            last[name] = position
    rest = []
    for test in document["tests"]:
        functions = calls.get(test["id"])
        if functions and all(f in last for f in functions):
            blocks[max(last[f] for f in functions)].tests.append(test)
        else:
            rest.append(test)
    labels = {block.label: block for block in blocks}
    for error in document["import_errors"]:
        target = labels.get(error["where"]) or (blocks[0] if blocks and error["where"] == "module" else None)
        if target is not None:
            target.errors.append(error)
    return rest


def render(document: dict, calls: dict | None = None, audience: str = "student", after_due_date: bool = False) -> str:
    """The feedback page of one report, as ``audience`` may see it (grader.audience: for
    students, a hidden test shows its name, status and points only). ``calls``: test id ->
    the functions it calls (from the course; without it, every result goes at the end).
    Raises ValueError for an unknown audience."""
    shown = audiences.view(document, audience, after_due_date)
    data, name = graded_file(shown)
    problem = None if data is not None else name
    try:
        blocks = blocks_of(data, name) if data is not None else []
    except notebook.NotebookError as exc:
        blocks, problem = [], str(exc)
    rest = place(blocks, shown, calls or {})
    placed = {id(e) for b in blocks for e in b.errors}
    macros = environment().get_template("feedback.html.j2").module
    parts = {
        "style": Markup(asset("page.css") + asset("feedback.css")),
        "header": macros.header(shown, report.who(shown), problem, audience),
        "footer": macros.footer(shown, rest, [e for e in shown["import_errors"] if id(e) not in placed]),
        "feedback": [macros.results(block.tests, block.errors) for block in blocks],
    }
    return _nbconvert(blocks, parts, f"Feedback: {text.clean(report.who(shown), lines=False)}")


_TAGS = ("a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
         "hr", "i", "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td",
         "th", "thead", "tr", "ul")
def _image_attribute(tag: str, name: str, value: str) -> bool:
    """An image keeps its text, and its source only when the source is inside the page."""
    return name in ("alt", "title") or (name == "src" and value.strip().lower().startswith("data:image/"))


_ATTRIBUTES = {"*": ["class", "id"], "a": ["href", "title"], "img": _image_attribute, "th": ["align"],
               "td": ["align"]}


def _clean_html(html: str) -> str:
    """Markdown cells' HTML kept to what markdown makes (nbconvert's own list escapes
    headings and paragraphs); a tag outside it is shown as text, other attributes are
    dropped, and so is an image's source unless it is a data: URL (no remote beacon)."""
    return bleach.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, protocols=("http", "https", "mailto", "data"))


def _nbconvert(blocks: list[Block], parts: dict, title: str) -> str:
    cells = []
    for position, block in enumerate(blocks):
        make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
                "raw": nbformat.v4.new_raw_cell}[block.kind]
        cells.append(make(block.source))  # a new cell: none of the student's metadata comes along
        if block.tests or block.errors:
            cells.append(nbformat.v4.new_raw_cell("", metadata={"grader": {"feedback": position}}))
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"title": title, "language_info": {"name": "python"}})
    templates = str(Path(__file__).parent / "templates")
    exporter = HTMLExporter(template_name="lab", template_file="feedback-notebook.html.j2",
                            extra_template_basedirs=[templates], extra_template_paths=[templates],
                            sanitize_html=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=False)
    exporter.register_filter("clean_html", _clean_html)
    body, _ = exporter.from_notebook_node(nb, resources={"grader": parts})
    return body
