"""A submission's time: a budget for all its tests (--submission-timeout), and a function
that timed out once is not called again by the later tests of that function."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, SUBMISSIONS, statuses

from grader.exitcode import ExitCode
from grader.limits import SUBMISSION_TIMEOUT_FACTOR, Limits


def test_the_default_budget_is_a_documented_multiple_of_the_time_limit():
    assert SUBMISSION_TIMEOUT_FACTOR == 6
    assert Limits(timeout_s=2.0).submission_seconds == 12.0
    assert Limits().submission_seconds == 60.0
    assert Limits(timeout_s=2.0, submission_timeout_s=5.0).submission_seconds == 5.0
    with pytest.raises(ValueError, match="submission timeout must be positive seconds, got 0"):
        Limits(submission_timeout_s=0)


def test_a_submission_that_loops_in_every_function_costs_one_time_limit_per_function(grade):
    """18 tests of 4 functions: once 18 x the limit, now 4 x."""
    report = grade(SUBMISSIONS / "loops_in_every_function.py", timeout_s=1.0)
    assert set(statuses(report).values()) == {"timeout"} and report["score"] == 0
    ran = [t for t in report["tests"] if t["message"].startswith("did not finish within 1 s (the time limit per test)")]
    assert [t["id"] for t in ran] == ["softmax_rows", "log_softmax_rows", "cross_entropy_batch",
                                      "kl_divergence_dense"]
    skipped = [t for t in report["tests"] if t not in ran]
    assert len(skipped) == 14
    for test in skipped:
        assert test["message"].startswith("not run: `"), test
        assert "did not finish in test" in test["message"] and "fix it and they will be" in test["message"]
        assert test["duration_s"] == 0
        if test["id"].startswith("softmax"):
            assert test["message"].startswith("not run: `softmax` did not finish in test 'softmax_rows'")
    assert report["restarts"] == 3
    assert report["duration_s"] < 12  # 4 limits of 1 s and the restarts, not 18


def test_only_the_later_tests_of_the_function_that_timed_out_are_skipped(grade):
    report = grade(SUBMISSIONS / "loops_in_softmax_on_large_logits_only.py", timeout_s=1.0)
    found = statuses(report)
    assert [found[t] for t in ("softmax_rows", "softmax_axis0", "softmax_1d", "softmax_3d_axes")] == ["passed"] * 4
    assert found["softmax_large_logits"] == "timeout"
    for test in ("softmax_rows_far_below_max", "softmax_leaves_input_unchanged"):
        message = next(t["message"] for t in report["tests"] if t["id"] == test)
        assert found[test] == "timeout"
        assert message.startswith("not run: `softmax` did not finish in test 'softmax_large_logits' (did not "
                                  "finish within 1 s")
    assert all(status == "passed" for test, status in found.items() if not test.startswith("softmax"))
    assert report["restarts"] == 1  # a fresh child ran the tests after the loop


def test_the_budget_stops_a_slow_submission_and_names_the_tests_it_did_not_reach(grade):
    report = grade(SUBMISSIONS / "slow_but_correct_in_every_test.py", timeout_s=2.0, submission_timeout_s=3.0)
    kinds = []
    for test in report["tests"]:
        if test["status"] == "passed":
            kinds.append("passed")
        elif test["message"].startswith("stopped: the submission's time budget of 3 s for all its tests "
                                        "(--submission-timeout) ran out while this test ran"):
            kinds.append("stopped")
        else:
            assert test["message"].startswith("not run: the submission's time budget of 3 s for all its tests "
                                              "(--submission-timeout) had run out before this test"), test
            kinds.append("not reached")
        assert test["status"] in ("passed", "timeout")
    first_stop = kinds.index("stopped")
    assert 2 <= kinds.count("passed") == first_stop  # it passed what it reached in 3 s
    assert kinds[first_stop + 1:] == ["not reached"] * (len(kinds) - first_stop - 1)
    assert report["restarts"] == 0
    assert report["duration_s"] < 3.0 + 4  # the budget, and one child's start-up and loading


def test_the_budget_running_out_while_the_code_loads_says_so(grade):
    report = grade(SUBMISSIONS / "infinite_loop_at_import.py", timeout_s=3.0, submission_timeout_s=1.0)
    assert set(statuses(report).values()) == {"timeout"}
    for test in report["tests"]:
        assert test["message"].startswith("not run: the submission's time budget of 1 s for all its tests "
                                          "(--submission-timeout) ran out while your code was loading")


def _grade(*args):
    return subprocess.run([sys.executable, "-m", "grader.cli_entry", "grade", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def test_grade_takes_a_submission_timeout(tmp_path):
    result = _grade("-a", "softmax", "-o", str(tmp_path), "--seed", "3", "--format", "plain", "--timeout", "2",
                    "--submission-timeout", "1.5", str(SUBMISSIONS / "slow_but_correct_in_every_test.py"))
    assert result.returncode == ExitCode.OK, result.stderr
    report = json.loads((tmp_path / "slow_but_correct_in_every_test.json").read_text())
    assert any("time budget of 1.5 s" in test["message"] for test in report["tests"])
    refused = _grade("-a", "softmax", "-o", str(tmp_path), "--submission-timeout", "0",
                     str(SUBMISSIONS / "slow_but_correct_in_every_test.py"))
    assert refused.returncode == ExitCode.USAGE and "--submission-timeout" in refused.stderr
