"""The sandbox: which isolation layers this machine offers, and entering them in the child.

Layers (docs/design.md, "The trust boundary"):
- always: own session and process group, rlimits, a scrubbed environment, no root
  (switch to an unprivileged uid, or drop every capability), capped output, a watchdog;
- namespaces: user, PID, network, IPC, UTS and mount (a new root with only the runtime);
- cgroups: memory (bounds memfd/tmpfs too) and pids per submission, killed at the end;
- seccomp: no network sockets, ptrace, io_uring, mount, unshare...;
- landlock: a file allow-list, no TCP, scoped signals (the unprivileged fallback).
``detect`` probes each once; the report's ``isolation`` field says what was active.
"""
from __future__ import annotations

import os
import resource
import signal
import sys
import sysconfig
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader import cgroup, landlock, namespace, seccomp
from grader.limits import Limits

SAFE_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp",
                    "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "OMP_NUM_THREADS": "1",
                    "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                    "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"}


OPTIONAL_LAYERS = frozenset({"namespaces", "cgroups", "seccomp", "landlock"})


@dataclass(frozen=True)
class Layers:
    """What this machine offers; ``warnings`` say what is missing and what that risks."""

    namespaces: bool
    cgroups: bool
    seccomp: bool
    landlock_abi: int
    root: bool
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def network_isolated(self) -> bool:
        return self.namespaces or self.seccomp or self.landlock_abi >= 4

    @property
    def filesystem_isolated(self) -> bool:
        return self.namespaces or self.landlock_abi >= 1

    @property
    def memory_bounded(self) -> bool:
        return self.cgroups

    def report(self) -> dict:
        """The report's ``isolation`` field."""
        return {"process_group": True, "rlimits": True, "environment_scrubbed": True,
                "unprivileged": True, "namespaces": self.namespaces, "cgroups": self.cgroups,
                "seccomp": self.seccomp, "landlock_abi": self.landlock_abi,
                "network_isolated": self.network_isolated,
                "filesystem_isolated": self.filesystem_isolated,
                "memory_bounded": self.memory_bounded, "warnings": list(self.warnings)}

    def strict_problems(self) -> list[str]:
        """Why ``--strict`` must refuse to grade here (empty when it may)."""
        missing = {"network": self.network_isolated, "filesystem": self.filesystem_isolated,
                   "memory": self.memory_bounded}
        return [f"the {name} isolation layer is unavailable" for name, ok in missing.items() if not ok]


def detect(disable: frozenset[str] = frozenset()) -> Layers:
    """Probe every layer once (a throw-away child tries the namespaces)."""
    warnings = []
    ns_ok, ns_why = (False, "disabled") if "namespaces" in disable else _namespaces_work()
    if not ns_ok:
        warnings.append(f"namespaces unavailable ({ns_why}): student code can see this machine's "
                        "files and network except where landlock/seccomp block them")
    cg_ok, cg_why = (False, "disabled") if "cgroups" in disable else cgroup.available()
    if not cg_ok:
        warnings.append(f"cgroups unavailable ({cg_why}): memory is bounded by an address-space "
                        "rlimit only (memfd and tmpfs escape it), and a process that leaves its "
                        "session may outlive grading")
    sc_ok, sc_why = (False, "disabled") if "seccomp" in disable else seccomp.available()
    if not sc_ok:
        warnings.append(f"seccomp unavailable ({sc_why})")
    abi = 0 if "landlock" in disable else landlock.abi_version()
    if abi == 0 and not ns_ok:
        warnings.append("landlock unavailable: no file allow-list for student code")
    return Layers(ns_ok, cg_ok, sc_ok, abi, os.geteuid() == 0, tuple(warnings))


def _namespaces_work() -> tuple[bool, str]:
    pid = os.fork()
    if pid == 0:
        try:
            namespace.unshare(namespace.VIEW | namespace.CLONE_NEWPID)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        return True, ""
    return False, "unshare of user, PID, network and mount namespaces was refused"


