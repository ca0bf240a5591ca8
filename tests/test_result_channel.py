"""The result channel is hostile input (issue 9): frames student code writes to it fail the
rest of its own submission with a named reason, never raise in the grader and never
change the grader's clock; reports stay strict JSON."""
from __future__ import annotations

import json
import math

import pytest
from conftest import SUBMISSIONS

VIOLATION = "your code wrote to the grader's result channel (file descriptor 1000): "
NOT_RUN = "; the rest of this submission's tests were not run"


def _strict_json(report: dict) -> dict:
    def refuse(name):
        raise ValueError(f"{name} in a report")
    return json.loads(json.dumps(report), parse_constant=refuse)


def _tests_from(report: dict, first: str) -> tuple[list[dict], list[dict]]:
    """The tests before ``first`` and from ``first`` on, in the rubric's order."""
    ids = [t["id"] for t in report["tests"]]
    at = ids.index(first)
    return report["tests"][:at], report["tests"][at:]


@pytest.mark.parametrize("fixture, first, detail", [
    ("forges_done_frame_on_result_channel.py", "softmax_rows",
     "a 'done' frame where the end of loading your code was due"),
    ("forges_fatal_frame_on_result_channel.py", "softmax_rows",
     "a 'fatal' frame where the end of loading your code was due"),
    ("forges_started_frame_every_second_while_sleeping.py", "softmax_rows",
     "a 'started' frame where the end of loading your code was due"),
    ("forges_huge_frame_header_on_result_channel.py", "softmax_rows",
     "a frame header of 1099511627776 bytes exceeds the 4194304 allowed"),
    ("forges_result_whose_warnings_is_a_string.py", "log_softmax_rows",
     "a malformed 'result' frame (data.warnings must be integer)"),
    ("forges_nan_duration_on_result_channel.py", "kl_divergence_dense",
     "a frame header that is not JSON (the non-standard JSON constant NaN)"),
])
def test_a_forged_frame_fails_the_rest_of_its_own_submission_with_the_reason(grade, configured, fixture, first,
                                                                             detail):
    report = _strict_json(grade(SUBMISSIONS / fixture, layers_override=configured, timeout_s=5.0))
    before, rest = _tests_from(report, first)
    assert all(t["status"] == "passed" for t in before), before
    for test in rest:
        assert test["status"] == "error" and test["score"] == 0, test
        assert test["message"] == VIOLATION + detail + NOT_RUN, test["message"]
    assert report["duration_s"] < 4.5  # the sleeper is stopped at its first extra frame, not at 120 s


def test_random_bytes_on_the_channel_are_a_violation_not_a_crash(grade):
    report = _strict_json(grade(SUBMISSIONS / "writes_garbage_to_result_channel.py"))
    before, rest = _tests_from(report, "kl_divergence_dense")
    assert all(t["status"] == "passed" for t in before)
    assert all(t["status"] == "error" and t["message"].startswith(VIOLATION) for t in rest), rest


def test_a_forged_result_for_the_running_test_counts_as_its_output_and_the_real_one_is_a_violation(grade):
    report = _strict_json(grade(SUBMISSIONS / "forges_duplicate_result_frame.py"))
    before, rest = _tests_from(report, "cross_entropy_batch")
    assert all(t["status"] == "passed" for t in before)
    forged, after = rest[0], rest[1:]
    assert forged["status"] == "failed" and "obtained 0" in forged["message"]  # the forged loss, 0.0
    detail = "a 'result' frame for test 'cross_entropy_batch' where the result of test 'cross_entropy_single' was due"
    assert after and all(t["message"] == VIOLATION + detail + NOT_RUN for t in after), after[0]


def test_clocks_patched_in_the_child_change_no_duration(grade, configured):
    report = _strict_json(grade(SUBMISSIONS / "patches_clocks_to_make_durations_negative.py",
                                layers_override=configured))
    assert report["score"] == report["max_score"]
    durations = [t["duration_s"] for t in report["tests"]]
    assert all(math.isfinite(d) and 0 <= d < 3.0 for d in durations), durations
    assert 0 < report["duration_s"] < 30


