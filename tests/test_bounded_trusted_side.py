"""The grader's own work on a submission's outputs (comparison, every diagnosis pattern)
costs what the *expected* output costs, whatever shape, size or nesting the obtained one has."""
from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import SEED, SUBMISSIONS

from grader import compare
from grader.diagnosis import Diagnoser, describe_pattern
from grader.probe import Probe

PROBE = Probe("p", lambda m, rng: None, (), 1e-5, 1e-6, "")


def _timed(function, *args):
    started = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - started


def _tests(report, prefix):
    return [t for t in report["tests"] if t["id"].startswith(prefix)]


@pytest.mark.parametrize("name, dims", [("returns_softmax_as_11_dimensional_array.py", 11),
                                        ("returns_softmax_as_32_dimensional_array.py", 32)])
def test_many_dimensional_answer_fails_on_its_shape_and_is_diagnosed_quickly(grade, name, dims):
    report = grade(SUBMISSIONS / name)
    failed = [t for t in report["tests"] if t["status"] != "passed"]
    assert failed and all(t["id"].startswith("softmax") and t["status"] == "failed" for t in failed)
    assert all("more dimensions), expected (" in t["message"] for t in failed)
    assert report["score"] == report["max_score"] - sum(t["max_score"] for t in failed)
    rows = next(t for t in report["tests"] if t["id"] == "softmax_rows")
    assert rows["message"] == f"p: shape (20, 1, 1, 1, 1, 1, ... {dims - 6} more dimensions), expected (4, 5)"
    assert rows["diagnosis"] is None  # no pattern rearranges 4 x 5 values into 11 or 32 axes


@pytest.mark.parametrize("dims", [11, 32])
def test_transpose_diagnosis_of_a_many_dimensional_output_is_bounded_by_the_expected_rank(course, dims):
    softmax = course["softmax"]
    diagnoser = Diagnoser(softmax, SEED)
    probes = [p for p in softmax.probes if p.id.startswith("softmax")]
    expected = {p.id: _expected(softmax, p) for p in probes}
    obtained = {t: {k: v.reshape(v.size, *[1] * (dims - 1)) for k, v in tree.items()} for t, tree in expected.items()}
    found, seconds = _timed(diagnoser.diagnose, obtained, expected, set(obtained))
    assert found == {}
    assert seconds < 2.0, seconds  # was 82 s for 11 dimensions; 32 never ended


def _expected(assignment, probe):
    from grader import protocol
    return protocol.to_plain(probe.run(assignment.reference, SEED))


def test_huge_obtained_array_against_a_tiny_expected_one_is_never_read():
    want = {"loss": np.asarray(0.25), "grad": np.ones((3, 4))}
    huge = np.broadcast_to(np.float64(1.0), (10**10,))  # 80 GB if anything touched its values
    got = {"loss": huge, "grad": np.broadcast_to(np.float64(1.0), (3, 4, 10**9))}
    result, seconds = _timed(compare.compare, got, want, 1e-5, 1e-6)
    assert [leaf.problem for leaf in result.failures] == ["shape", "shape"]
    assert "shape (10000000000,), expected ()" in result.message()
    assert describe_pattern(got, want, PROBE) is None
    assert seconds < 0.5


@pytest.mark.parametrize("obtained", [
    {f"k{i}": np.asarray(float(i)) for i in range(100_000)},
    [np.asarray(0.5)] * 1_000_000,
    {"y": [np.asarray(0.5)] * 1_000_000, **{f"k{i}": None for i in range(100_000)}},
], ids=["dict of 100k keys", "list of 1M items", "both, nested"])
def test_wide_obtained_trees_cost_what_the_expected_tree_costs(obtained):
    want = {"y": np.linspace(0, 1, 6).reshape(2, 3)}
    result, seconds = _timed(compare.compare, obtained, want, 1e-5, 1e-6)
    assert not result.ok and len(result.leaves) == 1
    text, pattern_seconds = _timed(describe_pattern, obtained, want, PROBE)
    assert text is None
    assert seconds < 0.05 and pattern_seconds < 0.05, (seconds, pattern_seconds)
    message = result.message()
    assert len(message) < 400, message  # a dict's keys are listed up to ten, then counted


def test_deeply_nested_obtained_tree_is_walked_no_deeper_than_the_expected_one():
    deep = np.asarray(1.0)
    for _ in range(30):
        deep = {"y": [deep] * 3}
    want = {"y": [np.asarray(1.0), np.asarray(2.0)]}
    result, seconds = _timed(compare.compare, deep, want, 1e-5, 1e-6)
    assert result.failures[0].problem == "type" and seconds < 0.05


def test_a_dict_description_lists_ten_keys_and_counts_the_rest():
    result = compare.compare({f"k{i}": None for i in range(25)}, np.ones(3), 1e-5, 1e-6)
    assert result.message() == ("(output): expected an array of shape (3,), obtained a dict with keys "
                                "['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9'] and 15 more")


@pytest.mark.parametrize("name, function", [
    ("returns_32_megabytes_where_a_scalar_is_expected.py", "cross_entropy"),
    ("returns_a_dict_of_100k_keys.py", "kl_divergence"),
    ("returns_a_list_of_a_million_items.py", "softmax"),
])
def test_oversized_outputs_fail_only_their_function(grade, name, function):
    first = {"cross_entropy": "cross_entropy_batch", "kl_divergence": "kl_divergence_dense",
             "softmax": "softmax_rows"}
    report = grade(SUBMISSIONS / name, timeout_s=10.0, tests=(first[function], "log_softmax_rows"))
    verdicts = {t["id"]: t["status"] for t in report["tests"]}
    assert verdicts["log_softmax_rows"] == "passed" and verdicts[first[function]] != "passed"
    failed = [t for t in report["tests"] if t["status"] != "passed"]
    assert failed and all(t["id"].startswith(function) and t["score"] == 0 and t["message"] for t in failed)