def readable_by_anyone(paths: list[str]) -> bool:
    """Can an unprivileged user reach every path (o+x on each ancestor, o+r on the path)?"""
    import stat
    for path in paths:
        current = Path(path)
        if not current.exists():
            continue
        for ancestor in [current, *current.parents]:
            mode = ancestor.stat().st_mode
            if not mode & stat.S_IXOTH or (ancestor == current and not mode & stat.S_IROTH):
                return False
    return True


def runtime_paths() -> list[str]:
    """What student code may read: the Python runtime, its packages, shared libraries.

    Wherever the runtime lives (a venv under /tmp, /home or /opt, a conda prefix, a user
    site): the prefixes, the standard library, and every site directory on ``sys.path``.
    Never ``/`` and never the temporary folder itself (it holds the scratch folders of the
    submissions being graded), nor any folder above them."""
    import site
    import tempfile
    paths = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", sys.base_prefix, sys.prefix,
             *sysconfig.get_paths().values()]
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    for entry in sys.path:
        if not entry or not Path(entry).exists():
            continue
        if ("site-packages" in entry or "dist-packages" in entry or entry == user_site
                or _inside(entry, (sys.prefix, sys.base_prefix))):
            paths.append(entry)
    forbidden_above = [os.path.realpath(tempfile.gettempdir()), tempfile.gettempdir()]
    kept = set()
    for path in paths:
        normal = os.path.normpath(path) if path else ""
        if not normal or normal == "/" or any(_inside(scratch, (normal,)) for scratch in forbidden_above):
            continue
        kept.add(normal)
    return sorted(kept, key=len)


def hidden_course_paths(read_only, course_roots) -> list[str]:
    """The course folders that lie inside the runtime student code may read (a course
    shipped inside the installed package, a course kept in a venv): they must be hidden."""
    found = []
    for root in course_roots:
        if not root or not os.path.isdir(root):
            continue
        real = os.path.realpath(root)
        for path in read_only:  # named as it appears in the sandbox: under the bound path
            if _inside(real, (os.path.realpath(path),)):
                relative = os.path.relpath(real, os.path.realpath(path))
                found.append(os.path.normpath(os.path.join(path, relative)))
    return sorted(set(found))


def readable_except(paths, hidden) -> list[str]:
    """``paths`` (files or folder trees) rewritten as an allow-list that leaves out every
    ``hidden`` folder: a folder holding a hidden one is replaced by its other entries."""
    hidden = [os.path.realpath(h) for h in hidden]
    allowed: list[str] = []

    def cover(path: str) -> None:
        real = os.path.realpath(path)  # a rule follows links: lib64 -> lib holds what lib holds
        if real in hidden:
            return
        if not any(_inside(h, (real,)) for h in hidden) or not os.path.isdir(real):
            allowed.append(path)
            return
        try:
            entries = sorted(os.listdir(real))
        except OSError:
            return
        for entry in entries:
            cover(os.path.join(real, entry))

    for path in paths:
        cover(os.path.normpath(path))
    return allowed


def _inside(path: str, folders) -> bool:
    """Is ``path`` one of ``folders`` or below one of them (lexically)?"""
    path = os.path.normpath(path)
    return any(folder and (path == os.path.normpath(folder)
                           or path.startswith(os.path.normpath(folder).rstrip("/") + "/"))
               for folder in folders)


