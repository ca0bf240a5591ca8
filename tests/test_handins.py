"""What students hand in: which file of a folder or zip is graded (the same rules for both),
decoded as Python decodes source, notebooks by their code only; no worker runs here."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import SUBMISSIONS

from grader import handin
from grader.limits import MIB, Limits
from grader.submission import load

CORRECT = SUBMISSIONS / "correct_solution_graded_under_hostile_file_names.py"
CHECKPOINT_BYTES = 70_000_000  # a model checkpoint saved beside the source: "70.0 MB"


def choice(names: dict[str, int] | list[str], identical=lambda a, b: False) -> handin.Choice:
    sizes = names if isinstance(names, dict) else dict.fromkeys(names, 100)
    return handin.choose(sizes, "softmax", identical, 4 * MIB)


# --- which file is graded

@pytest.mark.parametrize("names, graded, warned", [
    (["softmax.py", "helpers.py", "data.csv"], "softmax.py",
     ["not graded: helpers.py (one file is graded, softmax.py; a submission must not import its other files)"]),
    (["hw2/softmax.py", "hw2/old/softmax.py"], "hw2/softmax.py",
     ["graded hw2/softmax.py, not hw2/old/softmax.py (a copy further down; the file nearest the top is graded)"]),
    (["softmax.py", "softmax.ipynb"], "softmax.py",
     ["graded softmax.py, not softmax.ipynb (a notebook; a .py file is graded before a notebook of the same name)"]),
    (["softmax.ipynb", "src/softmax.py"], "softmax.ipynb",
     ["graded softmax.ipynb, not src/softmax.py (a copy further down; the file nearest the top is graded)"]),
    (["Softmax (1).py"], "Softmax (1).py", []),
    (["softmax-2.py", "notes.md"], "softmax-2.py", []),
    (["softmax.py", "Softmax.py"], "softmax.py",
     ["graded softmax.py, not Softmax.py (not named exactly softmax.py)"]),
    (["hw.py", "hw.ipynb"], "hw.py",
     ["graded hw.py, not hw.ipynb (a notebook; a .py file is graded before a notebook of the same name)"]),
    (["homework/solution.py", "homework/README.md"], "homework/solution.py", []),
    (["hw2.zip", "screenshot.png"], "hw2.zip", []),
    (["softmax.py", "__MACOSX/._softmax.py", ".DS_Store"], "softmax.py",
     ["left out macOS resource forks (__MACOSX/): 1 file, < 0.1 MB (e.g. __MACOSX/._softmax.py)"]),
    (["softmax.py", ".ipynb_checkpoints/softmax-checkpoint.ipynb", "__pycache__/softmax.cpython-311.pyc"],
     "softmax.py", [("left out Jupyter checkpoints (.ipynb_checkpoints/): 1 file, < 0.1 MB "
                    "(e.g. .ipynb_checkpoints/softmax-checkpoint.ipynb)"),
                    ("left out Python caches (__pycache__/): 1 file, < 0.1 MB "
                    "(e.g. __pycache__/softmax.cpython-311.pyc)")]),
    (["softmax.py", "env/pyvenv.cfg", "env/lib/python3.11/site-packages/numpy/__init__.py"], "softmax.py",
     [("left out installed packages (site-packages/): 1 file, < 0.1 MB "
      "(e.g. env/lib/python3.11/site-packages/numpy/__init__.py)"),
      "left out a virtual environment (env/): 1 file, < 0.1 MB (e.g. env/pyvenv.cfg)"]),
    (["softmax.py", ".git/hooks/pre-commit.py"], "softmax.py",
     ["left out hidden files and folders: 1 file, < 0.1 MB (e.g. .git/hooks/pre-commit.py)"]),
])
def test_the_graded_file_and_every_choice_made_for_the_student(names, graded, warned):
    found = choice(names)
    assert (found.name, found.error, list(found.warnings)) == (graded, None, warned)


def test_only_the_chosen_source_counts_a_large_checkpoint_is_named_not_refused():
    found = choice({"softmax.py": 2000, "model.ckpt": CHECKPOINT_BYTES, "data.csv": 10})
    assert found.name == "softmax.py"
    assert found.warnings == ("not graded, not code: model.ckpt (70.0 MB)",)


def test_copies_say_when_they_are_identical():
    found = choice(["a/softmax.py", "a/old/softmax.py"], identical=lambda a, b: True)
    assert found.warnings == (("graded a/softmax.py, not a/old/softmax.py (a copy further down, identical; "
                              "the file nearest the top is graded)"),)


@pytest.mark.parametrize("names, error", [
    (["a.py", "b.py"], ("holds several gradable files (a.py, b.py); name the one to grade softmax.py or "
                       "softmax.ipynb")),
    (["alice/softmax.py", "bob/softmax.py"], ("holds several different files that could be the one to grade "
                                             "(alice/softmax.py, bob/softmax.py); keep only one")),
    (["report.pdf"], "holds no .py or .ipynb file to grade"),
    (["a.zip", "b.zip"], "holds no .py or .ipynb file to grade and several zip files (a.zip, b.zip); hand in one"),
    (["__MACOSX/._softmax.py"], "holds no .py or .ipynb file to grade"),
])
def test_what_cannot_be_decided_is_a_load_error_not_a_guess(names, error):
    found = choice(names)
    assert (found.name, found.error) == (None, error)


def test_two_identical_copies_at_one_depth_are_not_ambiguous():
    found = choice(["alice/softmax.py", "bob/softmax.py"], identical=lambda a, b: True)
    assert found.name == "alice/softmax.py" and "identical" in found.warnings[0]


# --- zips and folders alike

def _unzipped(archive: Path, folder: Path) -> Path:
    with zipfile.ZipFile(archive) as handle:
        handle.extractall(folder)
    return folder


@pytest.mark.parametrize("fixture", [
    "zip_with_an_older_copy_further_down.zip", "zip_with_a_notebook_and_a_module_of_the_assignment.zip",
    "zip_made_on_macos_with_resource_forks_and_caches.zip", "zip_with_two_different_copies_at_one_depth.zip",
    "zip_with_folder_and_extras.zip", "zip_without_gradable_file.zip",
])
def test_a_zip_and_the_same_files_as_a_folder_load_alike(fixture, tmp_path):
    zipped = load(SUBMISSIONS / fixture, "softmax")
    folder = load(_unzipped(SUBMISSIONS / fixture, tmp_path / "hw"), "softmax")
    assert (zipped.member, zipped.sha256, zipped.units, zipped.load_warnings) == \
        (folder.member, folder.sha256, folder.units, folder.load_warnings)
    assert [e.replace(f"{fixture} ", "", 1) for e in zipped.load_errors] == \
        [e.replace("folder hw ", "", 1) for e in folder.load_errors]


@pytest.mark.parametrize("fixture, member, warnings", [
    ("zip_with_an_older_copy_further_down.zip", "hw2/softmax.py",
     ("graded hw2/softmax.py, not hw2/old/softmax.py (a copy further down; the file nearest the top is graded)",)),
    ("zip_with_a_notebook_and_a_module_of_the_assignment.zip", "softmax.py",
     (("graded softmax.py, not softmax.ipynb (a notebook; a .py file is graded before a notebook of the same "
      "name)"),)),
    ("zip_made_on_macos_with_resource_forks_and_caches.zip", "hw2/softmax.py", (
        "left out macOS resource forks (__MACOSX/): 1 file, < 0.1 MB (e.g. __MACOSX/hw2/._softmax.py)",
        ("left out Jupyter checkpoints (.ipynb_checkpoints/): 1 file, < 0.1 MB "
        "(e.g. hw2/.ipynb_checkpoints/softmax-checkpoint.ipynb)"),
        "left out Python caches (__pycache__/): 1 file, < 0.1 MB (e.g. hw2/__pycache__/softmax.cpython-311.pyc)")),
])
def test_zip_choices_are_load_warnings(fixture, member, warnings):
    loaded = load(SUBMISSIONS / fixture, "softmax")
    assert loaded.gradable and loaded.member == member and loaded.load_warnings == warnings


def _with_checkpoint(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(CORRECT, folder / "softmax.py")
    with open(folder / "model.ckpt", "wb") as handle:
        handle.write(os.urandom(CHECKPOINT_BYTES))
    return folder


def test_a_70_mb_checkpoint_beside_the_source_costs_nothing_in_a_zip_or_a_folder(tmp_path):
    folder = _with_checkpoint(tmp_path / "hw")
    archive = tmp_path / "hw.zip"
    with zipfile.ZipFile(archive, "w") as handle:  # stored: the archive itself is over 70 MB
        for path in folder.iterdir():
            handle.write(path, f"hw/{path.name}")
    assert archive.stat().st_size > CHECKPOINT_BYTES
    for loaded in (load(archive, "softmax"), load(folder, "softmax")):
        assert loaded.gradable, loaded.load_errors
        assert loaded.load_warnings == ("not graded, not code: model.ckpt (70.0 MB)",) or \
            loaded.load_warnings == ("not graded, not code: hw/model.ckpt (70.0 MB)",)


def test_a_source_file_over_the_limit_is_refused_with_sizes_in_megabytes(tmp_path):
    big = tmp_path / "softmax.py"
    big.write_text("x = 1\n" + "#" * (5 * MIB))
    assert load(big, "softmax").load_errors == (
        ("softmax.py is 5.2 MB, more than the 4.2 MB a source file may be; hand in only your code "
        "(data and models are not graded)"),)


def test_a_zip_inside_the_handin_is_opened_by_the_same_rules(tmp_path):
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as handle:
        handle.write(CORRECT, "hw2/softmax.py")
        handle.writestr("__MACOSX/hw2/._softmax.py", "x")
    folder = tmp_path / "alice"
    folder.mkdir()
    shutil.copy(inner, folder / "hw2.zip")
    (folder / "notes.txt").write_text("see the zip")
    loaded = load(folder, "softmax")
    assert loaded.gradable and loaded.member == "hw2.zip/hw2/softmax.py"
    assert loaded.load_warnings == (("left out macOS resource forks (__MACOSX/): 1 file, < 0.1 MB "
                                    "(e.g. __MACOSX/hw2/._softmax.py)"),)


# --- encodings, as Python reads source

def _python_runs(path: Path) -> bool:
    """Whether `python FILE` accepts the file's encoding (the file only defines functions)."""
    return subprocess.run([sys.executable, str(path)], capture_output=True, timeout=120,
                          check=False).returncode == 0


