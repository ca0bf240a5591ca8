"""Options the core commands share for CI and audiences (grader/cli.py applies them):
``--audience``/``--after-due-date`` (every rendering of reports), ``--fail-under`` and
``--summary-md`` (``grade``), and one Gradescope results file per report (``export``)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.exitcode import ExitCode


def with_audience(command):
    """``--audience student|instructor`` and ``--after-due-date`` (grader.audience)."""
    command = click.option("--after-due-date", is_flag=True,
                           help="The due date has passed: for students, after_due_date tests show their message "
                                "(without expected values) and diagnosis, as visible tests do.")(command)
    return click.option("--audience", type=click.Choice(["instructor", "student"]), default="instructor",
                        show_default=True,
                        help="student: hidden tests show name, status and points only, never expected values.")(command)


def with_ci(command):
    """``--fail-under`` and ``--summary-md`` of ``grade``."""
    command = click.option("--summary-md", type=click.Path(dir_okay=False, path_type=Path), default=None,
                           help="Write a Markdown summary (table and diagnoses) here; it is also appended to "
                                "$GITHUB_STEP_SUMMARY when that is set.")(command)
    return click.option("--fail-under", "fail_under", default=None, metavar="POINTS|PERCENT%",
                        help="Exit 1 when a submission scores below this (e.g. 24 or 80%); for CI.")(command)


def threshold(given: str | None):
    """The parsed ``--fail-under`` (a usage error when it is neither points nor a percentage)."""
    from grader.scoring import Threshold
    try:
        return None if given is None else Threshold.parse(given)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fail-under") from None


def finish(documents: list[dict], below, summary_md: Path | None, audience: str, after_due_date: bool) -> ExitCode:
    """Write the summary for CI; the exit code of ``grade``: 1 when a submission scored
    below the threshold ``below`` (grader.scoring.Threshold), else 0."""
    from grader import summary
    summary.write(summary.markdown(documents, audience, after_due_date, below), summary_md)
    under = [d for d in documents if below is not None and not below.met(d["score"], d["max_score"])]
    if under:
        click.echo(f"grader: {len(under)} of {len(documents)} submissions scored below {below} (--fail-under)",
                   err=True)
        return ExitCode.TESTS_FAILED
    return ExitCode.OK


def gradescope_each(reports: list[Path], documents: list[dict], output: Path | None, audience: str,
                    after_due_date: bool) -> None:
    """``export -f gradescope`` of several reports: ``OUTPUT/<report name>.json`` each."""
    from grader import export
    if output is None or output.is_file():
        raise click.UsageError(f"{len(documents)} reports give one Gradescope results file each: give -o a folder")
    if any(path.resolve().parent == output.resolve() for path in reports):
        raise click.UsageError(f"{output} holds the reports themselves; give -o another folder")
    output.mkdir(parents=True, exist_ok=True)
    for path, document in zip(reports, documents):
        (output / path.name).write_text(export.render([document], "gradescope", audience, after_due_date),
                                        encoding="utf-8")


def check_release(name: str | None, timeout: float, release_dir: Path | None, file: Path) -> None:
    """`grader check` from the release beside ``file`` (or ``release_dir``): exits with the
    check's code; returns only when there is no release (the course is used then)."""
    from grader import checker, render, sandbox, selfcheck, text
    from grader.limits import Limits
    try:
        path = selfcheck.find(file, release_dir, name)
        if path is None:
            return
        check = selfcheck.read(path)
    except selfcheck.SelfCheckError as exc:
        raise click.UsageError(str(exc)) from None
    if name and name != check.assignment:
        raise click.UsageError(f"{path} is the release of {check.assignment}, not of {name}")
    framework = checker.released(check).missing_framework
    if framework:
        raise click.UsageError(framework)
    layers = sandbox.detect()
    for warning in layers.warnings:  # what the sandbox cannot do on this machine
        click.echo(f"grader: warning: {text.clean(warning)}", err=True)
    document = checker.check_file(file, check, layers, Limits(timeout_s=timeout))
    render.check(document)
    passed = all(t["status"] == "passed" for t in document["tests"]) and not document["load_errors"]
    sys.exit(ExitCode.OK if passed else ExitCode.TESTS_FAILED)
