"""Bounded trusted side (issue 9) and the student's output is the student's (issue 10):
outputs past the per-test or per-submission cap fail that test with the size and the
cap named; runtime noise (torch's cpuinfo complaint) never shows as the student's output."""
from __future__ import annotations

from conftest import ROOT

from grader.limits import MIB
from grader.output import Output

RETURNS_THREE_MIB = """import numpy as np


def softmax(z, axis=-1):
    return np.zeros(3 * 2**20 // 8)


def log_softmax(z, axis=-1):
    s = z - z.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))
"""


def _by_id(report):
    return {t["id"]: t for t in report["tests"]}


def test_an_output_past_the_per_test_cap_fails_that_test_naming_size_and_cap(grade, tmp_path):
    path = tmp_path / "softmax.py"
    path.write_text(RETURNS_THREE_MIB)
    report = grade(path, max_result_bytes=2 * MIB, tests=("softmax_rows", "log_softmax_rows"))
    tests = _by_id(report)
    assert tests["log_softmax_rows"]["status"] == "passed"
    assert tests["softmax_rows"]["status"] == "failed" and tests["softmax_rows"]["score"] == 0
    message = tests["softmax_rows"]["message"]
    assert message.startswith("returned 3.0 MiB (3145") and "of outputs; at most 2.0 MiB (2097152 bytes) per test " \
        "are graded (Limits.max_result_bytes)" in message, message


def test_outputs_past_the_per_submission_cap_fail_the_tests_after_it(grade, tmp_path):
    path = tmp_path / "softmax.py"
    path.write_text(RETURNS_THREE_MIB)
    tests = ("softmax_rows", "softmax_axis0", "softmax_1d", "log_softmax_rows")
    report = grade(path, max_result_bytes=4 * MIB, max_submission_result_bytes=7 * MIB, tests=tests)
    by_id = _by_id(report)
    assert [by_id[t]["status"] for t in tests] == ["failed", "failed", "failed", "passed"]
    assert "shape (393216,), expected (4, 5)" in by_id["softmax_rows"]["message"]  # two fit in the budget
    assert "shape (393216,)" in by_id["softmax_axis0"]["message"]
    message = by_id["softmax_1d"]["message"]
    assert message.startswith("returned 3.0 MiB") and "after earlier tests had returned 6.0 MiB" in message, message
    assert "at most 7.0 MiB (7340032 bytes) per submission are graded (Limits.max_submission_result_bytes)" in message


def test_runtime_noise_is_removed_from_the_output_and_from_its_count():
    output = Output(4096)
    for chunk in (b"epoch 1\nError in cpuinfo: failed to parse processor", b" information\nloss 0.5\n"):
        output.add(chunk)
    assert output.text() == "epoch 1\nloss 0.5\n"
    assert output.student_bytes == len("epoch 1\nloss 0.5\n")


def test_output_past_the_cap_is_counted_not_kept():
    output = Output(10)
    output.add(b"x" * 25)
    assert output.text() == "x" * 10 + "\n[... 15 more bytes of output not kept]"


def test_an_attention_submission_shows_no_torch_cpuinfo_noise(grade):
    report = grade(ROOT / "tests" / "alternatives" / "attention" / "einsum.py", name="attention")
    assert report["score"] == report["max_score"]  # and its tensors, which require grad, crossed
    assert "cpuinfo" not in report["output"]["text"], report["output"]["text"]
    assert report["output"]["bytes"] == 0


def test_264_megabytes_from_every_function_fill_the_budget_then_are_not_sent(grade):
    from conftest import SUBMISSIONS
    report = grade(SUBMISSIONS / "returns_264_megabytes_from_every_function.py", timeout_s=20.0)
    messages = {t["id"]: t["message"] for t in report["tests"] if t["id"] != "softmax_leaves_input_unchanged"}
    received = [m for m in messages.values() if m.startswith("p: shape (33000000,)")]
    per_test = [m for m in messages.values() if "per test are graded (Limits.max_result_bytes)" in m]
    per_submission = [m for m in messages.values() if "per submission are graded" in m]
    assert len(received) == 4 and len(per_test) == 3, messages  # three tests return several outputs
    assert len(received) + len(per_test) + len(per_submission) == len(messages), messages
    assert all("1.00 GiB (1073741824 bytes) per submission" in m for m in per_submission)
    assert report["score"] == 0  # the unchanged-input test pays only with the right value too


def test_an_output_too_large_for_a_frame_header_is_refused_by_the_child(grade, tmp_path):
    path = tmp_path / "softmax.py"
    path.write_text("def softmax(z, axis=-1):\n    return 'x' * (5 * 2**20)\n")
    report = grade(path, tests=("softmax_rows",))
    (test,) = report["tests"]
    assert test["status"] == "failed" and test["message"].startswith("returned outputs whose structure alone "
                                                                      "takes 5.0 MiB"), test["message"]
    assert "more than 4.0 MiB (4194304 bytes): long strings or many small values); return NumPy arrays" in test["message"]