@pytest.mark.parametrize("fixture, error", [
    ("cp1251_with_coding_cookie.py", None),
    ("utf8_with_byte_order_mark_and_crlf.py", None),
    ("cp1251_without_coding_cookie.py",
     ("cp1251_without_coding_cookie.py cannot be read as Python source: Non-UTF-8 code starting with '\\xd1' on "
     "line 1, but no encoding declared; save it as UTF-8, or declare its encoding on line 1 or 2 (PEP 263), e.g. "
     "# -*- coding: cp1251 -*-")),
    ("utf16_from_windows_notepad.py",
     ("utf16_from_windows_notepad.py cannot be read as Python source: Non-UTF-8 code starting with '\\xff' on "
     "line 1, but no encoding declared; save it as UTF-8, or declare its encoding on line 1 or 2 (PEP 263), e.g. "
     "# -*- coding: cp1251 -*-")),
])
def test_only_what_python_refuses_is_refused_with_its_reason(fixture, error):
    loaded = load(SUBMISSIONS / fixture, "softmax")
    assert (loaded.load_errors[0] if loaded.load_errors else None) == error
    assert _python_runs(SUBMISSIONS / fixture) == (error is None)


def test_a_cp1251_source_is_decoded_by_its_coding_line():
    loaded = load(SUBMISSIONS / "cp1251_with_coding_cookie.py", "softmax")
    assert 'ПОДСКАЗКА = "вычитаем максимум' in loaded.units[0].source