@dataclass(frozen=True)
class Plan:
    """What the child must do before it runs student code; plain data, sent in the job."""

    namespaces: bool
    seccomp: bool
    landlock_abi: int
    memory_cgroup: bool             # born in the zygote's cgroup (else: an address-space rlimit)
    new_root: str                   # an empty directory for the namespace root
    scratch: str                    # the writable directory without namespaces
    read_only: tuple[str, ...]
    limits: dict                    # Limits as a dict
    cpu_seconds: int
    environment: dict
    switch_user: bool = True        # without namespaces: become "nobody" (else only drop capabilities)
    submission: str = ""            # the submitted file or folder, shown read-only
    hidden: tuple[str, ...] = ()    # folders inside ``read_only`` student code must not see (a course)

    @property
    def submission_view(self) -> str:
        """Where student code sees its submission."""
        if not self.submission or not self.namespaces:
            return self.submission
        return f"/submission/{Path(self.submission).name}"

    @classmethod
    def from_dict(cls, data: dict) -> "Plan":
        return cls(**{**data, "read_only": tuple(data["read_only"]), "hidden": tuple(data.get("hidden", ()))})

    def to_dict(self) -> dict:
        return asdict(self)


class Handshake:
    """A privileged parent (the zygote, or the outer process of a second fork) writes the
    id map of its child's new user namespace, which only the outer namespace may do for
    root; the child waits for it before it goes on."""

    def __init__(self):
        self.ready_r, self.ready_w = os.pipe()
        self.mapped_r, self.mapped_w = os.pipe()

    def in_child(self) -> None:
        os.close(self.ready_r)
        os.close(self.mapped_w)

    def in_parent(self, child: int) -> None:
        """Map ``child``'s ids once it has unshared (bounded wait; it runs no student code yet)."""
        import select
        os.close(self.ready_w)
        os.close(self.mapped_r)
        try:
            ready, _, _ = select.select([self.ready_r], [], [], 10.0)
            if ready and os.read(self.ready_r, 1) == b"u":
                namespace.write_id_maps(child, os.getuid(), os.getgid())
                os.write(self.mapped_w, b"m")
        except OSError:
            pass  # the child died first: the grader sees it crash
        finally:
            os.close(self.ready_r)
            os.close(self.mapped_w)

    def wait_for_map(self) -> None:
        os.write(self.ready_w, b"u")
        if os.read(self.mapped_r, 1) != b"m":
            os._exit(70)
        os.close(self.ready_w)
        os.close(self.mapped_r)


class PidNamespaces:
    """In the zygote: decide, before each fork, whether the child gets a fresh PID namespace."""

    def __init__(self):
        self.own = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        try:
            namespace.setns(self.own, namespace.CLONE_NEWPID)
            self.available = True
        except namespace.NamespaceError:
            self.available = False  # not privileged: the child makes its own, with a second fork

    def before_fork(self, plan: dict) -> "Handshake | None":
        if not self.available:
            return None
        namespace.setns(self.own, namespace.CLONE_NEWPID)  # children in our own namespace again
        if not plan.get("namespaces"):
            return None
        namespace.unshare(namespace.CLONE_NEWPID)  # ...but the next one is pid 1 of a new one
        return Handshake()


def enter(plan: Plan, handshake: Handshake | None = None) -> None:
    """In the forked child: apply every layer of ``plan``. Returns in the process that
    will run student code; intermediate processes never return."""
    os.setsid()
    try:
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write("1000")  # if memory runs out, this child goes first, not the zygote
    except OSError:
        pass  # no /proc (not Linux): nothing to prefer
    if os.geteuid() == 0:
        os.setgroups([])
    mapped = _mapped_bytes()  # read now: the new root has no /proc
    if plan.namespaces and handshake is not None:
        namespace.set_parent_death_signal(signal.SIGKILL)
        _enter_view(plan, handshake.wait_for_map)
    elif plan.namespaces:
        _enter_namespaces(plan)
    _set_rlimits(plan, mapped)
    if plan.landlock_abi:  # opens the allowed paths: before any privilege is given up
        writable = ["/tmp"] if plan.namespaces else [plan.scratch]
        readable = ["/"] if plan.namespaces else [*readable_except(plan.read_only, plan.hidden),
                                                  "/dev/null", "/dev/urandom",
                                                  *([plan.submission] if plan.submission else [])]
        landlock.restrict(readable, [*writable, "/dev/null"])
    if not plan.namespaces and plan.switch_user:
        _become_unprivileged()
    if os.geteuid() == 0 or plan.namespaces:
        namespace.drop_capabilities()
    namespace.set_no_new_privs()
    if plan.seccomp:
        seccomp.install()
    os.environ.clear()
    os.environ.update(plan.environment)
    if not plan.namespaces:
        os.environ["TMPDIR"] = os.environ["HOME"] = plan.scratch
        os.chdir(plan.scratch)


