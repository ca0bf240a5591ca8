"""A probe that raised instead of returning, as the diagnosis matches it.

A raised exception is matched to a known mistake by three things, all of which must
agree: its qualified type, its normalised message, and the student-facing function it
came out of. The worker (sandboxed child) reports them for the student's code; the
diagnoser computes them for a mistake on the trusted side, with the same functions.

- The message is ``str(exc)`` with runs of white space made one space, memory addresses
  (``0x7f...``) replaced by ``0x?``, and cut to ``MAX_MESSAGE`` characters. Numbers and
  shapes are kept: two bugs that fail the same call with different shapes are different
  bugs, and the diagnosis would rather say nothing than name the wrong one.
- The function is the qualified name (``f`` or ``Class.method``) of the outermost frame of
  the submission's code in the traceback: the function of the assignment's contract that
  the probe called, even when the exception came from a helper it used.

The child reports these as data; the grader checks them against the frame schema and
believes nothing more (a student may raise any exception with any message; then the
student only gets a wrong diagnosis, as if the code had that mistake).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_MESSAGE = 300
MAX_NAME = 300
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")


@dataclass(frozen=True)
class Raised:
    """A probe that raised: ``exception`` (module.qualname of its type), ``message``
    (normalised, see the module docstring) and ``function`` (where it came out of the
    submission's code; "" when not known)."""

    exception: str
    message: str = ""
    function: str = ""


def exception_name(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__qualname__}"[:MAX_NAME]


def message(exc: BaseException) -> str:
    """``str(exc)`` normalised; "" when its ``__str__`` raises."""
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise
        return ""
    return _ADDRESS.sub("0x?", " ".join(text.split()))[:MAX_MESSAGE]


def function(exc: BaseException, filenames) -> str:
    """The qualified name of the outermost traceback frame whose file is one of ``filenames``."""
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename in filenames:
            return getattr(code, "co_qualname", code.co_name)[:MAX_NAME]
        tb = tb.tb_next
    return ""


def of(exc: BaseException, filenames) -> Raised:
    """The Raised of ``exc``, raised by code in ``filenames``."""
    return Raised(exception_name(exc), message(exc), function(exc, filenames))