@pytest.mark.parametrize("data, error", [
    (b"# -*- coding: klingon -*-\nx = 1\n", "unknown encoding: klingon"),
    (b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", "encoding problem: utf-8"),
    (b"# coding: cp1251\nx = '\x98'\n", ("byte '\\x98' on line 2 is not cp1251, the encoding its coding line "
                                        "declares (character maps to <undefined>)")),
    (b"x = 1\n# caf\xc3\xa9\n", None),
    (b"# -*- coding: latin-1 -*-\nx = 'caf\xe9'\n", None),
])
def test_coding_lines_and_byte_order_marks_as_python_reads_them(data, error, tmp_path):
    path = tmp_path / "softmax.py"
    path.write_bytes(data)
    loaded = load(path, "softmax")
    assert _python_runs(path) == (error is None)
    if error is None:
        assert loaded.gradable, loaded.load_errors
    else:
        assert error in loaded.load_errors[0] and loaded.load_errors[0].startswith("softmax.py cannot be read")


# --- notebooks: only the code counts

def _notebook(path: Path, *sources: str, outputs=None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    if outputs:
        nb.cells[-1].outputs = outputs
    nbformat.write(nb, path)
    return path


def _plot(size: int):
    return [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo" + "A" * size,
                                                         "text/plain": "<Figure size 640x480 with 1 Axes>"})]


