"""Per-submission control groups: a memory limit (swap included), a process-count limit,
and a kill that leaves nothing behind.

A group lives under the current process's own cgroup in each hierarchy, at
``<own cgroup>/grader/<name>``, so it works inside containers that delegate their cgroup.
Two layouts are supported:

- cgroup v1 (or hybrid): ``memory`` and ``pids`` v1 hierarchies; the kill uses the v2
  ``cgroup.kill`` of a hybrid ``unified`` hierarchy when there is one, else the v1
  ``freezer``, else a loop of SIGKILLs;
- cgroup v2 with the ``memory`` and ``pids`` controllers: ``memory.max``,
  ``memory.swap.max = 0``, ``pids.max`` and ``cgroup.kill``. ``grader/`` is the parent
  that enables the controllers for its children (the no-internal-process rule).

Every failure raises ``CgroupError`` naming the file and the next step; a failed
``Group.create`` removes whatever directories it had made.
"""
from __future__ import annotations

import errno
import os
import re
import signal
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CgroupError", "Group", "available"]

_PARENT = "grader"
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
_KILL_SECONDS = 2.0
_RMDIR_SECONDS = 1.0


class CgroupError(RuntimeError):
    """A control group could not be created, filled, read, killed or removed."""


@dataclass(frozen=True)
class _Mount:
    path: Path  # where the hierarchy is mounted
    root: str  # which cgroup of the hierarchy is mounted there
    version: int  # 1 or 2
    controllers: frozenset[str]  # v1: from the mount options; v2: empty here


