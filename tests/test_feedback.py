"""Feedback for each student: the graded notebook or module as HTML, each function's results
right after the cell that defines it, hidden tests without their messages for students,
and nothing a student wrote run in the browser that opens it."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import browser
import pytest
from conftest import ROOT, SUBMISSIONS

from grader import assignment, audience, feedback, report
from grader.exitcode import ExitCode

HOSTILE = SUBMISSIONS / "notebook_with_scripts_in_markdown_raw_cells_outputs_and_metadata.ipynb"
FILES = {"dana": ROOT / "examples/softmax/dana_notebook.ipynb", "ben": ROOT / "examples/softmax/ben_overflows.py",
         "eve": ROOT / "examples/softmax/eve_zipped.zip", "hostile": HOSTILE,
         "invalid": SUBMISSIONS / "notebook_invalid_json.ipynb"}


@pytest.fixture(scope="module")
def calls():
    return {probe.id: probe.calls for probe in assignment.load("softmax", ROOT).probes}


@pytest.fixture(scope="module")
def reports(tmp_path_factory, grade):
    folder = tmp_path_factory.mktemp("feedback-reports")
    found = {}
    for name, path in FILES.items():
        found[name] = report.write(grade(path), folder / f"{name}.json")
    return found


def _order(html: str, *needles: str) -> list[int]:
    return [html.index(needle) for needle in needles]


def _definitions(html: str) -> list[int]:
    """Where the cells defining the four functions are (pygments marks a defined name "nf")."""
    return _order(html, *(f'<span class="nf">{name}</span>'
                          for name in ("softmax", "log_softmax", "cross_entropy", "kl_divergence")))


def test_results_follow_the_cell_that_defines_each_function(reports, calls):
    html = feedback.render(report.read(reports["dana"]), calls)
    cells = _definitions(html)
    tests = _order(html, 'data-test="softmax_rows"', 'data-test="log_softmax_rows"', 'data-test="cross_entropy_batch"',
                   'data-test="kl_divergence_dense"')
    assert cells[0] < tests[0] < cells[1] < tests[1] < cells[2] < tests[2] < cells[3] < tests[3]
    assert html.count('data-test="') == 18
    raised = html.index("while cell 4 ran")  # the NameError of cell 4, after cell 4
    assert html.index("undefined_plotting_helper") < raised < cells[1]


def test_a_module_is_cut_at_its_functions(reports, calls):
    html = feedback.render(report.read(reports["ben"]), calls)
    cells = _definitions(html)
    tests = _order(html, 'data-test="softmax_rows"', 'data-test="log_softmax_rows"', 'data-test="cross_entropy_batch"',
                   'data-test="kl_divergence_dense"')
    assert cells[0] < tests[0] < cells[1] < tests[1] < cells[2] < tests[2] < cells[3] < tests[3]


def test_students_see_hidden_tests_without_messages_or_diagnoses(reports, calls):
    document = report.read(reports["ben"])
    hidden = [t for t in document["tests"] if t["visibility"] != "visible" and t["status"] != "passed"]
    visible = [t for t in document["tests"] if t["visibility"] == "visible" and t["status"] != "passed"]
    assert hidden and visible and any(t["diagnosis"] for t in hidden)
    students = feedback.render(document, calls)
    instructors = feedback.render(document, calls, audience="instructor")
    for test in hidden:
        block = _block(students, test["id"])
        assert audience.HIDDEN_NOTE in block and "diagnosis" not in block
        assert _escaped(test["message"].splitlines()[0]) not in students
        assert _escaped(test["message"].splitlines()[0]) in instructors
    for test in visible:
        assert _escaped(test["message"].splitlines()[0]) in _block(students, test["id"])
    assert document == report.read(reports["ben"])  # the report itself is unchanged
    with pytest.raises(ValueError, match="unknown audience 'teacher'"):
        feedback.render(document, calls, audience="teacher")


def test_a_zip_member_is_shown(reports, calls):
    html = feedback.render(report.read(reports["eve"]), calls)
    assert html.index('data-test="softmax_rows"') > html.index("moveaxis")


def test_a_file_changed_since_grading_shows_results_without_code(reports, calls, tmp_path, grade):
    copy = tmp_path / "softmax.py"
    shutil.copy(ROOT / "examples/softmax/ben_overflows.py", copy)
    document = grade(copy)
    copy.write_text(copy.read_text() + "\n# edited after grading\n")
    html = feedback.render(document, calls)
    assert "softmax.py has changed since it was graded, so its code is not shown" in html
    assert "edited after grading" not in html and html.count('data-test="') == 18


def test_without_the_course_every_result_goes_at_the_end(reports):
    html = feedback.render(report.read(reports["dana"]), None)
    assert html.index("undefined_plotting_helper") < html.index('data-test="softmax_rows"')
    assert html.index("<h2>Results</h2>") < html.index('data-test="softmax_rows"')


def test_a_notebook_that_does_not_load_gets_its_results_and_why(reports, calls):
    html = feedback.render(report.read(reports["invalid"]), calls)
    assert "is not valid JSON" in html and html.count('data-test="') == 18


def test_student_html_in_a_notebook_is_shown_as_text(reports, calls):
    html = feedback.render(report.read(reports["hostile"]), calls)
    assert "<script" not in html and not re.search(r"<[^>]*\son(error|load)=", html)
    assert "&lt;script&gt;document.title=" in html and "&lt;iframe src=" in html
    assert html.count('class="grader-results"') == 3  # softmax, log_softmax, cross_entropy + kl: no forged block
    assert "alert(11)" not in html  # saved outputs are not shown


def test_the_feedback_command_writes_pages_that_open_cleanly_in_chromium(reports, tmp_path):
    out = tmp_path / "pages"
    result = subprocess.run([sys.executable, "-m", "grader.cli_entry", "feedback", *map(str, reports.values()),
                             "-o", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == ExitCode.OK, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{name}.html" for name in FILES)
    with browser.Browser(width=1100, height=900) as chromium:
        for name in ("hostile", "dana"):
            page = chromium.open(out / f"{name}.html")
            assert page.problems() == [], name
            assert page.requests() == [(out / f"{name}.html").resolve().as_uri()], name
            assert page.evaluate("document.scripts.length") == 0
            assert page.evaluate("document.title").startswith("Feedback: ")
            assert page.evaluate("document.querySelectorAll('[onerror], [onload], iframe').length") == 0
            placed = page.evaluate("[...document.querySelectorAll('.grader-test[data-test]')].map(e => e.dataset.test)")
            assert len(placed) == 18
            box = page.box(".grader-results")
            assert box[2] - box[0] > 500 and box[3] - box[1] > 100  # drawn, not collapsed


def _block(html: str, test_id: str) -> str:
    start = html.index(f'data-test="{test_id}"')
    end = html.find('<div class="grader-test"', start + 1)
    return html[start:end if end > 0 else None]


def _escaped(text: str) -> str:
    import html
    return html.escape(text, quote=False)


def test_feedback_without_nbconvert_says_how_to_get_it(tmp_path):
    code = ("import sys; sys.modules['nbconvert'] = None\n"
            "from grader.cli import main; sys.argv = ['grader', 'feedback', sys.argv[1]]; main()")
    report_file = tmp_path / "r.json"
    report_file.write_text("{}")
    result = subprocess.run([sys.executable, "-c", code, str(report_file)], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == ExitCode.USAGE, result.stderr
    assert "pip install 'mlgrader[feedback]'" in result.stderr


def test_after_the_due_date_students_see_those_tests_without_expected_values(reports, calls):
    document = report.read(reports["hostile"])  # its kl_divergence raises: every kl test is an error
    [late] = [t for t in document["tests"] if t["visibility"] == "after_due_date"]
    assert late["status"] == "error" and late["student_message"]
    before = _block(feedback.render(document, calls), late["id"])
    after = _block(feedback.render(document, calls, after_due_date=True), late["id"])
    assert audience.HIDDEN_NOTE in before and "ValueError" not in before
    assert audience.HIDDEN_NOTE not in after and "ValueError" in after
