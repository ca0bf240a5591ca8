"""The command line: a thin shell over grading, rendering, validation and audit.

Exit codes (grader.exitcode.ExitCode): 0 every submission got a report (grade), every
visible test passed (check); 1 a visible test failed (check), a submission scored below
--fail-under (grade) or a finding (audit, validate); 2 usage error; 3 grader fault (broken
course, worker failure); 4 --strict refused an unisolated machine.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from grader import __version__, assignment
from grader import classroom, export, render, report, rubric, sandbox, text
from grader.audience import views
from grader.commands import ci
from grader.commands import gradebook as gradebooks
from grader.commands import views as view_commands
from grader.exitcode import ExitCode
from grader.grading import CanaryFailed, Grader, Options
from grader.limits import Limits
from grader.pool import Pool, WorkerFault
from grader.schema import SchemaError


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(ExitCode.USAGE)
    except click.ClickException as exc:
        exc.message = text.clean(exc.message)  # it may quote a file name
        exc.show()
        sys.exit(ExitCode.USAGE)
    except assignment.CourseNotFound as exc:
        click.echo(f"grader: {text.clean(str(exc))}", err=True)
        sys.exit(ExitCode.USAGE)
    except (assignment.CourseError, SchemaError, WorkerFault, CanaryFailed, report.ReportError,
            gradebooks.GradebookError) as exc:
        click.echo(f"grader: grader fault: {text.clean(str(exc))}", err=True)
        sys.exit(ExitCode.GRADER_FAULT)


def _echo(message: str) -> None:
    """A line for a person: text the course or a submission wrote is cleaned first."""
    click.echo(text.clean(str(message)))


course_option = click.option("--course", "course_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                             help="Course folder (default: $GRADER_COURSE, else the current folder if "
                                  "it holds a course, else the course shipped with the grader).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="grader")
def cli() -> None:
    """grader: grade ML assignments in an isolated worker against reference solutions."""


def _open(name: str, course_dir: Path | None):
    root = assignment.course_root(course_dir)
    try:
        found = assignment.load(name, root)
    except assignment.CourseError as exc:
        if name not in assignment.names(root):
            raise click.UsageError(str(exc)) from None
        raise
    if found.missing_framework:
        raise click.UsageError(found.missing_framework)
    return found, rubric.load(found)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"grader: warning: {text.clean(warning)}", err=True)


def _layers(strict: bool, without: tuple[str, ...] = ()) -> sandbox.Layers:
    layers = sandbox.detect(frozenset(without))
    _warn(list(layers.warnings))
    problems = layers.strict_problems()
    if strict and problems:
        click.echo("grader: --strict: refusing to grade: " + "; ".join(problems), err=True)
        sys.exit(ExitCode.STRICT_REFUSED)
    return layers


@cli.command()
@click.option("-a", "--assignment", "name", required=True, help="Assignment name (see `grader list`).")
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Where the JSON reports go (named after the students, else the files).")
@click.option("--layout", type=click.Choice(classroom.LAYOUTS), default="auto", show_default=True,
              help="How a folder or .zip argument is read: one submission, one entry per student, nbgrader's "
                   "submitted/, or a Canvas, Moodle or Blackboard download (README: class folders and zips).")
@click.option("--one", is_flag=True, help="Every argument is one submission (--layout one).")
@click.option("--format", "style", type=click.Choice(render.STYLES), default=None,
              help="The summary: a table (default on a terminal), plain text with full paths (default "
                   "otherwise), or json for machines.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=Limits.timeout_s, show_default=True,
              help="Seconds per test.")
@click.option("--submission-timeout", type=click.FloatRange(min=0.1), default=None,
              help="Seconds for all of a submission's tests together; tests not reached time out "
                   "[default: 6 x --timeout].")
@click.option("--memory-mb", type=click.IntRange(min=64), default=Limits.memory_bytes >> 20,
              show_default=True, help="Memory per submission, MiB.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=min(4, os.cpu_count() or 1),
              show_default=True, help="Submissions graded at once (one warm worker each).")
@click.option("--seed", type=int, default=None, help="Seed of the probes (default: random per run).")
@click.option("--strict", is_flag=True, help="Refuse to grade unless network, filesystem and memory "
                                              "isolation are all active.")
@click.option("--without", multiple=True, type=click.Choice(sorted(sandbox.OPTIONAL_LAYERS)),
              help="Do not use this isolation layer (to test the fallbacks); repeatable.")
@course_option
@ci.with_ci
@ci.with_audience
@gradebooks.grade_options
@click.argument("submissions", nargs=-1, required=True, type=click.Path(path_type=Path))
def grade(name, outdir, layout, one, style, timeout, submission_timeout, memory_mb, jobs, seed, strict, without,
          course_dir, fail_under, summary_md, audience, after_due_date, gradebook_url, regrade, quiet, scheduler,
          cluster, submissions) -> None:
    """Grade SUBMISSIONS (.py, .ipynb, folders or .zip files, or class folders of them) and write
    OUTDIR/<student or file>.json for each submission, kept in the gradebook (README: Gradebook)."""
    below = ci.threshold(fail_under)
    found, scores = _open(name, course_dir)
    batch = _batch(list(submissions), name, _layout(layout, one))
    layers = _layers(strict, without)
    limits = Limits(timeout_s=timeout, submission_timeout_s=submission_timeout, memory_bytes=memory_mb << 20)
    options = Options(limits=limits, seed=seed, jobs=jobs)
    outcome = gradebooks.grade_batch(found, scores, layers, options, batch.handins, batch.report_paths(outdir),
                                     outdir, gradebook_url, regrade, quiet,
                                     gradebooks.Where(scheduler, cluster, without, strict), _warn)
    documents, targets = outcome.documents, outcome.paths
    render.summary(views(documents, audience, after_due_date), targets, style)
    _warn([f"the grader failed on {d['submission']['path']} ({d['reason']}); its report says so and it must "
           "be graded again once the grader is fixed" for d in documents if d.get("status") == "grading_error"])
    sys.exit(ci.finish(documents, below, summary_md, audience, after_due_date))


def _layout(layout: str, one: bool) -> str:
    if one and layout not in ("auto", "one"):
        raise click.UsageError(f"--one and --layout {layout} say different things; give one of them")
    return "one" if one else layout


def _batch(arguments: list[Path], name: str, layout: str) -> classroom.Batch:
    """The handins of the arguments, before anything is graded; what cannot be graded is a usage error."""
    try:
        batch = classroom.expand(arguments, name, layout)
    except classroom.Unusable as exc:
        listed = "\n".join(f"  {problem}" for problem in exc.problems)
        raise click.UsageError(f"nothing was graded:\n{listed}") from None
    for line in batch.readings:
        click.echo(f"grader: {text.clean(line)}", err=True)
    for note in batch.notes:
        click.echo(f"grader: note: {text.clean(note)}", err=True)
    return batch


@cli.command()
@click.option("-a", "--assignment", "name", default=None,
              help="Assignment name (default: guessed from the file name).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=Limits.timeout_s, show_default=True)
@course_option
@click.option("--release", "release_dir", type=click.Path(exists=True, path_type=Path), default=None,
              help="The release to check against: its folder or its .selfcheck.json (default: the one "
                   "beside FILE or in a folder above it; without one, the course).")
@click.argument("file", type=click.Path(path_type=Path))
def check(name, timeout, course_dir, release_dir, file) -> None:
    """Run the visible tests on FILE and explain every failure (for students)."""
    if not file.is_file() and not file.is_dir():
        raise click.UsageError(f"{text.clean(str(file), lines=False)}: no such file or folder; nothing was checked")
    if course_dir is None:
        ci.check_release(name, timeout, release_dir, file)  # exits when there is a release
    try:
        name = name or _guess(file, course_dir)
        found, scores = _open(name, course_dir)
    except assignment.CourseNotFound as exc:
        raise assignment.CourseNotFound(f"{exc}; a student checks against a release instead: put its "
                                        "<assignment>.selfcheck.json beside FILE, or pass --release DIR") from None
    layers = _layers(strict=False)
    visible = tuple(e.test for e in scores.visible())
    options = Options(limits=Limits(timeout_s=timeout), reveal_hidden=False)
    with Grader(found, scores, layers, options) as grader:
        grader.canary(tests=visible)
        _warn(grader.warnings)
        document = grader.grade(file, tests=visible)
    render.check(document)
    passed = all(t["status"] == "passed" for t in document["tests"]) and not document["load_errors"]
    sys.exit(ExitCode.OK if passed else ExitCode.TESTS_FAILED)


def _guess(file: Path, course_dir: Path | None) -> str:
    known = assignment.names(assignment.course_root(course_dir))
    stem = file.stem
    if stem in known:
        return stem
    raise click.UsageError(f"cannot tell the assignment of {text.clean(file.name, lines=False)}: name it after one of "
                           f"({', '.join(known)}) or pass -a ASSIGNMENT")


@cli.command(name="list")
@course_option
def list_assignments(course_dir) -> None:
    """List the course's assignments."""
    root = assignment.course_root(course_dir)
    rows = []
    for name in assignment.names(root):
        found = assignment.load(name, root)
        if found.missing_framework:
            rows.append((name, f"{found.title} ({found.missing_framework})", None, None, None))
            continue
        scores = rubric.load(found)
        rows.append((name, found.title, len(scores.entries), len(scores.visible()), scores.max_score))
    render.assignments(rows)


