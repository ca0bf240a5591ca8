"""`grader init`: the shipped course, copied out for an instructor to make their own."""
from __future__ import annotations

import shlex
import shutil
from pathlib import Path

from grader import hint
from grader.assignment import CourseNotFound, shipped_course

PARTS = ("assignments", "reference", "rubrics", "tests/alternatives")
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


def copy_shipped(folder: Path) -> str:
    """Copy the shipped course into ``folder`` (new, or empty); returns what to do next.

    Raises CourseNotFound when this installation carries no course, FileExistsError
    (a usage error) when ``folder`` already holds files."""
    source = shipped_course()
    if source is None:
        raise CourseNotFound("this installation carries no course to copy; reinstall the grader "
                             "from its wheel or checkout")
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty; choose a new folder for the course")
    for part in PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, folder / part, ignore=_IGNORED)
    return (f"copied the course to {folder}; see its assignments with `{hint.command('list', course=folder)}`, "
            f"check your edits with `{hint.command('validate', course=folder)}`, and grade inside {folder} (or pass "
            f"--course {shlex.quote(str(folder))} to grader grade)")
