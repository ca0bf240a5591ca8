"""The grading environment never costs a point: missing modules cost only the functions that
use them, plotting does nothing, notebook-isms work in modules, input() fails only its call."""
from __future__ import annotations

from conftest import ROOT, SUBMISSIONS, statuses


def _failing(report) -> dict:
    return {t["id"]: t["message"] for t in report["tests"] if t["status"] != "passed"}


def test_notebook_importing_matplotlib_beside_numpy_scores_full_marks(grade):
    report = grade(SUBMISSIONS / "notebook_imports_matplotlib_beside_numpy_and_plots.ipynb")
    assert report["score"] == report["max_score"] == 30
    assert report["import_errors"] == []
    assert report["load_warnings"] == [
        "module 'matplotlib' is not installed where submissions are graded (cell 2, line 2): plotting with it does nothing",
        "module 'seaborn' is not installed where submissions are graded (cell 2, line 4): plotting with it does nothing"]
    assert "loss: 1.0986" in report["output"]["text"]


def test_module_exported_from_a_notebook_runs_its_magics_as_no_ops(grade):
    report = grade(SUBMISSIONS / "exported_from_a_notebook_calls_get_ipython.py")
    assert report["score"] == report["max_score"] == 30
    assert report["import_errors"] == []
    assert "array([0.09003057, 0.24472847, 0.66524096])" in report["output"]["text"]  # display() printed


def test_missing_module_costs_only_the_function_that_uses_it(grade):
    report = grade(SUBMISSIONS / "imports_a_missing_module_used_by_one_function.py")
    failing = _failing(report)
    assert set(failing) == {t for t in statuses(report) if t.startswith("cross_entropy")}
    assert all("ModuleNotFoundError: `course_helpers_of_the_student.log_softmax` needs the module "
               "'course_helpers_of_the_student', which is not installed where submissions are graded "
               "(line 19)" in message for message in failing.values())
    assert report["load_warnings"] == [
        "module 'course_helpers_of_the_student' is not installed where submissions are graded (line 4): your "
        "code runs with a stand-in for it, and the tests of the functions that use it score 0"]
    assert report["import_errors"] == []


def test_missing_decorator_and_base_class_cost_only_their_users_and_a_handled_import_costs_nothing(grade):
    report = grade(SUBMISSIONS / "decorates_with_a_missing_module_and_falls_back_in_a_try.py")
    failing = _failing(report)
    assert set(failing) == {t for t in statuses(report) if t.startswith("kl_divergence")}
    assert all("`numba.njit()` needs the module 'numba'" in m and "(made at line 32)" in m for m in failing.values())
    assert [w.split(" is not")[0] for w in report["load_warnings"]] == ["module 'numba'", "module 'missing_framework'"]
    assert not any("cupy" in w for w in report["load_warnings"])  # its ImportError was handled: NumPy instead


def test_input_in_a_function_fails_that_call_with_its_line(grade):
    report = grade(SUBMISSIONS / "asks_for_input_in_kl_divergence.py")
    failing = _failing(report)
    assert set(failing) == {t for t in statuses(report) if t.startswith("kl_divergence")}
    assert all("EOFError: input() cannot be answered while grading (line 21)" in m for m in failing.values())


def test_input_at_import_says_exactly_what_ran_and_what_did_not(grade):
    report = grade(SUBMISSIONS / "asks_for_input_at_import.py")
    (error,) = report["import_errors"]
    assert error["where"] == "module"
    assert error["error"].endswith(
        "EOFError: input() cannot be answered while grading (line 15); give the value as a function argument "
        "or a constant instead\n"
        "Line 15 raised this: lines 1-14 ran; lines 16-24 did not run.\n"
        "So these functions the tests call are not defined: `cross_entropy` (line 18, which did not run), "
        "`kl_divergence` (line 22, which did not run).")
    for test, status in statuses(report).items():
        assert status == ("error" if test.startswith(("cross_entropy", "kl_divergence")) else "passed"), test


def test_load_error_after_every_function_says_they_are_all_defined(grade):
    report = grade(SUBMISSIONS / "sys_exit_at_import.py")
    assert report["import_errors"][0]["error"].endswith(
        "Line 25 raised this: lines 1-24 ran; it was the last line.\n"
        "Every function the tests call is defined (cross_entropy, kl_divergence, log_softmax, softmax).")


def test_notebook_cell_error_says_the_other_cells_ran(grade):
    report = grade(SUBMISSIONS / "notebook_whose_third_cell_raises.ipynb")
    (error,) = report["import_errors"]
    assert error["error"].endswith(
        "Line 1 of cell 3 raised this: nothing before it ran; it was the last line. The other cells ran.\n"
        "Every function the tests call is defined (cross_entropy, kl_divergence, log_softmax, softmax).")


def test_an_installed_matplotlib_draws_off_screen_and_writes_no_file(tmp_path):
    """The real-matplotlib path, with a stand-in package whose show/savefig write files and
    which records the backend it was started with (matplotlib is not installed here)."""
    import subprocess
    import sys
    import textwrap
    package = tmp_path / "site" / "matplotlib"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("import os\nBACKEND = os.environ.get('MPLBACKEND')\n")
    (package / "pyplot.py").write_text(textwrap.dedent("""
        def _write(name):
            open(name, "w").write("drawn")
        def show(*a, **k): _write("shown.txt")
        def savefig(name, *a, **k): _write(name)
        def pause(*a, **k): _write("paused.txt")
        def plot(*a, **k): return ["line"]
        """))
    (package / "figure.py").write_text(textwrap.dedent("""
        class Figure:
            def savefig(self, name, *a, **k): open(name, "w").write("drawn")
        """))
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(tmp_path / "site")!r})
        os.environ.pop("MPLBACKEND", None)
        from grader.standin import StandIns
        StandIns({{"s.py": "module"}}).install({{"s.py": ""}})
        import matplotlib
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure
        assert matplotlib.BACKEND == "Agg", matplotlib.BACKEND
        assert plt.plot([1, 2]) == ["line"]  # the rest of pyplot is the real one
        plt.show(); plt.savefig("plot.png"); plt.pause(0.1); Figure().savefig("figure.png")
        print(sorted(os.listdir(".")))
        """)
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run([sys.executable, "-c", script], cwd=work, capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
