"""Processes this test run left behind: descendants of the pytest process run as a uid.

Only descendants count, so that other grader runs on the same machine (another checkout's
tests, a CI job beside this one) never make a check of this run fail."""
from __future__ import annotations

import os
import time
from pathlib import Path


def _status(pid: str) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def descendants_running_as(uid: int, ancestor: int | None = None) -> list[str]:
    """Pids of live processes of ``uid`` below ``ancestor`` (default: this process)."""
    ancestor = os.getpid() if ancestor is None else ancestor
    table = {pid: _status(pid) for pid in os.listdir("/proc") if pid.isdigit()}
    parents = {pid: s.get("PPid", "0").strip() for pid, s in table.items() if s}
    found = []
    for pid, status in table.items():
        if not status or int(status.get("Uid", "-1 ").split()[0]) != uid:
            continue
        if status.get("State", "").strip().startswith("Z"):
            continue
        current, seen = pid, set()
        while current in parents and current not in seen:
            seen.add(current)
            current = parents[current]
            if current == str(ancestor):
                found.append(pid)
                break
    return found


def wait_until_none_left(uid: int = 65534, seconds: float = 5.0) -> list[str]:
    """Poll until no descendant of ``uid`` is left; return those still alive after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := descendants_running_as(uid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left
