"""Rendering for people: every terminal view is drawn from report documents, here only."""
from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from grader import schema, text

_COMPILE_ERROR = re.compile(r"^[^\n]*, cell \d+ (?:has an? (?:syntax|indentation) error|cannot be parsed)")
_MARK = {"passed": "[green]PASS[/]", "failed": "[red]FAIL[/]", "error": "[red]ERROR[/]",
         "timeout": "[yellow]TIMEOUT[/]", "crashed": "[magenta]CRASH[/]"}


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _score(document: dict) -> str:
    return f"{document['score']:g}/{document['max_score']:g}"


def count(number: int, noun: str) -> str:
    """``1 submission``, ``2 submissions``: a count with its noun in the right number."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


STYLES = ("table", "plain", "json")


def summary(documents: list[dict], paths: list[Path], style: str | None = None) -> None:
    """The batch on standard output: ``table`` (the default on a terminal), ``plain`` (the
    default otherwise: full paths, nothing cut), or ``json`` (``summary_document``)."""
    style = style or ("table" if sys.stdout.isatty() else "plain")
    if style == "json":
        sys.stdout.write(json.dumps(summary_document(documents, paths), indent=2, ensure_ascii=False) + "\n")
    elif style == "plain":
        sys.stdout.write(_plain(documents, paths))
    else:
        _table(documents, paths)
    sys.stdout.flush()


def _headline(documents: list[dict]) -> str:
    assignment = documents[0]["assignment"] if documents else ""
    full = sum(d["score"] == d["max_score"] and not d["load_errors"] for d in documents)
    unloaded = sum(bool(d["load_errors"]) for d in documents)
    parts = [f"{full} with full marks"] + ([f"{unloaded} not loaded"] if unloaded else [])
    return f"{assignment}: {count(len(documents), 'submission')} ({', '.join(parts)})"


def _table(documents: list[dict], paths: list[Path]) -> None:
    table = Table(title=text.terminal(_headline(documents)))
    table.add_column("student" if any(d.get("student") for d in documents) else "submission", overflow="fold")
    table.add_column("score", no_wrap=True)
    table.add_column("problems", overflow="fold", ratio=1)
    table.add_column("report", overflow="fold")
    for document, label, path in zip(documents, labels(documents, paths), paths):
        problems = "; ".join(document["load_errors"]) or _failed(document)
        warned = len(document.get("load_warnings", []))
        note = f"\n[dim]{count(warned, 'load warning')} (in the report)[/]" if warned else ""
        table.add_row(text.terminal(label, lines=False), _score(document), text.terminal(problems) + note,
                      text.terminal(str(path), lines=False))
    console = _console()
    console.print(table)
    counts = diagnosis_counts(documents)
    if counts:
        console.print("[bold]Diagnoses[/] (how many submissions made each mistake):")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(overflow="fold", ratio=1)  # wrapped under itself, never cut
        for diagnosis, number in counts.most_common():
            grid.add_row(f"  {count(number, 'submission')}:",
                         text.terminal(diagnosis.removeprefix("Matches a known mistake: ")))
        console.print(grid)


def _plain(documents: list[dict], paths: list[Path]) -> str:
    lines = [_headline(documents)]
    for document, label, path in zip(documents, labels(documents, paths), paths):
        lines.append(f"{label}: {_score(document)}, report {os.path.abspath(path)}")
        lines.append(f"  graded {_graded(document)}")
        lines += [f"  could not load it: {error}" for error in document["load_errors"]]
        lines += [f"  failed: {_failed(document)}"] if _failed(document) and not document["load_errors"] else []
        lines += [f"  warning: {warning}" for warning in document.get("load_warnings", [])]
    counts = diagnosis_counts(documents)
    if counts:
        lines.append("Diagnoses (how many submissions made each mistake):")
        lines += [f"  {count(n, 'submission')}: {d.removeprefix('Matches a known mistake: ')}"
                  for d, n in counts.most_common()]
    return "".join(text.clean(line) + "\n" for line in lines)


def labels(documents: list[dict], paths: list[Path]) -> list[str]:
    """One name per row that tells the rows apart: the student, else the submitted path as
    given; where two rows would read the same, the report's name is added."""
    first = [d.get("student") or d["submission"]["path"] for d in documents]
    seen = Counter(first)
    return [label if seen[label] == 1 else f"{label} ({Path(path).stem})" for label, path in zip(first, paths)]


