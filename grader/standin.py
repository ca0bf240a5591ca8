"""Stand-ins, in the worker child, for what a notebook or script expects around it.

A submission is graded in a plain Python process with NumPy (and torch): no Jupyter, no
screen, no keyboard, none of the student's other packages. So that only the functions
that really need something missing lose points:

- ``import`` of a module the grading environment lacks, by the submission's own code,
  gives a *stand-in* module (unless the import sits in a ``try`` that handles
  ImportError: the submission has a fallback) and a load warning naming the module.
  While the submission loads, anything done with a stand-in gives another stand-in (a
  decorator, a base class, a constant); in a test, calling anything from it raises
  ModuleNotFoundError naming the module and the line.
- Plotting is a no-op: a missing matplotlib, seaborn, plotly, bokeh or altair is a
  stand-in that accepts any call; an installed matplotlib uses the non-interactive Agg
  backend and its ``show``, ``savefig`` and ``pause`` do nothing (no window, no file).
- ``get_ipython()`` (every magic a no-op) and ``display()`` (prints) exist in the
  submission's namespace, for modules exported from notebooks as for notebooks.
- ``input()`` raises EOFError: "input() cannot be answered while grading (line N)".
"""
from __future__ import annotations

import ast
import builtins
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from grader import syntax

PLOTTING = frozenset({"matplotlib", "seaborn", "plotly", "bokeh", "altair"})
_MATPLOTLIB_NO_OPS = {"matplotlib.pyplot": ("show", "savefig", "pause", "ion", "waitforbuttonpress", "ginput"),
                      "matplotlib.figure": ("Figure.show", "Figure.savefig")}
MAX_WARNINGS = 20
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


class StandIn(types.ModuleType):
    """A module that is not there. Reading an attribute gives a part; calling a part
    calls ``on_use(qualified_name, origin)`` (which may raise; ``origin`` is where the
    part was made by an earlier call, or "") and otherwise returns the ``where`` of the
    call, and gives another part made there. With ``on_use`` None, every call is a no-op."""

    def __init__(self, name: str, on_use=None):
        super().__init__(name)
        self.__path__ = []
        self.__dict__["__grader_on_use__"] = on_use

    def __getattr__(self, attribute):
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        return _Part(f"{self.__name__}.{attribute}", self.__dict__["__grader_on_use__"])


class _Part:
    """Anything read from a stand-in: a routine, a class, a figure, an axis."""

    __slots__ = ("_name", "_on_use", "_origin")

    def __init__(self, name: str, on_use, origin: str = ""):
        self._name, self._on_use, self._origin = name, on_use, origin

    def __getattr__(self, attribute):
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        return _Part(f"{self._name}.{attribute}", self._on_use, self._origin)

    def __call__(self, *args, **kwargs):
        origin = self._on_use(self._name, self._origin) if self._on_use is not None else ""
        if self._name.rpartition(".")[2] == "subplots":  # fig, ax = plt.subplots(...)
            return _Part(f"{self._name}()[0]", self._on_use), _Part(f"{self._name}()[1]", self._on_use)
        return _Part(f"{self._name}()", self._on_use, origin or self._origin)

    def __mro_entries__(self, bases):
        return (object,)  # ``class Net(missing.Module)``: the class is still defined

    def __getitem__(self, key):
        return _Part(f"{self._name}[...]", self._on_use)

    def __setitem__(self, key, value):
        pass

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __repr__(self):
        return f"<stand-in for {self._name}>"


