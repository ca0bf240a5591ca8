"""``grader.check()``: the self-check in one line, from a notebook, a script or a file.

What is checked:

- ``grader.check()`` in a Jupyter or IPython kernel: the cells the kernel has run, in the
  order it ran them (IPython's input history), graded as the cells of a notebook: the
  functions as you last defined them, whether or not the notebook is saved;
- ``grader.check("softmax.ipynb")`` (or a .py): that file as saved;
- ``grader.check()`` in a script run as ``python softmax.py``: that script.

The release is the ``*.selfcheck.json`` beside the file (for a kernel: in its working
folder, usually the notebook's) or in a folder above it, or ``release=``. Everything
then happens as in `grader check` (grader.checker): the canary, the visible tests in the
sandboxed worker, the same messages and diagnoses, printed. Nothing of the kernel itself
runs the student's code again: the cells run in a fresh, sandboxed process.
"""
from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Result:
    """The outcome of ``grader.check()``; ``report`` is the full report document."""

    passed: bool
    score: float
    max_score: float
    report: dict

    def __repr__(self) -> str:
        verdict = "all visible tests pass" if self.passed else "some visible tests fail"
        return f"<grader check: {self.score:g}/{self.max_score:g}, {verdict}>"


def check(path=None, *, release=None, timeout=None) -> Result | None:
    """See the module docstring; prints the explanations, returns the Result (None, with
    the reason printed, when the check cannot run here)."""
    from grader import text
    try:
        return _check(path, release, timeout)
    except _CannotCheck as exc:
        _stderr().print(f"[red]grader.check():[/] {text.terminal(str(exc))}")
        return None


def _stderr():
    from rich.console import Console
    return Console(stderr=True, highlight=False, soft_wrap=True)


class _CannotCheck(Exception):
    pass


def _check(path, release, timeout) -> Result:
    from grader import checker, render, sandbox, selfcheck, text
    from grader.grading import CanaryFailed
    from grader.limits import Limits
    from grader.pool import WorkerFault
    with tempfile.TemporaryDirectory(prefix="grader-kernel-") as folder:
        file = Path(path) if path is not None else _kernel_file(Path(folder))
        from_kernel = file.parent == Path(folder)
        anchor = Path.cwd() / file.name if from_kernel else file  # where the release is looked for
        try:
            found = selfcheck.find(anchor, release)
            if found is None:
                raise _CannotCheck(f"no release (*.selfcheck.json) beside {anchor} or in a folder above it; "
                                   "work in the release's folder, or pass release='FOLDER'")
            check_ = selfcheck.read(found)
        except selfcheck.SelfCheckError as exc:
            raise _CannotCheck(str(exc)) from None
        if from_kernel:
            file = file.rename(file.with_name(f"{check_.assignment}.ipynb"))
        missing = checker.released(check_).missing_framework
        if missing:
            raise _CannotCheck(missing)
        limits = Limits(timeout_s=timeout) if timeout else Limits()
        layers = sandbox.detect()
        for warning in layers.warnings:  # what the sandbox cannot do on this machine
            _stderr().print(f"[yellow]grader.check(): warning:[/] {text.terminal(warning)}")
        try:
            document = checker.check_file(file, check_, layers, limits)
        except (CanaryFailed, WorkerFault) as exc:
            raise _CannotCheck(f"grader fault: {exc}") from None
    render.check(document)
    passed = all(t["status"] == "passed" for t in document["tests"]) and not document["load_errors"]
    return Result(passed, document["score"], document["max_score"], document)


def _kernel_file(folder: Path) -> Path:
    """What the running IPython kernel has run, as a notebook in ``folder``; else the
    script being run."""
    shell = _shell()
    if shell is not None:
        import nbformat
        cells = [cell for cell in shell.history_manager.input_hist_raw[1:] if cell.strip()]
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
        target = folder / "kernel.ipynb"
        target.write_text(nbformat.writes(notebook), encoding="utf-8")
        return target
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    if script and Path(script).suffix in (".py", ".ipynb"):
        return Path(script)
    raise _CannotCheck("not in a notebook and not in a script: pass the file to check, "
                       "e.g. grader.check('softmax.py')")


def _shell():
    """The running IPython shell, if any (IPython is not a dependency)."""
    module = sys.modules.get("IPython")
    if module is None:
        return None
    try:
        return module.get_ipython()
    except Exception:  # noqa: BLE001 - an IPython too old or half-imported
        return None
