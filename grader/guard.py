"""Run-time tripwires for forbidden routines, installed in the worker child.

Forbidden modules are taken out of ``sys.modules`` (the zygote pre-imports torch) and a
finder at the front of ``sys.meta_path`` records every import of one, wherever it comes
from (``import``, ``importlib.import_module``, ``__import__``), then hands back the module
so the submission keeps running. Forbidden routines are replaced on their module by a
wrapper that records the call and calls through. Each event names the routine and the
line of the student's code that reached it; the grader fails the tests it happened in.
"""
from __future__ import annotations

import functools
import importlib
import importlib.abc
import importlib.util
import sys
import types


class Guard:
    def __init__(self, modules, calls, filenames):
        self.modules = frozenset(modules)
        self.calls = tuple(calls)
        self.filenames = frozenset(filenames)
        self.events: list[dict] = []
        self.stash: dict = {}

    def install(self) -> None:
        for dotted in self.calls:
            self._wrap(dotted)
        if self.modules:
            for name in list(sys.modules):
                if name.split(".")[0] in self.modules:
                    self.stash[name] = sys.modules.pop(name)
            sys.meta_path.insert(0, _Finder(self))

    def take(self) -> list[dict]:
        """The events since the last call."""
        events, self.events = self.events, []
        return events

    def record(self, what: str) -> None:
        self.events.append({"what": what, "where": self.student_line()})

    def student_line(self) -> str:
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename in self.filenames:
                return f"{frame.f_code.co_filename}, line {frame.f_lineno}"
            frame = frame.f_back
        return "outside your code"

    def _wrap(self, dotted: str) -> None:
        owner_name, _, attribute = dotted.rpartition(".")
        try:
            owner = importlib.import_module(owner_name)
            original = getattr(owner, attribute)
        except (ImportError, AttributeError):
            return  # this runtime has no such routine: nothing to guard
        setattr(owner, attribute, self._tripwire(dotted, original))

    def _tripwire(self, dotted: str, original):
        guard = self
        if isinstance(original, type):
            class Tripwire(original):
                def __init__(self, *args, **kwargs):
                    guard.record(dotted)
                    super().__init__(*args, **kwargs)
            Tripwire.__name__ = original.__name__
            Tripwire.__qualname__ = original.__qualname__
            return Tripwire

        @functools.wraps(original)
        def tripwire(*args, **kwargs):
            guard.record(dotted)
            return original(*args, **kwargs)
        return tripwire


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, guard: Guard):
        self.guard = guard

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] not in self.guard.modules:
            return None
        self.guard.record(f"import {name}")
        module = self.guard.stash.get(name) or _Absent(name, self.guard)
        return importlib.util.spec_from_loader(name, _StashLoader(module), is_package=True)


class ForbiddenRoutine(ImportError):
    """Raised by a stand-in for a forbidden module that this runtime does not have."""


class _Absent(types.ModuleType):
    """A forbidden module that is not installed: importing it works (so the rest of the
    submission still loads), using anything from it records the use and raises."""

    def __init__(self, name: str, guard: Guard):
        super().__init__(name)
        self.__path__ = []
        self._guard = guard

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return _AbsentRoutine(f"{self.__name__}.{attribute}", self._guard)


class _AbsentRoutine:
    def __init__(self, name: str, guard: Guard):
        self._name, self._guard = name, guard

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return _AbsentRoutine(f"{self._name}.{attribute}", self._guard)

    def __call__(self, *args, **kwargs):
        self._guard.record(self._name)
        raise ForbiddenRoutine(f"{self._name} is forbidden in this assignment (and not available here)")


class _StashLoader(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        return None
