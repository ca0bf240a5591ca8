"""Run a check in a forked child, so that what it installs (filters, rulesets) stays there."""
from __future__ import annotations

import json
import os


def in_child(fn):
    """Run ``fn()`` in a forked child; return its (JSON-able) result, or raise its error."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            try:
                out = {"result": fn()}
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                out = {"error": f"{type(exc).__name__}: {exc}"}
            os.write(write_end, json.dumps(out).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert data, f"the child died without reporting (wait status {status:#x})"
    out = json.loads(data)
    if "error" in out:
        raise AssertionError(f"in the child: {out['error']}")
    return out["result"]


def outcome(call) -> str:
    """"ok", or the name of the OSError ``call()`` raised."""
    try:
        call()
    except OSError as exc:
        return type(exc).__name__
    return "ok"