def _graded(document: dict) -> str:
    """The graded file, in full: the path, and the member inside it when there is one."""
    where = os.path.abspath(document["submission"]["path"])
    member = document["submission"]["member"]
    if not member:
        return where
    return f"{where} ({member})" if os.path.isfile(where) else f"{where}/{member}"


def _failed(document: dict) -> str:
    return ", ".join(t["id"] for t in document["tests"] if t["status"] != "passed")


def summary_document(documents: list[dict], paths: list[Path]) -> dict:
    """The ``--format json`` summary (schema: grader/schemas/summary.schema.json)::

        {"schema_version": 1, "assignment": str, "count": int,
         "submissions": [{"student": str|null, "label": str, "path": str, "member": str|null,
                          "report": str, "score": num, "max_score": num, "failed_tests": [str],
                          "load_errors": [str], "load_warnings": [str], "diagnoses": [str]}],
         "diagnoses": [{"diagnosis": str, "submissions": int}]}

    Paths are absolute; every string is cleaned (grader.text.for_json).
    """
    rows = [{"student": d.get("student"), "label": label, "path": os.path.abspath(d["submission"]["path"]),
             "member": d["submission"]["member"], "report": os.path.abspath(path),
             "score": d["score"], "max_score": d["max_score"],
             "failed_tests": [t["id"] for t in d["tests"] if t["status"] != "passed"],
             "load_errors": list(d["load_errors"]), "load_warnings": list(d.get("load_warnings", [])),
             "diagnoses": sorted({t["diagnosis"] for t in d["tests"] if t.get("diagnosis")})}
            for d, label, path in zip(documents, labels(documents, paths), paths)]
    document = {"schema_version": 1, "assignment": documents[0]["assignment"] if documents else "",
                "count": len(documents), "submissions": rows,
                "diagnoses": [{"diagnosis": d, "submissions": n} for d, n in diagnosis_counts(documents).most_common()]}
    document = text.for_json(document)
    schema.check(document, "summary", "the summary")
    return document


def _name(document: dict) -> str:
    """The submitted file's name, as markup-safe text on one line."""
    return text.terminal(Path(document["submission"]["path"]).name, lines=False)


def diagnosis_counts(documents: list[dict]) -> Counter:
    """How many submissions got each diagnosis (once per submission)."""
    counts: Counter = Counter()
    for document in documents:
        counts.update(sorted({t["diagnosis"] for t in document["tests"] if t.get("diagnosis")}))  # ties: same order every run
    return counts


def check(document: dict) -> None:
    """The student's view of `grader check`: visible tests, each failure explained."""
    console = _console()
    console.print(f"[bold]{text.terminal(document['assignment'])}[/]: checking {_name(document)} "
                  f"(visible tests only; hidden tests are graded after you submit)")
    for error in document["load_errors"]:
        console.print(f"[red]Could not load your submission:[/] {text.terminal(error)}")
    for error in document["import_errors"]:
        where = text.terminal(error["where"], lines=False)
        happened = "does not compile, so it did not run" if _COMPILE_ERROR.search(error["error"]) else "raised an error"
        console.print(f"[yellow]Your code ({where}) {happened}; the rest still ran:[/]")
        console.print(text.terminal(error["error"]))
    for test in document["tests"]:
        console.print(f"{_MARK[test['status']]} {text.terminal(test['id'])} "
                      f"[dim]({test['score']:g}/{test['max_score']:g})[/] - {text.terminal(test['name'])}")
        if test["status"] != "passed":
            console.print(_indent(text.terminal(test["message"])))
        if test.get("diagnosis"):
            console.print(_indent("Hint: " + text.terminal(test["diagnosis"])), style="cyan")
    console.print(f"[bold]Visible tests: {_score(document)}[/]")


def _indent(lines: str) -> str:
    return "\n".join("    " + line for line in lines.splitlines())


def assignments(rows: list[tuple]) -> None:
    table = Table(title="assignments")
    for column in ("name", "title", "tests", "visible", "points"):
        table.add_column(column)
    for name, title, tests, visible, points in rows:
        counts = ("-",) * 3 if tests is None else (str(tests), str(visible), f"{points:g}")
        table.add_row(text.terminal(name), text.terminal(title), *counts)
    _console().print(table)