@cli.command()
@course_option
def validate(course_dir) -> None:
    """Check every assignment: schemas, rubric <-> probes, reference passes, templates load."""
    from grader import validation
    problems = validation.run(assignment.course_root(course_dir), echo=_echo)
    sys.exit(ExitCode.TESTS_FAILED if problems else ExitCode.OK)


@cli.command()
@click.option("-a", "--assignment", "name", default=None, help="One assignment.")
@click.option("--all", "everything", is_flag=True, help="Every assignment of the course.")
@click.option("--seed", type=int, default=None, help="The (first) seed (default: random).")
@click.option("--seeds", "seed_count", type=click.IntRange(min=1), default=1, show_default=True,
              help="Grade under this many consecutive seeds; a test whose verdict on a mistake "
                   "changes with the seed is a finding.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--mutants", is_flag=True, help="Instead: grade single-edit mutants of the reference and print "
                                             "the probes' mutation score per function, with the survivors.")
@course_option
def audit(name, everything, seed, seed_count, jobs, mutants, course_dir) -> None:
    """Grade every known mistake and correct alternative, and degenerate submissions
    generated from the reference; fail if a mistake keeps full marks or is not diagnosed as
    itself, an alternative loses a point, a test's verdict depends on the seed, or a
    submission that does no work scores. With --mutants, measure the probes' mutation score
    instead; fail only if the allow-list of equivalent mutants is wrong."""
    from grader import audit as auditing
    from grader import mutation
    if bool(name) == everything:
        raise click.UsageError("give either -a ASSIGNMENT or --all")
    root = assignment.course_root(course_dir)
    names = assignment.names(root) if everything else (name,)
    layers = sandbox.detect()
    findings = 0
    workers = Pool(jobs, cgroups=layers.cgroups)
    try:
        for each in names:
            found, scores = _open(each, course_dir)
            measure = mutation.run if mutants else auditing.run
            findings += measure(found, scores, layers, seed=seed, jobs=jobs, echo=_echo, workers=workers,
                                seeds=seed_count)
    finally:
        workers.close()
    sys.exit(ExitCode.TESTS_FAILED if findings else ExitCode.OK)


