"""`grader assign` (a course from a master notebook, grader.master) and `grader new` (a
master to start from, grader.scaffold): both write the course layout, then run validate
and audit on the assignment and print their findings."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from grader import hint, text
from grader.exitcode import ExitCode


def _echo(line: str) -> None:
    click.echo(text.clean(str(line)))


@click.command(name="assign")
@click.argument("master_path", metavar="MASTER", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--course", "course_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The course folder to write the assignment into (made when missing).")
@click.option("--name", default=None, help="Assignment name (default: the assignment cell's, else the master's "
                                           "file name).")
@click.option("--seed", type=int, default=None, help="The audit's (first) seed (default: random).")
@click.option("--seeds", "seed_count", type=click.IntRange(min=1), default=1, show_default=True,
              help="Audit under this many consecutive seeds.")
@click.option("--no-checks", is_flag=True, help="Write the files only: no validate, no audit.")
def assign(master_path, course_dir, name, seed, seed_count, no_checks) -> None:
    """Write the assignment that MASTER (.ipynb, or .py with # %% cells) describes into the
    course: template, probes, reference, rubric, metadata, README, mistakes and alternatives;
    then validate and audit it. Files whose text is unchanged are not touched."""
    sys.exit(build_and_check(master_path, course_dir, name, seed, seed_count, not no_checks))


@click.command(name="new")
@click.argument("name")
@click.option("-o", "--course", "course_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The course folder (made when missing); the master goes to "
                                      "COURSE/masters/NAME.ipynb.")
@click.option("--py", "as_script", is_flag=True, help="Write the master as a .py script with # %% cells "
                                                      "instead of a notebook.")
def new(name, course_dir, as_script) -> None:
    """Start an assignment: write a master to edit (one function, its probes, a rubric, two
    known mistakes and a correct alternative), build it into the course, and validate it."""
    from grader import scaffold
    try:
        path = scaffold.write(name, course_dir, "py" if as_script else "ipynb")
    except (ValueError, FileExistsError) as exc:
        raise click.UsageError(str(exc)) from None
    again = hint.run("assign", path.resolve(), "-o", course_dir.resolve())
    _echo(f"wrote {path}: the master of {name}; edit it, then {again}")
    sys.exit(build_and_check(path, course_dir, None, None, 1, True))


def add_to(group: click.Group) -> None:
    """Add ``assign`` and ``new`` to the ``grader`` group (grader/cli.py)."""
    group.add_command(assign)
    group.add_command(new)


def build_and_check(master_path: Path, course_dir: Path, name: str | None, seed: int | None, seeds: int,
                    checks: bool) -> ExitCode:
    """Build the master into the course, print what changed, then validate and audit."""
    from grader import master
    try:
        built = master.build(master_path, name)
    except master.MasterError as exc:
        raise click.UsageError(str(exc)) from None
    root = course_dir.resolve()
    written, unchanged = master.write(built, root)
    for path in written:
        _echo(f"wrote {path}")
    if unchanged:
        _echo(f"{len(unchanged)} file(s) unchanged")
    for path in master.strays(built, root):
        _echo(f"note: {path} is not in the master; the audit still grades it (delete it if it is gone)")
    if not checks:
        return ExitCode.OK
    problems = _checks(built.name, root, seed, seeds)
    if problems:
        _echo(f"{built.name}: {problems} problem(s) or finding(s); fix the master and run "
              f"`{_assign_command(master_path, root, name)}` again")
        return ExitCode.TESTS_FAILED
    release = hint.command("release", "-a", built.name, "-o", root / "releases" / built.name, course=root)
    _echo(f"{built.name}: valid, and the audit found nothing. Next, what students get: `{release}`")
    return ExitCode.OK


def _assign_command(master_path: Path, root: Path, name: str | None) -> str:
    return hint.command("assign", master_path.resolve(), "-o", root, *(("--name", name) if name else ()))


def _checks(name: str, root: Path, seed: int | None, seeds: int) -> int:
    """validate, then (when it is clean) audit, of assignment ``name``; how many problems."""
    from grader import assignment, audit, rubric, sandbox, validation
    from grader.pool import Pool
    layers = sandbox.detect()
    workers = Pool(1, cgroups=layers.cgroups)
    try:
        _echo("validate:")
        problems = validation.check(name, root, layers, workers)
        for problem in problems:
            _echo(f"{name}: {problem}")
        if problems:
            _echo("audit: not run until validate is clean")
            return len(problems)
        _echo(f"{name}: ok")
        found = assignment.load(name, root)
        if found.missing_framework:
            _echo(f"audit: not run: {found.missing_framework}")
            return 0
        _echo("audit:")
        return audit.run(found, rubric.load(found), layers, seed=seed, jobs=1, echo=_echo, workers=workers,
                         seeds=seeds)
    finally:
        workers.close()
