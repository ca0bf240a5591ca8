"""Assignments: where a course keeps each one's metadata, probes, reference and mistakes.

A course is a folder laid out as docs/design.md says (section "The course layout")::

    assignments/<name>/assignment.toml   metadata (validated by assignment.schema.json)
    assignments/<name>/probes.py         the tests, as probes
    assignments/<name>/template.py       the student template (source of template.ipynb)
    reference/<name>.py                  the reference solution
    reference/mistakes/<name>/*.py       known mistakes, one bug each (overrides: grader.mistake)
    rubrics/<name>.toml                  points and visibility per test
"""
from __future__ import annotations

import importlib.util
import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType

from grader import hint, schema
from grader.probe import Probe, collect, load_module


FRAMEWORK_NAMES = {"numpy": "NumPy", "torch": "PyTorch"}


class CourseError(Exception):
    """The course itself is wrong (a grader fault, never a student's zero)."""


@dataclass(frozen=True)
class Forbidden:
    modules: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignment:
    name: str
    title: str
    framework: str
    functions: tuple[str, ...]
    forbidden: Forbidden
    root: Path  # the course root

    @property
    def missing_framework(self) -> str | None:
        """Why this machine cannot grade the assignment (its framework is not installed),
        with the command that fixes it; None when it can."""
        if self.framework == "numpy" or importlib.util.find_spec(self.framework) is not None:
            return None
        return (f"the {self.name} assignment needs {FRAMEWORK_NAMES[self.framework]}, which is not "
                f"installed here: pip install 'mlgrader[{self.framework}]'")

    @property
    def folder(self) -> Path:
        return self.root / "assignments" / self.name

    @cached_property
    def pattern_texts(self) -> dict[str, str]:
        """``[patterns]`` of assignment.toml: this assignment's texts for the catalogue-free
        diagnoses (grader.pattern.DEFAULT_TEXTS holds the others). CourseError naming the
        file when a text uses a placeholder other than ``{path}`` and ``{form}``."""
        path = self.folder / "assignment.toml"
        texts = dict(read_toml(path).get("patterns", {})) if path.is_file() else {}
        for kind, text in texts.items():
            try:
                text.format(path="p", form="f")
            except (KeyError, IndexError, ValueError) as exc:
                raise CourseError(f"{path}: patterns.{kind} = {text!r} cannot be filled in ({exc!r}); "
                                  "use only {path} and {form}, and double other braces") from exc
        return texts

    @property
    def probes_path(self) -> Path:
        return self.folder / "probes.py"

    @property
    def reference_path(self) -> Path:
        return self.root / "reference" / f"{self.name}.py"

    @property
    def rubric_path(self) -> Path:
        return self.root / "rubrics" / f"{self.name}.toml"

    @property
    def template_paths(self) -> tuple[Path, Path]:
        return self.folder / "template.py", self.folder / "template.ipynb"

    @property
    def mistake_paths(self) -> tuple[Path, ...]:
        folder = self.root / "reference" / "mistakes" / self.name
        return tuple(sorted(folder.glob("[!_]*.py"))) if folder.is_dir() else ()

    @property
    def alternative_paths(self) -> tuple[Path, ...]:
        folder = self.root / "tests" / "alternatives" / self.name
        return tuple(sorted(folder.glob("[!_]*.py"))) if folder.is_dir() else ()

    @cached_property
    def probes(self) -> tuple[Probe, ...]:
        module = _import_course_file(self.probes_path, f"_grader_probes_{self.name}", self.root)
        found = collect(module)
        if not found:
            raise CourseError(f"{self.probes_path}: defines no @probe function; "
                              "decorate each test with grader.probe.probe")
        return found

    def probe(self, test_id: str) -> Probe:
        for candidate in self.probes:
            if candidate.id == test_id:
                return candidate
        raise CourseError(f"test {test_id!r} is not defined in {self.probes_path}")

    @cached_property
    def reference(self) -> ModuleType:
        return _import_course_file(self.reference_path, f"_grader_reference_{self.name}", self.root)

    def check_loadable(self) -> None:
        """Import the probes and the reference now: a broken course file is a CourseError
        naming the file before anything is graded, never a traceback halfway."""
        self.probes  # noqa: B018 - imports and checks them
        self.reference  # noqa: B018


def _import_course_file(path: Path, name: str, root: Path) -> ModuleType:
    """A trusted course file of the course ``root``; any failure to import it is a
    CourseError that names it."""
    if not path.is_file():
        raise CourseError(f"{path} is missing")
    try:
        return load_module(path, name)
    except Exception as exc:  # noqa: BLE001 - whatever the file raises, it is the course's fault
        raise CourseError(f"{path} cannot be imported: {type(exc).__name__}: {exc}; "
                          f"{hint.run('validate', course=root)}") from exc


class CourseNotFound(Exception):
    """No course is configured here: a usage error whose message says what to do."""


def course_root(explicit: str | os.PathLike | None = None) -> Path:
    """The course folder, the first of: ``explicit`` (--course), $GRADER_COURSE, the current
    folder when it holds a course, the checkout this grader runs from (an editable install),
    and the course shipped inside the installed package. Raises CourseNotFound."""
    for candidate in (explicit, os.environ.get("GRADER_COURSE")):
        if candidate:
            root = Path(candidate).resolve()
            if not is_course(root):
                raise CourseNotFound(f"course folder {root} holds no assignments/<name>/assignment.toml; "
                                     "point --course (or GRADER_COURSE) at a course folder, "
                                     "or make one with `grader init my-course`")
            return root
    package = Path(__file__).resolve().parent
    for root in (Path.cwd(), package.parent, package / "course"):
        if is_course(root):
            return root
    raise CourseNotFound("no course configured: pass --course DIR, set GRADER_COURSE, or run "
                         "from a course folder (make one with `grader init my-course`)")


def is_course(root: Path) -> bool:
    """Does ``root`` hold at least one assignment?"""
    try:
        return any((root / "assignments").glob("*/assignment.toml"))
    except OSError:
        return False


def shipped_course() -> Path | None:
    """The course that comes with the grader: the installed package's copy, else the
    checkout's own (an editable install)."""
    package = Path(__file__).resolve().parent
    for root in (package / "course", package.parent):
        if is_course(root):
            return root
    return None


def names(root: Path) -> tuple[str, ...]:
    """The assignments of a course, sorted by name."""
    folder = root / "assignments"
    return tuple(sorted(p.parent.name for p in folder.glob("*/assignment.toml")))


def load(name: str, root: Path) -> Assignment:
    """Read ``assignments/<name>/assignment.toml``; a bad file is a CourseError naming it."""
    path = root / "assignments" / name / "assignment.toml"
    if not path.is_file():
        known = ", ".join(names(root)) or "none"
        raise CourseError(f"unknown assignment {name!r} (known: {known})")
    data = read_toml(path)
    schema.check(data, "assignment", path)
    if data["name"] != name:
        raise CourseError(f"{path}: name = {data['name']!r} but the folder is {name!r}")
    forbidden = data.get("forbidden", {})
    return Assignment(name=name, title=data["title"], framework=data["framework"],
                      functions=tuple(data["functions"]),
                      forbidden=Forbidden(tuple(forbidden.get("modules", ())),
                                          tuple(forbidden.get("calls", ()))),
                      root=root)


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CourseError(f"{path}: cannot read TOML: {exc}") from exc