class StandIns:
    """The stand-ins of one child. ``labels`` maps each code unit's file name to its
    label ("module", "cell 3"); ``warnings`` collects the load warnings (one per module)."""

    def __init__(self, labels: dict[str, str]):
        self.labels = dict(labels)
        self.testing = False
        self.warnings: list[str] = []
        self._warned: set[str] = set()
        self._trees: dict[str, ast.AST | None] = {}
        self._sources: dict[str, str] = {}

    def install(self, sources: dict[str, str]) -> None:
        """``sources``: file name -> source of each code unit (read only when needed)."""
        self._sources = dict(sources)
        sys.meta_path.insert(0, _PlottingFinder())
        sys.meta_path.append(_MissingFinder(self))
        builtins.input = self._input

    def names(self) -> dict:
        """What Jupyter puts in a notebook's namespace: get_ipython and display."""
        return {"get_ipython": _no_ipython, "display": _display}

    # -- where in the submission
    def student_frame(self, frame):
        while frame is not None:
            if frame.f_code.co_filename in self.labels:
                return frame
            frame = frame.f_back
        return None

    def where(self, frame) -> str:
        found = self.student_frame(frame)
        if found is None:
            return "outside your code"
        label = self.labels[found.f_code.co_filename]
        return f"line {found.f_lineno}" if label == "module" else f"{label}, line {found.f_lineno}"

    def _input(self, prompt=""):
        raise EOFError(f"input() cannot be answered while grading ({self.where(sys._getframe(1))}); "
                      "give the value as a function argument or a constant instead")

    # -- missing modules
    def missing(self, name: str, frame) -> StandIn | None:
        """A stand-in for ``name``, imported by code whose nearest frame is ``frame``, or
        None when the import is not the submission's or the submission handles its failure."""
        importer = _importer(frame)
        if importer is None or not (importer.f_code.co_filename in self.labels
                                    or _is_dynamic(importer.f_code.co_filename)):
            return None
        student = self.student_frame(importer)
        if student is None or self._handled(student.f_code.co_filename, student.f_lineno):
            return None
        top = name.partition(".")[0]
        plotting = top in PLOTTING
        if top not in self._warned and len(self._warned) < MAX_WARNINGS:
            self._warned.add(top)
            where, top = self.where(student), top[:100]
            self.warnings.append(
                f"module {top!r} is not installed where submissions are graded ({where}): plotting "
                "with it does nothing" if plotting else
                f"module {top!r} is not installed where submissions are graded ({where}): your code "
                "runs with a stand-in for it, and the tests of the functions that use it score 0")
        return StandIn(name, None if plotting else self._use_missing)

    def _use_missing(self, qualified: str, origin: str) -> str:
        where = self.where(sys._getframe(2))
        if not self.testing:
            return where  # while loading, a stand-in gives stand-ins: only its users' tests fail
        if where == "outside your code" and origin:
            where = f"made at {origin}"
        top = qualified.partition(".")[0]
        raise ModuleNotFoundError(f"`{qualified}` needs the module {top!r}, which is not installed where "
                                  f"submissions are graded ({where}); solve it with what the assignment "
                                  "allows", name=top)

    def _handled(self, filename: str, line: int) -> bool:
        """Is line ``line`` of ``filename`` inside a ``try`` that catches ImportError?"""
        if filename not in self._trees:
            try:
                self._trees[filename] = syntax.parse(self._sources.get(filename, ""))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._trees[filename] = None
        tree = self._trees[filename]
        if tree is None:
            return False
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and node.body and \
                    node.body[0].lineno <= line <= (node.body[-1].end_lineno or line):
                if any(_catches_import_error(handler) for handler in node.handlers):
                    return True
        return False


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, ast.Name) and k.id in _IMPORT_ERRORS
               or isinstance(k, ast.Attribute) and k.attr in _IMPORT_ERRORS for k in kinds)


def _importer(frame):
    """The frame that asked for an import: the first one outside the import machinery."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith("<frozen importlib") or
                str(frame.f_globals.get("__name__", "")).startswith("importlib") or
                frame.f_globals.get("__name__") == __name__):
            return frame
        frame = frame.f_back
    return None


def _is_dynamic(filename: str) -> bool:
    """Code compiled from a string (``exec``), not read from a library's file."""
    return filename.startswith("<") and not filename.startswith("<frozen")


class _MissingFinder(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: asked only when no other finder has the module."""

    def __init__(self, standins: StandIns):
        self.standins = standins

    def find_spec(self, name, path=None, target=None):
        module = self.standins.missing(name, sys._getframe(1))
        if module is None:
            return None
        return importlib.util.spec_from_loader(name, GivenLoader(module), is_package=True)


class _PlottingFinder(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path``: an installed matplotlib draws off screen and writes no file."""

    def find_spec(self, name, path=None, target=None):
        if name == "matplotlib":
            os.environ["MPLBACKEND"] = "Agg"
            return None
        if name not in _MATPLOTLIB_NO_OPS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Patched(spec.loader, _MATPLOTLIB_NO_OPS[name])
        return spec


class _Patched(importlib.abc.Loader):
    """A real module's loader that, once the module has run, replaces ``no_ops`` (names,
    or ``Class.method``) by functions that do nothing."""

    def __init__(self, loader, no_ops: tuple[str, ...]):
        self.loader, self.no_ops = loader, no_ops

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        for dotted in self.no_ops:
            owner_name, _, attribute = dotted.rpartition(".")
            owner = getattr(module, owner_name, None) if owner_name else module
            if owner is not None and hasattr(owner, attribute):
                setattr(owner, attribute, _nothing)


class GivenLoader(importlib.abc.Loader):
    """Hands out a module made in advance (a stand-in, a proxy); runs nothing."""

    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        return None


def _nothing(*args, **kwargs) -> None:
    """Plotting output that nobody can see: does nothing."""
    return None


def _display(*objects, **options) -> None:
    """IPython's display() outside Jupyter: print what it is given."""
    for value in objects:
        print(repr(value))


class _NoIPython:
    """get_ipython() outside Jupyter: every magic or shell call does nothing."""

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _nothing


def _no_ipython() -> _NoIPython:
    return _NoIPython()
