"""Diagnosis beyond the catalogue: bugs written for these tests, absent from reference/mistakes."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT, SUBMISSIONS
from diagnosis_cases import CASES

from grader import assignment, pair
from grader import raised as raising
from grader.assignment import CourseError
from grader.diagnosis import describe_pattern, parse_docstring
from grader.probe import Probe

PROBE = Probe("p", lambda m, rng: None, (), 1e-5, 1e-6, "")
REFERENCE_NET = (ROOT / "reference" / "two_layer_net.py").read_text()
REFERENCE_SOFTMAX = (ROOT / "reference" / "softmax.py").read_text()


def _buggy(tmp_path, source: str, name: str):
    path = tmp_path / name
    path.write_text(source)
    return path


def _diagnosis(report, test):
    return next(t for t in report["tests"] if t["id"] == test)["diagnosis"]


def test_constant_factor_is_named_with_its_ratio(tmp_path, grade):
    source = REFERENCE_NET.replace("dw = x.T @ dout", "dw = 3 * (x.T @ dout)")
    assert source != REFERENCE_NET
    report = grade(_buggy(tmp_path, source, "two_layer_net.py"), name="two_layer_net")
    diagnosis = _diagnosis(report, "affine_backward_batch")
    assert "exactly 3 times the expected value" in diagnosis and "Matches a known mistake" not in diagnosis


def test_sign_flip_is_named(tmp_path, grade):
    source = REFERENCE_SOFTMAX.replace("    return shifted - log_sum", "    return log_sum - shifted")
    report = grade(_buggy(tmp_path, source, "softmax.py"))
    assert "negative of the expected value" in _diagnosis(report, "log_softmax_rows")


def test_transposed_output_is_named(tmp_path, grade):
    source = REFERENCE_SOFTMAX.replace("    return shifted - log_sum", "    return (shifted - log_sum).T")
    report = grade(_buggy(tmp_path, source, "softmax.py"))
    assert "is the expected array transposed" in _diagnosis(report, "log_softmax_rows")


def test_constant_offset_and_overflow_patterns():
    want = np.linspace(-1, 1, 12).reshape(3, 4)
    other = np.linspace(-2, 3, 12).reshape(3, 4)
    second = ({"y": other + 0.25}, {"y": other})
    assert "by 1/4 everywhere, on every input" in describe_pattern({"y": want + 0.25}, {"y": want}, PROBE, second)
    # an offset claim needs the second seed, and the same offset there
    assert describe_pattern({"y": want + 0.25}, {"y": want}, PROBE) is None
    assert describe_pattern({"y": want + 0.25}, {"y": want}, PROBE, ({"y": other + 0.5}, {"y": other})) is None
    assert "nan or inf where the expected values are finite" in describe_pattern(
        {"p": np.where(want > 0, np.nan, want)}, {"p": want}, PROBE)
    assert describe_pattern({"y": want + np.random.default_rng(0).normal(size=want.shape)}, {"y": want}, PROBE) is None


def test_permuted_axes_of_a_3d_output():
    want = np.arange(24.0).reshape(2, 3, 4)
    assert "axes permuted" in describe_pattern({"y": np.transpose(want, (2, 0, 1))}, {"y": want}, PROBE)


def test_diagnoses_never_reveal_expected_values(tmp_path, grade):
    source = REFERENCE_NET.replace("dw = x.T @ dout", "dw = 3 * (x.T @ dout)")
    report = grade(_buggy(tmp_path, source, "two_layer_net.py"), name="two_layer_net")
    for test in report["tests"]:
        if test["diagnosis"]:
            numbers = [float(tok) for tok in test["diagnosis"].replace("(", " ").split()
                       if tok.replace(".", "", 1).replace("-", "", 1).isdigit()]
            assert all(n in (3.0,) or n.is_integer() for n in numbers), test["diagnosis"]


def test_a_catalogue_mistake_is_named_over_a_pattern(grade, mistake_file):
    report = grade(mistake_file(ROOT / "reference" / "mistakes" / "softmax" / "cross_entropy_sums_instead_of_mean.py"))
    assert _diagnosis(report, "cross_entropy_batch").startswith("Matches a known mistake: cross_entropy adds up")


def test_mistake_docstrings_must_name_the_misconception_and_the_fix():
    assert parse_docstring("m", "It sums.\n\nFix: average it.") == ("It sums.", "average it.")
    for bad in (None, "No fix here.", "Fix: only a fix."):
        try:
            parse_docstring("m", bad)
        except ValueError as exc:
            assert "misconception" in str(exc)
        else:
            raise AssertionError(bad)


def test_function_applied_along_another_axis_is_named(tmp_path, grade):
    source = REFERENCE_SOFTMAX.replace(
        "    shifted = z - np.max(z, axis=axis, keepdims=True)  # every exponent <= 0: no overflow\n"
        "    e = np.exp(shifted)\n    return e / np.sum(e, axis=axis, keepdims=True)",
        "    shifted = z - np.max(z, axis=0, keepdims=True)\n"
        "    e = np.exp(shifted)\n    return e / np.sum(e, axis=0, keepdims=True)")
    assert source != REFERENCE_SOFTMAX
    report = grade(_buggy(tmp_path, source, "softmax.py"))
    assert _diagnosis(report, "softmax_rows") == (
        "`softmax` computes along axis 0 whatever `axis` it is given: use the `axis` argument in "
        "every reduction (max, sum, ...).")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bugs_of_the_issue_get_the_right_diagnosis_or_none(tmp_path, grade, case):
    path = _buggy(tmp_path, case.source(), f"{case.assignment}.py")
    report = grade(path, name=case.assignment)
    test = next(t for t in report["tests"] if t["id"] == case.test)
    assert test["status"] != "passed", f"{case.name}: the bug is not seen by {case.test}"
    diagnosis = test["diagnosis"]
    kind = case.expect[0]
    if kind == "contains":
        assert diagnosis and case.expect[1] in diagnosis, f"{'NONE' if not diagnosis else 'WRONG'}: {diagnosis}"
    elif kind == "none":
        assert diagnosis is None, f"WRONG: {diagnosis}"
    else:
        assert not diagnosis or case.expect[1] not in diagnosis, f"WRONG: {diagnosis}"


def test_what_a_raised_exception_is_matched_by():
    student = {}
    source = ("def helper():\n"
              "    raise ValueError('shapes (2,  3)\\n and (4,) at 0x7f00deadbeef ' + 'y' * 1000)\n"
              "def contract():\n    helper()\n")
    exec(compile(source, "<student>", "exec"), student)  # noqa: S102 - our own code
    try:
        student["contract"]()
    except ValueError as exc:
        found = raising.of(exc, {"<student>"})
    assert found.exception == "builtins.ValueError"
    assert found.message.startswith("shapes (2, 3) and (4,) at 0x? yyy") and len(found.message) == raising.MAX_MESSAGE
    assert found.function == "contract"  # the outermost frame of the student's files: the function called
    assert found != raising.Raised(found.exception, found.message, "helper")  # another function: no match
    assert found != raising.Raised(found.exception, "other message", found.function)


def test_exceptions_are_reported_as_capped_data_and_match_no_mistake_of_another_function(grade):
    report = grade(SUBMISSIONS / "raises_exceptions_with_unprintable_and_huge_messages.py")
    assert report["status"] == "graded"
    tests = {t["id"]: t for t in report["tests"]}
    for test in ("softmax_rows", "log_softmax_rows", "cross_entropy_batch"):
        assert tests[test]["status"] == "error" and tests[test]["diagnosis"] is None, tests[test]
    assert "Unprintable" in tests["softmax_rows"]["message"]


def test_ratio_claims_need_independent_elements_a_closed_form_and_the_second_seed():
    rng = np.random.default_rng(3)
    want, other = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    assert "exactly 1/2 times" in describe_pattern({"y": want / 2}, {"y": want}, PROBE, ({"y": other / 2}, {"y": other}))
    assert "exactly sqrt(5) times" in describe_pattern({"y": want * 5 ** 0.5}, {"y": want}, PROBE,
                                                     ({"y": other * 5 ** 0.5}, {"y": other}))
    # not a closed form; another factor on the second seed; no second seed at all
    assert describe_pattern({"y": want * 0.615218}, {"y": want}, PROBE, ({"y": other * 0.615218}, {"y": other})) is None
    assert describe_pattern({"y": want * 3}, {"y": want}, PROBE, ({"y": other * 2}, {"y": other})) is None
    assert describe_pattern({"y": want * 3}, {"y": want}, PROBE) is None
    # one element, and a rank-1 output (every row proportional to one vector), have "a ratio" by chance
    one, outer = np.array([2.0]), np.outer(rng.normal(size=4), rng.normal(size=5))
    assert describe_pattern({"y": one * 3}, {"y": one}, PROBE, ({"y": one * 3}, {"y": one})) is None
    assert describe_pattern({"y": outer * 3}, {"y": outer}, PROBE, ({"y": outer * 3}, {"y": outer})) is None
    assert "negative of the expected value" in describe_pattern({"y": -want}, {"y": want}, PROBE,
                                                               ({"y": -other}, {"y": other}))


def test_shape_patterns_name_the_axes():
    want = np.ones((2, 3, 5, 5))
    assert "one element short along axes 2 and 3" in describe_pattern({"o": np.ones((2, 3, 4, 4))}, {"o": want}, PROBE)
    assert "one element too many along axis 1" in describe_pattern({"o": np.ones((2, 4, 5, 5))}, {"o": want}, PROBE)
    assert "no elements along axis 3" in describe_pattern({"o": np.ones((2, 3, 5, 0))}, {"o": want}, PROBE)
    assert "lacks axis 1 of the expected shape" in describe_pattern({"o": np.ones((4,))}, {"o": np.ones((4, 1))}, PROBE)
    assert "extra axis 1 of size 1" in describe_pattern({"o": np.ones((4, 1))}, {"o": np.ones(4)}, PROBE)
    assert describe_pattern({"o": np.ones((2, 7))}, {"o": np.ones((2, 3))}, PROBE) is None


def test_an_argument_changed_in_place_is_named():
    probe = Probe("p", lambda m, rng: None, (), 1e-5, 1e-6, "f(x, w): out, and x and w unchanged after the call")
    want = np.arange(6.0).reshape(2, 3)
    assert "changed its argument `X` in place" in describe_pattern({"X_after_call": want + 1}, {"X_after_call": want},
                                                                   PROBE)
    assert "changed its argument `w` in place" in describe_pattern({"w": want * 0}, {"w": want}, probe)
    assert "in place" not in (describe_pattern({"out": want * 0}, {"out": want}, probe) or "")


def test_pairs_merge_edits_of_different_tokens_only():
    reference = "def f(x):\n    return 0.5 * x + 1\n"
    assert pair.merge(reference, reference.replace("0.5", "2"), reference.replace("+ 1", "- 1")) == \
        "def f(x):\n    return 2 * x - 1\n"
    assert pair.merge(reference, reference.replace("0.5", "2"), reference.replace("0.5", "3")) is None


def test_pattern_texts_of_an_assignment_are_checked(tmp_path, course):
    folder = tmp_path / "assignments" / "softmax"
    folder.mkdir(parents=True)
    toml = (course["softmax"].folder / "assignment.toml").read_text()
    (folder / "assignment.toml").write_text(toml.split("[patterns]")[0] + '[patterns]\nratio = "{path} times {factor}"\n')
    found = assignment.load("softmax", tmp_path)
    with pytest.raises(CourseError, match=r"patterns.ratio .*use only \{path\} and \{form\}"):
        found.pattern_texts  # noqa: B018
    assert "overflow" in course["softmax"].pattern_texts["nonfinite"]
    assert "batch of one" in course["batchnorm"].pattern_texts["nonfinite"]


def test_one_offset_per_row_is_named_only_when_rows_differ():
    rng = np.random.default_rng(5)
    want, other = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    second = ({"y": other + other.max(axis=1, keepdims=True)}, {"y": other})
    claim = describe_pattern({"y": want + want.max(axis=1, keepdims=True)}, {"y": want}, PROBE, second)
    assert "one amount along each row" in claim
    assert describe_pattern({"y": want + want.max(axis=1, keepdims=True)}, {"y": want}, PROBE) is None
    short = rng.normal(size=(3, 2))  # rows of two elements: any two-element difference is "a shift"
    assert describe_pattern({"y": short + short.max(axis=1, keepdims=True)}, {"y": short}, PROBE,
                            ({"y": short + short.max(axis=1, keepdims=True)}, {"y": short})) is None
