"""Run-time tripwires for forbidden routines, installed in the worker child.

Forbidden modules are taken out of ``sys.modules`` (the zygote pre-imports torch) and a
finder at the front of ``sys.meta_path`` answers every import of one, whatever spelled
it (``import``, ``__import__``, ``importlib.import_module``, ``importlib.util``, ``exec``,
a library the submission imports), with a *recording proxy* of the real module: reading
one of its attributes, or calling a routine read from it, is an event, whenever it
happens; the submission keeps running. Forbidden routines of allowed modules are
replaced, on every module near them that holds them (torch.nn.functional and
torch._C._nn for scaled_dot_product_attention), by a wrapper that records the call and
calls through.

An event names the routine (``torch.softmax``, ``import torch``) and where the
submission reached it: ``"<file>, line N"``, the innermost line of the submission's own
code on the stack. While the submission loads, the module-level line that was running
is added when it differs: ``"<file>, line N, run from <file>, line M"``; the grader
(grader.forbidden) attributes such a load-time event to the names that line binds. The
events of a test fail that test.

What this cannot see: a submission that digs the real module out of the interpreter
(``gc.get_objects()``, the finder's own state), re-executes a library from its files,
or calls its shared library through ``ctypes``; and a class read from a forbidden
module at load time through a binding no parser can see (``exec``, ``globals()[...]``)
and instantiated later. The static scan (grader.forbidden) covers the usual spellings.
"""
from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import sys
import types

from grader.standin import GivenLoader, StandIn

MAX_EVENTS = 100  # per test (and for loading): the frame schema's bound


class Guard:
    """Records uses of ``modules`` (top-level names, e.g. "torch") and ``calls`` (dotted
    names, e.g. "torch.nn.functional.scaled_dot_product_attention") by the code units
    named ``filenames``."""

    def __init__(self, modules, calls, filenames):
        self.modules = frozenset(modules)
        self.calls = tuple(calls)
        self.filenames = frozenset(filenames)
        self.testing = False  # set by the worker once the submission has loaded
        self.events: list[dict] = []
        self._seen: set = set()
        self.stash: dict = {}
        self._proxies: dict[int, tuple] = {}   # id(real module) -> (real, proxy)
        self._wrappers: dict[int, tuple] = {}  # id(real routine) -> (real, wrapper)
        self._trusted: set[int] = set()        # ids of the grader's modules' globals

    def install(self) -> None:
        self._trusted = {id(vars(sys.modules[name])) for name in list(sys.modules)
                         if name.startswith("grader.") or name == "__main__"}
        if self.calls:
            self._wrap_calls()
        if self.modules:
            for name in list(sys.modules):
                if name.partition(".")[0] in self.modules:
                    self.stash[name] = sys.modules.pop(name)
            sys.meta_path.insert(0, _Finder(self))

    def take(self) -> list[dict]:
        """The events since the last call."""
        events, self.events, self._seen = self.events, [], set()
        return events

    def record(self, what: str) -> None:
        """An event, unless the grader's own code in this child (grader.protocol looking
        for torch.Tensor in an output) is what reached the module."""
        if len(self.events) >= MAX_EVENTS or self._by_the_grader(sys._getframe(1)):
            return
        where = self.where(sys._getframe(1))
        if (what, where) not in self._seen:
            self._seen.add((what, where))
            self.events.append({"what": what, "where": where})

    def _by_the_grader(self, frame) -> bool:
        """Is the first frame outside this module and the import machinery the grader's?
        (Told by the identity of its globals: a name can be forged, those dicts cannot.)"""
        while frame is not None:
            globals_ = frame.f_globals
            if globals_ is not _OWN_GLOBALS and globals_ is not _STANDIN_GLOBALS and not str(
                    globals_.get("__name__", "")).startswith(
                    ("importlib", "_frozen_importlib")):
                return id(globals_) in self._trusted
            frame = frame.f_back
        return False

    def where(self, frame) -> str:
        inner = outer = None
        while frame is not None:
            code = frame.f_code
            if code.co_filename in self.filenames:
                inner = inner or (code.co_filename, frame.f_lineno)
                if code.co_name == "<module>":
                    outer = (code.co_filename, frame.f_lineno)
            frame = frame.f_back
        if inner is None:
            return "outside your code"
        text = f"{inner[0]}, line {inner[1]}"
        if outer is not None and outer != inner and not self.testing:
            text += f", run from {outer[0]}, line {outer[1]}"
        return text

    # -- recording proxies of forbidden modules
    def proxy(self, module: types.ModuleType) -> types.ModuleType:
        entry = self._proxies.get(id(module))
        if entry is None:
            entry = self._proxies[id(module)] = (module, _ModuleProxy(module, self))
        return entry[1]

    def wrap(self, value, qualified: str):
        """What a proxy hands out for ``value``: a proxy for a forbidden module, a
        recording wrapper for a routine, the value itself for anything else."""
        if isinstance(value, types.ModuleType):
            forbidden = getattr(value, "__name__", "").partition(".")[0] in self.modules
            return self.proxy(value) if forbidden else value
        if isinstance(value, type) or not callable(value):
            return value  # classes stay themselves (isinstance, subclassing); reading one is the event
        entry = self._wrappers.get(id(value))
        if entry is None:
            entry = self._wrappers[id(value)] = (value, _Recorded(value, qualified, self))
        return entry[1]

    # -- tripwires on forbidden routines of allowed modules
    def _wrap_calls(self) -> None:
        """Replace each forbidden routine by its tripwire on every module near it that holds
        it under its own name: the modules under its owner (torch.nn.* for
        torch.nn.MultiheadAttention), the module that defines it (torch._C._nn) and their
        ancestors."""
        found = []
        for dotted in self.calls:
            owner_name, _, attribute = dotted.rpartition(".")
            try:
                found.append((dotted, attribute, getattr(importlib.import_module(owner_name), attribute)))
            except (ImportError, AttributeError):
                continue  # this runtime has no such routine: nothing to guard
        holders = [sys.modules[name] for name in _neighbourhood(found) if sys.modules.get(name) is not None]
        for dotted, attribute, original in found:  # a lookup per module: no walk over their objects
            for module in holders:
                namespace = getattr(module, "__dict__", None)
                if isinstance(namespace, dict) and namespace.get(attribute) is original:
                    setattr(module, attribute, self._tripwire(dotted, original))

    def _tripwire(self, dotted: str, original):
        entry = self._wrappers.get(id(original))
        if entry is not None:
            return entry[1]
        guard = self
        if isinstance(original, type):
            class Tripwire(original):
                def __init__(self, *args, **kwargs):
                    guard.record(dotted)
                    super().__init__(*args, **kwargs)
            Tripwire.__name__ = original.__name__
            Tripwire.__qualname__ = original.__qualname__
            Tripwire.__module__ = original.__module__
            wrapper = Tripwire
        else:
            @functools.wraps(original)
            def wrapper(*args, **kwargs):
                guard.record(dotted)
                return original(*args, **kwargs)
        self._wrappers[id(original)] = (original, wrapper)
        return wrapper