def test_a_notebook_with_70_mb_of_plot_outputs_is_read_by_its_code(tmp_path):
    path = _notebook(tmp_path / "softmax.ipynb", CORRECT.read_text(), "plt.plot(x)", outputs=_plot(70_000_000))
    assert path.stat().st_size > 70_000_000
    loaded = load(path, "softmax")
    assert loaded.gradable and [u.label for u in loaded.units] == ["cell 1", "cell 2"]


def test_a_notebook_over_the_file_limit_says_clear_all_outputs_and_save(tmp_path):
    path = _notebook(tmp_path / "softmax.ipynb", "x = 1", outputs=_plot(3_000_000))
    loaded = load(path, "softmax", Limits(max_notebook_bytes=2_000_000))
    assert loaded.load_errors == (
        ("softmax.ipynb is 3.0 MB, more than the 2.0 MB a notebook file may be even with its outputs left out; "
        "clear all outputs and save (Jupyter: Edit > Clear All Outputs, then File > Save), then hand it in again"),)


def test_a_notebook_with_more_code_than_a_source_file_may_hold_is_refused_in_megabytes(tmp_path):
    path = _notebook(tmp_path / "softmax.ipynb", "import numpy as np", "DATA = '" + "x" * (5 * MIB) + "'")
    assert load(path, "softmax").load_errors == (
        ("softmax.ipynb holds 5.2 MB of code in its code cells, more than the 4.2 MB a submission's code may be "
        "(outputs do not count); move data pasted into cells into a file, then save"),)


def test_a_minimal_nbformat_3_notebook_loads():
    loaded = load(SUBMISSIONS / "notebook_nbformat3.ipynb", "softmax")  # once refused as "nbformat 3"
    assert loaded.gradable and [u.source for u in loaded.units] == ["import numpy as np"]


def test_nbformat_3_is_converted_by_nbformat():
    loaded = load(SUBMISSIONS / "notebook_nbformat3_with_a_correct_solution.ipynb", "softmax")
    assert loaded.gradable and [u.label for u in loaded.units] == ["cell 2", "cell 3", "cell 4", "cell 5", "cell 6"]
    assert loaded.units[0].source.startswith("pass  # neutralised: %pylab inline\nimport numpy as np")
    assert loaded.units[1].filename == "<notebook_nbformat3_with_a_correct_solution.ipynb, cell 3>"


def test_a_notebook_format_nbformat_cannot_read_is_refused_with_its_reason(tmp_path):
    path = tmp_path / "softmax.ipynb"
    path.write_text(json.dumps({"nbformat": 9, "nbformat_minor": 0, "metadata": {}, "cells": []}))
    error = load(path, "softmax").load_errors[0]
    assert error.startswith(f"softmax.ipynb uses nbformat 9, which nbformat {nbformat.__version__} cannot convert (")
    assert error.endswith("open it in a current Jupyter and save it again")


@pytest.mark.parametrize("fixture, where, message", [
    ("notebook_cell_with_a_syntax_error.ipynb", "cell 4",
     ("notebook_cell_with_a_syntax_error.ipynb, cell 4 has a syntax error at line 2 ('(' was never closed): "
     "print(softmax(np.array([1.0, 2.0]))")),
    ("notebook_cell_with_an_indentation_error.ipynb", "cell 3",
     ("notebook_cell_with_an_indentation_error.ipynb, cell 3 has an indentation error at line 3 (unindent does "
     "not match any outer indentation level): return float((p[m] * np.log(p[m] / q[m])).sum())")),
])
def test_a_cell_that_does_not_compile_is_that_cells_error_and_the_rest_still_run(fixture, where, message):
    loaded = load(SUBMISSIONS / fixture, "softmax")
    assert loaded.gradable and loaded.cell_errors == ((where, message),)
    assert where not in [u.label for u in loaded.units] and len(loaded.units) == 3


@pytest.mark.parametrize("fixture", ["notebook_saved_by_jupyterlab_with_outputs.ipynb",
                                     "notebook_saved_by_vscode.ipynb", "notebook_saved_by_colab.ipynb"])
def test_notebooks_as_jupyter_vscode_and_colab_save_them_load(fixture):
    loaded = load(SUBMISSIONS / fixture, "softmax")
    assert loaded.gradable and loaded.load_warnings == () and not loaded.cell_errors
