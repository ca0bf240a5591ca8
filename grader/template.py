"""Student templates: one percent-format ``template.py`` is the source of ``template.ipynb``.

``# %%`` starts a code cell and ``# %% [markdown]`` a markdown cell whose lines are
comments; the notebook is generated, never edited by hand (`grader template NAME`).
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

_MARKER = re.compile(r"^# %%(?P<markdown>\s*\[markdown\])?\s*$")


def cells(source: str) -> list[tuple[str, str]]:
    """Split a percent-format script into (kind, text) cells, kind 'code' or 'markdown'."""
    found: list[tuple[str, list[str]]] = []
    for line in source.splitlines():
        marker = _MARKER.match(line)
        if marker:
            found.append(("markdown" if marker["markdown"] else "code", []))
        elif found:
            found[-1][1].append(line)
        elif line.strip():
            found.append(("code", [line]))
    return [(kind, _cell_text(kind, lines)) for kind, lines in found if _cell_text(kind, lines)]


def _cell_text(kind: str, lines: list[str]) -> str:
    if kind == "markdown":
        lines = [re.sub(r"^# ?", "", line) for line in lines]
    return "\n".join(lines).strip("\n")


def notebook(source: str) -> nbformat.NotebookNode:
    """The notebook of a percent-format script (nbformat 4, Python 3 kernel)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"},
                   "language_info": {"name": "python"}}
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    nb.cells = [make[kind](text) for kind, text in cells(source)]
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"  # stable ids: regenerating changes nothing
    return nb


def render(template_py: Path) -> str:
    """The text of the notebook generated from ``template_py``."""
    nb = notebook(template_py.read_text(encoding="utf-8"))
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def write(template_py: Path) -> Path:
    """Regenerate ``template.ipynb`` beside ``template_py``; returns its path."""
    target = template_py.with_suffix(".ipynb")
    target.write_text(render(template_py), encoding="utf-8")
    return target