def _enter_namespaces(plan: Plan) -> None:
    """Without a privileged zygote, a PID namespace needs a second fork: this process
    makes the namespaces, and its child, pid 1 of the new PID namespace, runs the code."""
    if os.geteuid() == 0:  # root maps "nobody", which only the outer namespace may do
        namespace.unshare(namespace.CLONE_NEWPID)
        handshake = Handshake()
        child = os.fork()
        if child:
            handshake.in_parent(child)
            _supervise(child)  # never returns
        handshake.in_child()
        namespace.set_parent_death_signal(signal.SIGKILL)
        _enter_view(plan, handshake.wait_for_map)
        return
    uid, gid = os.getuid(), os.getgid()  # an ordinary user maps its own ids, from inside
    namespace.unshare(namespace.VIEW | namespace.CLONE_NEWPID)
    namespace.write_id_maps("self", uid, gid)
    child = os.fork()
    if child:
        _supervise(child)  # never returns
    namespace.set_parent_death_signal(signal.SIGKILL)
    _enter_view(plan, lambda: None, unshared=True)


def _enter_view(plan: Plan, wait_for_map, unshared: bool = False) -> None:
    """New user, mount, network, IPC and UTS namespaces, then the new root."""
    if not unshared:
        namespace.unshare(namespace.VIEW)
    wait_for_map()
    placed = {plan.submission_view: plan.submission} if plan.submission else {}
    binds = namespace.prepare(list(plan.read_only), placed)
    inside = namespace.UNPRIVILEGED_ID
    os.setresgid(inside, inside, inside)
    os.setresuid(inside, inside, inside)
    namespace.build_root(Path(plan.new_root), binds, plan.limits["scratch_bytes"], plan.hidden)


def _supervise(child: int) -> None:
    """The outer process: wait for the child and exit with its status."""
    code = 70
    try:
        _, status = os.waitpid(child, 0)
        code = (128 + os.WTERMSIG(status)) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    finally:
        os._exit(code)


def become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process (which must reap them)."""
    import ctypes
    PR_SET_CHILD_SUBREAPER = 36
    prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)
    if prctl is not None:  # Linux; elsewhere orphans go to init, which reaps them
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _become_unprivileged() -> None:
    if os.geteuid() == 0:
        nobody = namespace.UNPRIVILEGED_ID
        os.setresgid(nobody, nobody, nobody)
        os.setresuid(nobody, nobody, nobody)


def _set_rlimits(plan: Plan, mapped_bytes: int) -> None:
    limits = Limits(**plan.limits)
    settings = {resource.RLIMIT_CPU: (plan.cpu_seconds, plan.cpu_seconds + 5),
                resource.RLIMIT_FSIZE: (limits.max_file_bytes,) * 2,
                resource.RLIMIT_NOFILE: (limits.max_open_files,) * 2,
                resource.RLIMIT_CORE: (0, 0),
                resource.RLIMIT_NPROC: (limits.max_processes,) * 2}
    if not plan.memory_cgroup:  # no memory cgroup: bound the address space instead
        # the runtime's mappings (torch reserves much address space) plus the memory limit
        settings[resource.RLIMIT_AS] = (mapped_bytes + limits.memory_bytes,) * 2
    for which, (soft, hard) in settings.items():
        current_soft, current_hard = resource.getrlimit(which)
        hard = hard if current_hard == resource.RLIM_INFINITY else min(hard, current_hard)
        resource.setrlimit(which, (min(soft, hard), hard))


def _mapped_bytes() -> int:
    """The address space this process has mapped (0 where /proc cannot tell)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0
