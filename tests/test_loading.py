"""Loading a submission parses and never runs it; bad input is a load error, never a traceback."""
from __future__ import annotations

import zipfile

import nbformat

from grader.limits import Limits
from grader.notebook import neutralise
from grader.submission import load


def _notebook(path, *sources, version=4):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    nbformat.write(nb, path)
    return path


def test_magics_and_shell_lines_are_neutralised_line_by_line_keeping_indentation():
    source = "%matplotlib inline\nimport numpy as np\nfiles = !ls\nif True:\n    %timeit f()\n    x = 1\nnp.sum?\ny = 7 % 3"
    python, count = neutralise(source)
    lines = python.splitlines()
    assert count == 4
    assert lines[0].startswith("pass") and lines[2].startswith("pass")
    assert lines[4].startswith("    pass")  # still a valid block
    assert lines[5] == "    x = 1" and lines[7] == "y = 7 % 3"
    compile(python, "cell", "exec")


def test_python_cell_magics_keep_their_body_and_others_drop_it():
    timed, _ = neutralise("%%time\nx = 1")
    shell, _ = neutralise("%%bash\nrm -rf /\necho hi")
    assert "x = 1" in timed.splitlines()
    assert "rm -rf" not in "".join(l for l in shell.splitlines() if not l.startswith("#"))
    compile(shell, "cell", "exec")


def test_notebook_cells_become_units_named_after_their_position(tmp_path):
    path = _notebook(tmp_path / "softmax.ipynb", "import numpy as np", "", "def softmax(z):\n    return z")
    loaded = load(path, "softmax")
    assert loaded.gradable
    assert [u.label for u in loaded.units] == ["cell 1", "cell 3"]
    assert loaded.units[1].filename == "<softmax.ipynb, cell 3>"


def test_every_nbformat_4_minor_version_loads(tmp_path):
    for minor in (0, 2, 4, 5):
        nb = nbformat.v4.new_notebook()
        nb.nbformat_minor = minor
        nb.cells = [nbformat.v4.new_code_cell("x = 1")]
        if minor < 5:
            del nb.cells[0]["id"]
        path = tmp_path / f"nb{minor}.ipynb"
        path.write_text(nbformat.writes(nb, version=4))
        assert load(path, "softmax").gradable, minor


def test_folder_prefers_the_file_named_after_the_assignment(tmp_path):
    (tmp_path / "helpers.py").write_text("x = 1")
    (tmp_path / "softmax.py").write_text("y = 2")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "softmax-checkpoint.ipynb").write_text("{}")
    loaded = load(tmp_path, "softmax")
    assert loaded.member == "softmax.py" and loaded.units[0].source == "y = 2"


def test_folder_with_two_candidates_and_no_named_one_is_a_clear_error(tmp_path):
    (tmp_path / "a.py").write_text("x = 1")
    (tmp_path / "b.py").write_text("x = 2")
    loaded = load(tmp_path, "softmax")
    assert not loaded.gradable
    assert "several gradable files (a.py, b.py)" in loaded.load_errors[0]
    assert "softmax.py" in loaded.load_errors[0]


def test_zip_member_larger_than_the_limit_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("softmax.py", "#" * (2 << 20))
    loaded = load(path, "softmax", Limits(max_source_bytes=1 << 20))
    assert loaded.load_errors[0].startswith("softmax.py is 2.1 MB, more than the 1.0 MB a source file may be")


def test_non_utf8_source_and_unknown_suffix_are_load_errors(tmp_path):
    latin = tmp_path / "softmax.py"
    latin.write_bytes(b"x = '\xe9'\n")
    pdf = tmp_path / "softmax.pdf"
    pdf.write_bytes(b"%PDF")
    assert load(latin, "softmax").load_errors[0] == (
        "softmax.py cannot be read as Python source: Non-UTF-8 code starting with '\\xe9' on line 1, but no "
        "encoding declared; save it as UTF-8, or declare its encoding on line 1 or 2 (PEP 263), "
        "e.g. # -*- coding: cp1251 -*-")
    assert "cannot grade a .pdf file" in load(pdf, "softmax").load_errors[0]


def test_sha256_identifies_the_submitted_bytes(tmp_path):
    path = tmp_path / "softmax.py"
    path.write_text("x = 1\n")
    import hashlib
    assert load(path, "softmax").sha256 == hashlib.sha256(b"x = 1\n").hexdigest()


def test_a_notebook_with_megabytes_of_outputs_is_still_graded(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("import numpy as np")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "A" * (8 << 20)})]
    cell["id"] = "c0"
    nb.cells = [cell]
    path = tmp_path / "softmax.ipynb"
    nbformat.write(nb, path)
    assert path.stat().st_size > 8 << 20
    assert load(path, "softmax").gradable
