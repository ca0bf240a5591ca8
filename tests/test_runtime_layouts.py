"""Correct work gets full marks wherever the Python runtime lives, and a broken runtime
stops the batch with exit 3 and its cause, never a report of zeros (the canary).

Each layout is a real interpreter whose NumPy lives under the folder tested: a venv under
/tmp (where CI tool caches live), /home and /opt; a relocated whole prefix under /opt (as
conda installs one); and a user site (``pip install --user``). Files are hard links
(instant on one file system), with a copy as the fallback."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import uuid
from pathlib import Path

import pytest

from conftest import ROOT
from grader.exitcode import ExitCode

CORRECT = ROOT / "examples" / "softmax" / "ada_loops.py"
SITE = Path(sysconfig.get_paths()["purelib"])
NUMPY = [p for p in SITE.iterdir() if p.name == "numpy" or p.name.startswith(("numpy.libs", "numpy-"))]


def _link_tree(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(source, target, copy_function=os.link, symlinks=True)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, symlinks=True)


def _venv_with_numpy(prefix: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(prefix)],
                   check=True)
    site = prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    for entry in NUMPY:
        _link_tree(entry, site / entry.name) if entry.is_dir() else os.link(entry, site / entry.name)
    return prefix / "bin" / "python"


def _whole_prefix(prefix: Path) -> Path:
    _link_tree(Path(sys.base_prefix), prefix)
    return prefix / "bin" / Path(sys.executable).name


def _user_site(base: Path) -> tuple[Path, dict]:
    env = {"PYTHONUSERBASE": str(base)}
    site = subprocess.run([sys.executable, "-c", "import site; print(site.getusersitepackages())"],
                          capture_output=True, text=True, env={**os.environ, **env}, check=True).stdout.strip()
    for entry in NUMPY:
        target = Path(site) / entry.name
        _link_tree(entry, target) if entry.is_dir() else (target.parent.mkdir(parents=True, exist_ok=True),
                                                         os.link(entry, target))
    return Path(sys.executable), env


LAYOUTS = {
    "venv under /tmp": lambda folder: (_venv_with_numpy(folder), {}),
    "venv under /home": lambda folder: (_venv_with_numpy(folder), {}),
    "venv under /opt": lambda folder: (_venv_with_numpy(folder), {}),
    "whole prefix under /opt (as conda)": lambda folder: (_whole_prefix(folder), {}),
    "user site under /home": _user_site,
}
PARENTS = {"venv under /tmp": "/tmp", "venv under /home": "/home", "venv under /opt": "/opt",
           "whole prefix under /opt (as conda)": "/opt", "user site under /home": "/home"}


@pytest.fixture
def layout_folder(request):
    folder = Path(PARENTS[request.param]) / f"grader-layout-{uuid.uuid4().hex[:8]}"
    yield request.param, folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(not NUMPY, reason="NumPy is not in this interpreter's own site-packages")
@pytest.mark.parametrize("layout_folder", list(LAYOUTS), indirect=True)
def test_correct_work_gets_full_marks_wherever_the_runtime_lives(layout_folder, tmp_path):
    name, folder = layout_folder
    if name.startswith("user site") and sys.prefix != sys.base_prefix:
        pytest.skip("Python has no user site inside a virtual environment (this suite runs in one)")
    python, env = LAYOUTS[name](folder)
    env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}  # this checkout's grader, that runtime's NumPy
    where = subprocess.run([str(python), "-c", "import numpy; print(numpy.__file__)"], capture_output=True,
                           text=True, env=env, cwd="/", check=True).stdout.strip()
    assert where.startswith(str(folder)), f"NumPy came from {where}, not from the layout under test"
    result = subprocess.run([str(python), "-m", "grader.cli_entry", "grade", "-a", "softmax", "-o", str(tmp_path),
                             "--seed", "3", str(CORRECT)], capture_output=True, text=True, env=env, cwd="/",
                            timeout=300)
    assert result.returncode == ExitCode.OK, result.stderr
    report = json.loads((tmp_path / "ada_loops.json").read_text())
    assert report["score"] == report["max_score"] == 30, [t["message"] for t in report["tests"]][:2]


def test_a_broken_runtime_stops_the_batch_with_its_cause_and_writes_no_report(tmp_path, monkeypatch, capsys):
    """The canary: a sandbox that hides the Python runtime's files from the worker child.
    The worker preimports what grading NumPy code uses (numpy.random included), so the
    reference of this copy of the course also uses a NumPy module that no worker preimports,
    as a student's code may: the child must read it, and cannot."""
    from grader import cli, grading
    course = tmp_path / "course"
    shutil.copytree(ROOT / "assignments" / "softmax", course / "assignments" / "softmax")
    for part in ("rubrics/softmax.toml", "reference/softmax.py"):
        (course / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / part, course / part)
    reference = course / "reference" / "softmax.py"
    reference.write_text(reference.read_text() + "\nnp.polynomial  # NumPy loads it on first use, from disk\n")
    prefixes = (sys.prefix, sys.base_prefix, str(SITE))
    hidden = [p for p in grading.runtime_paths() if not p.startswith(prefixes)]
    monkeypatch.setattr(grading, "runtime_paths", lambda: hidden)
    monkeypatch.setattr(sys, "argv", ["grader", "grade", "--course", str(course), "-a", "softmax", "-o",
                                      str(tmp_path / "out"), "--seed", "3", str(CORRECT)])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    assert ended.value.code == ExitCode.GRADER_FAULT
    error = capsys.readouterr().err
    assert "reference solution" in error and "nothing was graded" in error
    assert "No module named" in error  # the cause, as the worker saw it
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


WITHOUT = [("namespaces",), ("cgroups",), ("seccomp",), ("landlock",), ("namespaces", "cgroups", "seccomp", "landlock")]


@pytest.mark.parametrize("without", WITHOUT, ids=["-".join(w) for w in WITHOUT])
@pytest.mark.parametrize("name", ["softmax", "attention"])
def test_the_reference_gets_full_marks_with_any_layer_switched_off(course, name, without):
    """A machine that lacks a layer (or a user who turns one off) still grades correct work
    right: the canary passes, e.g. without cgroups the address-space limit (256 MiB here)
    leaves room for the runtime's own mappings (torch's included)."""
    from grader import pool, rubric, sandbox
    from grader.grading import Grader, Options
    from grader.limits import MIB, Limits
    layers = sandbox.detect(frozenset(without))
    workers = pool.Pool(1, cgroups=layers.cgroups)
    try:
        found = course[name]
        with Grader(found, rubric.load(found), layers, Options(Limits(memory_bytes=256 * MIB), seed=3),
                    workers=workers) as grader:
            document = grader.canary()
    finally:
        workers.close()
    assert document["score"] == document["max_score"] > 0
