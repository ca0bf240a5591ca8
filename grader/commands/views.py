"""Views of graded reports for people: the class dashboard and each student's feedback.

``grader dashboard REPORTS_OR_FOLDER -o class.html`` (grader.dashboard) and ``grader feedback
REPORTS_OR_FOLDER -o DIR`` (grader.feedback). Both read reports only (files, or every
``*.json`` of a folder that ``grader grade -o`` wrote); a file that is not a valid report
stops the command with exit 2 before anything is written, naming every such file.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from grader import assignment, report, text
from grader.exitcode import ExitCode
from grader.schema import SchemaError

sources_argument = click.argument("sources", nargs=-1, required=True,
                                  type=click.Path(exists=True, path_type=Path))


def read_reports(sources: list[Path]) -> list[tuple[Path, dict]]:
    """(file, report) of every report file given or found in a given folder, in order;
    click.UsageError naming every file that is not a report."""
    files, problems = [], []
    for source in sources:
        if source.is_dir():
            found = sorted(p for p in source.glob("*.json") if p.is_file() and not p.name.startswith("."))
            if not found:
                problems.append(f"{source}: holds no report (*.json); give the folder `grader grade -o` wrote")
            files += found
        else:
            files.append(source)
    documents = []
    for path in files:
        try:
            documents.append((path, report.read(path)))
        except (ValueError, SchemaError, OSError) as exc:  # json.JSONDecodeError is a ValueError
            problems.append(f"{path}: not a grader report ({exc})")
    if problems:
        listed = "\n".join(f"  {text.clean(problem)}" for problem in problems)
        raise click.UsageError(f"nothing was written:\n{listed}")
    return documents


@click.command(name="dashboard")
@sources_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("class.html"),
              show_default=True, help="The HTML file to write (self-contained: open it anywhere, offline).")
@click.option("--title", default=None, help="The page's title [default: the assignments' names].")
def dashboard_command(sources, output, title) -> None:
    """Draw the class dashboard of REPORTS (files, or folders of them): score distribution, pass
    rate per test, mistakes and who made them, each student's results, isolation warnings."""
    from grader import dashboard
    documents = [document for _, document in read_reports(list(sources))]
    names = ", ".join(dict.fromkeys(d["assignment"] for d in documents))
    page = dashboard.render(documents, title or f"Class dashboard: {names}")
    report.write_bytes(page.encode("utf-8"), output)
    click.echo(text.clean(f"{output}: the dashboard of {len(documents)} report{'s' * (len(documents) != 1)}"))


@click.command(name="feedback")
@sources_argument
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("feedback"),
              show_default=True, help="Where the pages go, one <report name>.html per report.")
@click.option("--audience", type=click.Choice(("student", "instructor")), default="student", show_default=True,
              help="student: hidden tests show name, status and points only; instructor: everything.")
@click.option("--after-due-date", is_flag=True,
              help="The due date has passed: for students, after_due_date tests show their message (without "
                   "expected values) and diagnosis, as visible tests do.")
@click.option("--course", "course_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The course the reports were graded with (it says which functions each test calls); "
                   "default as for `grader grade`.")
def feedback_command(sources, outdir, audience, after_due_date, course_dir) -> None:
    """Write each student's feedback: their notebook or module as HTML, each function's results
    and diagnosis right after the cell that defines it."""
    try:
        from grader import feedback
    except ImportError as exc:
        raise click.UsageError(f"grader feedback needs nbconvert ({exc}); install it with "
                               "pip install 'mlgrader[feedback]'") from None
    found = read_reports(list(sources))
    calls = _calls({d["assignment"] for _, d in found}, course_dir)
    names = report.report_names([[text.file_name(path.stem)] for path, _ in found])
    failed = 0
    for (path, document), name in zip(found, names):
        try:
            page = feedback.render(document, calls.get(document["assignment"]), audience, after_due_date)
        except Exception as exc:  # noqa: BLE001 - one report's page must not stop the others
            failed += 1
            click.echo(text.clean(f"grader: grader fault: no feedback for {path}: {type(exc).__name__}: {exc}"),
                       err=True)
            continue
        report.write_bytes(page.encode("utf-8"), outdir / f"{name}.html")
    click.echo(text.clean(f"{outdir}: feedback for {len(found) - failed} of {len(found)} reports ({audience})"))
    sys.exit(ExitCode.GRADER_FAULT if failed else ExitCode.OK)


def _calls(names: set[str], course_dir: Path | None) -> dict[str, dict]:
    """For each assignment: test id -> the functions it calls, from the course; an
    assignment the course cannot give gets a warning, and its results go at the end."""
    found: dict[str, dict] = {}
    try:
        root = assignment.course_root(course_dir)
    except assignment.CourseNotFound as exc:
        _warn(f"{exc}; every result goes at the end of its page")
        return found
    for name in sorted(names):
        try:
            found[name] = {probe.id: probe.calls for probe in assignment.load(name, root).probes}
        except (assignment.CourseError, ImportError, OSError) as exc:
            _warn(f"assignment {name!r} cannot be read from {root} ({exc}); its results go at the end of each page")
    return found


def _warn(message: str) -> None:
    click.echo(f"grader: warning: {text.clean(message)}", err=True)


COMMANDS = (dashboard_command, feedback_command)
