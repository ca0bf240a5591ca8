"""The class dashboard: one self-contained page, checked in headless Chromium (no console
problem, no request but the page itself, the histogram and tables drawn, student text
shown as text), and its figures checked against the reports."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import browser
import pytest
from conftest import ROOT, SUBMISSIONS

from grader import classroom, dashboard, report
from grader.exitcode import ExitCode

HOSTILE_NAME = '<img src=x onerror="document.title=1">'
CLASS = {"ada.py": ROOT / "examples/softmax/ada_loops.py", "ben.py": ROOT / "examples/softmax/ben_overflows.py",
         "cleo.py": ROOT / "examples/softmax/cleo_uses_torch.py",
         "dana.ipynb": ROOT / "examples/softmax/dana_notebook.ipynb",
         "eve.py": SUBMISSIONS / "loops_in_softmax_on_large_logits_only.py",
         "fay.py": SUBMISSIONS / "syntax_error.py",
         f"{HOSTILE_NAME}.py": SUBMISSIONS / "raises_html_and_script_in_kl_divergence.py"}
ACCENT = (0x2F, 0x6F, 0xDF)   # the bars' colour (grader/templates/page.css)
PASSED = (0x2E, 0x85, 0x40)   # the pass-rate fill


@pytest.fixture(scope="module")
def graded(tmp_path_factory, grade):
    """A class folder graded as `grader grade` does: reports in a folder, one per student."""
    folder = tmp_path_factory.mktemp("class")
    for name, source in CLASS.items():
        shutil.copy(source, folder / name)
    batch = classroom.expand([folder], "softmax", "students")
    out = tmp_path_factory.mktemp("reports")
    for handin, target in zip(batch.handins, batch.report_paths(out)):
        report.write(grade(handin, timeout_s=1.0), target)
    return out


@pytest.fixture(scope="module")
def documents(graded):
    return [report.read(path) for path in sorted(graded.glob("*.json"))]


@pytest.fixture(scope="module")
def page_file(graded, tmp_path_factory):
    target = tmp_path_factory.mktemp("dashboard") / "class.html"
    result = subprocess.run([sys.executable, "-m", "grader.cli_entry", "dashboard", str(graded), "-o", str(target)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == ExitCode.OK, result.stderr
    assert f"the dashboard of {len(CLASS)} reports" in result.stdout
    return target


def test_the_figures_are_the_reports(documents):
    [section] = dashboard.sections(documents)
    assert section.assignment == "softmax" and len(section.students) == len(CLASS)
    by_student = {s.label: s.report for s in section.students}
    assert by_student["ada"]["score"] == 30 and by_student["fay"]["score"] == 0
    assert section.scores["full"] == sum(d["score"] == d["max_score"] for d in documents)
    assert sum(bar.count for bar in section.bars) == len(CLASS)
    assert section.bars[-1].count == section.scores["full"]  # the last bar is full marks only
    assert section.statuses == {"graded": len(CLASS) - 1, "load_error": 1}
    rates = {t.id: t for t in section.tests}
    assert len(rates) == 18
    for test_id, rate in rates.items():
        statuses = [next(t["status"] for t in d["tests"] if t["id"] == test_id) for d in documents]
        assert rate.counts["passed"] == statuses.count("passed") and rate.total == len(CLASS)
    assert rates["softmax_large_logits"].counts["timeout"] == 1  # eve's loop
    overflow = next(m for m in section.mistakes if "overflow" in m.diagnosis)
    assert [s.label for s in overflow.students] == ["ben"]
    assert "softmax_large_logits" in overflow.tests


def test_histogram_bins():
    bars, y_max = dashboard.histogram([0, 0, 2.5, 3, 3, 3], 3)
    assert [bar.count for bar in bars] == [2, 0, 1, 3] and y_max == 3
    assert bars[3].height == dashboard.CHART_HEIGHT and bars[1].height == 0
    bars, _ = dashboard.histogram([0, 50, 99.9, 100], 100)
    assert len(bars) == 20 and bars[0].count == 1 and bars[10].count == 1 and bars[-1].count == 2


def test_no_report_is_no_dashboard():
    with pytest.raises(ValueError, match="no report to draw a dashboard from"):
        dashboard.render([])


def test_student_text_is_escaped_in_the_file(page_file):
    html = page_file.read_text(encoding="utf-8")
    assert "<script>document.title" not in html and "<img src" not in html
    assert "&lt;script&gt;document.title=&#34;OWNED&#34;" in html
    assert "\x1b" not in html and "\\x1b[31m" in html  # the terminal escape is shown, not kept
    assert html.count("<script>") == 1 and "http://example.invalid" in html  # as text only


def test_the_page_renders_in_chromium_with_no_problem_and_no_request(page_file):
    with browser.Browser(width=1280, height=1200) as chromium:
        page = chromium.open(page_file)
        assert page.problems() == []
        assert page.requests() == [page_file.resolve().as_uri()]
        assert page.evaluate("document.title") == "Class dashboard: softmax"
        assert page.evaluate("document.scripts.length") == 1 and page.evaluate("document.images.length") == 0
        names = page.evaluate("[...document.querySelectorAll('#students-1 tbody td:first-child')]"
                              ".map(c => c.textContent)")
        assert HOSTILE_NAME in names and len(names) == len(CLASS)


def test_the_histogram_and_the_tables_are_drawn(page_file, documents):
    [section] = dashboard.sections(documents)
    with browser.Browser(width=1280, height=1200) as chromium:
        page = chromium.open(page_file)
        bars = page.evaluate("[...document.querySelectorAll('#histogram-1 rect.bar')].map(r => {"
                             " const b = r.getBoundingClientRect();"
                             " return [Number(r.dataset.count), b.left + scrollX, b.top + scrollY, b.width,"
                             " b.height]; })")
        rows = page.evaluate("[...document.querySelectorAll('#tests-1 tbody tr')].map(r => {"
                             " const t = r.querySelector('svg.rate').getBoundingClientRect();"
                             " return [r.dataset.test, t.left + scrollX, t.top + scrollY, t.width]; })")
        chart = page.box("#histogram-1")
        image = page.screenshot()
    assert [count for count, *_ in bars] == [bar.count for bar in section.bars]
    tallest = max(height for _, _, _, _, height in bars)
    for count, left, top, width, height in bars:
        centre = (round(left + width / 2), round(top + height / 2))
        if count:
            assert _near(image.getpixel(centre), ACCENT), (count, centre)
            assert abs(height - tallest * count / max(c for c, *_ in bars)) < 1.5
        else:
            assert _near(image.getpixel((centre[0], chart[1] + 40)), (255, 255, 255))
    rates = {t.id: t.rate for t in section.tests}
    assert len(rows) == 18
    for test_id, left, top, width in rows:
        row = [image.getpixel((round(left) + x, round(top) + 5)) for x in range(round(width))]
        filled = sum(_near(pixel, PASSED) for pixel in row)
        assert abs(filled - rates[test_id] * width) <= 2, (test_id, filled, rates[test_id])


def test_sorting_filtering_and_opening_a_student(page_file):
    with browser.Browser() as chromium:
        page = chromium.open(page_file)
        page.evaluate("document.querySelectorAll('#students-1 thead th')[1].click()")
        scores = page.evaluate("[...document.querySelectorAll('#students-1 tbody tr')]"
                               ".map(r => Number(r.cells[1].dataset.value))")
        assert scores == sorted(scores)
        page.evaluate("const f = document.querySelector('input.filter'); f.value = 'ben';"
                      " f.dispatchEvent(new Event('input'))")
        shown = page.evaluate("[...document.querySelectorAll('#students-1 tbody tr')].filter(r => !r.hidden).length")
        assert shown == 1
        anchor = page.evaluate("document.querySelector('table.mistakes a').getAttribute('href')")
        page.evaluate(f"location.hash = {json.dumps(anchor)}")
        page.evaluate("new Promise(done => setTimeout(done, 50))")
        assert page.evaluate(f"document.getElementById({json.dumps(anchor[1:])}).open") is True
        assert page.problems() == []


def test_the_browser_check_sees_console_errors_and_requests(tmp_path):
    """The checks above can fail: a page that logs an error and loads a remote image is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><title>x</title><img src='http://127.0.0.1:9/x.png'>"
                   "<script>console.error('broken'); undefinedFunction();</script>")
    with browser.Browser() as chromium:
        page = chromium.open(bad)
        problems = page.problems()
        assert any("broken" in p for p in problems) and any("undefinedFunction" in p for p in problems)
        assert "http://127.0.0.1:9/x.png" in page.requests()


def test_a_file_that_is_not_a_report_stops_the_dashboard(graded, tmp_path):
    folder = tmp_path / "mixed"
    shutil.copytree(graded, folder)
    (folder / "notes.json").write_text('{"hello": 1}')
    (folder / "broken.json").write_text("{")
    result = subprocess.run([sys.executable, "-m", "grader.cli_entry", "dashboard", str(folder), "-o",
                             str(tmp_path / "class.html")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == ExitCode.USAGE
    assert f"{folder / 'notes.json'}: not a grader report" in result.stderr
    assert f"{folder / 'broken.json'}: not a grader report" in result.stderr
    assert not (tmp_path / "class.html").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = subprocess.run([sys.executable, "-m", "grader.cli_entry", "dashboard", str(empty), "-o",
                             str(tmp_path / "class.html")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == ExitCode.USAGE and "holds no report" in result.stderr


def _near(pixel, colour, tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))

