"""The command line: documented exit codes, one report per submission, friendly check output."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, SUBMISSIONS
from grader.exitcode import ExitCode


def grader(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "grader.cli_entry", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300, env=env)


def test_grade_writes_a_report_per_submission_and_exits_0_whatever_the_scores(tmp_path):
    result = grader("grade", "-a", "softmax", "-o", str(tmp_path), "--seed", "7", "--timeout", "2",
                    str(ROOT / "examples" / "softmax" / "ada_loops.py"), str(SUBMISSIONS / "syntax_error.py"),
                    str(SUBMISSIONS / "kills_its_parent.py"))
    assert result.returncode == ExitCode.OK, result.stderr
    reports = {p.stem: json.loads(p.read_text()) for p in tmp_path.glob("*.json")}
    assert set(reports) == {"ada_loops", "syntax_error", "kills_its_parent"}
    assert reports["ada_loops"]["score"] == reports["ada_loops"]["max_score"] == 30
    assert reports["syntax_error"]["score"] == 0 and reports["syntax_error"]["load_errors"]
    assert "ada_loops.py" in result.stdout and "30/30" in result.stdout


def test_a_path_that_does_not_exist_stops_grade_with_exit_2_before_anything_is_graded(tmp_path):
    """A typo used to become a 0/30 report with exit 0: in CI, a quietly recorded zero."""
    out = tmp_path / "out"
    result = grader("grade", "-a", "softmax", "-o", str(out), "--seed", "7",
                    str(ROOT / "examples" / "softmax" / "ada_loops.py"), str(tmp_path / "missing.py"),
                    str(tmp_path / "typo"))
    assert result.returncode == ExitCode.USAGE
    assert f"{tmp_path / 'missing.py'}: no such file or folder" in result.stderr
    assert f"{tmp_path / 'typo'}: no such file or folder" in result.stderr
    assert "nothing was graded" in result.stderr and not out.exists() and result.stdout == ""


def test_same_submission_and_seed_give_the_same_report_apart_from_durations(tmp_path):
    documents = []
    for run in ("a", "b"):
        grader("grade", "-a", "softmax", "-o", str(tmp_path / run), "--seed", "11",
               str(ROOT / "examples" / "softmax" / "ben_overflows.py"))
        documents.append(_without_durations(json.loads((tmp_path / run / "ben_overflows.json").read_text())))
    assert documents[0] == documents[1]


def _without_durations(value):
    if isinstance(value, dict):
        return {k: _without_durations(v) for k, v in value.items() if k != "duration_s"}
    if isinstance(value, list):
        return [_without_durations(v) for v in value]
    return value


def test_usage_errors_exit_2_with_the_next_step():
    unknown = grader("grade", "-a", "nope", "x.py")
    assert unknown.returncode == ExitCode.USAGE and "unknown assignment 'nope'" in unknown.stderr
    assert "softmax" in unknown.stderr
    assert grader("grade", "x.py").returncode == ExitCode.USAGE


def test_a_broken_course_is_a_grader_fault_exit_3_never_a_students_zero(tmp_path):
    course = tmp_path / "course"
    for part in ("assignments/softmax", "reference", "rubrics"):
        (course / part).mkdir(parents=True)
    shutil.copytree(ROOT / "assignments" / "softmax", course / "assignments" / "softmax", dirs_exist_ok=True)
    (course / "reference" / "softmax.py").write_text("def softmax(z, axis=-1):\n    raise RuntimeError('broken')\n")
    rubric = (ROOT / "rubrics" / "softmax.toml").read_text().replace('visibility = "visible"', 'visibility = "public"', 1)
    (course / "rubrics" / "softmax.toml").write_text(rubric)
    bad_rubric = grader("grade", "-a", "softmax", "--course", str(course), "-o", str(tmp_path / "o"),
                        str(ROOT / "examples" / "softmax" / "ada_loops.py"))
    assert bad_rubric.returncode == ExitCode.GRADER_FAULT
    assert "rubrics/softmax.toml: tests/softmax_rows/visibility" in bad_rubric.stderr
    (course / "rubrics" / "softmax.toml").write_text((ROOT / "rubrics" / "softmax.toml").read_text())
    bad_reference = grader("grade", "-a", "softmax", "--course", str(course), "-o", str(tmp_path / "o"),
                           str(ROOT / "examples" / "softmax" / "ada_loops.py"))
    assert bad_reference.returncode == ExitCode.GRADER_FAULT
    assert "reference solution reference/softmax.py fails test" in bad_reference.stderr
    assert not (tmp_path / "o" / "ada_loops.json").exists()


def test_strict_refuses_a_machine_without_isolation_and_the_fallback_warns(tmp_path):
    without = ["--without", "namespaces", "--without", "cgroups", "--without", "landlock", "--without", "seccomp"]
    submission = str(ROOT / "examples" / "softmax" / "ada_loops.py")
    refused = grader("grade", "-a", "softmax", "--strict", *without, "-o", str(tmp_path), submission)
    assert refused.returncode == ExitCode.STRICT_REFUSED
    assert "the network isolation layer is unavailable" in refused.stderr
    assert not (tmp_path / "ada_loops.json").exists()
    warned = grader("grade", "-a", "softmax", *without, "-o", str(tmp_path), submission)
    assert warned.returncode == ExitCode.OK and "warning: namespaces unavailable" in warned.stderr
    report = json.loads((tmp_path / "ada_loops.json").read_text())
    assert report["score"] == 30 and report["isolation"]["warnings"]
    assert not report["isolation"]["network_isolated"]


def test_check_shows_visible_tests_explains_failures_and_sets_the_exit_code(tmp_path):
    good = tmp_path / "softmax.py"
    shutil.copy(ROOT / "examples" / "softmax" / "ada_loops.py", good)
    passed = grader("check", str(good))
    assert passed.returncode == ExitCode.OK and "Visible tests: 9/9" in passed.stdout
    bad = tmp_path / "ben.py"
    shutil.copy(ROOT / "examples" / "softmax" / "ben_overflows.py", bad)
    failed = grader("check", "-a", "softmax", str(bad))
    assert failed.returncode == ExitCode.TESTS_FAILED
    assert "FAIL cross_entropy_batch" in failed.stdout and "Hint: Matches a known mistake" in failed.stdout
    assert "hidden" in failed.stdout and "softmax_large_logits" not in failed.stdout


def test_check_cannot_guess_the_assignment_of_an_unrelated_name(tmp_path):
    other = tmp_path / "homework.py"
    other.write_text("x = 1")
    result = grader("check", str(other))
    assert result.returncode == ExitCode.USAGE and "pass -a ASSIGNMENT" in result.stderr


def test_list_shows_the_seven_assignments():
    result = grader("list")
    assert result.returncode == 0
    for name in ("ols", "softmax", "two_layer_net", "conv", "lstm", "attention", "batchnorm"):
        assert name in result.stdout


@pytest.mark.parametrize("jobs", ["2"])
def test_parallel_grading_keeps_every_report(tmp_path, jobs):
    paths = [str(p) for p in sorted((ROOT / "examples" / "softmax").iterdir())]
    result = grader("grade", "-a", "softmax", "-j", jobs, "-o", str(tmp_path), "--seed", "3", *paths)
    assert result.returncode == 0
    assert len(list(tmp_path.glob("*.json"))) == len(paths)
    assert "Diagnoses" in result.stdout


def test_reports_export_to_gradescope_junit_and_a_gradebook(tmp_path):
    import csv
    import xml.etree.ElementTree as ElementTree
    grader("grade", "-a", "softmax", "-o", str(tmp_path), "--seed", "5",
           str(ROOT / "examples" / "softmax" / "ada_loops.py"), str(ROOT / "examples" / "softmax" / "ben_overflows.py"))
    ben, ada = tmp_path / "ben_overflows.json", tmp_path / "ada_loops.json"
    gradescope = json.loads(grader("export", "-f", "gradescope", str(ben)).stdout)
    assert gradescope["score"] == json.loads(ben.read_text())["score"]
    assert any("Hint: Matches a known mistake" in t["output"] for t in gradescope["tests"])
    assert {t["visibility"] for t in gradescope["tests"]} == {"visible", "hidden", "after_due_date"}
    suites = ElementTree.fromstring(grader("export", "-f", "junit", str(ada), str(ben)).stdout)
    assert [int(s.get("failures")) > 0 for s in suites] == [False, True]
    rows = list(csv.DictReader(grader("export", "-f", "csv", str(ada), str(ben)).stdout.splitlines()))
    assert [r["score"] for r in rows] == ["30", f"{json.loads(ben.read_text())['score']:g}"]
    assert rows[0]["softmax_rows"] == "2"
    two = grader("export", "-f", "gradescope", str(ada), str(ben))
    assert two.returncode == ExitCode.USAGE and "give -o a folder" in two.stderr
    each = grader("export", "-f", "gradescope", "-o", str(tmp_path / "gs"), str(ada), str(ben))
    assert each.returncode == ExitCode.OK, each.stderr
    assert json.loads((tmp_path / "gs" / "ben_overflows.json").read_text()) == gradescope
    assert json.loads((tmp_path / "gs" / "ada_loops.json").read_text())["score"] == 30
    into_reports = grader("export", "-f", "gradescope", "-o", str(tmp_path), str(ada), str(ben))
    assert into_reports.returncode == ExitCode.USAGE and "holds the reports themselves" in into_reports.stderr
    not_a_report = tmp_path / "x.json"
    not_a_report.write_text("{}")
    assert grader("export", "-f", "csv", str(not_a_report)).returncode == ExitCode.USAGE
