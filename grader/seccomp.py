"""A seccomp-BPF syscall filter for the worker child, written by hand with ctypes.

``install()`` is called in the worker child right before it runs student code. From then
on, in that process and everything it forks:

- a syscall of another ABI (i386 compat on x86_64, anything not x86_64/aarch64) kills the
  process; the x32 ABI on x86_64 fails with EPERM;
- each syscall named in ``deny`` fails with EPERM, so Python raises ``PermissionError``;
- ``socket()`` succeeds only for ``AF_UNIX``: no network socket can be created
  (``socketpair`` stays allowed; it can only make AF_UNIX pairs that connect to nothing);
- ``clone()`` with a namespace flag fails with EPERM (the other door to ``unshare``), and
  ``clone3()`` fails with ENOSYS, because its flags sit behind a pointer a filter cannot
  read; glibc then falls back to ``clone()``, so threads and fork keep working;
- everything else is allowed.

The filter cannot be removed, and ``no_new_privs`` is set first (the kernel requires it
of unprivileged callers; it also stops setuid binaries from regaining privileges).
"""
from __future__ import annotations

import ctypes
import errno
import os
import platform
import sys
from collections.abc import Iterable

__all__ = ["DEFAULT_DENY", "SYSCALLS", "SeccompError", "available", "install"]


class SeccompError(RuntimeError):
    """The filter could not be built or installed; the message says why."""


DEFAULT_DENY: tuple[str, ...] = (
    # looking into or writing other processes' memory
    "ptrace", "process_vm_readv", "process_vm_writev",
    # large kernel attack surfaces that student code never needs
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "bpf", "perf_event_open", "userfaultfd",
    # file handles bypass path-based checks
    "open_by_handle_at", "name_to_handle_at",
    # kernel, modules, machine
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "swapon", "swapoff", "reboot", "acct", "quotactl", "quotactl_fd",
    # leaving the sandbox: mounts (old and new API), roots, namespaces
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    # the kernel keyring is shared beyond the process
    "keyctl", "add_key", "request_key",
    # memfd_create is allowed on purpose: the memory cgroup bounds it.
    # To deny it as well: install(DEFAULT_DENY + ("memfd_create",)).
)

# Syscall numbers of every name this module knows, per architecture
# (x86_64: arch/x86/entry/syscalls/syscall_64.tbl; aarch64: include/uapi/asm-generic/unistd.h).
# A name missing on an architecture (aarch64 has no legacy calls) is skipped there.
SYSCALLS: dict[str, dict[str, int]] = {
    "x86_64": {
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
        "open_by_handle_at": 304, "name_to_handle_at": 303,
        "kexec_load": 246, "kexec_file_load": 320,
        "init_module": 175, "finit_module": 313, "delete_module": 176,
        "swapon": 167, "swapoff": 168, "reboot": 169, "acct": 163,
        "quotactl": 179, "quotactl_fd": 443,
        "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
        "unshare": 272, "setns": 308,
        "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
        "fsmount": 432, "fspick": 433, "mount_setattr": 442,
        "keyctl": 250, "add_key": 248, "request_key": 249,
        "socket": 41, "socketpair": 53, "clone": 56, "clone3": 435,
        "memfd_create": 319, "memfd_secret": 447, "seccomp": 317,
        "personality": 135, "fanotify_init": 300, "iopl": 172, "ioperm": 173,
        "modify_ldt": 154, "uselib": 134, "vhangup": 153, "lookup_dcookie": 212,
    },
    "aarch64": {
        "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "bpf": 280, "perf_event_open": 241, "userfaultfd": 282,
        "open_by_handle_at": 265, "name_to_handle_at": 264,
        "kexec_load": 104, "kexec_file_load": 294,
        "init_module": 105, "finit_module": 273, "delete_module": 106,
        "swapon": 224, "swapoff": 225, "reboot": 142, "acct": 89,
        "quotactl": 60, "quotactl_fd": 443,
        "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51,
        "unshare": 97, "setns": 268,
        "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
        "fsmount": 432, "fspick": 433, "mount_setattr": 442,
        "keyctl": 219, "add_key": 217, "request_key": 218,
        "socket": 198, "socketpair": 199, "clone": 220, "clone3": 435,
        "memfd_create": 279, "memfd_secret": 447, "seccomp": 277,
        "personality": 92, "fanotify_init": 262, "vhangup": 58, "lookup_dcookie": 18,
    },
}

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_X32_SYSCALL_BIT = 0x40000000
_AF_UNIX = 1
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
_CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 \
    | 0x10000000 | 0x20000000 | 0x40000000

# prctl / seccomp(2) constants
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_GET_ACTION_AVAIL = 2
_SECCOMP_FILTER_FLAG_TSYNC = 1

# filter return values
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000

# classic BPF opcodes (linux/filter.h)
_LD_W_ABS = 0x00 | 0x00 | 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x05 | 0x10  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x05 | 0x30  # BPF_JMP | BPF_JGE | BPF_K
_JSET_K = 0x05 | 0x40  # BPF_JMP | BPF_JSET | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K

# offsets into struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6];}
# (both architectures are little-endian: the low half of args[i] comes first)
_OFF_NR, _OFF_ARCH, _OFF_ARG0_LOW = 0, 4, 16


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8),
                ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _machine() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _seccomp_call(libc: ctypes.CDLL, op: int, flags: int, arg: object) -> int:
    nr = SYSCALLS[_machine()]["seccomp"]
    return libc.syscall(ctypes.c_long(nr), ctypes.c_ulong(op), ctypes.c_ulong(flags), arg)


