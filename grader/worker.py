"""The worker: a warm zygote that forks one sandboxed child per run of a submission.

The zygote is started by the grader with a scrubbed environment, imports NumPy once (and
torch, in a zygote for torch jobs only: grader.pool keeps such zygotes apart), single-
threaded (a zygote that ran a multi-threaded op would deadlock its forked children;
torch's CPU detection done here, where /proc is visible), and then only forks. It never holds a reference solution, an expected value or a point, and it
never reads a job: what it forks from holds nothing of any submission, so no child can
find an earlier submission in its memory.

Each child reads its job from a file descriptor the grader filled (a memfd), keeps only
what it needs (the code units, the tests, the seed; the probes being run, compiled from
an excerpt under a name that is no path), enters the sandbox, runs the student's code
units in order in one module namespace, then each requested probe, writing one frame
per step to its result pipe (grader.protocol, grader/schemas/frame.schema.json):
``started``, ``loaded``, ``result`` per test, ``done``. Only plain data leaves the child;
outputs larger than the caps the job gives are not sent (an ``oversized`` result).

Zygote <-> grader messages on a Unix socket: the grader sends a length-prefixed JSON
``{"namespaces": bool}`` with three file descriptors (result pipe, output pipe, job);
the zygote answers JSON lines ``{"pid": n}`` and, when it reaps a child,
``{"exit": n, "code": c}`` (``c`` = 128 + signal for a signal).
"""
from __future__ import annotations

import os

for _name, _value in (("OMP_NUM_THREADS", "1"), ("MKL_NUM_THREADS", "1"), ("OPENBLAS_NUM_THREADS", "1")):
    os.environ.setdefault(_name, _value)

import ast  # noqa: E402
import builtins  # noqa: E402
import json  # noqa: E402
import linecache  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import types  # noqa: E402
import warnings  # noqa: E402

import numpy  # noqa: E402,F401  (pre-imported for every child)

from grader import protocol, sandbox  # noqa: E402
from grader import raised as raising  # noqa: E402
from grader.guard import Guard  # noqa: E402
from grader.probe import collect  # noqa: E402
from grader.standin import StandIns  # noqa: E402
from grader import syntax

JOB_HEADER = struct.Struct("<Q")
RESULT_FD = 1000
_MAX_TRACEBACK_FRAMES = 12
_MAX_TRACEBACK_LINE = 500
_MAX_TEXT = 8000             # a message in a frame (grader/schemas/frame.schema.json)
_MAX_NAME = 300
_MAX_WARNING, _MAX_WARNINGS = 500, 20  # load warnings
_MAX_IMPORT_ERRORS = 20
_MAX_EVENTS = 100


def preimport(torch: bool = False) -> None:
    """Import what every child needs, once, without starting any thread pool. PyTorch only
    for a zygote of torch jobs (``torch``; an assignment whose framework is torch): a
    NumPy-only batch never pays its start-up. Its CPU is detected here, where /proc is
    visible (in the sandbox cpuinfo would complain into the student's output)."""
    names = ["math", "itertools", "functools", "collections", "copy", "random", "typing",
             "dataclasses", "statistics", "numpy.linalg", "numpy.random", "encodings.idna"]
    if torch:
        import torch as torch_module
        torch_module.set_num_threads(1)
        names.append("torch.nn.functional")
        try:
            torch_module.backends.cpu.get_cpu_capability()
        except Exception:  # noqa: BLE001 - an older torch: the children detect it themselves
            pass
    for name in names:
        __import__(name)
    # numpy.random's global generator, seeded once here, would be every child's: each child
    # seeds its own from the OS (as `random` does for itself)
    os.register_at_fork(after_in_child=numpy.random.seed)


# --- zygote -----------------------------------------------------------------------------

def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    preimport(torch=len(sys.argv) > 3 and sys.argv[3] == "torch")
    _send_line(sock, {"ready": os.getpid()})  # the grader may now move us into our cgroup
    serve(sock)
    os._exit(0)  # nothing to flush or tear down (torch's teardown alone takes a second)


