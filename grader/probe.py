"""Probes: the tests of an assignment, written as plain functions of a module.

A probe calls a module the way a student's code is meant to be called and returns what
it produced, as a dict of named outputs::

    @probe(calls=("softmax",))
    def softmax_rows(m, rng):
        "softmax(z) of a (4, 5) array, along the last axis"
        return {"p": m.softmax(rng.normal(size=(4, 5)))}

The grader runs the same probe with the same seed on the reference (trusted side) and
on the submission (in the worker) and compares the two output trees. No expected value
is ever written by hand.
"""
from __future__ import annotations

import hashlib
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

import numpy as np

DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-6


@dataclass(frozen=True)
class Probe:
    """One test: the function, what it calls, and how its outputs are compared.

    ``atol`` is relative to the magnitude of each output (its largest finite absolute
    expected value), so that a float32 computation that is off only by rounding passes.
    """

    id: str
    func: Callable
    calls: tuple[str, ...]
    rtol: float
    atol: float
    description: str

    def run(self, module, seed: int):
        """Call the probe on ``module`` with the generator for ``seed``."""
        return self.func(module, rng_for(seed, self.id))


def probe(*, calls: tuple[str, ...] | list[str], rtol: float = DEFAULT_RTOL,
          atol: float = DEFAULT_ATOL) -> Callable:
    """Mark a function as a probe; ``calls`` names the submission's functions it uses."""
    if isinstance(calls, str):
        raise TypeError(f"probe(calls=...) takes a tuple of names, not the string {calls!r}")

    def mark(func: Callable) -> Callable:
        doc = (func.__doc__ or func.__name__).strip().splitlines()[0]
        func.__probe__ = Probe(func.__name__, func, tuple(calls), float(rtol), float(atol), doc)
        return func

    return mark


def rng_for(seed: int, probe_id: str) -> np.random.Generator:
    """The generator a probe gets: the same for reference and submission, per run seed."""
    digest = hashlib.sha256(f"{seed}:{probe_id}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def collect(module: ModuleType) -> tuple[Probe, ...]:
    """Every probe defined in ``module``, in definition order."""
    found = [value.__probe__ for value in vars(module).values()
             if callable(value) and isinstance(getattr(value, "__probe__", None), Probe)]
    return tuple(found)


def load_module(path: Path, name: str) -> ModuleType:
    """Import a trusted Python file (probes, reference, mistake) under a private name."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
