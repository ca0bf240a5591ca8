"""Report files: one per input of a batch whatever the names, deterministic, written without
following links or reusing a file someone planted."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, SEED, SUBMISSIONS
from grader import report
from grader.exitcode import ExitCode

CORRECT = SUBMISSIONS / "correct_solution_graded_under_hostile_file_names.py"


def names(*paths: str) -> list[str]:
    return [p.name for p in report.output_paths([Path(p) for p in paths], Path("out"))]


@pytest.mark.parametrize("batch, expected", [
    (["softmax.py", "ada.ipynb", "eve.zip", "class/"], ["softmax.json", "ada.json", "eve.json", "class.json"]),
    (["victim.py", "victim.ipynb", "victim-2.py"], ["victim.py.json", "victim.ipynb.json", "victim-2.json"]),
    (["alice/softmax.py", "bob/softmax.py"], ["alice-softmax.json", "bob-softmax.json"]),
    (["c/alice/softmax.py", "c/bob/softmax.py", "c/alice/softmax.ipynb"],
     ["alice-softmax.py.json", "bob-softmax.py.json", "alice-softmax.ipynb.json"]),
    (["x/a/s.py", "y/a/s.py"], ["x-a-s.json", "y-a-s.json"]),
    (["a.py", "x/a.py"], ["a.json", "x-a.json"]),
    (["a.py", "a.py"], ["a.json", "a-2.json"]),
    (["victim.py", "victim.py", "victim-2.py"], ["victim.json", "victim-3.json", "victim-2.json"]),
    (["Softmax.py", "softmax.py"], ["Softmax.json", "softmax-2.json"]),  # one file where case is ignored
    (["alice-softmax.py", "alice/softmax.py", "bob/softmax.py"],
     ["alice-softmax.json", "alice-softmax-2.json", "bob-softmax.json"]),
    (["./a/../b/.hidden.py", "notes.txt"], ["_hidden.json", "notes.txt.json"]),
])
def test_report_names_are_unique_and_tell_inputs_apart(batch, expected):
    assert names(*batch) == expected
    assert names(*batch) == expected  # deterministic


def test_every_name_is_unique_ignoring_case_whatever_the_batch():
    batch = ["v.py", "v-2.py", "V.py", "v.ipynb", "d/v.py", "d/v-2.py", "e/v.py", "v.py", "v-2.py", "d-v.py"]
    found = names(*batch)
    assert len({n.casefold() for n in found}) == len(batch), found


def test_a_long_or_hostile_name_gives_a_safe_short_file_name():
    found = names("x" * 300 + ".py", "\x1b[2J.py", "bad\udcff.py")
    assert len(found[0].encode()) <= 125 and found[1:] == ["_x1b[2J.json", "bad\ufffd.json"]


def _notebook_of(source: Path, path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source.read_text())]
    notebook.cells[0]["id"] = "c0"
    nbformat.write(notebook, path)


def grader(*args):
    return subprocess.run([sys.executable, "-m", "grader.cli_entry", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, check=False)


def test_a_batch_with_colliding_stems_keeps_every_report(tmp_path):
    """victim.py, victim.ipynb and victim-2.py wrote victim-2.json twice; alice/ and bob/softmax.py
    were told apart only by a counter; the same file twice had one report."""
    inputs = tmp_path / "in"
    for folder in ("alice", "bob"):
        (inputs / folder).mkdir(parents=True)
        shutil.copy(CORRECT, inputs / folder / "softmax.py")
    shutil.copy(CORRECT, inputs / "victim.py")
    _notebook_of(CORRECT, inputs / "victim.ipynb")
    shutil.copy(SUBMISSIONS / "syntax_error.py", inputs / "victim-2.py")
    batch = [inputs / "victim.py", inputs / "victim.ipynb", inputs / "victim-2.py", inputs / "alice" / "softmax.py",
             inputs / "bob" / "softmax.py", inputs / "victim.py"]
    out = tmp_path / "out"
    result = grader("grade", "-a", "softmax", "-j", "2", "-o", str(out), "--seed", str(SEED), *map(str, batch))
    assert result.returncode == ExitCode.OK, result.stderr
    written = {p.name: json.loads(p.read_text()) for p in out.glob("*.json")}  # beside the gradebook
    assert sorted(written) == sorted(["victim.py.json", "victim.ipynb.json", "victim-2.json", "alice-softmax.json",
                                      "bob-softmax.json", "victim.py-2.json"])
    assert [written[n]["submission"]["path"] for n in ("victim.py.json", "victim.ipynb.json", "victim-2.json",
                                                       "alice-softmax.json", "bob-softmax.json", "victim.py-2.json")] \
        == [str(p) for p in batch]
    assert written["victim-2.json"]["score"] == 0 and written["victim-2.json"]["load_errors"]
    for name in ("victim.py.json", "victim.ipynb.json", "alice-softmax.json", "bob-softmax.json", "victim.py-2.json"):
        assert written[name]["score"] == written[name]["max_score"] == 30, name


def test_links_planted_in_the_output_folder_are_never_followed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "precious.txt"
    victim.write_text("untouched\n")
    (out / "softmax.json.partial").symlink_to(victim)
    (out / "softmax.json").symlink_to(tmp_path / "also-precious.txt")
    (tmp_path / "also-precious.txt").write_text("untouched too\n")
    submission = tmp_path / "softmax.py"
    shutil.copy(CORRECT, submission)
    result = grader("grade", "-a", "softmax", "-o", str(out), "--seed", str(SEED), str(submission))
    assert result.returncode == ExitCode.OK, result.stderr
    assert victim.read_text() == "untouched\n" and (tmp_path / "also-precious.txt").read_text() == "untouched too\n"
    written = out / "softmax.json"
    assert not written.is_symlink() and json.loads(written.read_text())["score"] == 30
    assert (out / "softmax.json.partial").is_symlink()  # left as found
    assert sorted(p.name for p in out.iterdir()) == ["gradebook.sqlite", "softmax.json", "softmax.json.partial"]


def test_write_creates_its_temporary_file_exclusively_and_cleans_up_on_failure(tmp_path, monkeypatch):
    opened = []
    real_open = os.open

    def spy(path, flags, *args, **kwargs):
        opened.append((str(path), flags))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    sample = _sample_report()
    path = report.write(sample, tmp_path / "r.json")
    (partial, flags), = [(p, f) for p, f in opened if p.endswith(".partial")]
    assert flags & os.O_EXCL and flags & os.O_NOFOLLOW and flags & os.O_CREAT
    assert Path(partial).parent == tmp_path and not Path(partial).exists()
    assert json.loads(path.read_text()) == sample
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(OSError):
        report.write(sample, tmp_path / "s.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def _sample_report() -> dict:
    return {"schema_version": report.SCHEMA_VERSION, "grader_version": "0", "assignment": "softmax",
            "submission": {"path": "s.py", "sha256": "", "member": None}, "seed": 1, "score": 0.0,
            "max_score": 0.0, "tests": [], "load_errors": ["s.py does not exist"], "import_errors": [],
            "output": {"text": "", "bytes": 0},
            "isolation": {"namespaces": False, "cgroups": False, "seccomp": False, "landlock_abi": 0,
                          "network_isolated": False, "filesystem_isolated": False, "memory_bounded": False,
                          "warnings": []},
            "duration_s": 0.0}
