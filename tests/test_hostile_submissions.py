"""Every hostile or malformed submission gets a report, fails only what it broke, and
leaves the grader and the rest of the batch intact (the fixtures are tests/submissions/)."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SUBMISSIONS, statuses
from processes import wait_until_none_left


def fixture(name: str) -> Path:
    return SUBMISSIONS / name


def test_infinite_loop_at_import_times_out_every_test_once(grade):
    report = grade(fixture("infinite_loop_at_import.py"), timeout_s=1.0)
    assert set(statuses(report).values()) == {"timeout"}
    assert report["score"] == 0
    assert "while loading your code" in report["tests"][0]["message"]
    assert report["duration_s"] < 10  # one timeout for the import, not one per test


def test_infinite_loop_in_one_function_fails_only_its_tests(grade):
    report = grade(fixture("infinite_loop_in_kl_divergence.py"), timeout_s=1.0)
    for test, status in statuses(report).items():
        assert status == ("timeout" if test.startswith("kl_divergence") else "passed"), test
    timed_out = [t for t in report["tests"] if t["status"] == "timeout"]
    assert "time limit" in timed_out[0]["message"]
    # the later kl_divergence tests are not run (grader.budget): no fresh child is needed
    assert all(t["message"].startswith("not run: `kl_divergence` did not finish") for t in timed_out[1:])
    assert report["restarts"] == 0


def test_os_exit_crashes_only_the_tests_that_call_it(grade):
    report = grade(fixture("os_exit_in_cross_entropy.py"))
    for test, status in statuses(report).items():
        assert status == ("crashed" if test.startswith("cross_entropy") else "passed"), test
    crashed = next(t for t in report["tests"] if t["status"] == "crashed")
    assert "exited with code 3" in crashed["message"]


def test_sys_exit_at_import_is_recorded_and_costs_nothing(grade):
    report = grade(fixture("sys_exit_at_import.py"))
    assert report["score"] == report["max_score"]
    assert "SystemExit" in report["import_errors"][0]["error"]


def test_segfault_crashes_only_softmax_tests(grade):
    report = grade(fixture("segfault_in_softmax.py"))
    for test, status in statuses(report).items():
        assert status == ("crashed" if test.startswith("softmax") else "passed"), test
    assert "SIGSEGV" in next(t for t in report["tests"] if t["status"] == "crashed")["message"]


def test_memory_hog_is_stopped_and_only_its_tests_fail(grade):
    report = grade(fixture("memory_hog_in_log_softmax.py"), memory_bytes=512 << 20)
    for test in report["tests"]:
        if test["id"].startswith(("log_softmax", "cross_entropy")):  # cross_entropy calls it
            assert test["status"] in ("crashed", "error") and test["score"] == 0
            assert "memory" in test["message"].lower() or "MemoryError" in test["message"]
        else:
            assert test["status"] == "passed", test["id"]


def test_100_megabytes_of_prints_are_capped_and_cost_nothing(grade):
    report = grade(fixture("prints_100_megabytes.py"))
    assert report["score"] == report["max_score"]
    assert report["output"]["bytes"] >= 100 << 20
    assert len(report["output"]["text"]) < 8 << 10
    assert "more bytes of output not kept" in report["output"]["text"]


def test_warnings_and_stderr_never_cost_points(grade):
    report = grade(fixture("warns_and_writes_to_stderr.py"))
    assert report["score"] == report["max_score"]


def test_notebook_cell_that_raises_is_recorded_and_later_cells_still_run(grade):
    report = grade(fixture("notebook_whose_third_cell_raises.ipynb"))
    assert report["score"] == report["max_score"]
    assert [e["where"] for e in report["import_errors"]] == ["cell 3"]
    assert "ValueError" in report["import_errors"][0]["error"]


def test_zip_with_a_folder_and_extra_files_is_graded(grade):
    report = grade(fixture("zip_with_folder_and_extras.zip"))
    assert report["submission"]["member"] == "homework/softmax.py"
    assert report["score"] == report["max_score"]


def test_patching_numpy_allclose_changes_nothing(grade):
    report = grade(fixture("patches_numpy_allclose.py"))
    _assert_nothing_passes(report)


def _assert_nothing_passes(report: dict) -> None:
    """Wrong answers everywhere: nothing passes, not even the probe that checks z is left
    untouched (it pays only with softmax's right value)."""
    assert not [t["id"] for t in report["tests"] if t["status"] == "passed"]
    assert report["score"] == 0


def test_walking_stack_frames_and_modules_finds_no_reference(grade):
    report = grade(fixture("walks_stack_frames_for_the_reference.py"))
    _assert_nothing_passes(report)


def test_reading_the_reference_from_disk_fails(grade):
    report = grade(fixture("reads_the_reference_from_disk.py"))
    assert "THREAT SUCCEEDED" not in report["output"]["text"]
    assert "blocked:" in report["output"]["text"]
    _assert_nothing_passes(report)


def test_killing_its_parent_leaves_the_grader_and_the_batch_intact(grade):
    report = grade(fixture("kills_its_parent.py"))
    assert report["tests"], "a report was written"
    after = grade(fixture("sys_exit_at_import.py"))
    assert after["score"] == after["max_score"]


def test_object_whose_unpickling_runs_code_never_crosses(grade):
    marker = Path("/tmp/grader-unpickled-marker")
    marker.unlink(missing_ok=True)
    report = grade(fixture("returns_object_whose_unpickling_runs_code.py"))
    _assert_softmax_outputs_refused(report)
    assert not marker.exists()


def _assert_softmax_outputs_refused(report: dict) -> None:
    """Every probe returning softmax's result fails as not plain data (the input check too:
    it returns softmax's value with the input); the rest pass."""
    for test in report["tests"]:
        if test["id"].startswith("softmax"):
            assert test["status"] == "failed" and "not plain data" in test["message"], test["id"]
            assert test["score"] == 0
        else:
            assert test["status"] == "passed", test["id"]


def test_ndarray_subclass_claiming_equality_fails(grade):
    report = grade(fixture("returns_ndarray_subclass_equal_to_anything.py"))
    _assert_softmax_outputs_refused(report)


def test_missing_functions_are_named(grade):
    report = grade(fixture("defines_only_softmax.py"))
    by_id = {t["id"]: t for t in report["tests"]}
    assert by_id["softmax_rows"]["status"] == "passed"
    assert by_id["log_softmax_rows"]["status"] == "error"
    assert by_id["log_softmax_rows"]["message"] == "`log_softmax` is not defined in your submission"


@pytest.mark.parametrize("name, expected", [
    ("syntax_error.py", "syntax error at line 4"),
    ("notebook_invalid_json.ipynb", "is not valid JSON"),
    ("notebook_without_code.ipynb", "has no code cells"),
    ("zip_without_gradable_file.zip", "holds no .py or .ipynb file"),
    ("zip_corrupt.zip", "is not a readable zip archive"),
    ("does_not_exist.py", "does not exist"),
])
def test_unloadable_submissions_get_a_report_with_a_load_error(grade, name, expected):
    report = grade(fixture(name))
    assert report["score"] == 0
    assert expected in report["load_errors"][0]
    assert all(t["message"].startswith("not run:") for t in report["tests"])


def test_nothing_is_left_running(grade):
    grade(fixture("isolation_daemon_outlives_grading.py"))
    grade(fixture("infinite_loop_in_kl_divergence.py"), timeout_s=0.5, tests=("kl_divergence_dense",))
    assert wait_until_none_left() == []


def test_notebook_calling_display_and_get_ipython_runs_outside_jupyter(grade, tmp_path):
    import nbformat
    body = (SUBMISSIONS / "sys_exit_at_import.py").read_text().replace("sys.exit(1)", "")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in (
        body, "display(softmax(np.zeros(3)))", "get_ipython().run_line_magic('matplotlib', 'inline')")]
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"c{index}"
    path = tmp_path / "softmax.ipynb"
    nbformat.write(nb, path)
    report = grade(path)
    assert report["import_errors"] == [] and report["score"] == report["max_score"]
    assert "array([0.33333333" in report["output"]["text"]