def serve(sock: socket.socket) -> None:
    sandbox.become_subreaper()  # orphans of killed children come here to be reaped
    pid_namespaces = sandbox.PidNamespaces()
    started: set[int] = set()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    while True:
        readable, _, _ = select.select([sock, wake_r], [], [])
        if wake_r in readable:
            os.read(wake_r, 4096)
            _reap(sock, started)
        if sock in readable:
            job = _receive_job(sock)
            if job is None:
                _reap_remaining(sock, started)
                return
            payload, fds = job  # the payload is {"namespaces": bool}; the job itself is in fds[2]
            handshake = pid_namespaces.before_fork(json.loads(payload))
            pid = os.fork()
            if pid == 0:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                sock.close()
                os.close(wake_r)
                os.close(wake_w)
                if handshake:
                    handshake.in_child()
                child(fds, handshake)  # never returns
            if handshake:
                handshake.in_parent(pid)
            for fd in fds:
                os.close(fd)
            started.add(pid)
            _send_line(sock, {"pid": pid})


def _reap(sock: socket.socket, started: set[int]) -> None:
    """Reap every exited descendant; report those the grader started."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in started:
            started.discard(pid)
            code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            _send_line(sock, {"exit": pid, "code": code})


def _reap_remaining(sock: socket.socket, started: set[int], seconds: float = 2.0) -> None:
    """At shutdown: reap the descendants the grader has killed, so none is left a zombie."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.01)


def _send_line(sock: socket.socket, message: dict) -> None:
    sock.sendall(json.dumps(message).encode() + b"\n")


def _receive_job(sock: socket.socket) -> tuple[bytes, list[int]] | None:
    header, fds, _, _ = socket.recv_fds(sock, JOB_HEADER.size, 4)
    if not header:
        return None
    (length,) = JOB_HEADER.unpack(header)
    chunks, remaining = [], length
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks), fds


# --- child ------------------------------------------------------------------------------

def child(fds: list[int], handshake=None) -> None:
    """Everything a forked child does; ends the process."""
    result_fd, output_fd, job_fd = fds
    os.dup2(result_fd, RESULT_FD)
    os.close(result_fd)
    send = _Channel(RESULT_FD)
    try:
        job = _read_job(job_fd)
        send.limit(**job.pop("result_bytes"))
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        keep = sorted({handshake.ready_w, handshake.mapped_r} if handshake else set())
        for low, high in zip([2, *keep], [*keep, RESULT_FD]):  # every descriptor but those
            os.closerange(low + 1, high)
        for stream in (sys.stdout, sys.stderr):
            stream.reconfigure(line_buffering=True, write_through=True)
        probes = _probes(job.pop("probes"), job["tests"])
        forbidden = job.pop("forbidden")
        guard = Guard(forbidden["modules"], forbidden["calls"], {unit["filename"] for unit in job["units"]})
        guard.install()
        sandbox.enter(sandbox.Plan.from_dict(job.pop("plan")), handshake)
        del forbidden, handshake  # what student code may find in this frame: no host path
    except BaseException as exc:  # the sandbox or the course failed: a grader fault
        send({"kind": "fatal", "message": f"{type(exc).__name__}: {exc}"})
        os._exit(71)
    try:
        run(job, probes, guard, send)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001 - the student may have replaced or closed it
                pass
        os._exit(0)


def _read_job(fd: int) -> dict:
    """The job the grader wrote to ``fd`` (read from its start, then closed)."""
    chunks = []
    while chunk := os.pread(fd, 1 << 20, sum(map(len, chunks))):
        chunks.append(chunk)
    os.close(fd)
    return json.loads(b"".join(chunks))


def _probes(excerpt: dict, tests: list[str]) -> dict:
    """The probes to run, compiled from the grader's excerpt of the probe module: no other
    probe, no docstring, and a file name that is no path."""
    module = types.ModuleType("_grader_probes")  # not in sys.modules
    exec(compile(excerpt["source"], excerpt["filename"], "exec", dont_inherit=True), module.__dict__)
    found = {p.id: p for p in collect(module) if p.id in tests}
    absent = [test for test in tests if test not in found]
    if absent:
        raise LookupError(f"the probe excerpt lacks {absent}")
    return found


