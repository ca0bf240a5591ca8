"""grader.seccomp: each filter is installed in a forked child, which reports through a pipe."""
from __future__ import annotations

import ctypes
import errno
import os
import socket
import subprocess
import threading

import numpy as np
import pytest

from grader import seccomp

from forked import in_child, outcome

ok, why = seccomp.available()
pytestmark = pytest.mark.skipif(not ok, reason=f"seccomp unavailable: {why}")


def raw_syscall_errno(name: str, *args: int) -> int:
    """errno of a raw syscall (0 if it succeeded); a child it might fork exits at once."""
    libc = ctypes.CDLL(None, use_errno=True)
    nr = seccomp.SYSCALLS[seccomp._machine()][name]
    rc = libc.syscall(ctypes.c_long(nr), *[ctypes.c_ulong(a) for a in args])
    if rc == 0 and name == "clone":
        os._exit(0)  # we are the clone: leave at once
    return ctypes.get_errno() if rc < 0 else 0


def test_network_sockets_are_denied_unix_sockets_allowed():
    def child():
        seccomp.install()
        return {
            "inet": outcome(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM)),
            "inet6": outcome(lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)),
            "netlink": outcome(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)),
            "unix": outcome(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()),
            "socketpair": outcome(lambda: [s.close() for s in socket.socketpair()]),
        }

    assert in_child(child) == {"inet": "PermissionError", "inet6": "PermissionError",
                               "netlink": "PermissionError", "unix": "ok", "socketpair": "ok"}


def test_numpy_threads_and_fork_keep_working():
    def child():
        seccomp.install()
        a = np.random.default_rng(0).normal(size=(64, 64))
        s = np.linalg.svd(a @ a.T, compute_uv=False)
        echo = subprocess.run(["/bin/echo", "hi"], capture_output=True, check=True).stdout
        box = []
        thread = threading.Thread(target=lambda: box.append(float(np.sum(a))))
        thread.start()
        thread.join()
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        _, status = os.waitpid(pid, 0)
        return {"svd_ok": bool(np.all(s >= -1e-8)), "thread": len(box),
                "fork_exit": os.waitstatus_to_exitcode(status), "subprocess": echo.decode()}

    assert in_child(child) == {"svd_ok": True, "thread": 1, "fork_exit": 7,
                               "subprocess": "hi\n"}


def test_escape_syscalls_fail_with_eperm():
    clone_newuser_sigchld = 0x10000000 | 17

    def child():
        seccomp.install()
        return {
            "ptrace": raw_syscall_errno("ptrace", 0, 0, 0, 0),  # PTRACE_TRACEME
            "unshare": raw_syscall_errno("unshare", 0x10000000),  # CLONE_NEWUSER
            "clone_newuser": raw_syscall_errno("clone", clone_newuser_sigchld, 0, 0, 0, 0),
            "setns": raw_syscall_errno("setns", 0, 0),
            "bpf": raw_syscall_errno("bpf", 0, 0, 0),
            "io_uring_setup": raw_syscall_errno("io_uring_setup", 1, 0),
            "clone3": raw_syscall_errno("clone3", 0, 0),
        }

    got = in_child(child)
    assert got == {"ptrace": errno.EPERM, "unshare": errno.EPERM,
                   "clone_newuser": errno.EPERM, "setns": errno.EPERM, "bpf": errno.EPERM,
                   "io_uring_setup": errno.EPERM, "clone3": errno.ENOSYS}


@pytest.mark.skipif(seccomp._machine() != "x86_64", reason="the x32 ABI exists on x86_64 only")
def test_x32_abi_is_denied():
    def child():
        seccomp.install()
        libc = ctypes.CDLL(None, use_errno=True)
        rc = libc.syscall(ctypes.c_long(0x40000000 | 39))  # x32 getpid
        return [rc, ctypes.get_errno()]

    assert in_child(child) == [-1, errno.EPERM]


def test_memfd_allowed_by_default_and_deniable():
    def child(deny):
        seccomp.install(deny)
        return outcome(lambda: os.close(os.memfd_create("x")))

    assert in_child(lambda: child(seccomp.DEFAULT_DENY)) == "ok"
    extra = seccomp.DEFAULT_DENY + ("memfd_create",)
    assert in_child(lambda: child(extra)) == "PermissionError"


def test_socket_can_be_denied_entirely():
    def child():
        seccomp.install(seccomp.DEFAULT_DENY + ("socket",))
        return outcome(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close())

    assert in_child(child) == "PermissionError"


def test_bad_deny_lists_raise_before_installing():
    with pytest.raises(seccomp.SeccompError, match="unknown syscall name.*'nosuchcall'"):
        seccomp.install(["ptrace", "nosuchcall"])
    with pytest.raises(seccomp.SeccompError, match="not the string"):
        seccomp.install("ptrace")
    with open("/proc/self/status") as f:
        assert "Seccomp:\t0" in f.read()  # nothing was installed in this process


@pytest.mark.parametrize("machine", sorted(seccomp.SYSCALLS))
def test_program_assembles_for_each_architecture(machine):
    program = seccomp._program(seccomp.DEFAULT_DENY, machine)
    assert program[0] == (0x20, 0, 0, 4)  # load arch
    assert program[1][3] == seccomp._AUDIT_ARCH[machine]
    assert program[-1] == (0x06, 0, 0, 0x80000000)  # kill for any other arch
    assert all(0 <= jt <= 255 and 0 <= jf <= 255 for _, jt, jf, _ in program)
