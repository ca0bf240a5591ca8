"""Rendering for people: every terminal view is drawn from report documents, here only."""
from __future__ import annotations

import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

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
    table = Table(title=f"{documents[0]['assignment'] if documents else ''}: {len(documents)} submissions")
    for column in ("submission", "score", "failed tests", "report"):
        table.add_column(column)
    for document, path in zip(documents, paths):
        failed = [t["id"] for t in document["tests"] if t["status"] != "passed"]
        problem = "; ".join(document["load_errors"])[:80]
        table.add_row(Path(document["submission"]["path"]).name, _score(document),
                      problem or (", ".join(failed)[:80] + ("..." if len(", ".join(failed)) > 80 else "")),
                      str(path))
    console = _console()
    console.print(table)
    counts = diagnosis_counts(documents)
    if counts:
        console.print("[bold]Diagnoses[/] (how many submissions made each mistake):")
        for text, count in counts.most_common():
            plural = "s" if count != 1 else ""
            console.print(f"  {count:>4} submission{plural}: {text.removeprefix('Matches a known mistake: ')[:150]}",
                          markup=False)


def diagnosis_counts(documents: list[dict]) -> Counter:
    """How many submissions got each diagnosis (once per submission)."""
    counts: Counter = Counter()
    for document in documents:
        counts.update({t["diagnosis"] for t in document["tests"] if t.get("diagnosis")})
    return counts


def check(document: dict) -> None:
    """The student's view of `grader check`: visible tests, each failure explained."""
    console = _console()
    name = Path(document["submission"]["path"]).name
    console.print(f"[bold]{document['assignment']}[/]: checking {name} "
                  f"(visible tests only; hidden tests are graded after you submit)")
    for error in document["load_errors"]:
        console.print(f"[red]Could not load your submission:[/] {error}", markup=True)
    for error in document["import_errors"]:
        console.print(f"[yellow]Running your code ({error['where']}) raised an error; the rest still ran:[/]")
        console.print(error["error"], markup=False)
    for test in document["tests"]:
        console.print(f"{_MARK[test['status']]} {test['id']} [dim]({test['score']:g}/{test['max_score']:g})[/] "
                      f"- {test['name']}")
        if test["status"] != "passed":
            console.print(_indent(test["message"]), markup=False)
        if test.get("diagnosis"):
            console.print(_indent("Hint: " + test["diagnosis"]), markup=False, style="cyan")
    console.print(f"[bold]Visible tests: {_score(document)}[/]")


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def assignments(rows: list[tuple]) -> None:
    table = Table(title="assignments")
    for column in ("name", "title", "tests", "visible", "points"):
        table.add_column(column)
    for name, title, tests, visible, points in rows:
        table.add_row(name, title, *(("-",) * 3 if tests is None else (str(tests), str(visible), f"{points:g}")))
    _console().print(table)