def test_the_deadline_is_the_graders_own_and_a_sleeping_import_times_out(grade, tmp_path):
    sleeper = tmp_path / "softmax.py"
    sleeper.write_text("import time\ntime.sleep(120)\n")
    report = grade(sleeper, timeout_s=1.0)
    assert {t["status"] for t in report["tests"]} == {"timeout"}
    assert report["duration_s"] < 10


def test_an_honest_child_stays_within_the_frame_schema_however_large_its_messages():
    from grader import protocol, worker
    events = [{"what": "torch.nn.functional.scaled_dot_product_attention", "where": "x.py, line 3" * 100}] * 10_000
    errors = [{"where": f"cell {i}", "error": "Traceback\n" + "x" * 100_000} for i in range(1000)]
    for message in ({"kind": "loaded", "import_errors": errors, "forbidden": events},
                    {"kind": "result", "test": "t", "status": "raised", "error": "\ud800" * 10**6,
                     "exception": "builtins.ValueError" * 100, "exception_message": "m" * 10**6,
                     "raised_in": "f" * 10**4, "warnings": 10**6, "forbidden": events},
                    {"kind": "result", "test": "t", "status": "missing", "missing": ["f" * 1000] * 1000,
                     "forbidden": []},
                    {"kind": "fatal", "message": "m" * 10**6}):
        head, parts = protocol.encode_parts(worker._bounded(message))
        assert len(head) < protocol.MAX_HEADER_BYTES and parts == []
        header = protocol.parse_header(head[protocol.HEADER.size:])
        assert header["kind"] == message["kind"]
    assert len(header["message"]) == 8000
    assert header is not None
    raised = protocol.parse_header(protocol.encode_parts(worker._bounded(
        {"kind": "result", "test": "t", "status": "raised", "exception_message": "m" * 10**6, "raised_in": "f" * 10**4,
         "error": "e"}))[0][protocol.HEADER.size:])
    assert (len(raised["exception_message"]), len(raised["raised_in"])) == (300, 300)
    forged = {"kind": "result", "test": "t", "status": "raised", "exception_message": "m" * 301}
    with pytest.raises(protocol.ProtocolError, match="exception_message"):
        protocol.parse_header(protocol.encode_parts(forged)[0][protocol.HEADER.size:])


def test_a_notebook_with_many_failing_cells_lists_the_first_and_counts_the_rest(grade, tmp_path):
    import nbformat
    body = (SUBMISSIONS / "sys_exit_at_import.py").read_text().replace("sys.exit(1)", "")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(f"raise ValueError('cell {i} ' * 2000)") for i in range(30)]
    notebook.cells.append(nbformat.v4.new_code_cell(body))
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"c{index}"
    path = tmp_path / "softmax.ipynb"
    nbformat.write(notebook, path)
    report = _strict_json(grade(path))
    assert report["score"] == report["max_score"]
    assert len(report["import_errors"]) == 21
    assert report["import_errors"][-1] == {"where": "10 more code units",
                                           "error": "they raised too; fix the errors above first"}
    assert all(len(e["error"]) <= 8000 for e in report["import_errors"])


def test_an_enormous_exception_message_is_cut_not_a_violation(grade, tmp_path):
    path = tmp_path / "softmax.py"
    path.write_text("def softmax(z, axis=-1):\n    raise ValueError('why ' * 10**6)\n")
    report = _strict_json(grade(path, tests=("softmax_rows", "softmax_axis0")))
    for test in report["tests"]:
        assert test["status"] == "error" and "ValueError: why why" in test["message"], test["message"][:300]
        assert len(test["message"]) <= 8000


def test_a_fatal_frame_before_any_student_code_ran_is_a_grader_fault(grade, monkeypatch, layers):
    import dataclasses

    from conftest import require_layers

    from grader import pool
    from grader.grading import Grader
    require_layers(layers.namespaces, "the sandbox's new root is made only with namespaces")
    plan = Grader._plan

    def unusable(self, *args):
        return dataclasses.replace(plan(self, *args), new_root="/nonexistent/new-root")
    monkeypatch.setattr(Grader, "_plan", unusable)
    with pytest.raises(pool.WorkerFault, match="the sandbox could not start: .*nonexistent"):
        grade(SUBMISSIONS / "sys_exit_at_import.py", layers_override=dataclasses.replace(layers, namespaces=True))