_OWN_GLOBALS = globals()
# a stand-in for a forbidden module this runtime has not loaded only passes its caller's use
# on: the first frame past it says who used the module
_STANDIN_GLOBALS = vars(sys.modules[StandIn.__module__])


def _neighbourhood(found: list) -> list[str]:
    """Names of the loaded modules where the routines in ``found`` may also be bound."""
    prefixes, exact = set(), set()
    for dotted, _, original in found:
        owner = dotted.rpartition(".")[0]
        prefixes.add(owner + ".")
        for name in (owner, str(getattr(original, "__module__", "") or "")):
            parts = name.split(".")
            exact.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    prefixes, exact = tuple(prefixes), frozenset(exact)
    return [name for name in list(sys.modules) if name in exact or name.startswith(prefixes)]


class _ModuleProxy(types.ModuleType):
    """A forbidden module as the submission sees it: every attribute read from it is an
    event, every routine read from it records its calls, submodules are proxies too.
    Attributes set on it (e.g. submodules, by the import system) stay on the proxy."""

    def __init__(self, target: types.ModuleType, guard: Guard):
        super().__init__(target.__name__, getattr(target, "__doc__", None))
        self.__dict__["__grader_target__"] = target
        self.__dict__["__grader_guard__"] = guard
        self.__spec__ = importlib.util.spec_from_loader(target.__name__, GivenLoader(self),
                                                        is_package=hasattr(target, "__path__"))
        self.__loader__ = self.__spec__.loader

    def __getattr__(self, name):
        target = self.__dict__["__grader_target__"]
        value = getattr(target, name)
        if name.startswith("__") and name.endswith("__"):
            return value
        guard = self.__dict__["__grader_guard__"]
        qualified = f"{target.__name__}.{name}"
        guard.record(qualified)
        return guard.wrap(value, qualified)

    def __dir__(self):
        return dir(self.__dict__["__grader_target__"])

    def __repr__(self):
        return f"<module {self.__name__!r}>"


class _Recorded:
    """A routine of a forbidden module: each call is an event, then calls through."""

    __slots__ = ("_routine", "_name", "_guard")

    def __init__(self, routine, name: str, guard: Guard):
        self._routine, self._name, self._guard = routine, name, guard

    def __call__(self, *args, **kwargs):
        self._guard.record(self._name)
        return self._routine(*args, **kwargs)

    def __getattr__(self, name):
        value = getattr(self._routine, name)
        if name.startswith("__") and name.endswith("__"):
            return value
        return self._guard.wrap(value, f"{self._name}.{name}")

    def __repr__(self):
        return repr(self._routine)


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, guard: Guard):
        self.guard = guard

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] not in self.guard.modules:
            return None
        self.guard.record(f"import {name}")
        real = self.guard.stash.get(name)
        if real is not None:
            return self.guard.proxy(real).__spec__
        module = StandIn(name, on_use=self._absent_use)
        return importlib.util.spec_from_loader(name, GivenLoader(module), is_package=True)

    def _absent_use(self, qualified: str, origin: str) -> str:
        self.guard.record(qualified)
        if not self.guard.testing:
            return ""  # while loading, a stand-in gives stand-ins (the event taints its users)
        raise ForbiddenRoutine(f"{qualified} is forbidden in this assignment, so it is not available here")


class ForbiddenRoutine(ImportError):
    """Raised by a stand-in for a forbidden module that this runtime does not have."""


