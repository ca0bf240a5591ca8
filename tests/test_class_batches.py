"""Submissions as people hand them in, graded through the worker: class folders and LMS
downloads (one report per student, named after them), zips and folders alike, big and old
notebooks, encodings, and a summary a person can read."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, SEED, SUBMISSIONS, statuses
from test_classroom import _canvas, make
from test_handins import CHECKPOINT_BYTES, _notebook, _plot, _with_checkpoint

from grader import classroom, schema
from grader.exitcode import ExitCode

CORRECT = SUBMISSIONS / "correct_solution_graded_under_hostile_file_names.py"
EXAMPLES = ROOT / "examples" / "softmax"


def grader(*args, env=None):
    environment = {**os.environ, "COLUMNS": "160", **(env or {})}
    return subprocess.run([sys.executable, "-m", "grader.cli_entry", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=900, env=environment, check=False)


def full_marks(report: dict) -> bool:
    return report["score"] == report["max_score"] > 0 and not report["load_errors"]


# --- one submission: zips, folders, notebooks, encodings (in-process, the shared pool)

@pytest.mark.parametrize("fixture, member", [
    ("zip_with_an_older_copy_further_down.zip", "hw2/softmax.py"),
    ("zip_with_a_notebook_and_a_module_of_the_assignment.zip", "softmax.py"),
    ("zip_made_on_macos_with_resource_forks_and_caches.zip", "hw2/softmax.py"),
])
def test_zips_get_full_marks_and_say_what_was_chosen(grade, fixture, member):
    report = grade(SUBMISSIONS / fixture)
    assert full_marks(report) and report["submission"]["member"] == member
    assert report["load_warnings"] and report["student"] is None


def test_two_different_copies_at_one_depth_are_not_guessed(grade):
    report = grade(SUBMISSIONS / "zip_with_two_different_copies_at_one_depth.zip")
    assert report["score"] == 0 and report["load_errors"] == [
        ("zip_with_two_different_copies_at_one_depth.zip holds several different files that could be the one to "
        "grade (alice/softmax.py, bob/softmax.py); keep only one")]


def test_a_70_mb_checkpoint_beside_the_source_gets_full_marks_zipped_or_not(grade, tmp_path):
    folder = _with_checkpoint(tmp_path / "hw")
    archive = tmp_path / "hw.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in folder.iterdir():
            handle.write(path, path.name)
    for report in (grade(archive), grade(folder)):
        assert full_marks(report), report["load_errors"]
        assert report["load_warnings"] == [f"not graded, not code: model.ckpt ({CHECKPOINT_BYTES / 1e6:.1f} MB)"]


@pytest.mark.parametrize("fixture, raised", [
    ("cp1251_with_coding_cookie.py", []), ("utf8_with_byte_order_mark_and_crlf.py", []),
    ("notebook_nbformat3_with_a_correct_solution.ipynb", ["cell 6"]),  # %pylab is neutralised: no plot()
    ("notebook_saved_by_jupyterlab_with_outputs.ipynb", []), ("notebook_saved_by_vscode.ipynb", []),
])
def test_what_python_and_jupyter_read_gets_full_marks(grade, fixture, raised):
    report = grade(SUBMISSIONS / fixture)
    assert full_marks(report), report["load_errors"] or report["import_errors"]
    assert [e["where"] for e in report["import_errors"]] == raised


def test_a_colab_notebook_runs_without_colab(grade):
    report = grade(SUBMISSIONS / "notebook_saved_by_colab.ipynb")
    assert full_marks(report)
    assert report["import_errors"] == []  # google.colab is a stand-in here, named in a warning
    assert any("google" in warning for warning in report["load_warnings"]), report["load_warnings"]


def test_cp1251_without_its_coding_line_is_refused_with_pythons_reason(grade):
    report = grade(SUBMISSIONS / "cp1251_without_coding_cookie.py")
    assert report["score"] == 0 and "Non-UTF-8 code starting with '\\xd1' on line 1" in report["load_errors"][0]


def test_a_notebook_with_70_mb_of_outputs_gets_full_marks(grade, tmp_path):
    path = _notebook(tmp_path / "softmax.ipynb", CORRECT.read_text(), "plt.plot(x)", outputs=_plot(70_000_000))
    report = grade(path)
    assert full_marks(report) and report["load_errors"] == []
    assert [e["where"] for e in report["import_errors"]] == ["cell 2"]  # plt is not defined: that cell only


def test_a_syntax_error_in_one_cell_is_that_cells_and_every_other_cell_runs(grade):
    report = grade(SUBMISSIONS / "notebook_cell_with_a_syntax_error.ipynb")
    assert full_marks(report)
    assert report["import_errors"] == [{"where": "cell 4", "error": (
        "notebook_cell_with_a_syntax_error.ipynb, cell 4 has a syntax error at line 2 ('(' was never closed): "
        "print(softmax(np.array([1.0, 2.0]))")}]
    assert "raised outside your code" not in json.dumps(report)


def test_check_says_a_cell_did_not_compile_rather_than_that_it_raised():
    result = grader("check", "-a", "softmax", SUBMISSIONS / "notebook_cell_with_a_syntax_error.ipynb")
    assert result.returncode == ExitCode.OK, result.stderr
    assert result.stdout.splitlines()[1:3] == [
        "Your code (cell 4) does not compile, so it did not run; the rest still ran:",
        ("notebook_cell_with_a_syntax_error.ipynb, cell 4 has a syntax error at line 2 ('(' was never closed): "
        "print(softmax(np.array([1.0, 2.0]))")]


def test_an_indentation_error_costs_only_the_functions_of_that_cell(grade):
    report = grade(SUBMISSIONS / "notebook_cell_with_an_indentation_error.ipynb")
    lost = {t for t, status in statuses(report).items() if status != "passed"}
    assert lost and all(t.startswith("kl_divergence") for t in lost)
    assert all(t["message"] == "`kl_divergence` is not defined in your submission"
               for t in report["tests"] if t["id"] in lost)
    assert [e["where"] for e in report["import_errors"]] == ["cell 3"]
    assert "has an indentation error at line 3" in report["import_errors"][0]["error"]


def test_a_student_in_a_class_folder_sees_only_their_own_file(grade, layers, tmp_path):
    if not (layers.namespaces or layers.landlock_abi):
        pytest.skip("without namespaces or Landlock, student code can read the grader's files (README: isolation)")
    folder = _canvas(tmp_path / "canvas")
    spy = (SUBMISSIONS / "lists_the_folder_of_its_own_file.py").read_text()
    make(folder, {"zedspy_99999_11111_softmax.py": spy})
    batch = classroom.expand([folder], "softmax")
    report = grade(batch.handins[-1])
    assert report["student"] == "zedspy" and full_marks(report)
    assert "smithbob" not in report["output"]["text"] and "listed:" in report["output"]["text"]


# --- the command line: classes in, one report per student, a readable summary

def _thirty(root: Path, mistake_file) -> dict[str, Path]:
    """30 students: correct alternatives and known mistakes, as files, folders, notebooks and zips."""
    sources = sorted((ROOT / "tests" / "alternatives" / "softmax").glob("*.py")) + \
        [mistake_file(p) for p in sorted((ROOT / "reference" / "mistakes" / "softmax").glob("*.py"))] + \
        [EXAMPLES / "ada_loops.py", EXAMPLES / "ben_overflows.py", EXAMPLES / "cleo_uses_torch.py",
         EXAMPLES / "dana_notebook.ipynb", EXAMPLES / "eve_zipped.zip", CORRECT]
    assert len(sources) == 30
    placed = {}
    for index, source in enumerate(sources):
        student = f"s{index:02d}_{source.stem}"
        if source.suffix != ".py":
            target = root / f"{student}{source.suffix}"
        elif index % 3 == 0:
            target = root / student / "softmax.py"
        else:
            target = root / f"{student}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
        placed[student] = source
    return placed


def test_a_class_folder_of_30_students_gives_30_reports_named_after_them(grade, tmp_path, mistake_file):
    placed = _thirty(tmp_path / "class", mistake_file)
    out = tmp_path / "out"
    result = grader("grade", "-a", "softmax", "-o", out, "--seed", SEED, "-j", "2", "--format", "json",
                    tmp_path / "class")
    assert result.returncode == ExitCode.OK, result.stderr
    assert f"{tmp_path / 'class'}: read as one entry per student, 30 students" in result.stderr
    summary = json.loads(result.stdout)
    jsonschema.validate(summary, schema.validator("summary").schema)
    assert summary["count"] == 30 and [row["student"] for row in summary["submissions"]] == sorted(placed)
    assert sorted(p.name for p in out.glob("*.json")) == sorted(f"{s}.json" for s in placed)  # and the gradebook
    for row in summary["submissions"]:
        report = json.loads(Path(row["report"]).read_text())
        assert report["student"] == row["student"] and Path(row["report"]).parent == out.resolve()
        alone = grade(placed[row["student"]])  # the same file graded on its own, same seed
        assert (report["score"], statuses(report)) == (alone["score"], statuses(alone)), row["student"]
        assert row["score"] == report["score"] and row["failed_tests"] == \
            [t["id"] for t in report["tests"] if t["status"] != "passed"]


def test_lms_downloads_and_nbgrader_in_one_batch_with_a_plain_summary(tmp_path):
    canvas = _canvas(tmp_path / "canvas")
    moodle = make(tmp_path / "moodle", {"Ada Lovelace_101_assignsubmission_file_/softmax.py": CORRECT.read_text(),
                                        "Alan Turing_102_assignsubmission_file_/softmax.ipynb":
                                            (EXAMPLES / "dana_notebook.ipynb").read_text()})
    course = make(tmp_path / "course", {"submitted/alice/softmax/softmax.py": CORRECT.read_text(),
                                        "submitted/alice/softmax/timestamp.txt": "2024-03-01 12:00:00 UTC",
                                        "submitted/bob/ps0/ps0.py": "x = 1\n"})
    out = tmp_path / "out"
    result = grader("grade", "-a", "softmax", "-o", out, "--seed", SEED, "-j", "2", canvas, moodle, course)
    assert result.returncode == ExitCode.OK, result.stderr
    assert sorted(p.name for p in out.glob("*.json")) == [
        "Ada_Lovelace.json", "Alan_Turing.json", "alice.json", "doejane.json", "leeann.json", "nguyenan.json",
        "smithbob.json"]
    reports = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    assert reports["doejane"]["load_warnings"] == ["Canvas marks this submission LATE"]
    for student in ("smithbob", "doejane", "leeann", "Ada_Lovelace", "alice"):
        assert full_marks(reports[student]), student
    assert reports["nguyenan"]["load_errors"] == ["what nguyenan handed in holds no .py or .ipynb file to grade"]
    assert f"{course}: left out submitted/bob/ (no folder for this assignment)" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "softmax: 7 submissions (5 with full marks, 1 not loaded)"
    assert f"smithbob: 30/30, report {out / 'smithbob.json'}" in lines
    assert f"  graded {canvas}/smithbob_12345_67890_softmax.py" in lines
    assert "  warning: Canvas marks this submission LATE" in lines
    assert f"  graded {canvas}/leeann_34567_89012_hw2.zip/hw2/softmax.py" in lines
    gradebook = grader("export", "-f", "csv", *sorted(out.glob("*.json")))
    assert [row.split(",")[0] for row in gradebook.stdout.splitlines()] == [
        "student", "Ada Lovelace", "Alan Turing", "alice", "doejane", "leeann", "nguyenan", "smithbob"]


def test_usage_errors_stop_before_anything_is_graded(tmp_path):
    ambiguous = make(tmp_path / "class", {"softmax.py": CORRECT.read_text(), "alice/softmax.py": "x = 1\n",
                                          "bob/softmax.py": "x = 2\n"})
    (tmp_path / "empty").mkdir()
    out = tmp_path / "out"
    result = grader("grade", "-a", "softmax", "-o", out, tmp_path / "nope.py", tmp_path / "empty", ambiguous)
    assert result.returncode == ExitCode.USAGE and not out.exists()
    assert result.stderr.endswith(
        "Error: nothing was graded:\n"
        f"  {tmp_path / 'nope.py'}: no such file or folder\n"
        f"  {tmp_path / 'empty'}: holds no files\n"
        f"  {ambiguous}: ambiguous: one submission (softmax.py) or a class of 3 students (alice/, bob/, "
        "softmax.py), each with their own softmax code? Pass --layout one or --layout students\n")
    conflicting = grader("grade", "-a", "softmax", "--one", "--layout", "canvas", "-o", out, ambiguous)
    assert conflicting.returncode == ExitCode.USAGE and "--one and --layout canvas" in conflicting.stderr
    settled = grader("grade", "-a", "softmax", "--one", "-o", out, "--seed", SEED, ambiguous)
    assert settled.returncode == ExitCode.OK, settled.stderr
    assert [p.name for p in out.glob("*.json")] == ["class.json"]
    report = json.loads((out / "class.json").read_text())
    assert full_marks(report) and report["submission"]["member"] == "softmax.py"
    missing = grader("check", tmp_path / "softmax.py")
    assert missing.returncode == ExitCode.USAGE and "softmax.py: no such file or folder" in missing.stderr


def test_the_table_wraps_diagnoses_and_counts_in_the_right_number(tmp_path):
    result = grader("grade", "-a", "softmax", "-o", tmp_path, "--seed", SEED, "--format", "table",
                    EXAMPLES / "ben_overflows.py", env={"COLUMNS": "100"})
    assert result.returncode == ExitCode.OK, result.stderr
    assert "softmax: 1 submission (0 with full marks)" in result.stdout
    assert "1 submission: " in result.stdout and "1 submissions" not in result.stdout
    report = json.loads((tmp_path / "ben_overflows.json").read_text())
    flat = re.sub(r"[\s│┃|]+", " ", result.stdout)
    for diagnosis in {t["diagnosis"] for t in report["tests"] if t["diagnosis"]}:
        assert diagnosis.removeprefix("Matches a known mistake: ") in flat, diagnosis
    assert "..." not in result.stdout


def test_the_json_summary_of_a_batch_of_files_is_its_documented_shape(tmp_path):
    result = grader("grade", "-a", "softmax", "-o", tmp_path / "out", "--seed", SEED, "--format", "json",
                    EXAMPLES / "ada_loops.py", EXAMPLES / "ben_overflows.py", SUBMISSIONS / "syntax_error.py")
    assert result.returncode == ExitCode.OK, result.stderr
    summary = json.loads(result.stdout)
    schema.check(summary, "summary", "stdout")
    assert [(r["student"], r["label"], r["path"]) for r in summary["submissions"]] == [
        (None, str(EXAMPLES / "ada_loops.py"), str(EXAMPLES / "ada_loops.py")),
        (None, str(EXAMPLES / "ben_overflows.py"), str(EXAMPLES / "ben_overflows.py")),
        (None, str(SUBMISSIONS / "syntax_error.py"), str(SUBMISSIONS / "syntax_error.py"))]
    ben = json.loads((tmp_path / "out" / "ben_overflows.json").read_text())
    assert sorted(d["diagnosis"] for d in summary["diagnoses"]) == sorted({t["diagnosis"] for t in ben["tests"]
                                                                          if t["diagnosis"]})
    assert {d["submissions"] for d in summary["diagnoses"]} == {1}
    assert summary["submissions"][2]["load_errors"] and summary["submissions"][2]["score"] == 0


def test_hostile_student_names_reach_the_summary_and_the_reports_as_text(tmp_path):
    folder = make(tmp_path / "class", {"\x1b]0;pwned\x07eve/softmax.py": CORRECT.read_text(),
                                       "[bold red]mallory/softmax.py": CORRECT.read_text()})
    for style in ("plain", "table", "json"):
        out = tmp_path / style
        result = grader("grade", "-a", "softmax", "-o", out, "--seed", SEED, "--format", style, folder)
        assert result.returncode == ExitCode.OK, result.stderr
        assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout + result.stderr
        shown = result.stdout if style != "json" else \
            "".join(row["label"] for row in json.loads(result.stdout)["submissions"])
        assert "\\x1b]0;pwned\\x07eve" in shown and "[bold red]mallory" in shown
    reports = {p.name: json.loads(p.read_text()) for p in (tmp_path / "json").glob("*.json")}
    assert {name: r["student"] for name, r in reports.items()} == {
        "_x1b]0;pwned_x07eve.json": "\\x1b]0;pwned\\x07eve", "[bold_red]mallory.json": "[bold red]mallory"}


def test_a_py_downloaded_from_colab_skips_its_shell_and_magic_lines_and_says_so(grade):
    report = grade(SUBMISSIONS / "colab_download_py_with_shell_and_magic_lines.py")
    assert full_marks(report)
    assert report["load_warnings"] == [
        "colab_download_py_with_shell_and_magic_lines.py: 2 notebook-only lines (shell commands or magics, such "
        "as !pip install or %matplotlib) are not Python and were skipped, as a notebook skips them; delete them "
        "from the .py file"]


def test_a_syntax_error_beside_magic_lines_is_still_the_syntax_error(grade, tmp_path):
    broken = tmp_path / "softmax.py"
    broken.write_text("!pip install numpy\nimport numpy as np\ndef softmax(z, axis=-1)\n    return z\n",
                      encoding="utf-8")
    report = grade(broken)
    assert report["score"] == 0
    assert report["load_errors"] == ["softmax.py has a syntax error at line 3 (expected ':'): def softmax(z, axis=-1)"]
