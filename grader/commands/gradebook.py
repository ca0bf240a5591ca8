"""`grader grade`'s batch (kept in a gradebook, local or on Dask) and the `grader gradebook` commands.

``grade_batch`` is what `grade` runs once the batch is known; ``gradebook`` is the command
group (``diff``, ``export``, ``show``), added to the cli group in grader/cli.py.
"""
from __future__ import annotations

import random
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import click

from grader import fingerprint, submission, text
from grader.bookkeeper import Bookkeeper, Outcome
from grader.gradebook import (
    Gradebook,
    GradebookError,
    GradebookUnavailable,
    default_url,
    installed,
)
from grader.grading import Grader, Options
from grader.progress import Progress

gradebook_option = click.option(
    "--gradebook", "gradebook_url", default=None, metavar="URL",
    help="Database that keeps every report: a SQLAlchemy URL (postgresql+psycopg://..., mysql+pymysql://...), "
         "default OUTDIR/gradebook.sqlite when the [gradebook] extra is installed; `none` for no gradebook. "
         "Submissions already graded under the same course version are not graded again.")


@dataclass(frozen=True)
class Where:
    """Where a batch is graded: here (``scheduler`` and ``cluster`` None), on a Dask
    scheduler, or on a LocalCluster (``cluster`` = ``local:N``)."""

    scheduler: str | None = None
    cluster: str | None = None
    without: tuple[str, ...] = ()
    strict: bool = False


def grade_options(function):
    """The options `grade` takes for the gradebook, progress and Dask."""
    for option in reversed((
            gradebook_option,
            click.option("--regrade", is_flag=True, help="Grade every submission, even those the gradebook holds "
                                                         "under this course version, seed and file."),
            click.option("-q", "--quiet", is_flag=True, help="No progress bar or progress lines on stderr."),
            click.option("--scheduler", metavar="ADDRESS", default=None,
                         help="Grade on the workers of this Dask scheduler (tcp://host:8786; the [dask] extra)."),
            click.option("--cluster", metavar="local:N", default=None,
                         help="Grade on N Dask worker processes started on this machine (a LocalCluster)."))):
        function = option(function)
    return function


def grade_batch(found, scores, layers, options: Options, handins, targets: list[Path], outdir: Path,
                url: str | None, regrade: bool, quiet: bool, where: Where, warn) -> Outcome:
    """Grade ``handins`` (reports to ``targets``) and keep them in the gradebook at ``url``
    (None: the default; "none": no gradebook). Raises click.UsageError for what the
    person running it must fix; grader faults propagate (grader.cli turns them into exit 3)."""
    if where.scheduler and where.cluster:
        raise click.UsageError("give --scheduler ADDRESS or --cluster local:N, not both")
    url = _url(url, outdir, regrade, warn)
    version = fingerprint.version(found)
    book = _peek(url)
    try:
        seed = options.seed
        if seed is None and book is not None:
            seed = book.stored_seed(found.name)
        options = replace(options, seed=random.SystemRandom().randrange(2**31) if seed is None else seed)
        loaded = [submission.load(h, found.name, options.limits) for h in handins]
        keeper = Bookkeeper(book, version, options.seed, outdir, regrade)
        plan = keeper.plan(loaded, targets)
        with Progress(quiet=quiet) as progress:
            if not plan.todo:
                outcome = keeper.grade(plan, None, progress)
            else:
                with _runner(found, scores, layers, options, where) as runner:
                    runner.canary()
                    warn(runner.warnings)
                    keeper.book = book = book or (_open(url) if url else None)
                    outcome = keeper.grade(plan, runner, progress, executor=_executor(where, options))
    finally:
        if book is not None:
            book.close()
    if outcome.restored:
        warn([f"{len(outcome.restored)} report files were missing or stale after an interrupted batch and were "
              f"written again from the gradebook: {', '.join(map(str, outcome.restored[:5]))}"])
    return outcome


def _url(url: str | None, outdir: Path, regrade: bool, warn) -> str | None:
    if url == "none":
        if regrade:
            raise click.UsageError("--regrade needs a gradebook; without one (--gradebook none) every "
                                   "submission is graded anyway")
        return None
    if installed():
        return url or default_url(outdir)
    if url or regrade:
        raise click.UsageError(f"--{'gradebook' if url else 'regrade'} needs the gradebook, whose libraries "
                               "(SQLAlchemy, Alembic) are not installed: pip install 'mlgrader[gradebook]'")
    warn(["no gradebook is kept (SQLAlchemy and Alembic are not installed), so every submission is graded on "
          "every run; pip install 'mlgrader[gradebook]' keeps one"])
    return None


