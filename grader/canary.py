"""The canary of a release: proof that the sandbox works here, before a student is told
their code is wrong, without any reference code.

The instructor's canary grades the reference through the worker; a release has no
reference. Its canary replays *recorded inputs* instead. For each visible test the
release holds a canary probe that runs that very probe, with that test's generator at
the release seed, on a *recorder*: a stand-in module whose first function call records
its arguments and stops the probe (``_Stop`` is a BaseException, so a probe's ``except
Exception`` cannot swallow it). The canary probe returns those arguments, and for every
floating-point array among them a product ``a @ a.T`` (BLAS), ``tanh`` and, for tensors,
the gradient of ``tanh(x).sum()`` (autograd). At release time the instructor's grader
computes these outputs on its trusted side and records them; on the student's machine
the canary probes run in the sandboxed worker, through the same channel, and must
reproduce them within the default tolerances.

So a passing canary shows: the worker starts and enters the sandbox; NumPy (and torch)
import and compute there; the probes' code compiles and runs in the sandbox; and the
inputs the student's code will get are the very inputs the recorded expected outputs
were computed from (a NumPy whose generator streams differ, or a broken BLAS, fails the
canary rather than every test). A failing canary stops `grader check` with exit 3 and
its cause, and no verdict is given.
"""
from __future__ import annotations

import types

from grader import protocol
from grader.diagnosis import quiet

PREFIX = "canary__"

_RUNTIME = '''
class _CanaryStop(BaseException):
    pass


class _CanaryRecorder:
    def __init__(self):
        self.first = None

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            if self.first is None:
                self.first = {"function": name, "args": list(args), "kwargs": dict(kwargs)}
            raise _CanaryStop()
        return call


def _canary_leaves(value, found):
    if isinstance(value, dict):
        for key in sorted(value):
            _canary_leaves(value[key], found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _canary_leaves(item, found)
    else:
        found.append(value)
    return found


def _canary_checks(value):
    import sys
    import numpy
    torch = sys.modules.get("torch")
    checks = []
    for leaf in _canary_leaves(value, []):
        if torch is not None and isinstance(leaf, torch.Tensor) and leaf.is_floating_point():
            x = leaf.detach().clone().requires_grad_(True)
            x.tanh().sum().backward()
            flat = x.detach().reshape(x.shape[0] if x.dim() else 1, -1)
            checks.append({"product": flat @ flat.T, "gradient": x.grad})
        elif isinstance(leaf, numpy.ndarray) and leaf.dtype.kind == "f":
            flat = leaf.reshape(leaf.shape[0] if leaf.ndim else 1, -1)
            checks.append({"product": flat @ flat.T, "tanh": numpy.tanh(leaf)})
    return checks


def _canary_replay(function, test):
    from grader.probe import rng_for
    recorder = _CanaryRecorder()
    stopped = "returned"
    try:
        function(recorder, rng_for(_CANARY_SEED, test))
    except _CanaryStop:
        stopped = "stopped at the first call"
    except Exception as exc:
        stopped = "raised " + type(exc).__name__
    first = recorder.first or {"function": "", "args": [], "kwargs": {}}
    return {"stopped": stopped, "function": first["function"], "args": _canary_plain(first["args"]),
            "kwargs": _canary_plain(first["kwargs"]), "checks": _canary_checks([first["args"], first["kwargs"]])}


def _canary_plain(value):
    import sys
    import numpy
    torch = sys.modules.get("torch")
    if isinstance(value, dict):
        return {str(key): _canary_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canary_plain(item) for item in value]
    if value is None or type(value) in (str, bool, int, float, complex) or isinstance(value, numpy.ndarray):
        return value
    if isinstance(value, numpy.generic) or (torch is not None and type(value) is torch.Tensor):
        return value
    return "<" + type(value).__name__ + ">"
'''


def source(tests: tuple[str, ...], seed: int) -> str:
    """The canary probes' source for ``tests`` (appended to the visible probes' excerpt,
    which defines the probe functions it calls and imports ``probe``)."""
    lines = [f"_CANARY_SEED = {int(seed)}", _RUNTIME]
    for test in tests:
        lines.append(f"@probe(calls=())\ndef {PREFIX}{test}(m, rng):\n    return _canary_replay({test}, {test!r})\n")
    return "\n".join(lines)


def ids(tests: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(PREFIX + test for test in tests)


def record(probes_source: str, tests: tuple[str, ...], seed: int) -> list[dict]:
    """The canary's outputs, computed here on the trusted side: ``[{"id", "expected"}]``."""
    from grader.probe import collect
    module = types.ModuleType("_grader_canary")
    code = probes_source + "\n" + source(tests, seed)
    exec(compile(code, "<canary>", "exec", dont_inherit=True), module.__dict__)  # noqa: S102 - course code
    found = {p.id: p for p in collect(module)}
    recorded = []
    for test in ids(tests):
        with quiet():
            recorded.append({"id": test, "expected": protocol.to_plain(found[test].run(None, seed))})
    return recorded


def submission(framework: str) -> str:
    """The canary's stand-in for a student's file: it imports the framework, nothing else."""
    return "import numpy as np\n" + ("import torch\n" if framework == "torch" else "")
