"""Landlock for the worker child: no file access beyond an allow-list, no TCP, and (where
the kernel can) no signals or abstract unix sockets beyond the sandbox. Raw syscalls.

``restrict(read_only, read_write)`` is called in the worker child right before it runs
student code. Afterwards the process and everything it forks can

- read (and execute) files only beneath ``read_only`` and ``read_write`` paths,
- create, write, rename, truncate and delete only beneath ``read_write`` paths,
- (ABI >= 4) neither bind nor connect any TCP socket,
- (ABI >= 6) neither signal nor connect to abstract unix sockets of processes outside
  its Landlock domain.

File descriptors opened before the call keep working. Landlock restricts only the
calling thread and its future children, so ``restrict`` refuses to run when other
threads exist: call it before anything starts threads.
"""
from __future__ import annotations

import ctypes
import errno
import os
import stat
import sys
from collections.abc import Iterable

__all__ = ["LandlockError", "abi_version", "restrict"]


class LandlockError(RuntimeError):
    """Landlock could not be applied; the message says why."""


# Syscall numbers: the same on x86_64 and aarch64 (and every architecture since 5.13).
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# Filesystem rights (linux/landlock.h).
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_REMOVE_DIR, _REMOVE_FILE, _MAKE_CHAR, _MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
_MAKE_REG, _MAKE_SOCK, _MAKE_FIFO, _MAKE_BLOCK = 1 << 8, 1 << 9, 1 << 10, 1 << 11
_MAKE_SYM, _REFER, _TRUNCATE, _IOCTL_DEV = 1 << 12, 1 << 13, 1 << 14, 1 << 15

_FS_ABI1 = (1 << 13) - 1  # EXECUTE .. MAKE_SYM
# The filesystem rights each ABI version handles.
_FS_BY_ABI = {1: _FS_ABI1, 2: _FS_ABI1 | _REFER, 3: _FS_ABI1 | _REFER | _TRUNCATE,
              4: _FS_ABI1 | _REFER | _TRUNCATE}
_FS_ALL = _FS_ABI1 | _REFER | _TRUNCATE | _IOCTL_DEV  # ABI 5 and later
# The only rights the kernel accepts on a rule for a file that is not a directory.
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV
_READ_RIGHTS = _EXECUTE | _READ_FILE | _READ_DIR

_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64),
                ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # __attribute__((packed)) in the kernel header: 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _syscall(nr: int, *args: object) -> tuple[int, int]:
    """(return value, errno) of a raw syscall."""
    libc = ctypes.CDLL(None, use_errno=True)
    rc = libc.syscall(ctypes.c_long(nr), *args)
    return rc, (ctypes.get_errno() if rc < 0 else 0)


def abi_version() -> int:
    """The Landlock ABI version of the running kernel; 0 when Landlock is unavailable
    (not Linux, kernel < 5.13, or Landlock not enabled among the boot-time LSMs)."""
    if not sys.platform.startswith("linux"):
        return 0
    rc, err = _syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                       ctypes.c_uint32(_CREATE_RULESET_VERSION))
    if rc < 0:
        if err in (errno.ENOSYS, errno.EOPNOTSUPP):
            return 0
        raise LandlockError(f"landlock_create_ruleset(VERSION) failed: {os.strerror(err)}")
    return rc


def _ruleset(abi: int) -> tuple[_RulesetAttr, int, int]:
    """The ruleset for ``abi``, the size of the attribute to pass, and the fs rights."""
    fs = _FS_BY_ABI.get(abi, _FS_ALL)
    attr = _RulesetAttr(handled_access_fs=fs)
    size = 8  # handled_access_fs only (ABI 1-3)
    if abi >= 4:
        attr.handled_access_net = _NET_BIND_TCP | _NET_CONNECT_TCP  # no rule: all denied
        size = 16
    if abi >= 6:
        attr.scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL
        size = 24
    return attr, size, fs


def _add_path(ruleset_fd: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return  # a path that does not exist grants nothing
    except OSError as exc:
        raise LandlockError(f"landlock: cannot open {path!r} to allow it: {exc}") from exc
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= _FILE_RIGHTS  # directory rights on a file: the kernel says EINVAL
        rule = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
        rc, err = _syscall(_SYS_ADD_RULE, ctypes.c_int(ruleset_fd),
                           ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule),
                           ctypes.c_uint32(0))
        if rc < 0:
            raise LandlockError(f"landlock_add_rule({path!r}, rights={rights:#x}) failed: "
                                f"{os.strerror(err)}")
    finally:
        os.close(fd)


def _thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def restrict(read_only: Iterable[str], read_write: Iterable[str]) -> int:
    """Restrict this process (and its future children) to the given paths, irrevocably.

    Builds a ruleset that handles every right the kernel's ABI knows, sets
    no_new_privs and enforces it. Paths that do not exist are skipped. Returns the ABI
    version used; raises ``LandlockError`` (before restricting anything) when it cannot.
    """
    if isinstance(read_only, str) or isinstance(read_write, str):
        raise LandlockError("read_only and read_write must be collections of paths, not a str")
    abi = abi_version()
    if abi == 0:
        raise LandlockError("landlock is unavailable: kernel < 5.13, or 'landlock' missing "
                            "from the boot-time LSM list (CONFIG_LSM / lsm=)")
    threads = _thread_count()
    if threads > 1:
        raise LandlockError(f"landlock restricts only the calling thread, and {threads} "
                            "threads are running: call restrict() before starting threads")
    attr, size, fs = _ruleset(abi)
    ruleset_fd, err = _syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                               ctypes.c_uint32(0))
    if ruleset_fd < 0:
        raise LandlockError(f"landlock_create_ruleset(abi={abi}, fs={fs:#x}) failed: "
                            f"{os.strerror(err)}")
    try:
        for path in read_only:
            _add_path(ruleset_fd, os.fspath(path), _READ_RIGHTS & fs)
        for path in read_write:
            _add_path(ruleset_fd, os.fspath(path), fs)
        zero = ctypes.c_ulong(0)
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), zero, zero, zero) != 0:
            raise LandlockError("prctl(PR_SET_NO_NEW_PRIVS) failed: "
                                f"{os.strerror(ctypes.get_errno())}")
        rc, err = _syscall(_SYS_RESTRICT_SELF, ctypes.c_int(ruleset_fd), ctypes.c_uint32(0))
        if rc < 0:
            raise LandlockError(f"landlock_restrict_self failed: {os.strerror(err)}")
    finally:
        os.close(ruleset_fd)
    return abi