def _unescape(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _mounts() -> list[_Mount]:
    mounts = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            head, _, tail = line.partition(" - ")
            fields, (fstype, _source, options) = head.split(), tail.split()[:3]
            if fstype not in ("cgroup", "cgroup2"):
                continue
            names = frozenset(options.split(",")) if fstype == "cgroup" else frozenset()
            mounts.append(_Mount(Path(_unescape(fields[4])), _unescape(fields[3]),
                                 1 if fstype == "cgroup" else 2, names))
    return mounts


def _own_paths() -> dict[str, str]:
    """Controller (v1) or "" (v2) -> the current process's cgroup path in it."""
    paths = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            _id, controllers, path = line.rstrip("\n").split(":", 2)
            for controller in controllers.split(","):
                paths[controller] = path
    return paths


def _own_dir(controller: str) -> Path | None:
    """The directory of the current process's cgroup in the hierarchy of ``controller``
    ("" = the v2 hierarchy), or None when that hierarchy is not mounted where we see it."""
    path = _own_paths().get(controller)
    if path is None:
        return None
    for mount in _mounts():
        if (mount.version == 2) != (controller == "") or (
                controller and controller not in mount.controllers):
            continue
        root = mount.root.rstrip("/")
        if path == root or path.startswith(root + "/"):
            return mount.path / path[len(root):].lstrip("/")
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise CgroupError(f"cgroup: cannot read {path}: {exc.strerror}") from exc


def _write(path: Path, value: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, value.encode())
        finally:
            os.close(fd)
    except OSError as exc:
        raise CgroupError(f"cgroup: cannot write {value!r} to {path}: {exc.strerror}") from exc


def _procs(directory: Path) -> set[int]:
    try:
        return {int(pid) for pid in (directory / "cgroup.procs").read_text().split()}
    except FileNotFoundError:
        return set()


def _keyed(path: Path, key: str) -> int | None:
    """The value of ``key`` in a flat keyed file (``memory.events``, ``memory.oom_control``)."""
    if not path.exists():
        return None
    for line in _read(path).splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return None


def _make(directory: Path, made: list[Path]) -> None:
    """mkdir ``directory`` (and its ``grader`` parent if needed), recording what was made."""
    for _attempt in range(5):
        try:
            directory.parent.mkdir()
            made.append(directory.parent)
        except FileExistsError:
            pass
        except OSError as exc:
            raise CgroupError(f"cgroup: cannot create {directory.parent}: {exc.strerror} "
                              "(is this cgroup writable, or delegated to this user?)") from exc
        try:
            directory.mkdir()
            made.append(directory)
            return
        except FileNotFoundError:
            continue  # another grader removed the shared parent meanwhile: make it again
        except FileExistsError as exc:
            raise CgroupError(f"cgroup: {directory} already exists: a group named "
                              f"{directory.name!r} is in use (or was not removed)") from exc
        except OSError as exc:
            raise CgroupError(f"cgroup: cannot create {directory}: {exc.strerror}") from exc
    raise CgroupError(f"cgroup: {directory.parent} keeps disappearing; cannot create the group")


def _rmdir(directory: Path, wait: float = 0.0) -> bool:
    """Remove an empty cgroup directory; retry for ``wait`` seconds while it is busy."""
    deadline = time.monotonic() + wait
    while True:
        try:
            directory.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError as exc:
            if exc.errno not in (errno.EBUSY, errno.ENOTEMPTY) or time.monotonic() >= deadline:
                return False
            time.sleep(0.01)


def _undo(made: list[Path]) -> None:
    for directory in reversed(made):
        _rmdir(directory, wait=_RMDIR_SECONDS if directory.name != _PARENT else 0.0)


@dataclass(frozen=True)
class Group:
    """One submission's control group (a directory in each hierarchy)."""

    name: str
    kind: str  # "v1" or "v2"
    memory: Path  # the group's directory in the memory hierarchy
    pids: Path  # ... in the pids hierarchy (the same directory on v2)
    killer: Path | None = None  # a v2 directory with cgroup.kill
    freezer: Path | None = None  # a v1 freezer directory, used when there is no killer

    @property
    def dirs(self) -> tuple[Path, ...]:
        found = (self.memory, self.pids, self.killer, self.freezer)
        return tuple(dict.fromkeys(d for d in found if d is not None))

    @classmethod
    def create(cls, name: str, memory_bytes: int, max_pids: int) -> Group:
        """Make ``grader/<name>`` with the limits in every hierarchy, or raise
        ``CgroupError`` having removed whatever it made."""
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise CgroupError(f"cgroup: bad group name {name!r}: use letters, digits, "
                              "'_', '.', '-' (at most 100, not starting with '.' or '-')")
        if memory_bytes < 1 << 20 or max_pids < 1:
            raise CgroupError(f"cgroup: limits too small: memory_bytes={memory_bytes} "
                              f"(at least 1 MiB), max_pids={max_pids} (at least 1)")
        made: list[Path] = []
        try:
            if _own_dir("memory") is not None and _own_dir("pids") is not None:
                return _create_v1(name, memory_bytes, max_pids, made)
            return _create_v2(name, memory_bytes, max_pids, made)
        except BaseException:
            _undo(made)
            raise

    def add(self, pid: int) -> None:
        """Move process ``pid`` (with its future children) into the group."""
        for directory in self.dirs:
            _write(directory / "cgroup.procs", str(pid))

    def processes(self) -> set[int]:
        """The processes in the group, in any of its hierarchies."""
        return set().union(*(_procs(directory) for directory in self.dirs))

    def set_limits(self, memory_bytes: int, max_pids: int) -> None:
        """Change the limits (between two submissions of a reused group)."""
        if self.kind == "v2":
            _write(self.memory / "memory.max", str(memory_bytes))
            _write(self.pids / "pids.max", str(max_pids))
            return
        memsw = self.memory / "memory.memsw.limit_in_bytes"
        limit = self.memory / "memory.limit_in_bytes"
        order = [limit, memsw] if int(_read(limit)) > memory_bytes else [memsw, limit]
        for path in order:  # memsw must never be below the plain limit
            if path.exists():
                _write(path, str(memory_bytes))
        _write(self.pids / "pids.max", str(max_pids))

    def oom_kills(self) -> int:
        """How many processes the kernel has killed in the group for exceeding memory."""
        if self.kind == "v2":
            return _keyed(self.memory / "memory.events", "oom_kill") or 0
        kills = _keyed(self.memory / "memory.oom_control", "oom_kill")
        return kills if kills is not None else int(_read(self.memory / "memory.failcnt"))

    def limit_hits(self) -> int:
        """How often the group's memory use reached its limit (the kernel then reclaims,
        stalls or kills): v1 ``memory.failcnt``, v2 ``memory.events`` max + oom_kill."""
        if self.kind == "v2":
            events = self.memory / "memory.events"
            return (_keyed(events, "max") or 0) + (_keyed(events, "oom_kill") or 0)
        return int(_read(self.memory / "memory.failcnt")) + self.oom_kills()

    def memory_usage(self) -> int | None:
        """Bytes the group uses now; None if the kernel does not say."""
        path = self.memory / ("memory.usage_in_bytes" if self.kind == "v1" else "memory.current")
        return int(_read(path)) if path.exists() else None

    def near_limit(self, limit: int) -> bool:
        """Is the group's memory use within 10 % of ``limit`` bytes?"""
        usage = self.memory_usage()
        return usage is not None and usage >= 0.9 * limit

    def kill(self, spare: frozenset[int] = frozenset()) -> None:
        """SIGKILL every process in the group but ``spare``, until none is left (bounded wait)."""
        deadline = time.monotonic() + _KILL_SECONDS
        while pids := self.processes() - spare:
            if time.monotonic() >= deadline:
                raise CgroupError(f"cgroup {self.name}: processes {sorted(pids)} survived "
                                  f"SIGKILL for {_KILL_SECONDS} s (stuck in the kernel?)")
            self._signal(pids, spare, deadline)
            time.sleep(0.001)

    def signal(self, spare: frozenset[int] = frozenset()) -> None:
        """SIGKILL every process in the group but ``spare`` once, without waiting for them
        to end (``kill`` waits)."""
        pids = self.processes() - spare
        if pids:
            self._signal(pids, spare, time.monotonic() + _KILL_SECONDS)

    def _signal(self, pids: set[int], spare: frozenset[int], deadline: float) -> None:
        if self.killer is not None and not spare:
            _write(self.killer / "cgroup.kill", "1")
        elif self.freezer is not None and not spare:
            _freeze(self.freezer, deadline)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.freezer is not None and self.killer is None and not spare:
            _write(self.freezer / "freezer.state", "THAWED")

    def memory_peak(self) -> int | None:
        """The most memory the group used, in bytes; None if the kernel does not say."""
        name = "memory.max_usage_in_bytes" if self.kind == "v1" else "memory.peak"
        path = self.memory / name
        return int(_read(path)) if path.exists() else None

    def oom_killed(self) -> bool:
        """Did the kernel kill a process of the group for exceeding the memory limit?"""
        return self.oom_kills() > 0

    def remove(self) -> None:
        """Kill what is left, then remove the group's directories (and the shared
        ``grader`` parents when nothing else uses them)."""
        self.kill()
        stuck = [d for d in self.dirs if not _rmdir(d, wait=_RMDIR_SECONDS)]
        for directory in self.dirs:
            _rmdir(directory.parent)  # fails harmlessly while other groups use it
        if stuck:
            raise CgroupError(f"cgroup {self.name}: cannot remove {[str(d) for d in stuck]}")


def _freeze(freezer: Path, deadline: float) -> None:
    _write(freezer / "freezer.state", "FROZEN")
    while _read(freezer / "freezer.state").strip() != "FROZEN":
        if time.monotonic() >= deadline:
            return  # kill what we can anyway; the caller's loop retries
        time.sleep(0.002)


def _create_v1(name: str, memory_bytes: int, max_pids: int, made: list[Path]) -> Group:
    memory = _own_dir("memory") / _PARENT / name
    pids = _own_dir("pids") / _PARENT / name
    _make(memory, made)
    _write(memory / "memory.limit_in_bytes", str(memory_bytes))
    if (memory / "memory.memsw.limit_in_bytes").exists():  # swap accounting is on
        _write(memory / "memory.memsw.limit_in_bytes", str(memory_bytes))
    _write(memory / "memory.oom_control", "0")  # OOM-kill, even if a parent disabled it
    _make(pids, made)
    _write(pids / "pids.max", str(max_pids))
    killer = freezer = None
    unified = _own_dir("")
    if unified is not None:  # hybrid: a v2 hierarchy without controllers, for cgroup.kill
        before = len(made)
        _make(unified / _PARENT / name, made)
        if (unified / _PARENT / name / "cgroup.kill").exists():  # kernel >= 5.14
            killer = unified / _PARENT / name
        else:
            _undo(made[before:])
            del made[before:]
    if killer is None and _own_dir("freezer") is not None:
        freezer = _own_dir("freezer") / _PARENT / name
        _make(freezer, made)
    return Group(name, "v1", memory, pids, killer, freezer)


def _enable(directory: Path) -> None:
    """Enable the memory and pids controllers for the children of ``directory``."""
    if {"memory", "pids"} <= set(_read(directory / "cgroup.subtree_control").split()):
        return
    try:
        _write(directory / "cgroup.subtree_control", "+memory +pids")
    except CgroupError as exc:
        raise CgroupError(
            f"{exc}. cgroup v2 allows controllers below a group only when the group holds "
            "no process: run the grader in a leaf of a delegated cgroup (e.g. "
            "systemd-run --user --scope -p Delegate=yes, or move the grader's processes "
            f"from {directory} into a child group first)") from exc


def _create_v2(name: str, memory_bytes: int, max_pids: int, made: list[Path]) -> Group:
    own = _own_dir("")
    if own is None:
        raise CgroupError("cgroup: neither v1 memory+pids hierarchies nor a cgroup v2 "
                          "hierarchy is mounted (see /proc/self/mountinfo)")
    missing = {"memory", "pids"} - set(_read(own / "cgroup.controllers").split())
    if missing:
        raise CgroupError(f"cgroup v2: controller(s) {sorted(missing)} not available in "
                          f"{own} (cgroup.controllers); they are not delegated here")
    _enable(own)
    group = own / _PARENT / name
    _make(group, made)
    _enable(group.parent)
    _write(group / "memory.max", str(memory_bytes))
    if (group / "memory.swap.max").exists():
        _write(group / "memory.swap.max", "0")
    _write(group / "pids.max", str(max_pids))
    if not (group / "cgroup.kill").exists():
        raise CgroupError(f"cgroup v2: {group} has no cgroup.kill (kernel < 5.14)")
    return Group(name, "v2", group, group, killer=group)


def available() -> tuple[bool, str]:
    """Can groups with memory and pids limits be made here? ``(True, layout)`` after
    creating and removing a probe group, or ``(False, why not)``."""
    try:
        group = Group.create(f"probe-{os.getpid()}-{os.urandom(4).hex()}", 64 << 20, 16)
    except (CgroupError, OSError) as exc:
        return False, str(exc)
    try:
        group.remove()
    except CgroupError as exc:
        return False, str(exc)
    how = "cgroup.kill" if group.killer else "freezer" if group.freezer else "SIGKILL loop"
    return True, f"cgroup {group.kind}: memory and pids limits, kill by {how}"
