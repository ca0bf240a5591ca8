"""`grader gradescope`: an autograder.zip for Gradescope (grader.gradescope)."""
from __future__ import annotations

from pathlib import Path

import click

from grader import text


@click.command(name="gradescope")
@click.option("-a", "--assignment", "name", required=True, help="Assignment name (see `grader list`).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("autograder.zip"),
              show_default=True, help="The zip to upload to Gradescope.")
@click.option("--wheel", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The grader's wheel to install there (default: built from this grader).")
@click.option("--course", "course_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Course folder (default: as for `grader grade`).")
def gradescope(name, output, wheel, course_dir) -> None:
    """Write a Gradescope autograder for an assignment: setup.sh, run_autograder, the
    grader's wheel and the assignment's part of the course; students see their results
    as the student audience does (hidden tests: name, status and points only)."""
    from grader import gradescope as builder
    from grader.cli import _open
    found, _ = _open(name, course_dir)  # a broken rubric is a grader fault now, not on Gradescope
    found.check_loadable()
    made = builder.build(found, output, wheel)
    click.echo(text.clean(f"wrote {made}: upload it as the autograder of {name} (Gradescope: Configure Autograder, "
                          "zip file upload)"))
