"""grader.cgroup: real groups on this machine; the processes inside are forked children
that join the group themselves before doing anything, and report through a pipe."""
from __future__ import annotations

import os
import signal
import time
import uuid

import pytest

from grader import cgroup

ok, why = cgroup.available()
pytestmark = pytest.mark.skipif(not ok, reason=f"cannot create cgroups here: {why}")

MiB = 1 << 20


@pytest.fixture
def make_group():
    made = []

    def make(memory_bytes=64 * MiB, max_pids=32):
        group = cgroup.Group.create(f"test-{uuid.uuid4().hex[:12]}", memory_bytes, max_pids)
        made.append(group)
        return group

    yield make
    for group in made:
        group.remove()


def spawn(group, body) -> tuple[int, int]:
    """Fork a child that joins ``group``, says "ready", then runs ``body(write_fd)`` and
    exits with its return value. Returns (pid, read end of the child's pipe)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read_end)
            group.add(os.getpid())
            os.write(write_end, b"ready\n")
            code = body(write_end)
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def read_line(fd: int) -> bytes:
    line = b""
    while not line.endswith(b"\n"):
        chunk = os.read(fd, 1)
        if not chunk:
            break
        line += chunk
    return line


def sleepers(n: int):
    """A body that forks ``n`` sleeping grandchildren, says "forked", and sleeps itself."""
    def body(write_fd):
        for _ in range(n):
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
        os.write(write_fd, b"forked\n")
        time.sleep(60)
        return 0
    return body


def test_memory_limit_oom_kills(make_group):
    group = make_group(memory_bytes=64 * MiB)

    def body(_):
        block = bytearray(256 * MiB)
        for i in range(0, len(block), 4096):
            block[i] = 1  # touch every page
        return 0

    pid, fd = spawn(group, body)
    _, status = os.waitpid(pid, 0)
    assert read_line(fd) == b"ready\n"
    os.close(fd)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert group.oom_killed()
    peak = group.memory_peak()
    assert peak is None or 32 * MiB < peak <= 64 * MiB


def test_within_the_limit_nothing_is_killed(make_group):
    group = make_group(memory_bytes=64 * MiB)

    def body(_):
        block = bytearray(8 * MiB)
        for i in range(0, len(block), 4096):
            block[i] = 1
        return 0

    pid, fd = spawn(group, body)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not group.oom_killed()


def test_pids_limit_stops_a_fork_loop(make_group):
    group = make_group(max_pids=8)

    def body(write_fd):
        forked = 0
        for _ in range(50):
            try:
                pid = os.fork()
            except BlockingIOError:  # EAGAIN: pids.max reached
                os.write(write_fd, f"{forked}\n".encode())
                return 0
            if pid == 0:
                time.sleep(60)
                os._exit(0)
            forked += 1
        os.write(write_fd, b"unlimited\n")
        return 0

    pid, fd = spawn(group, body)
    assert read_line(fd) == b"ready\n"
    result = read_line(fd)
    os.waitpid(pid, 0)
    os.close(fd)
    assert result == b"7\n"  # the child itself + 7 = pids.max
    assert len(group.processes()) == 7  # the sleepers, now orphans, still in the group
    group.kill()
    assert group.processes() == set()


@pytest.mark.parametrize("method", ["default", "freezer", "sigkill loop"])
def test_kill_leaves_no_process(make_group, monkeypatch, method):
    if method != "default":  # hide the v2 cgroup.kill (and the freezer) from the module
        hidden = {"", "freezer"} if method == "sigkill loop" else {""}
        if method == "freezer" and cgroup._own_dir("freezer") is None:
            pytest.skip("no v1 freezer hierarchy here")
        real = cgroup._own_dir
        monkeypatch.setattr(cgroup, "_own_dir", lambda c: None if c in hidden else real(c))
    group = make_group()
    if method == "default" and group.kind == "v1":
        assert group.killer is not None or group.freezer is not None
    pid, fd = spawn(group, sleepers(5))
    assert read_line(fd) == b"ready\n" and read_line(fd) == b"forked\n"
    os.close(fd)
    assert len(group.processes()) == 6
    group.kill()
    assert group.processes() == set()
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_remove_leaves_no_directory():
    group = cgroup.Group.create(f"test-{uuid.uuid4().hex[:12]}", 64 * MiB, 16)
    pid, fd = spawn(group, sleepers(2))
    assert read_line(fd) == b"ready\n" and read_line(fd) == b"forked\n"
    os.close(fd)
    assert all(d.is_dir() for d in group.dirs)
    group.remove()
    os.waitpid(pid, 0)
    assert [d for d in group.dirs if d.exists()] == []


def test_a_failed_create_leaves_no_directory(monkeypatch):
    name = f"test-{uuid.uuid4().hex[:12]}"
    real_write = cgroup._write

    def failing_write(path, value):
        if path.name == "pids.max":
            raise cgroup.CgroupError(f"cgroup: cannot write {value!r} to {path}: injected")
        real_write(path, value)

    monkeypatch.setattr(cgroup, "_write", failing_write)
    with pytest.raises(cgroup.CgroupError, match="injected"):
        cgroup.Group.create(name, 64 * MiB, 16)
    monkeypatch.undo()
    roots = [cgroup._own_dir(c) for c in ("memory", "pids", "", "freezer")]
    assert [r for r in roots if r is not None and (r / "grader" / name).exists()] == []


def test_names_and_limits_are_checked(make_group):
    for bad in ("", "a/b", "..", ".hidden", "x" * 101):
        with pytest.raises(cgroup.CgroupError, match="bad group name"):
            cgroup.Group.create(bad, 64 * MiB, 16)
    with pytest.raises(cgroup.CgroupError, match="limits too small"):
        cgroup.Group.create("fine", 0, 16)
    group = make_group()
    with pytest.raises(cgroup.CgroupError, match="already exists"):
        cgroup.Group.create(group.name, 64 * MiB, 16)
    assert all(d.is_dir() for d in group.dirs)  # the existing group is untouched


def test_without_memory_and_pids_controllers_create_says_why(monkeypatch):
    unified = cgroup._own_dir("")
    if unified is None or "memory" in (unified / "cgroup.controllers").read_text().split():
        pytest.skip("needs a cgroup v2 hierarchy without the memory controller (hybrid)")
    real = cgroup._own_dir
    monkeypatch.setattr(cgroup, "_own_dir", lambda c: real(c) if c == "" else None)
    name = f"test-{uuid.uuid4().hex[:12]}"
    with pytest.raises(cgroup.CgroupError, match=r"controller\(s\) \['memory', 'pids'\]"):
        cgroup.Group.create(name, 64 * MiB, 16)
    assert not (unified / "grader" / name).exists()
