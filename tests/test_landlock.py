"""grader.landlock: each restriction is applied in a forked child, which reports through a
pipe; the files it probes are made by the parent in tmp_path."""
from __future__ import annotations

import os
import socket
import threading

import pytest

from grader import landlock

from forked import in_child, outcome

ABI = landlock.abi_version()
pytestmark = pytest.mark.skipif(
    ABI == 0, reason="Landlock unavailable: kernel < 5.13 or landlock not in the boot LSMs")


def read(path) -> str:
    with open(path) as f:
        return f.read()


def write(path) -> None:
    with open(path, "w") as f:
        f.write("x")


@pytest.fixture
def tree(tmp_path):
    for name in ("ro", "rw", "outside"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "data.txt").write_text(name)
    (tmp_path / "single.txt").write_text("single")
    (tmp_path / "sibling.txt").write_text("sibling")
    return tmp_path


def test_reads_and_writes_only_where_allowed(tree):
    def child():
        abi = landlock.restrict(
            read_only=[str(tree / "ro"), str(tree / "single.txt"), str(tree / "missing")],
            read_write=[str(tree / "rw")])
        return {
            "abi": abi,
            "read ro": outcome(lambda: read(tree / "ro" / "data.txt")),
            "read rw": outcome(lambda: read(tree / "rw" / "data.txt")),
            "read single file": outcome(lambda: read(tree / "single.txt")),
            "list ro": outcome(lambda: os.listdir(tree / "ro")),
            "read outside": outcome(lambda: read(tree / "outside" / "data.txt")),
            "read sibling": outcome(lambda: read(tree / "sibling.txt")),
            "read /etc/passwd": outcome(lambda: read("/etc/passwd")),
            "write rw": outcome(lambda: write(tree / "rw" / "new.txt")),
            "mkdir rw": outcome(lambda: os.mkdir(tree / "rw" / "sub")),
            "write ro": outcome(lambda: write(tree / "ro" / "new.txt")),
            "overwrite ro": outcome(lambda: write(tree / "ro" / "data.txt")),
            "write single file": outcome(lambda: write(tree / "single.txt")),
            "write outside": outcome(lambda: write(tree / "outside" / "new.txt")),
            "delete ro": outcome(lambda: os.remove(tree / "ro" / "data.txt")),
        }

    got = in_child(child)
    assert got.pop("abi") == ABI
    allowed = {"read ro", "read rw", "read single file", "list ro", "write rw", "mkdir rw"}
    assert got == {k: "ok" if k in allowed else "PermissionError" for k in got}
    assert (tree / "rw" / "new.txt").read_text() == "x"
    assert not (tree / "outside" / "new.txt").exists()


def test_descriptors_opened_before_keep_working(tree):
    def child():
        fd = os.open(tree / "outside" / "data.txt", os.O_RDONLY)
        landlock.restrict([], [])
        return os.read(fd, 100).decode()

    assert in_child(child) == "outside"


@pytest.mark.skipif(ABI < 4, reason=f"TCP rules need Landlock ABI 4 (this kernel: {ABI})")
def test_tcp_bind_and_connect_are_denied():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def child():
        landlock.restrict([], [])
        with socket.socket() as s:
            connect = outcome(lambda: s.connect(("127.0.0.1", port)))
        with socket.socket() as s:
            bind = outcome(lambda: s.bind(("127.0.0.1", 0)))
        return {"connect": connect, "bind": bind}

    try:
        assert in_child(child) == {"connect": "PermissionError", "bind": "PermissionError"}
    finally:
        server.close()


@pytest.mark.skipif(ABI < 6, reason=f"signal scoping needs Landlock ABI 6 (this kernel: {ABI})")
def test_signals_to_processes_outside_are_denied():
    def child():
        landlock.restrict([], [])
        return {"parent": outcome(lambda: os.kill(os.getppid(), 0)),
                "self": outcome(lambda: os.kill(os.getpid(), 0))}

    assert in_child(child) == {"parent": "PermissionError", "self": "ok"}


def test_refuses_while_other_threads_run():
    def child():
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        try:
            landlock.restrict([], [])
        except landlock.LandlockError as exc:
            return str(exc)
        finally:
            stop.set()
            thread.join()
        return "restricted"

    assert "threads are running" in in_child(child)


def test_a_string_is_not_a_path_list():
    with pytest.raises(landlock.LandlockError, match="collections of paths"):
        landlock.restrict("/tmp", [])
