"""Installed as users install it: a wheel (not editable) in a fresh venv under /tmp, without
PyTorch, run from `/`. The shipped course travels in the wheel; torch is an extra."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from grader.exitcode import ExitCode

EXAMPLES = ROOT / "examples" / "softmax"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True)
    folder = Path("/tmp") / f"grader-venv-{os.getpid()}"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    wheel = next(wheels.glob("mlgrader-*.whl"))
    installed = subprocess.run([str(folder / "bin" / "pip"), "install", "-q", str(wheel)], capture_output=True,
                               text=True)
    assert installed.returncode == 0, installed.stderr[-2000:]
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def run(venv: Path, *args, cwd="/"):
    env = {k: v for k, v in os.environ.items() if k not in ("GRADER_COURSE", "PYTHONPATH")}
    env["COLUMNS"] = "250"  # one table row per line
    return subprocess.run([str(venv / "bin" / "grader"), *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def test_the_wheel_installs_without_torch_in_a_small_venv(venv):
    probe = subprocess.run([str(venv / "bin" / "python"), "-c", "import importlib.util as u; "
                            "print(u.find_spec('torch') is None, u.find_spec('grader').origin)"],
                           capture_output=True, text=True, cwd="/", check=True).stdout.split()
    assert probe[0] == "True"
    assert probe[1].startswith(str(venv)), "the wheel's grader, not this checkout's"
    assert _size(venv) < 150 * 10**6


def test_list_from_root_shows_the_seven_assignments(venv):
    result = run(venv, "list")
    assert result.returncode == ExitCode.OK, result.stderr
    for name in ("ols", "softmax", "two_layer_net", "conv", "lstm", "attention", "batchnorm"):
        assert name in result.stdout
    assert "needs PyTorch" in result.stdout  # attention, in this venv


def test_grade_from_root_grades_the_examples_with_the_shipped_course(venv, tmp_path):
    result = run(venv, "grade", "-a", "softmax", "-o", str(tmp_path), "--seed", "4", *map(str, EXAMPLES.iterdir()))
    assert result.returncode == ExitCode.OK, result.stderr
    report = json.loads((tmp_path / "ada_loops.json").read_text())
    assert report["score"] == report["max_score"] == 30


def test_an_assignment_needing_torch_says_how_to_install_it(venv, tmp_path):
    result = run(venv, "grade", "-a", "attention", "-o", str(tmp_path), str(EXAMPLES / "ada_loops.py"))
    assert result.returncode == ExitCode.USAGE
    assert "pip install 'mlgrader[torch]'" in result.stderr
    assert not list(tmp_path.iterdir())


def test_init_copies_the_shipped_course_for_an_instructor(venv, tmp_path):
    course = tmp_path / "my-course"
    assert run(venv, "init", str(course)).returncode == ExitCode.OK
    assert (course / "reference" / "softmax.py").is_file() and (course / "rubrics" / "softmax.toml").is_file()
    inside = run(venv, "list", cwd=course)
    assert inside.returncode == ExitCode.OK and "softmax" in inside.stdout
    again = run(venv, "init", str(course))
    assert again.returncode == ExitCode.USAGE and "is not empty" in again.stderr


def test_a_course_folder_that_is_not_one_is_a_usage_error(venv, tmp_path):
    result = run(venv, "list", "--course", str(tmp_path))
    assert result.returncode == ExitCode.USAGE
    assert "grader init" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("without", [(), ("--without", "namespaces")])
def test_the_course_inside_the_installed_package_is_invisible_to_student_code(venv, tmp_path, without):
    """A wheel carries the course (references and mistakes included) inside site-packages,
    which the sandbox shows read-only: that one folder is hidden, with or without namespaces."""
    fixture = ROOT / "tests" / "submissions" / "reads_the_course_shipped_inside_the_installed_package.py"
    result = run(venv, "grade", "-a", "softmax", "-o", str(tmp_path), "--seed", "4", *without, str(fixture))
    assert result.returncode == ExitCode.OK, result.stderr
    report = json.loads(next(tmp_path.glob("*.json")).read_text())
    output = report["output"]["text"]
    assert "listing" in output, "the fixture looked inside the installed package"
    assert "THREAT SUCCEEDED" not in output and "blocked:" in output
    assert report["score"] <= 1  # at most the property probe a constant answer can pass


# --- releases and self-check, as students get them ------------------------------------------

NUMPY_ASSIGNMENTS = ("ols", "softmax", "two_layer_net", "conv", "lstm", "batchnorm")


@pytest.fixture(scope="module")
def releases(venv, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("installed-releases")
    made = {}
    for name in NUMPY_ASSIGNMENTS:
        result = run(venv, "release", "-a", name, "-o", str(folder / name), "--seed", "11")
        assert result.returncode == ExitCode.OK, result.stderr
        made[name] = folder / name
    return made


def test_release_works_for_every_assignment_and_says_when_torch_is_needed(venv, releases, tmp_path):
    from test_release import _code_lines
    attention = run(venv, "release", "-a", "attention", "-o", str(tmp_path / "attention"))
    assert attention.returncode == ExitCode.USAGE and "pip install 'mlgrader[torch]'" in attention.stderr
    for name, folder in releases.items():
        released = "\n".join(p.read_text() for p in folder.iterdir())
        public = (ROOT / "assignments" / name / "README.md").read_text() + (
            ROOT / "assignments" / name / "template.py").read_text()
        check = json.loads((folder / f"{name}.selfcheck.json").read_text())
        public += "\n".join(f"{m['misconception']} Fix: {m['fix']}" for m in check["mistakes"])
        reference = [line for line in _code_lines(ROOT / "reference" / f"{name}.py") if line not in public]
        assert reference and not [line for line in reference if line in released], name
        hidden = [test for test in _rubric_tests(name, hidden=True)]
        assert hidden and not [test for test in hidden if test in released], name


def _rubric_tests(name: str, hidden: bool) -> list[str]:
    import tomllib
    tests = tomllib.loads((ROOT / "rubrics" / f"{name}.toml").read_text())["tests"]
    return [test for test, entry in tests.items() if (entry["visibility"] != "visible") == hidden]


def test_check_needs_only_the_release_and_the_students_file(venv, releases, tmp_path, mistake_file):
    """No course anywhere the installed grader looks (its shipped copy moved away): `grader
    list` has none, and `grader check` still grades from the release alone."""
    from grader import selfcheck
    site = next((venv / "lib").glob("python3*/site-packages"))
    shipped = site / "grader" / "course"
    shipped.rename(site / "grader" / "course-moved-away")
    try:
        assert run(venv, "list").returncode == ExitCode.USAGE
        for name, folder in releases.items():
            mine = tmp_path / name
            shutil.copytree(folder, mine)
            correct = sorted((ROOT / "tests" / "alternatives" / name).glob("[!_]*.py"))[0]
            shutil.copy(correct, mine / f"{name}.py")
            passed = run(venv, "check", f"{name}.py", cwd=mine)
            assert passed.returncode == ExitCode.OK, passed.stdout + passed.stderr
            recorded = selfcheck.read(mine / f"{name}.selfcheck.json").mistakes
            mistake = mistake_file(ROOT / "reference" / "mistakes" / name / f"{recorded[0].name}.py")
            shutil.copy(mistake, mine / f"{name}.py")
            failed = run(venv, "check", f"{name}.py", cwd=mine)
            assert failed.returncode == ExitCode.TESTS_FAILED, failed.stdout + failed.stderr
            assert "Hint: Matches a known mistake:" in failed.stdout, (name, failed.stdout)
            if name == "softmax":
                assert f"Matches a known mistake: {recorded[0].misconception}" in " ".join(failed.stdout.split())
    finally:
        (site / "grader" / "course-moved-away").rename(shipped)


def test_plain_pytest_runs_the_visible_tests_through_the_entry_point(venv, releases, tmp_path):
    installed = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "pytest"], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr[-2000:]
    mine = tmp_path / "softmax"
    shutil.copytree(releases["softmax"], mine)
    shutil.copy(EXAMPLES / "ben_overflows.py", mine / "softmax.py")
    result = subprocess.run([str(venv / "bin" / "pytest"), "-p", "no:cacheprovider", "--junitxml=junit.xml"],
                            capture_output=True, text=True, cwd=mine, timeout=300)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "1 failed, 4 passed" in result.stdout and "Hint: Matches a known mistake" in result.stdout
    assert (mine / "junit.xml").exists()


# --- an ordinary user ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def user_python(tmp_path_factory):
    """A Python an ordinary user (uid 65534) can run: this one's whole prefix, hard-linked
    under /opt (the original lives under /root, mode 700), and a folder of the wheels it
    needs, readable by anyone."""
    prefix = Path("/opt") / f"grader-user-python-{os.getpid()}"
    subprocess.run(["cp", "-al", sys.base_prefix, str(prefix)], check=True)
    shared = Path("/tmp") / f"grader-user-wheels-{os.getpid()}"
    shared.mkdir(mode=0o755)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(shared), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(shared.glob("mlgrader-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "-d", str(shared), str(wheel)],
                   check=True, capture_output=True)
    for path in shared.iterdir():
        path.chmod(0o644)
    yield prefix / "bin" / Path(sys.executable).name, shared, wheel
    subprocess.run(["rm", "-rf", str(prefix), str(shared)], check=False)


def _as_user(*args, cwd="/", home: Path, timeout=600):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "COLUMNS": "250"}
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, user=65534,
                          group=65534, extra_groups=[], timeout=timeout)


def test_an_ordinary_user_installs_the_wheel_releases_and_checks(user_python):
    python, wheels, wheel = user_python
    home = Path("/tmp") / f"grader-user-home-{os.getpid()}"
    made = _as_user("/bin/mkdir", "-p", home, home=Path("/tmp"))
    assert made.returncode == 0, made.stderr
    try:
        venv = home / "venv"
        assert _as_user(python, "-m", "venv", venv, home=home).returncode == 0
        installed = _as_user(venv / "bin" / "pip", "install", "-q", "--no-index", "--find-links", wheels, wheel,
                             home=home)
        assert installed.returncode == 0, installed.stderr[-2000:]
        listed = _as_user(venv / "bin" / "grader", "list", home=home)
        assert listed.returncode == ExitCode.OK and "batchnorm" in listed.stdout, listed.stderr
        released = _as_user(venv / "bin" / "grader", "release", "-a", "softmax", "-o", home / "hw", home=home)
        assert released.returncode == ExitCode.OK, released.stderr
        answer = _as_user("/bin/cp", EXAMPLES / "ada_loops.py", home / "hw" / "softmax.py", home=home)
        assert answer.returncode == 0, answer.stderr
        checked = _as_user(venv / "bin" / "grader", "check", "softmax.py", cwd=home / "hw", home=home)
        assert checked.returncode == ExitCode.OK, checked.stdout + checked.stderr
        assert "Visible tests: 9/9" in checked.stdout
        graded = _as_user(venv / "bin" / "grader", "grade", "-a", "softmax", "-o", home / "out", "--seed", "3",
                          EXAMPLES / "ben_overflows.py", home=home)
        assert graded.returncode == ExitCode.OK, graded.stderr
        report = json.loads((home / "out" / "ben_overflows.json").read_text())
        assert report["isolation"]["runs_as"].startswith("uid 65534")  # the user's own uid, or nobody in a namespace
        assert report["score"] == 22  # ben_overflows at its seed: the same marks as root's grading
    finally:
        subprocess.run(["rm", "-rf", str(home)], check=False)


def test_an_installed_grader_builds_a_gradescope_autograder_with_a_wheel_of_itself(venv, tmp_path):
    """No checkout to build a wheel from: the installed distribution is repacked into one,
    which installs and runs."""
    made = run(venv, "gradescope", "-a", "softmax", "-o", str(tmp_path / "autograder.zip"))
    assert made.returncode == ExitCode.OK, made.stderr
    import zipfile
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        wheel_name = next(n for n in archive.namelist() if n.startswith("wheels/mlgrader-"))
        archive.extract(wheel_name, tmp_path)
    wheel = tmp_path / wheel_name
    with zipfile.ZipFile(wheel) as inner:
        names = inner.namelist()
    assert "grader/__init__.py" in names and "grader/plugin.py" in names
    assert any(n.endswith(".dist-info/RECORD") for n in names) and any(n.endswith("entry_points.txt") for n in names)
    other = tmp_path / "other-venv"
    subprocess.run([sys.executable, "-m", "venv", str(other)], check=True)
    installed = subprocess.run([str(other / "bin" / "pip"), "install", "-q", str(wheel)], capture_output=True,
                               text=True)
    assert installed.returncode == 0, installed.stderr[-2000:]
    listed = subprocess.run([str(other / "bin" / "grader"), "list"], capture_output=True, text=True, cwd="/",
                            env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GRADER_COURSE")})
    assert listed.returncode == ExitCode.OK and "softmax" in listed.stdout, listed.stderr