class _Channel:
    """The child's end of the result channel: frames within the schema's bounds, outputs
    within the caps of the job (else an ``oversized`` result), written without copies."""

    def __init__(self, fd: int):
        self.fd, self.test_cap, self.budget = fd, 0, 0

    def limit(self, test: int, submission: int) -> None:
        self.test_cap, self.budget = test, submission

    def __call__(self, message: dict, tree=None) -> None:
        message = _bounded(message)
        head, parts = protocol.encode_parts(message, tree)
        if message["kind"] == "result":
            size = sum(part.nbytes for part in parts)
            cap = ("header" if len(head) > protocol.HEADER.size + protocol.MAX_HEADER_BYTES else
                   "test" if size > self.test_cap else "submission" if size > self.budget else None)
            if cap:
                head, parts = protocol.encode_parts(_oversized(message, size + len(head), cap))
            else:
                self.budget -= size
        for data in (head, *parts):
            data = memoryview(data)
            while data:
                data = data[os.write(self.fd, data):]


def _oversized(message: dict, size: int, cap: str) -> dict:
    kept = {key: message[key] for key in ("test", "warnings", "forbidden") if key in message}
    return {"kind": "result", **kept, "status": "oversized", "oversized": {"bytes": size, "cap": cap}}


def _bounded(message: dict) -> dict:
    """``message`` with its texts and lists cut to the frame schema's bounds."""
    bounded = dict(message)
    for key, size in (("error", _MAX_TEXT), ("message", _MAX_TEXT), ("exception", _MAX_NAME),
                      ("exception_message", raising.MAX_MESSAGE), ("raised_in", _MAX_NAME)):
        if isinstance(bounded.get(key), str):
            bounded[key] = bounded[key][:size]
    if "missing" in bounded:
        bounded["missing"] = [name[:_MAX_NAME] for name in bounded["missing"][:_MAX_EVENTS]]
    if "forbidden" in bounded:
        bounded["forbidden"] = [{"what": str(e.get("what"))[:_MAX_NAME], "where": str(e.get("where"))[:_MAX_NAME]}
                                for e in bounded["forbidden"][:_MAX_EVENTS]]
    if "load_warnings" in bounded:
        bounded["load_warnings"] = [str(w)[:_MAX_WARNING] for w in bounded["load_warnings"][:_MAX_WARNINGS]]
    if "import_errors" in bounded:
        errors = bounded["import_errors"]
        kept = [{"where": e["where"][:_MAX_NAME], "error": e["error"][:_MAX_TEXT]}
                for e in errors[:_MAX_IMPORT_ERRORS]]
        if len(errors) > _MAX_IMPORT_ERRORS:
            kept.append({"where": f"{len(errors) - _MAX_IMPORT_ERRORS} more code units",
                         "error": "they raised too; fix the errors above first"})
        bounded["import_errors"] = kept
    return bounded


def run(job: dict, probes: dict, guard: Guard, send) -> None:
    """Load the student's code units, then run each requested probe."""
    filenames = {unit["filename"] for unit in job["units"]}
    module = types.ModuleType(job["module"])
    module.__dict__["__builtins__"] = builtins
    if job.get("file"):
        module.__file__ = job["file"]
    standins = StandIns({unit["filename"]: unit["label"] for unit in job["units"]})
    standins.install({unit["filename"]: unit["source"] for unit in job["units"]})
    module.__dict__.update(standins.names())
    sys.modules[job["module"]] = module
    send({"kind": "started"})
    import_errors = load(job["units"], module, filenames, {n for p in probes.values() for n in p.calls})
    send({"kind": "loaded", "import_errors": import_errors, "forbidden": guard.take(),
          "load_warnings": standins.warnings})
    guard.testing = standins.testing = True  # from now on, uses are the tests'
    for test_id in job["tests"]:
        send(*_run_probe(probes[test_id], module, job["seed"], guard, filenames))
    send({"kind": "done"})


