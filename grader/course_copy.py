"""`grader init`: the shipped course, copied out for an instructor to make their own."""
from __future__ import annotations

import shutil
from pathlib import Path

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
    return (f"copied the course to {folder}; grade with `grader grade --course {folder} -a NAME ...` "
            f"(or run grader inside {folder}), and check your edits with `grader validate --course {folder}`")
