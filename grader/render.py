"""Rendering for people: every terminal view is drawn from report documents, here only."""
from __future__ import annotations

import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from grader import text

_MARK = {"passed": "[green]PASS[/]", "failed": "[red]FAIL[/]", "error": "[red]ERROR[/]",
         "timeout": "[yellow]TIMEOUT[/]", "crashed": "[magenta]CRASH[/]"}


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@contextmanager
def progress(total: int):
    """A progress bar on stderr when it is a terminal; yields ``advance()``."""
    if not sys.stderr.isatty() or total < 2:
        yield lambda: None
        return
    bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=_console(stderr=True), transient=True)
    with bar:
        task = bar.add_task("grading", total=total)
        yield lambda: bar.advance(task)


def _score(document: dict) -> str:
    return f"{document['score']:g}/{document['max_score']:g}"


def summary(documents: list[dict], paths: list[Path]) -> None:
    """The batch table, then how often each diagnosis was made."""
    title = f"{documents[0]['assignment'] if documents else ''}: {len(documents)} submissions"
    table = Table(title=text.terminal(title))
    for column in ("submission", "score", "failed tests", "report"):
        table.add_column(column)
    for document, path in zip(documents, paths):
        failed = ", ".join(t["id"] for t in document["tests"] if t["status"] != "passed")
        problem = _cut("; ".join(document["load_errors"]), 80) or _cut(failed, 80)
        table.add_row(_name(document), _score(document), text.terminal(problem), text.terminal(str(path), lines=False))
    console = _console()
    console.print(table)
    counts = diagnosis_counts(documents)
    if counts:
        console.print("[bold]Diagnoses[/] (how many submissions made each mistake):")
        for diagnosis, count in counts.most_common():
            plural = "s" if count != 1 else ""
            shown = _cut(diagnosis.removeprefix("Matches a known mistake: "), 150)
            console.print(f"  {count:>4} submission{plural}: {text.terminal(shown)}")


def _name(document: dict) -> str:
    """The submitted file's name, as markup-safe text on one line."""
    return text.terminal(Path(document["submission"]["path"]).name, lines=False)


def _cut(value: str, width: int) -> str:
    return value if len(value) <= width else value[:width] + "..."


def diagnosis_counts(documents: list[dict]) -> Counter:
    """How many submissions got each diagnosis (once per submission)."""
    counts: Counter = Counter()
    for document in documents:
        counts.update({t["diagnosis"] for t in document["tests"] if t.get("diagnosis")})
    return counts


def check(document: dict) -> None:
    """The student's view of `grader check`: visible tests, each failure explained."""
    console = _console()
    console.print(f"[bold]{text.terminal(document['assignment'])}[/]: checking {_name(document)} "
                  f"(visible tests only; hidden tests are graded after you submit)")
    for error in document["load_errors"]:
        console.print(f"[red]Could not load your submission:[/] {text.terminal(error)}")
    for error in document["import_errors"]:
        console.print(f"[yellow]Running your code ({text.terminal(error['where'], lines=False)}) raised an error; "
                      "the rest still ran:[/]")
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
