"""Linux namespaces for the worker: a private user, PID, network, IPC, UTS and mount view.

Called in the forked child before any student code runs. The child ends up in a new
root made of a small tmpfs holding read-only bind mounts of the Python runtime and
shared libraries, a few device nodes and a private writable /tmp; nothing else of the
machine (no course, no reference, no home, no other submissions) is visible, and the
network namespace has no interface but a down loopback.
"""
from __future__ import annotations

import ctypes
import errno
import os
import platform
from dataclasses import dataclass
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
VIEW = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
_STATVFS_FLAGS = {os.ST_RDONLY: MS_RDONLY, os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV,
                  os.ST_NOEXEC: MS_NOEXEC}
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
DEVICES = ("null", "zero", "random", "urandom")
UNPRIVILEGED_ID = 65534  # "nobody" on most systems

_libc = ctypes.CDLL(None, use_errno=True)


class NamespaceError(Exception):
    """A namespace or mount step failed; the message names the step and the errno."""


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise NamespaceError(f"{what}: {errno.errorcode.get(code, code)} ({os.strerror(code)})")


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def setns(fd: int, nstype: int) -> None:
    _check(_libc.setns(ctypes.c_int(fd), ctypes.c_int(nstype)), "setns")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: None if s is None else os.fsencode(s)  # noqa: E731  (a file name may hold any byte)
    result = _libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data))
    _check(result, f"mount {source or fstype} on {target}")


def write_id_maps(pid: int | str, outside_uid: int, outside_gid: int) -> int:
    """Map one id into ``pid``'s new user namespace; returns the id to switch to inside.

    Root, from the outer namespace, maps the unprivileged id onto itself (the child
    becomes kuid 65534 outside); an ordinary user maps its own ids (``pid="self"``).
    """
    inside = UNPRIVILEGED_ID
    target_uid = UNPRIVILEGED_ID if outside_uid == 0 else outside_uid
    target_gid = UNPRIVILEGED_ID if outside_uid == 0 else outside_gid
    if outside_uid != 0:
        Path(f"/proc/{pid}/setgroups").write_text("deny")
    Path(f"/proc/{pid}/uid_map").write_text(f"{inside} {target_uid} 1\n")
    Path(f"/proc/{pid}/gid_map").write_text(f"{inside} {target_gid} 1\n")
    return inside


@dataclass(frozen=True)
class Bind:
    """One read-only (or device) bind mount, opened while the paths are still reachable."""

    target: str          # absolute path inside the new root
    fd: int | None       # an O_PATH descriptor of the source (None for a symlink)
    is_dir: bool
    flags: int           # mount flags the source mount has and a bind must keep
    link: str | None = None


def prepare(read_only: list[str], placed: dict[str, str] | None = None) -> list[Bind]:
    """Open the sources before the process gives up the right to reach them.

    ``read_only`` paths appear at the same place in the new root; ``placed`` maps a
    target path in the new root to the source it shows (read-only)."""
    binds = []
    for target, source in (placed or {}).items():
        fd = os.open(source, os.O_PATH | os.O_CLOEXEC)
        binds.append(Bind(target, fd, os.path.isdir(source), MS_RDONLY | _flags_of(source)))
    for path in dict.fromkeys([*read_only, *(f"/dev/{d}" for d in DEVICES)]):
        stripped = path.rstrip("/") or "/"
        if os.path.islink(stripped) and os.path.dirname(stripped) == "/":
            binds.append(Bind(stripped, None, False, 0, os.readlink(stripped)))  # merged /usr
        elif os.path.exists(stripped):
            flags = _flags_of(stripped)
            if not stripped.startswith("/dev/"):
                flags |= MS_RDONLY
            fd = os.open(stripped, os.O_PATH | os.O_CLOEXEC)
            binds.append(Bind(stripped, fd, os.path.isdir(stripped), flags))
    return binds


def _flags_of(path: str) -> int:
    """Flags of the mount holding ``path`` that a bind of it must keep (they are locked)."""
    flags = 0
    for stat_flag, mount_flag in _STATVFS_FLAGS.items():
        if os.statvfs(path).f_flag & stat_flag:
            flags |= mount_flag
    return flags


def _bind(bind: Bind, root: Path) -> None:
    target = root / bind.target.lstrip("/")
    if bind.link is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(bind.link, target)
        return
    if bind.is_dir:
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    _mount(f"/proc/self/fd/{bind.fd}", str(target), None, MS_BIND | MS_REC)
    _mount(None, str(target), None, MS_BIND | MS_REMOUNT | MS_NOSUID | bind.flags)
    os.close(bind.fd)


def build_root(root: Path, binds: list[Bind], scratch_bytes: int, hidden=()) -> None:
    """Populate the empty directory ``root`` with ``binds`` and make it the process's ``/``;
    each ``hidden`` folder that a bind brought in is covered by an empty read-only tmpfs."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", str(root), "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0755")
    # The private /tmp first: a runtime that lives under /tmp (a venv, a CI tool cache) is
    # bound inside it afterwards, instead of being hidden by it.
    (root / "tmp").mkdir(mode=0o1777, exist_ok=True)
    _mount("tmpfs", str(root / "tmp"), "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={max(scratch_bytes, 1 << 20)},mode=1777")
    for bind in binds:
        _bind(bind, root)
    for folder in hidden:
        target = root / folder.lstrip("/")
        if target.is_dir():
            _mount("tmpfs", str(target), "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=0555")
    old = root / ".old-root"
    old.mkdir()
    _pivot_root(str(root), str(old))
    os.chdir("/")
    _check(_libc.umount2(b"/.old-root", ctypes.c_int(MNT_DETACH)), "umount the old root")
    os.rmdir("/.old-root")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir("/tmp")


def _pivot_root(new_root: str, put_old: str) -> None:
    number = _SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise NamespaceError(f"pivot_root: unknown syscall number on {platform.machine()}")
    _check(_libc.syscall(ctypes.c_long(number), new_root.encode(), put_old.encode()), "pivot_root")


def drop_capabilities() -> None:
    """Empty the bounding, effective, permitted and inheritable capability sets."""
    PR_CAPBSET_DROP = 24
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == errno.EINVAL:
            break

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header = Header(0x20080522, 0)
    data = (Data * 2)()
    _check(_libc.capset(ctypes.byref(header), ctypes.byref(data)), "capset")


def set_no_new_privs() -> None:
    PR_SET_NO_NEW_PRIVS = 38
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


def set_parent_death_signal(signal_number: int) -> None:
    PR_SET_PDEATHSIG = 1
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