def available() -> tuple[bool, str]:
    """Can ``install()`` work here? ``(True, "")``, or ``(False, why not)``."""
    if not sys.platform.startswith("linux"):
        return False, f"seccomp is Linux-only (this is {sys.platform})"
    machine = _machine()
    if machine not in _AUDIT_ARCH:
        return False, f"no syscall table for architecture {machine!r} (x86_64, aarch64)"
    libc = _libc()
    for action in (_RET_KILL_PROCESS, _RET_ERRNO, _RET_ALLOW):
        value = ctypes.c_uint32(action)
        if _seccomp_call(libc, _SECCOMP_GET_ACTION_AVAIL, 0, ctypes.byref(value)) != 0:
            err = ctypes.get_errno()
            if err == errno.ENOSYS:
                why = "the seccomp(2) syscall is missing or blocked (kernel < 3.17?)"
            elif err == errno.EINVAL:
                why = "the kernel was built without CONFIG_SECCOMP_FILTER"
            elif err == errno.EOPNOTSUPP:
                why = f"the kernel lacks seccomp action {action:#x} (kernel < 4.14?)"
            else:
                why = f"seccomp(SECCOMP_GET_ACTION_AVAIL) failed: {os.strerror(err)}"
            return False, why
    return True, ""


def _resolve(deny: Iterable[str], machine: str) -> list[int]:
    if isinstance(deny, str):
        raise SeccompError(f"deny must be a collection of syscall names, not the string {deny!r}")
    known = set().union(*SYSCALLS.values())
    names = list(deny)
    unknown = sorted(set(names) - known)
    if unknown:
        raise SeccompError(
            f"unknown syscall name(s) {unknown}: add their numbers to grader.seccomp.SYSCALLS "
            f"for {sorted(SYSCALLS)}")
    table = SYSCALLS[machine]
    return sorted({table[name] for name in names if name in table})


def _program(deny: Iterable[str], machine: str) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jt, jf, k) instructions, jumps resolved from labels."""
    table = SYSCALLS[machine]
    numbers = _resolve(deny, machine)
    # Each item: (code, k, jump-if-true label, jump-if-false label); None = next instruction.
    asm: list[tuple[int, int, str | None, str | None] | str] = [
        (_LD_W_ABS, _OFF_ARCH, None, None),
        (_JEQ_K, _AUDIT_ARCH[machine], None, "kill"),
        (_LD_W_ABS, _OFF_NR, None, None),
    ]
    if machine == "x86_64":
        asm.append((_JGE_K, _X32_SYSCALL_BIT, "eperm", None))
    asm += [(_JEQ_K, nr, "eperm", None) for nr in numbers]
    if table["socket"] not in numbers:
        asm.append((_JEQ_K, table["socket"], "socket", None))
    if table["clone"] not in numbers:
        asm.append((_JEQ_K, table["clone"], "clone", None))
    if table["clone3"] not in numbers:
        asm.append((_JEQ_K, table["clone3"], "enosys", None))
    asm += [
        (_RET_K, _RET_ALLOW, None, None),
        "socket",
        (_LD_W_ABS, _OFF_ARG0_LOW, None, None),  # domain (an int: the low half)
        (_JEQ_K, _AF_UNIX, "allow", "eperm"),
        "clone",
        (_LD_W_ABS, _OFF_ARG0_LOW, None, None),  # flags (every CLONE_NEW* is in the low half)
        (_JSET_K, _CLONE_NAMESPACE_FLAGS, "eperm", "allow"),
        "allow", (_RET_K, _RET_ALLOW, None, None),
        "eperm", (_RET_K, _RET_ERRNO | errno.EPERM, None, None),
        "enosys", (_RET_K, _RET_ERRNO | errno.ENOSYS, None, None),
        "kill", (_RET_K, _RET_KILL_PROCESS, None, None),
    ]
    labels: dict[str, int] = {}
    code = []
    for item in asm:
        if isinstance(item, str):
            labels[item] = len(code)  # a label names the instruction that follows it
        else:
            code.append(item)

    def offset(pc: int, label: str | None) -> int:
        if label is None:
            return 0
        jump = labels[label] - pc - 1
        if not 0 <= jump <= 255:
            raise SeccompError(f"filter too long: jump of {jump} to {label!r} (deny fewer syscalls)")
        return jump

    return [(op, offset(pc, jt), offset(pc, jf), k) for pc, (op, k, jt, jf) in enumerate(code)]


def install(deny: Iterable[str] = DEFAULT_DENY) -> None:
    """Install the filter in this process (all its threads) and its future children.

    Raises ``SeccompError`` when the architecture is unsupported, a name in ``deny`` is
    unknown, or the kernel refuses the filter; no filter is installed then (though
    no_new_privs may already be set).
    """
    ok, why = available()
    if not ok:
        raise SeccompError(f"cannot install a seccomp filter: {why}")
    program = _program(deny, _machine())
    filters = (_SockFilter * len(program))(*[_SockFilter(*ins) for ins in program])
    fprog = _SockFprog(len(program), ctypes.cast(filters, ctypes.POINTER(_SockFilter)))
    libc = _libc()
    zero = ctypes.c_ulong(0)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), zero, zero, zero) != 0:
        err = ctypes.get_errno()
        raise SeccompError(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(err)}")
    rc = _seccomp_call(libc, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC,
                       ctypes.byref(fprog))
    if rc > 0:
        raise SeccompError(
            f"seccomp: thread {rc} could not be synchronised (it has a conflicting filter); "
            "install the filter before starting threads")
    if rc < 0:
        err = ctypes.get_errno()
        raise SeccompError(f"seccomp(SECCOMP_SET_MODE_FILTER) refused the filter: "
                           f"{os.strerror(err)}")
