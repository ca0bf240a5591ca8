"""`grader release`: write what an instructor hands out for one assignment."""
from __future__ import annotations

from pathlib import Path

import click

from grader import sandbox, text


@click.command(name="release")
@click.option("-a", "--assignment", "name", required=True, help="Assignment name (see `grader list`).")
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="A new (or empty) folder for the release.")
@click.option("--seed", type=int, default=None, help="Seed of the recorded visible tests (default: random).")
@click.option("--course", "course_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Course folder (default: as for `grader grade`).")
def release(name, outdir, seed, course_dir) -> None:
    """Write the release of an assignment into OUTDIR: templates, student README and the
    self-check file of its visible tests (no reference, no hidden test, no mistake code)."""
    from grader import release as releases
    from grader.cli import _open
    found, scores = _open(name, course_dir)
    layers = sandbox.detect()
    for warning in layers.warnings:
        click.echo(f"grader: warning: {text.clean(warning)}", err=True)
    try:
        made = releases.build(found, scores, layers, outdir, seed=seed)
    except (releases.ReleaseError, FileExistsError) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(text.clean(f"wrote the release of {name} to {made.folder}: {len(made.tests)} visible tests, "
                          f"{made.mistakes} known mistakes diagnosable offline, seed {made.seed}"))
    for path in made.files:
        click.echo(text.clean(f"  {path}"))
