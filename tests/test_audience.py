"""Audiences: students never see the expected values of hidden tests, in any export."""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest
from conftest import ROOT

from grader import audience, export, report
from grader.exitcode import ExitCode

MISTAKES = ROOT / "reference" / "mistakes" / "softmax"


@pytest.fixture(scope="module")
def reports(grade, mistake_file):
    """Reports whose hidden and after_due_date tests fail with expected values in their messages."""
    return {name: grade(mistake_file(MISTAKES / f"{name}.py")) for name in
            ("kl_divergence_reversed", "softmax_without_max_subtraction", "kl_divergence_in_bits")}


def _by_visibility(document: dict, visibility: str) -> list[dict]:
    return [t for t in document["tests"] if t["visibility"] == visibility]


def test_the_instructor_sees_expected_values_of_hidden_tests_and_students_do_not(reports):
    document = reports["kl_divergence_in_bits"]
    hidden_failures = [t for t in document["tests"] if t["visibility"] != "visible" and t["status"] == "failed"]
    assert hidden_failures and all("expected" in t["message"] for t in hidden_failures)
    assert all(not re.search(r"\d", t["student_message"]) for t in hidden_failures)
    shown = audience.view(document, "student")
    report.validate(shown)
    assert shown["audience"] == "student"
    for test in shown["tests"]:
        if test["visibility"] == "visible":
            original = next(t for t in document["tests"] if t["id"] == test["id"])
            assert test == original  # everything: the release holds these expected values anyway
        else:
            assert test["message"] in ("", audience.HIDDEN_NOTE) and test["diagnosis"] is None
            assert test["outputs"] == {} and "tolerance" not in test
            assert {k: test[k] for k in ("id", "name", "status", "score", "max_score")} == {
                k: t[k] for t in document["tests"] if t["id"] == test["id"] for k in ("id", "name", "status", "score",
                                                                                       "max_score")}
    assert shown["score"] == document["score"]
    assert audience.view(shown, "instructor") == shown  # a student's view never becomes an instructor's


def test_after_the_due_date_students_see_messages_without_expected_values(reports):
    document = reports["kl_divergence_reversed"]
    late = [t for t in _by_visibility(document, "after_due_date") if t["status"] == "failed"]
    assert late, "the reversed KL fails the after_due_date test"
    before = {t["id"]: t for t in audience.view(document, "student")["tests"]}
    after = {t["id"]: t for t in audience.view(document, "student", after_due_date=True)["tests"]}
    for test in late:
        assert before[test["id"]]["message"] == audience.HIDDEN_NOTE and before[test["id"]]["diagnosis"] is None
        assert after[test["id"]]["message"] == test["student_message"] != ""
        assert not re.search(r"\d", after[test["id"]]["message"].replace("kl_divergence", ""))  # no number at all
        assert "expected" in test["message"]
        assert after[test["id"]]["diagnosis"] == test["diagnosis"]
    for test in _by_visibility(document, "hidden"):
        assert after[test["id"]]["message"] in ("", audience.HIDDEN_NOTE)


@pytest.mark.parametrize("kind", ["gradescope", "junit", "csv"])
def test_every_export_for_students_holds_no_expected_value_of_a_hidden_test(reports, kind):
    documents = list(reports.values())
    for_instructor = export.render(documents if kind != "gradescope" else documents[:1], kind)
    for_student = export.render(documents if kind != "gradescope" else documents[:1], kind, "student")
    hidden = [t for d in (documents if kind != "gradescope" else documents[:1]) for t in d["tests"]
              if t["visibility"] != "visible" and "expected" in t["message"]]
    if kind == "csv":
        assert list(csv.reader(for_student.splitlines())) == list(csv.reader(for_instructor.splitlines()))
        return
    assert hidden
    for test in hidden:
        assert test["message"].splitlines()[-1] in for_instructor
        assert test["message"].splitlines()[-1] not in for_student
    if kind == "junit":
        ElementTree.fromstring(for_student)
    else:
        results = json.loads(for_student)
        shown = {t["name"].split(":")[0]: t for t in results["tests"]}
        assert all(shown[t["id"]]["output"] in ("", audience.HIDDEN_NOTE) for t in hidden)


def test_export_takes_the_audience_on_the_command_line(reports, tmp_path):
    path = report.write(reports["kl_divergence_in_bits"], tmp_path / "r.json")
    run = [sys.executable, "-m", "grader.cli_entry", "export", "-f", "junit", str(path)]
    student = subprocess.run([*run, "--audience", "student"], capture_output=True, text=True, cwd=ROOT, check=False)
    instructor = subprocess.run(run, capture_output=True, text=True, cwd=ROOT, check=False)
    assert student.returncode == instructor.returncode == ExitCode.OK
    assert audience.HIDDEN_NOTE in student.stdout and audience.HIDDEN_NOTE not in instructor.stdout
    bad = subprocess.run([*run, "--audience", "everyone"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert bad.returncode == ExitCode.USAGE
