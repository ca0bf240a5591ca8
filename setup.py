"""Build hook: the shipped course travels inside the wheel as package data.

The course stays where authors edit it (assignments/, reference/, rubrics/,
tests/alternatives/ at the top of the checkout, as docs/design.md lays out); building a wheel
or an sdist copies it into ``grader/course/``, where ``grader.assignment.course_root``
finds it after a non-editable install. Everything else is in pyproject.toml.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
COURSE = ("assignments", "reference", "rubrics", "tests/alternatives")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


class BuildWithCourse(build_py):
    """build_py, plus the course copied to <build>/grader/course."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / "grader" / "course"
        for part in COURSE:
            source = HERE / part
            if source.is_dir():
                shutil.copytree(source, target / part, ignore=IGNORED, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithCourse})
