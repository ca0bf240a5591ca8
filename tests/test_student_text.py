"""Student-controlled text reaches terminals, reports, JUnit XML and gradebooks only through
grader.text: shown, never obeyed; always encodable; never a formula; never another file's line."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import ROOT, SEED, SUBMISSIONS
from grader import export, report, rubric, sandbox, text
from grader.exitcode import ExitCode
from grader.grading import Grader, Options
from grader.limits import Limits
from grader.pool import Pool

# What must never reach a person or a file raw: C0 (but tab, newline) and C1 controls, DEL,
# bidi controls, surrogates, the non-characters XML refuses.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                    "\ud800-\udfff\ufffe\uffff]")
HOSTILE_NAMES = {  # file name -> what it would do if printed or opened raw
    "escapes": "\x1b[2J\x1b]0;title\x07clear.py",
    "markup": "[bold red]FAKE[reverse].py",
    "bidi": "a\u202eyp.txt.py",
    "formula": "=HYPERLINK(1+1).py",
}
CORRECT = SUBMISSIONS / "correct_solution_graded_under_hostile_file_names.py"


def grader(*args, cwd=ROOT, env=None):
    environment = {**os.environ, "COLUMNS": "400", **(env or {})}
    return subprocess.run([sys.executable, "-m", "grader.cli_entry", *args], capture_output=True, cwd=cwd,
                          timeout=600, env=environment, check=False)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def assert_safe(document: dict) -> None:
    for each in strings(document):
        assert not UNSAFE.search(each), repr(each)


def points_outside(document: dict, prefix: str) -> float:
    return sum(t["max_score"] for t in document["tests"] if not t["id"].startswith(prefix))


# --- the functions, one per destination

@pytest.mark.parametrize("raw, shown", [
    ("\x1b[2Jclear", "\\x1b[2Jclear"),
    ("title\x1b]0;owned\x07", "title\\x1b]0;owned\\x07"),
    ("csi \x9b31m", "csi \\x9b31m"),
    ("cr\rhides", "cr\\x0dhides"),
    ("crlf\r\nkept\tand tab", "crlf\nkept\tand tab"),
    ("nul\x00 del\x7f", "nul\\x00 del\\x7f"),
    ("bidi \u202eevil", "bidi \\u202eevil"),
    ("lone \udcff \ud800", "lone \ufffd \ufffd"),
    ("pair \ud83d\ude00", "pair \U0001f600"),
    ("non-characters \ufffe\uffff", "non-characters \\ufffe\\uffff"),
    ("plain café [x] ≤ 1e-6", "plain café [x] ≤ 1e-6"),
])
def test_clean_shows_controls_as_escapes_and_repairs_surrogates(raw, shown):
    assert text.clean(raw) == shown
    assert text.clean(shown) == shown  # idempotent
    shown.encode("utf-8")  # always encodable


def test_clean_on_one_line_escapes_newlines_and_tabs_too():
    assert text.clean("a\nb\tc", lines=False) == "a\\x0ab\\x09c"


def test_terminal_escapes_markup_so_rich_prints_it_literally():
    from rich.console import Console
    console = Console(record=True, width=200, color_system=None)
    hostile = "x = [/] [bold red]FAKE[/bold red] [link=http://e.invalid]y[/link] \\"
    console.print(f"[bold]{text.terminal(hostile)}[/]")
    assert console.export_text().strip() == hostile


def test_for_json_cleans_keys_and_values_and_refuses_objects():
    tree = {"k\x1b": ["\udcff", 1.5, None, True, ("t\x07",)]}
    assert text.for_json(tree) == {"k\\x1b": ["\ufffd", 1.5, None, True, ["t\\x07"]]}
    with pytest.raises(TypeError, match="not a JSON value: object"):
        text.for_json({"x": object()})


def test_xml_always_parses():
    hostile = "".join(chr(c) for c in range(0x20)) + "\x7f\x9b\ud800\ufffe\uffff<&>\"'"
    element = ElementTree.Element("e", message=text.xml(hostile))
    element.text = text.xml(hostile)
    parsed = ElementTree.fromstring(ElementTree.tostring(element, encoding="unicode"))
    assert "<&>" in parsed.text and "\\x1b" in parsed.get("message")


@pytest.mark.parametrize("cell, written", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "\\x0d=1"),  # a carriage return is escaped, so the cell starts with a backslash
])
def test_csv_cells_that_a_spreadsheet_would_evaluate_are_quoted(cell, written):
    assert text.csv_cell(cell) == written


def test_csv_cells_that_are_plain_are_kept():
    assert [text.csv_cell(c) for c in ("30", "a=b", "softmax.py", "")] == ["30", "a=b", "softmax.py", ""]


@pytest.mark.parametrize("raw, name", [
    ("softmax", "softmax"), ("a/b\\c", "a_b_c"), (".hidden", "_hidden"), ("", "_"),
    ("\x1b[2J", "_x1b[2J"), ("bad\udcff", "bad\ufffd"), ("two  words", "two_words"), ("a:b*c?", "a_b_c_"),
])
def test_file_name_is_one_safe_component(raw, name):
    assert text.file_name(raw) == name


def test_file_name_of_a_long_name_is_cut_and_stays_unique():
    first, second = text.file_name("é" * 200 + "a"), text.file_name("é" * 200 + "b")
    assert first != second and len(first.encode()) <= 120 and len(second.encode()) <= 120


# --- reports (strict JSON) and exports, from hostile submissions

@pytest.mark.parametrize("fixture", ["raises_terminal_escapes_in_kl_divergence.py",
                                     "raises_rich_markup_in_kl_divergence.py",
                                     "raises_lone_surrogate_in_kl_divergence.py"])
def test_hostile_exception_messages_fail_only_their_tests_and_the_report_is_safe(grade, fixture, tmp_path):
    document = grade(SUBMISSIONS / fixture)
    assert document["score"] == points_outside(document, "kl_divergence") < document["max_score"]
    failed = [t for t in document["tests"] if t["status"] != "passed"]
    assert failed and all(t["id"].startswith("kl_divergence") and t["status"] == "error" for t in failed)
    assert_safe(document)
    written = report.write(document, tmp_path / "r.json")
    assert json.loads(written.read_text(encoding="utf-8")) == document


def test_terminal_escapes_in_messages_and_output_are_shown_as_escapes(grade):
    document = grade(SUBMISSIONS / "raises_terminal_escapes_in_kl_divergence.py")
    shown = "\\x1b[2J\\x1b[3J\\x1b]0;graded 30/30\\x07\\x9b31m\\u202eevil\\x0dhidden\\x00end"
    message = next(t for t in document["tests"] if t["status"] == "error")["message"]
    assert message.endswith("ValueError: kl " + shown)
    assert "printed " + shown in document["output"]["text"]
    assert "stderr " + shown in document["output"]["text"]
    assert "raw \\x1b[2J\ufffd\ufffd invalid utf-8" in document["output"]["text"]


def test_lone_surrogates_become_replacement_characters_and_pairs_are_joined(grade):
    document = grade(SUBMISSIONS / "raises_lone_surrogate_in_kl_divergence.py")
    message = next(t for t in document["tests"] if t["status"] == "error")["message"]
    assert message.endswith("ValueError: kl lone \ufffd and \ufffd, pair \U0001f600 end")


def test_zip_member_names_are_cleaned_in_the_load_error(grade):
    document = grade(SUBMISSIONS / "zip_with_hostile_member_names.zip")
    assert document["score"] == 0
    assert document["load_errors"] == [(
        "zip_with_hostile_member_names.zip holds several gradable files (hw/\\x1b[2J\\x1b]0;title\\x07a.py, "
        "hw/[/][bold]b\\u202e.py); name the one to grade softmax.py or softmax.ipynb")]


def test_a_zip_member_with_a_hostile_name_is_graded_and_named_safely(grade, tmp_path):
    archive = tmp_path / "hw.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("\x1b[2J[/]/softmax.py", CORRECT.read_text())
    document = grade(archive)
    assert document["score"] == document["max_score"]
    assert document["submission"]["member"] == "\\x1b[2J[/]/softmax.py"


def test_a_report_with_nan_or_infinity_is_refused_with_its_key(grade, tmp_path):
    document = grade(CORRECT)
    document["tests"][2]["duration_s"] = float("nan")
    with pytest.raises(report.ReportError, match="tests/2/duration_s is not a finite number"):
        report.write(document, tmp_path / "r.json")
    assert list(tmp_path.iterdir()) == []  # nothing written, no partial left
    document["tests"][2]["duration_s"] = 0.1
    path = report.write(document, tmp_path / "r.json")
    path.write_text(path.read_text().replace('"seed": ', '"seed": Infinity, "x": ', 1))
    with pytest.raises(report.ReportError, match="Infinity is not valid JSON"):
        report.read(path)


def test_exports_of_hostile_reports_parse_and_hold_no_formula(grade, tmp_path):
    formula = tmp_path / "=HYPERLINK(1+1).py"
    formula.write_text("def softmax(:\n")
    documents = [grade(SUBMISSIONS / name) for name in (
        "raises_terminal_escapes_in_kl_divergence.py", "raises_rich_markup_in_kl_divergence.py",
        "raises_lone_surrogate_in_kl_divergence.py", "syntax_error_line_with_rich_markup.py")]
    documents.append(grade(formula))
    documents[-1]["submission"]["path"] = formula.name  # as if graded from its own folder
    suites = ElementTree.fromstring(export.render(documents, "junit"))
    assert len(suites) == 5
    failure = suites[0].find("testcase/error")
    assert "\\x1b[2J" in failure.text and "\x1b" not in failure.text
    rows = list(csv.reader(export.render(documents, "csv").splitlines()))
    assert rows[0][:2] == ["student", "submission"] and rows[-1][0] == ""  # graded on its own: no student
    assert rows[-1][1] == "'=HYPERLINK(1+1).py" and rows[-1][6].startswith("'=HYPERLINK(1+1).py has a syntax")
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row
    gradescope = json.loads(export.render(documents[:1], "gradescope"))
    assert_safe(gradescope)


# --- the command line: grade, check, export

def _hostile_batch(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "batch"
    folder.mkdir()
    paths = [SUBMISSIONS / name for name in (
        "raises_terminal_escapes_in_kl_divergence.py", "raises_rich_markup_in_kl_divergence.py",
        "raises_lone_surrogate_in_kl_divergence.py", "syntax_error_line_with_rich_markup.py",
        "zip_with_hostile_member_names.zip")]
    for name in HOSTILE_NAMES.values():
        shutil.copy(CORRECT, folder / name)
        paths.append(folder / name)
    shutil.copy(SUBMISSIONS / "syntax_error_line_with_rich_markup.py", tmp_path / "m.py")  # short: not cut
    paths.append(tmp_path / "m.py")
    invalid = os.fsencode(folder) + b"/bad\xff\xfename.py"
    shutil.copy(CORRECT, invalid)
    return [*paths, Path(os.fsdecode(invalid))]


def test_grade_of_a_hostile_batch_exits_0_with_a_readable_table_and_strict_reports(tmp_path):
    paths = _hostile_batch(tmp_path)
    out = tmp_path / "out"
    result = grader("grade", "-a", "softmax", "-o", str(out), "--seed", str(SEED), *map(str, paths))
    stdout, stderr = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    assert result.returncode == ExitCode.OK, stderr
    assert not UNSAFE.search(stdout) and "Traceback" not in stderr
    assert "m.py has a syntax error at line 5 (invalid syntax): x = [/] [bold]oops[/bold] (" in stdout
    assert "\\x1b[2J" in stdout and "bad\ufffd\ufffdname.py" in stdout and "[bold red]FAKE[reverse].py" in stdout
    reports = sorted(out.glob("*.json"))  # beside them: the gradebook
    assert len(reports) == len(paths) and not [p for p in reports if p.name.endswith(".partial")]
    for path in reports:
        document = json.loads(path.read_bytes().decode("utf-8"), parse_constant=lambda c: pytest.fail(c))
        assert_safe(document)
        correct = Path(document["submission"]["path"]).parent.name == "batch"
        if correct:  # every copy of the correct solution, whatever its name, gets full marks
            assert document["score"] == document["max_score"], document["submission"]["path"]
    assert sum(json.loads(p.read_text())["score"] == 30 for p in reports) == len(HOSTILE_NAMES) + 1
    junit = grader("export", "-f", "junit", *map(str, reports))
    assert junit.returncode == 0 and len(ElementTree.fromstring(junit.stdout)) == len(paths)
    gradebook = grader("export", "-f", "csv", *map(str, reports))
    rows = list(csv.reader(gradebook.stdout.decode("utf-8").splitlines()))
    assert len(rows) == len(paths) + 1
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize("fixture, code, shown", [
    ("raises_rich_markup_in_kl_divergence.py", ExitCode.TESTS_FAILED,
     "ValueError: kl [/] [bold red]FAKE PASS[/bold red] [link=http://example.invalid]click[/link] [/x] \\"),
    ("raises_terminal_escapes_in_kl_divergence.py", ExitCode.TESTS_FAILED,
     "ValueError: kl \\x1b[2J\\x1b[3J\\x1b]0;graded 30/30\\x07\\x9b31m\\u202eevil\\x0dhidden\\x00end"),
    ("raises_lone_surrogate_in_kl_divergence.py", ExitCode.TESTS_FAILED,
     "ValueError: kl lone \ufffd and \ufffd, pair \U0001f600 end"),
    ("syntax_error_line_with_rich_markup.py", ExitCode.TESTS_FAILED,
     "has a syntax error at line 5 (invalid syntax): x = [/] [bold]oops[/bold] ("),
])
def test_check_prints_hostile_text_literally(fixture, code, shown):
    result = grader("check", "-a", "softmax", str(SUBMISSIONS / fixture))
    stdout = result.stdout.decode("utf-8")
    assert result.returncode == code, result.stderr.decode()
    assert shown in stdout and not UNSAFE.search(stdout)


def test_check_of_a_hostile_file_name_says_what_to_do_without_obeying_it(tmp_path):
    path = tmp_path / HOSTILE_NAMES["escapes"]
    shutil.copy(CORRECT, path)
    guessed = grader("check", str(path))
    stderr = guessed.stderr.decode("utf-8")
    assert guessed.returncode == ExitCode.USAGE and "\x1b" not in stderr
    assert "cannot tell the assignment of \\x1b[2J\\x1b]0;title\\x07clear.py" in stderr
    named = grader("check", "-a", "softmax", str(path))
    assert named.returncode == ExitCode.OK and "\x1b" not in named.stdout.decode("utf-8")
    assert "checking \\x1b[2J\\x1b]0;title\\x07clear.py" in named.stdout.decode("utf-8")


# --- a line of another file is never shown as the student's

MARKER = "MARKER_FROM_ANOTHER_FILE = 'not the student'"


def _folder_with_another_softmax(tmp_path: Path) -> Path:
    folder = tmp_path / "cwd"
    folder.mkdir()
    (folder / "softmax.py").write_text("\n".join([MARKER] * 40) + "\n")
    return folder


def test_syntax_error_quotes_the_submissions_own_line_whatever_the_current_folder(tmp_path):
    folder = _folder_with_another_softmax(tmp_path)
    submitted = tmp_path / "student" / "softmax.py"
    submitted.parent.mkdir()
    shutil.copy(SUBMISSIONS / "syntax_error_found_after_parsing.py", submitted)
    result = grader("grade", "-a", "softmax", "-o", str(tmp_path / "out"), str(submitted), cwd=folder,
                    env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == ExitCode.OK, result.stderr.decode()
    document = json.loads((tmp_path / "out" / "softmax.json").read_text())
    assert document["load_errors"] == [
        "softmax.py has a syntax error at line 9 ('return' outside function): return softmax"]
    assert "MARKER" not in result.stdout.decode() and "MARKER" not in json.dumps(document)


def test_a_traceback_never_shows_a_line_of_a_file_found_by_name(tmp_path, monkeypatch, course):
    """The student clears linecache; the worker's sys.path[0] (its current folder) holds another
    softmax.py, readable without namespaces or Landlock: its lines must not appear."""
    folder = _folder_with_another_softmax(tmp_path)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    layers = sandbox.detect(frozenset({"namespaces", "landlock"}))
    workers = Pool(1, allow_env=("PYTHONPATH",), cgroups=layers.cgroups)
    try:
        found = course["softmax"]
        options = Options(limits=Limits(timeout_s=3.0), seed=SEED)
        submitted = tmp_path / "student" / "softmax.py"
        submitted.parent.mkdir()
        shutil.copy(SUBMISSIONS / "clears_linecache_then_raises_in_softmax.py", submitted)
        with Grader(found, rubric.load(found), layers, options, workers=workers) as grading:
            document = grading.grade(submitted)
    finally:
        workers.close()
    assert document["score"] == points_outside(document, "softmax") < document["max_score"]
    message = next(t for t in document["tests"] if t["id"] == "softmax_rows")["message"]
    assert 'File "<softmax.py>", line 9, in softmax' in message
    assert "MARKER" not in json.dumps(document)


def test_syntax_problem_never_reads_the_current_folder(tmp_path, monkeypatch):
    from grader.submission import syntax_problem
    monkeypatch.chdir(_folder_with_another_softmax(tmp_path))
    for source in ("import numpy\n\nreturn 1\n", "x = 1\ndef f(a, a):\n    pass\n", "x = 1\nf(**a, *b)\n",
                   "x = 1\nnonlocal y\n", "x = 1\nawait y\n"):
        problem = syntax_problem(source, "softmax.py")
        assert problem and "MARKER" not in problem, problem
    assert syntax_problem("import numpy\n\nreturn 1\n", "softmax.py") == \
        "softmax.py has a syntax error at line 3 ('return' outside function): return 1"
    assert syntax_problem("if x:\npass\n", "softmax.py") == \
        "softmax.py has an indentation error at line 2 (expected an indented block after 'if' statement on line 1): pass"


def test_units_are_compiled_under_names_linecache_never_opens(tmp_path, monkeypatch):
    import linecache

    from grader.submission import load
    monkeypatch.chdir(_folder_with_another_softmax(tmp_path))
    (tmp_path / "softmax.py").write_text("x = 1\n")
    unit = load(tmp_path / "softmax.py", "softmax").units[0]
    assert unit.filename == "<softmax.py>"
    linecache.clearcache()
    assert linecache.getline(unit.filename, 1) == ""


@pytest.mark.parametrize("without", [frozenset(), frozenset({"namespaces"})], ids=["namespaces", "no-namespaces"])
def test_hostile_file_names_are_graded_in_both_sandbox_configurations(grade, tmp_path, without):
    """An invalid UTF-8 byte in a file name was a grader fault (exit 3): the sandbox could not
    mount the submission."""
    layers = sandbox.detect(without)
    for raw in (b"bad\xff\xfename.py", os.fsencode(HOSTILE_NAMES["escapes"]), os.fsencode(HOSTILE_NAMES["bidi"])):
        path = os.fsencode(tmp_path) + b"/" + raw
        shutil.copy(CORRECT, path)
        document = grade(Path(os.fsdecode(path)), layers_override=layers)
        assert document["score"] == document["max_score"], (raw, document["tests"][0]["message"])
        assert_safe(document)
    assert Path(document["submission"]["path"]).name == "a\\u202eyp.txt.py"
