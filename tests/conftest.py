"""Shared fixtures: one worker pool for the session, and a helper that grades a fixture."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from grader import assignment, mistake, rubric, sandbox
from grader.grading import Grader, Options
from grader.limits import Limits
from grader.pool import Pool

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = ROOT / "tests" / "submissions"
SEED = 12345


@pytest.fixture(scope="session")
def layers():
    return sandbox.detect()


CONFIGURATIONS = ("all layers", "no namespaces")


@pytest.fixture(params=CONFIGURATIONS)
def configured(request, layers):
    """The machine's layers, and the same without namespaces (landlock, seccomp and
    cgroups must hold on their own)."""
    if request.param == "all layers":
        require_layers(layers.namespaces and layers.cgroups and layers.seccomp and layers.landlock_abi >= 6,
                       f"this machine lacks a layer: {layers.report()}")
        return layers
    require_layers(layers.cgroups and layers.seccomp and layers.landlock_abi >= 6,
                   "the fallback needs cgroups, seccomp and landlock ABI >= 6")
    return dataclasses.replace(layers, namespaces=False)


def require_layers(condition: bool, reason: str) -> None:
    """Skip without the layers a test needs, except in CI (CI=true), where that fails."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI machines must support every isolation layer: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def workers(layers):
    pool = Pool(2, cgroups=layers.cgroups)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def course():
    return {name: assignment.load(name, ROOT) for name in assignment.names(ROOT)}


@pytest.fixture(scope="session")
def grade(layers, workers, course):
    """grade(path or handin, assignment="softmax", layers=None, tests=None, **limits) -> report dict."""
    def run(path, name="softmax", layers_override=None, tests=None, **limits):
        found = course[name]
        options = Options(limits=Limits(**{"timeout_s": 3.0, **limits}), seed=SEED)
        with Grader(found, rubric.load(found), layers_override or layers, options, workers=workers) as grader:
            return grader.grade(path, tests=tests)  # a path, or a handin of a class
    return run


@pytest.fixture(scope="session")
def mistake_file(tmp_path_factory, course):
    """mistake_file(path) -> the submission the catalogue mistake ``path``
    (reference/mistakes/<assignment>/<name>.py) stands for: its file composed with the
    reference (grader.mistake), written as <name>.py in a folder of its own."""
    def make(path: Path) -> Path:
        folder = tmp_path_factory.mktemp(f"mistake-{path.parent.name}")
        return mistake.write_submission(course[path.parent.name], path, folder)
    return make


def statuses(report: dict) -> dict:
    return {test["id"]: test["status"] for test in report["tests"]}


def points_of(report: dict, prefix: str) -> tuple[float, float]:
    tests = [t for t in report["tests"] if t["id"].startswith(prefix)]
    return sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)