def _peek(url: str | None) -> Gradebook | None:
    if url is None:
        return None
    try:
        return Gradebook.peek(url)
    except (GradebookError, GradebookUnavailable) as exc:
        raise click.UsageError(f"{exc}; nothing was graded") from None


def _open(url: str) -> Gradebook:
    try:
        return Gradebook.open(url)
    except (GradebookError, GradebookUnavailable) as exc:
        raise click.UsageError(f"{exc}; nothing was graded") from None


def _runner(found, scores, layers, options: Options, where: Where):
    if not where.scheduler and not where.cluster:
        return Grader(found, scores, layers, options)
    from grader.cluster import Cluster, ClusterUnavailable, parse_local
    try:
        local = parse_local(where.cluster) if where.cluster else None
        return Cluster(found, options, where.without, where.strict, address=where.scheduler, local=local)
    except (ValueError, ClusterUnavailable) as exc:
        raise click.UsageError(f"{exc}; nothing was graded") from None


def _executor(where: Where, options: Options) -> str:
    if where.scheduler:
        return f"dask {where.scheduler}"
    return f"dask {where.cluster}" if where.cluster else f"local -j {options.jobs}"


# -- the `grader gradebook` commands
def _book(url: str | None, outdir: Path) -> Gradebook:
    if url == "none":
        raise click.UsageError("these commands read a gradebook; give --gradebook URL or -o OUTDIR")
    url = url or default_url(outdir)
    try:
        book = Gradebook.peek(url)
    except (GradebookError, GradebookUnavailable) as exc:
        raise click.UsageError(str(exc)) from None
    if book is None:
        raise click.UsageError(f"no gradebook at {url}: `grader grade -o {outdir} ...` makes one "
                               "(or give --gradebook URL)")
    return book


outdir_option = click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
                             show_default=True, help="The reports' folder, whose gradebook.sqlite is read.")


@click.group(name="gradebook")
def gradebook() -> None:
    """Read the gradebook `grade` keeps: what changed after a course change, a CSV for the LMS."""


@gradebook.command()
@click.option("-a", "--assignment", "name", required=True)
@click.option("--from", "before", default=None, metavar="VERSION",
              help="Course version to compare from (a prefix of its hash; default: the one graded before the newest).")
@click.option("--to", "after", default=None, metavar="VERSION", help="Course version to compare to (default: the newest).")
@click.option("--format", "style", type=click.Choice(("plain", "json")), default="plain", show_default=True)
@gradebook_option
@outdir_option
def diff(name, before, after, style, gradebook_url, outdir) -> None:
    """List the students whose score changed between two course versions, and which tests changed it."""
    from grader import regrade
    with _book(gradebook_url, outdir) as book:
        try:
            found = regrade.diff(book, name, before, after)
        except regrade.DiffError as exc:
            raise click.UsageError(str(exc)) from None
    sys.stdout.write(regrade.render(found, style))


@gradebook.command(name="export")
@click.option("-a", "--assignment", "name", required=True)
@click.option("--lms", type=click.Choice(("plain", "canvas", "moodle")), default="plain", show_default=True,
              help="Column conventions of the LMS the CSV is imported into (README: Gradebook).")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The LMS's own gradebook export: its identity columns are copied into each row.")
@click.option("--total-only", is_flag=True, help="The total only, no column per test.")
@click.option("--course-version", default=None, metavar="VERSION",
              help="Rows graded under this course version (a hash prefix; default: each student's latest).")
@click.option("--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here (default: standard output).")
@gradebook_option
@outdir_option
def export_csv(name, lms, roster, total_only, course_version, output, gradebook_url, outdir) -> None:
    """A CSV with one row per student: the total, then one column per test."""
    from grader import lms as conventions
    with _book(gradebook_url, outdir) as book:
        try:
            rendered, warnings = conventions.export(book, name, lms, course_version, roster, total_only)
        except conventions.ExportError as exc:
            raise click.UsageError(str(exc)) from None
    for warning in warnings:
        click.echo(f"grader: warning: {text.clean(warning)}", err=True)
    if output is None:
        click.echo(rendered, nl=False)
    else:
        output.write_text(rendered, encoding="utf-8", newline="")


@gradebook.command()
@gradebook_option
@outdir_option
def show(gradebook_url, outdir) -> None:
    """The gradebook's assignments, course versions and students, one line each."""
    with _book(gradebook_url, outdir) as book:
        for name in book.assignments():
            versions = book.versions(name)
            rows = book.current(name)
            click.echo(text.clean(f"{name}: {len(rows)} students, {len(versions)} course versions "
                                  f"(newest {versions[-1][0][:12] if versions else '-'})"))
