"""The pytest plugin: in a folder holding a release, plain pytest runs the visible tests
with the messages and diagnoses of `grader check`, and --junitxml reports them."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import ROOT

from grader import checker, release, rubric, selfcheck

SEED = 99
MISTAKES = ROOT / "reference" / "mistakes" / "softmax"


@pytest.fixture(scope="module")
def released(tmp_path_factory, layers, workers, course) -> Path:
    folder = tmp_path_factory.mktemp("plugin") / "softmax"
    release.build(course["softmax"], rubric.load(course["softmax"]), layers, folder, seed=SEED, workers=workers)
    return folder


def _repository(released: Path, tmp_path: Path, **files: Path) -> Path:
    """A student's repository: the release, with ``files`` (name -> source) saved in it."""
    folder = tmp_path / "repository"
    shutil.copytree(released, folder)
    for name, source in files.items():
        shutil.copy(source, folder / name.replace("_py", ".py").replace("_ipynb", ".ipynb"))
    return folder


def _pytest(folder: Path, *args) -> tuple[subprocess.CompletedProcess, ElementTree.Element]:
    # the plugin as its entry point loads it (only once: a checkout's egg-info may declare it too)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "grader.plugin", "-p", "no:cacheprovider",
                          "--junitxml", str(folder / "junit.xml"), *args], capture_output=True, text=True,
                         cwd=folder, env=env, timeout=300, check=False)
    return run, ElementTree.parse(folder / "junit.xml").getroot()


def _cases(junit: ElementTree.Element) -> dict:
    return {case.get("name"): case for case in junit.iter("testcase")}


def test_each_visible_test_is_an_item_with_the_messages_and_hints_of_grader_check(released, tmp_path, layers,
                                                                                   mistake_file):
    mistake = mistake_file(MISTAKES / "cross_entropy_sums_instead_of_mean.py")
    folder = _repository(released, tmp_path, softmax_py=mistake)
    run, junit = _pytest(folder)
    assert run.returncode == 1, run.stdout[-3000:]
    check = selfcheck.read(folder / "softmax.selfcheck.json")
    document = checker.check_file(folder / "softmax.py", check, layers)
    cases = _cases(junit)
    assert list(cases) == [t.id for t in check.tests]
    assert all(case.get("classname") == "softmax.selfcheck.json.softmax.py" for case in cases.values())
    for test in document["tests"]:
        failure = cases[test["id"]].find("failure")
        if test["status"] == "passed":
            assert failure is None
            continue
        assert failure is not None and test["message"] in failure.text
        assert test["diagnosis"] and f"Hint: {test['diagnosis']}" in failure.text
    assert any(t["status"] != "passed" for t in document["tests"])
    assert "softmax.selfcheck.json::softmax.py::cross_entropy_batch" in run.stdout


def test_correct_work_passes_every_item(released, tmp_path):
    folder = _repository(released, tmp_path, softmax_py=ROOT / "examples" / "softmax" / "ada_loops.py")
    run, junit = _pytest(folder)
    assert run.returncode == 0, run.stdout[-3000:]
    assert junit.find("testsuite").get("tests") == "5" and junit.find("testsuite").get("failures") == "0"


def test_the_changed_files_are_checked_and_an_untouched_template_fails_cleanly(released, tmp_path):
    untouched = _repository(released, tmp_path / "a")
    run, junit = _pytest(untouched)
    assert run.returncode == 1 and set(_cases(junit)) == {t.id for t in selfcheck.read(
        untouched / "softmax.selfcheck.json").tests}
    assert "NotImplementedError" in run.stdout
    both = _repository(released, tmp_path / "b", softmax_py=ROOT / "examples" / "softmax" / "ada_loops.py",
                       softmax_ipynb=ROOT / "examples" / "softmax" / "dana_notebook.ipynb")
    run, junit = _pytest(both)
    assert {case.get("classname") for case in junit.iter("testcase")} == {
        "softmax.selfcheck.json.softmax.py", "softmax.selfcheck.json.softmax.ipynb"}
    chosen = _repository(released, tmp_path / "c", softmax_py=ROOT / "examples" / "softmax" / "ada_loops.py",
                         softmax_ipynb=ROOT / "examples" / "softmax" / "dana_notebook.ipynb")
    run, junit = _pytest(chosen, "--grader-file", "softmax.py")
    assert {case.get("classname") for case in junit.iter("testcase")} == {"softmax.selfcheck.json.softmax.py"}


def test_a_canary_that_fails_makes_every_item_an_error_not_a_failure(released, tmp_path):
    folder = _repository(released, tmp_path, softmax_py=ROOT / "examples" / "softmax" / "ada_loops.py")
    path = folder / "softmax.selfcheck.json"
    document = json.loads(path.read_text())
    document["canary"]["source"] = document["canary"]["source"].replace(f"_CANARY_SEED = {SEED}", "_CANARY_SEED = 1")
    path.write_text(json.dumps(document))
    run, junit = _pytest(folder)
    assert run.returncode == 1
    suite = junit.find("testsuite")
    assert suite.get("errors") == "5" and suite.get("failures") == "0"
    assert "no verdict was given" in run.stdout


def test_a_malformed_release_is_a_collection_error_that_says_what_to_do(released, tmp_path):
    folder = _repository(released, tmp_path)
    (folder / "softmax.selfcheck.json").write_text("{")
    run, _ = _pytest(folder)
    assert run.returncode == 2 and "ask for the release again" in run.stdout
