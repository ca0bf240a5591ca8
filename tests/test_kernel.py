"""grader.check(): one line in a notebook checks what the kernel has run, or a file; in a
notebook being graded, the same line does nothing."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from grader import release, rubric

MISTAKE = ROOT / "reference" / "mistakes" / "softmax" / "softmax_ignores_axis.py"
CORRECT = ROOT / "examples" / "softmax" / "ada_loops.py"

KERNEL = r'''
import sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
for cell in sys.argv[1:]:
    shell.run_cell(open(cell).read(), store_history=True)
shell.run_cell("import grader\nresult = grader.check()", store_history=True)
result = shell.user_ns.get("result")
print("RESULT", None if result is None else [result.passed, result.score, result.max_score,
      [(t["id"], t["status"], t["diagnosis"]) for t in result.report["tests"]]])
'''


@pytest.fixture(scope="module")
def released(tmp_path_factory, layers, workers, course) -> Path:
    folder = tmp_path_factory.mktemp("kernel") / "release"
    release.build(course["softmax"], rubric.load(course["softmax"]), layers, folder, seed=5, workers=workers)
    return folder


def _python(code: str, *args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IPYTHONDIR": str(cwd / ".ipython")}
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300, check=False)


def _result(run: subprocess.CompletedProcess):
    line = next(line for line in run.stdout.splitlines() if line.startswith("RESULT"))
    return eval(line.removeprefix("RESULT "))


def test_in_a_kernel_it_checks_the_cells_that_ran_whether_or_not_they_are_saved(released, tmp_path, mistake_file):
    mistake = mistake_file(MISTAKE)  # the catalogue mistake composed with the reference
    folder = tmp_path / "work"
    shutil.copytree(released, folder)
    magic = tmp_path / "magic.py"
    magic.write_text("x = 1\n%time y = 2\n")
    run = _python(KERNEL, magic, mistake, cwd=folder)
    passed, score, max_score, tests = _result(run)
    assert (passed, score, max_score) == (False, 8, 9), run.stdout + run.stderr
    hint = ("Matches a known mistake: softmax always normalises along the last axis, whatever `axis` it is "
            "given. Fix: Pass `axis` (not -1) to both the max and the sum.")
    assert ("softmax_axis0", "failed", hint) in tests
    assert "FAIL softmax_axis0" in run.stdout and "Hint: Matches a known mistake" in run.stdout
    fixed = _python(KERNEL, mistake, CORRECT, cwd=folder)  # a later cell redefines every function
    assert _result(fixed)[:3] == [True, 9, 9], fixed.stdout + fixed.stderr


def test_with_a_path_it_checks_that_file_and_without_a_release_it_says_what_to_do(released, tmp_path):
    folder = tmp_path / "work"
    shutil.copytree(released, folder)
    shutil.copy(CORRECT, folder / "softmax.py")
    code = "import grader; r = grader.check('softmax.py'); print('RESULT', [r.passed, r.score, r.max_score, []])"
    assert _result(_python(code, cwd=folder))[:3] == [True, 9, 9]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(CORRECT, elsewhere / "softmax.py")
    lost = _python("import grader; print('RESULT', grader.check('softmax.py'))", cwd=elsewhere)
    assert _result(lost) is None and "no release (*.selfcheck.json)" in lost.stderr
    script = folder / "mine.py"
    script.write_text(CORRECT.read_text() + "\nif __name__ == '__main__':\n    import grader\n"
                      "    r = grader.check(release='.')\n    print('RESULT', [r.passed, r.score, r.max_score, []])\n")
    ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=folder, check=False,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert _result(ran)[:3] == [True, 9, 9], ran.stderr


def test_the_check_cell_of_a_graded_notebook_does_nothing(grade, tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(CORRECT.read_text()),
                      nbformat.v4.new_code_cell("import grader\nresult = grader.check()\nprint('check:', result)")]
    path = tmp_path / "softmax.ipynb"
    path.write_text(nbformat.writes(notebook))
    report = grade(path)
    assert report["score"] == report["max_score"] == 30
    assert report["import_errors"] == [] and "check: None" in report["output"]["text"]
    assert json.dumps(report).count("visible tests only") == 0
