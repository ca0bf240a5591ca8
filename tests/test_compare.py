"""Comparison messages read like pytest.approx: what, where, how far, with what tolerance."""
from __future__ import annotations

import numpy as np

from grader.compare import compare
from grader.protocol import to_plain


def _check(got, want, rtol=1e-5, atol=1e-6):
    return compare(to_plain(got), to_plain(want), rtol, atol)


def test_float32_rounding_passes_and_a_real_difference_fails():
    want = np.random.default_rng(0).normal(size=(5, 4)) * 1e3
    assert _check({"p": want.astype(np.float32)}, {"p": want}).ok
    assert not _check({"p": want * (1 + 1e-3)}, {"p": want}).ok


def test_value_message_names_output_count_errors_worst_index_and_tolerance():
    want = np.zeros((3, 4))
    got = want.copy()
    got[1, 2] = 0.5
    message = _check({"dW": got}, {"dW": want}).message()
    assert message.startswith("dW: 1 of 12 values differ")
    assert "max abs error 0.5" in message and "worst at [1, 2]: obtained 0.5" in message
    assert "tolerance |obtained - expected| <= 1e-06" in message
    assert "expected 0 at [1, 2]" in message


def test_hidden_tests_do_not_reveal_expected_values():
    result = _check({"p": np.array([1.0, 2.0])}, {"p": np.array([1.0, 3.0])})
    assert "expected 3" in result.message(reveal=True)
    assert "expected 3" not in result.message(reveal=False)


def test_shape_is_checked_before_values_and_dtype_class_before_values():
    assert _check({"p": np.zeros((4, 3))}, {"p": np.zeros((3, 4))}).message() == "p: shape (4, 3), expected (3, 4)"
    assert "dtype int64, expected a floating-point dtype" in _check({"p": np.zeros(3, int)}, {"p": np.zeros(3)}).message()
    assert "expected a boolean dtype" in _check({"m": np.ones(2)}, {"m": np.ones(2, bool)}).message()


def test_nan_where_a_finite_value_is_expected_is_reported_first():
    message = _check({"p": np.array([np.nan, 1.0])}, {"p": np.array([0.5, 1.0])}).message()
    assert "1 of 2 values are nan where the expected values are finite" in message


def test_missing_outputs_and_python_scalars():
    assert "missing from the output" in _check({}, {"loss": 1.0}).message()
    assert _check({"loss": np.float64(2.0)}, {"loss": 2.0}).ok  # NumPy and Python scalars alike


def test_per_output_verdicts_for_partial_credit():
    result = _check({"a": 1.0, "b": [1.0, 5.0]}, {"a": 1.0, "b": [1.0, 2.0]})
    assert result.top_level_ok() == {"a": True, "b": False}