def load(units: list[dict], module: types.ModuleType, filenames: set[str], needed: set[str]) -> list[dict]:
    """Run each code unit in ``module``; the import errors, each saying what ran and what
    did not (and, on the last, which of the ``needed`` names were left undefined)."""
    errors = []
    for unit in units:
        lines = unit["source"].splitlines(keepends=True)
        linecache.cache[unit["filename"]] = (len(unit["source"]), None, lines, unit["filename"])
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            try:
                exec(compile(unit["source"], unit["filename"], "exec", dont_inherit=True), module.__dict__)
            except BaseException as exc:  # noqa: BLE001 - any exception of student code is data
                ran = _what_ran(unit, exc, len(units) > 1)
                errors.append({"where": unit["label"], "error": f"{describe(exc, filenames)}\n{ran}"})
    if errors:
        errors[-1]["error"] += _undefined(units, module.__dict__, needed)
    return errors


def _what_ran(unit: dict, exc: BaseException, several: bool) -> str:
    """Which lines of ``unit`` ran before ``exc`` stopped it, in words."""
    total = len(unit["source"].splitlines())
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__)
             if f.filename == unit["filename"] and f.name == "<module>"]
    if not lines and isinstance(exc, SyntaxError):
        lines = [exc.lineno or 1]
    line = lines[0] if lines else 1
    head = f"Line {line}" if unit["label"] == "module" else f"Line {line} of {unit['label']}"
    done = f"{_lines(1, line - 1)} ran" if line > 1 else "nothing before it ran"
    rest = f"{_lines(line + 1, total)} did not run" if line < total else "it was the last line"
    later = " The other cells ran." if several else ""
    return f"{head} raised this: {done}; {rest}.{later}"


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _undefined(units: list[dict], namespace: dict, needed: set[str]) -> str:
    """Which of the names the tests call are left undefined, and where each is written."""
    absent = sorted(name for name in needed if name not in namespace)
    if not absent:
        return f"\nEvery function the tests call is defined ({', '.join(sorted(needed))})."
    written = {}
    for unit in units:
        try:
            tree = syntax.parse(unit["source"])
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in absent:
                where = "line" if unit["label"] == "module" else f"{unit['label']}, line"
                written.setdefault(node.name, f"{where} {node.lineno}")
    parts = [f"`{name}` ({written[name]}, which did not run)" if name in written else
             f"`{name}` (not in your code)" for name in absent]
    return "\nSo these functions the tests call are not defined: " + ", ".join(parts) + "."


def _run_probe(probe, module, seed: int, guard: Guard, filenames: set[str]) -> tuple[dict, object]:
    message = {"kind": "result", "test": probe.id}
    missing = [name for name in probe.calls if name not in module.__dict__]
    if missing:
        return {**message, "status": "missing", "missing": missing, "forbidden": guard.take()}, None
    tree, error, raised, details = None, None, None, {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            tree = protocol.to_plain(probe.run(module, seed))
            status = "returned"
        except protocol.NotPlainData as exc:
            status, error = "not_plain", str(exc)
        except BaseException as exc:  # noqa: BLE001
            status, error = "raised", describe(exc, filenames)
            raised = f"{type(exc).__module__}.{type(exc).__qualname__}"
            details = {"exception_message": raising.message(exc), "raised_in": raising.function(exc, filenames)}
    return {**message, "status": status, "error": error, "exception": raised, **details,
            "warnings": len(caught), "forbidden": guard.take()}, tree


def describe(exc: BaseException, filenames: set[str]) -> str:
    """The exception with a traceback of the student's own frames only."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in filenames]
    try:
        last = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise
        last = type(exc).__name__
    if not frames:
        return f"{last[:2000]}\n(raised outside your code, while the test used what your code returned)"
    skipped = len(frames) - _MAX_TRACEBACK_FRAMES
    shown = [line[:_MAX_TRACEBACK_LINE] for line in traceback.format_list(frames[-_MAX_TRACEBACK_FRAMES:])]
    more = [f"  ... {skipped} earlier frames ...\n"] if skipped > 0 else []
    return "Traceback (your code, most recent call last):\n" + "".join(more + shown) + last[:2000]


if __name__ == "__main__":
    main()