@cli.command(name="export")
@click.option("-f", "--format", "kind", type=click.Choice(export.FORMATS), required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write here (default: standard output); for gradescope with several reports, a folder "
                   "that gets one <report>.json each.")
@ci.with_audience
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def export_reports(kind, output, audience, after_due_date, reports) -> None:
    """Render JSON REPORTS as Gradescope results, JUnit XML or a CSV gradebook."""
    try:
        documents = [report.read(path) for path in reports]
        if kind == "gradescope" and len(documents) > 1:
            ci.gradescope_each(list(reports), documents, output, audience, after_due_date)
            return
        rendered = export.render(documents, kind, audience, after_due_date)
    except (ValueError, SchemaError) as exc:  # json.JSONDecodeError is a ValueError
        raise click.UsageError(str(exc)) from None
    if output is None:
        click.echo(rendered, nl=False)
    else:
        output.write_text(rendered, encoding="utf-8")


@cli.command()
@click.argument("name")
@course_option
def template(name, course_dir) -> None:
    """Regenerate assignments/NAME/template.ipynb from template.py."""
    from grader import template as templates
    found, _ = _open(name, course_dir)
    _echo(str(templates.write(found.template_paths[0])))


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def init(folder) -> None:
    """Copy the course shipped with the grader into FOLDER, for an instructor to edit."""
    from grader import course_copy
    try:
        _echo(course_copy.copy_shipped(folder))
    except FileExistsError as exc:
        raise click.UsageError(str(exc)) from None


cli.add_command(__import__("grader.commands.release", fromlist=["release"]).release)
cli.add_command(__import__("grader.commands.gradescope", fromlist=["gradescope"]).gradescope)
__import__("grader.commands.authoring", fromlist=["add_to"]).add_to(cli)
cli.add_command(gradebooks.gradebook)
for _command in view_commands.COMMANDS:  # grader dashboard, grader feedback (grader/commands/views.py)
    cli.add_command(_command)
