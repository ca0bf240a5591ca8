"""Values keep their meaning over the wire (issue 10), end to end: correct work returned
as 0-d arrays, NumPy scalars or unusual layouts gets full marks; lists where arrays are
asked for fail with a message that says what to return. (Every kind, one by one, is in
test_protocol.py; torch tensors that require grad cross in every attention grading.)"""
from __future__ import annotations

import pytest
from conftest import SUBMISSIONS


@pytest.mark.parametrize("fixture", ["returns_0d_arrays_from_losses.py", "returns_arrays_in_unusual_layouts.py"])
def test_correct_values_in_any_array_form_get_full_marks(grade, fixture):
    report = grade(SUBMISSIONS / fixture)
    assert report["score"] == report["max_score"] == 30, [
        (t["id"], t["message"]) for t in report["tests"] if t["status"] != "passed"]


def test_lists_where_arrays_are_asked_for_say_to_return_an_array(grade):
    report = grade(SUBMISSIONS / "returns_lists_instead_of_arrays.py")
    for test in report["tests"]:
        if test["id"].startswith(("softmax", "log_softmax")):  # the input check pays only with the value too
            assert test["status"] == "failed" and test["score"] == 0, test["id"]
            assert "obtained a list or tuple of" in test["message"], test["message"]
            assert "return a NumPy array, e.g. np.asarray(result)" in test["message"]
        else:
            assert test["status"] == "passed", (test["id"], test["message"])
