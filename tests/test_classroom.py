"""Class folders and zips: how a folder argument is read (one submission, one entry per student,
nbgrader, Canvas, Moodle, Blackboard), each student named; ambiguity and bad paths are usage
errors listing what was wrong. No worker runs here."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SUBMISSIONS

from grader import classroom
from grader.submission import load

CORRECT = (SUBMISSIONS / "correct_solution_graded_under_hostile_file_names.py").read_text()
NOTEBOOK = (ROOT / "examples" / "softmax" / "dana_notebook.ipynb").read_text()


def make(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def zipped(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def expand(*paths: Path, layout: str = "auto") -> classroom.Batch:
    return classroom.expand(list(paths), "softmax", layout)


def students(batch: classroom.Batch) -> list[str | None]:
    return [h.student for h in batch.handins]


def graded(batch: classroom.Batch) -> dict[str | None, str | None]:
    """student -> the graded file (as stored in the argument) or the load error."""
    found = {}
    for h in batch.handins:
        loaded = load(h, "softmax")
        found[h.student] = loaded.member if loaded.gradable else loaded.load_errors[0]
    return found


# --- layouts

CANVAS = {  # Canvas "Download Submissions": lastnamefirstname[_LATE]_<user id>_<attachment id>_<file name>
    "smithbob_12345_67890_softmax.py": CORRECT,
    "smithbob_12345_67891_helpers.py": "x = 1\n",
    "doejane_LATE_23456_78901_softmax-1.py": CORRECT,
    "leeann_34567_89012_hw2.zip": "",
    "nguyenan_45678_90123_report.pdf": "%PDF",
}


def _canvas(root: Path) -> Path:
    make(root, {k: v for k, v in CANVAS.items() if not k.endswith(".zip")})
    zipped(root / "leeann_34567_89012_hw2.zip", {"hw2/softmax.py": CORRECT, "__MACOSX/hw2/._softmax.py": "x"})
    return root


def test_a_canvas_download_is_one_submission_per_student_named_after_them(tmp_path):
    batch = expand(_canvas(tmp_path / "canvas"))
    assert students(batch) == ["doejane", "leeann", "nguyenan", "smithbob"]
    assert batch.readings == ((f"{tmp_path / 'canvas'}: read as a Canvas download, 4 students "
                              "(--layout one grades it as one submission)"),)
    assert graded(batch) == {
        "smithbob": "smithbob_12345_67890_softmax.py", "doejane": "doejane_LATE_23456_78901_softmax-1.py",
        "leeann": "leeann_34567_89012_hw2.zip/hw2/softmax.py",
        "nguyenan": "what nguyenan handed in holds no .py or .ipynb file to grade"}
    smith = load(batch.handins[3], "softmax")
    assert smith.units[0].filename == "<softmax.py>"  # the name the student gave it
    assert smith.load_warnings == (("not graded: helpers.py (one file is graded, softmax.py; a submission must "
                                   "not import its other files)"),)
    assert load(batch.handins[0], "softmax").load_warnings == ("Canvas marks this submission LATE",)
    assert [p.name for p in batch.report_paths(Path("out"))] == ["doejane.json", "leeann.json", "nguyenan.json",
                                                                 "smithbob.json"]


def test_student_code_sees_only_its_own_file_of_a_class_folder(tmp_path):
    batch = expand(_canvas(tmp_path / "canvas"))
    smith = load(batch.handins[3], "softmax")
    assert smith.view == tmp_path / "canvas" / "smithbob_12345_67890_softmax.py" and smith.view_member == ""
    class_zip = zipped(tmp_path / "submissions.zip", {"alice.py": CORRECT, "bob.py": CORRECT})
    assert [load(h, "softmax").view for h in expand(class_zip, layout="students").handins] == [None, None]
    canvas_zip = zipped(tmp_path / "canvas.zip", {"smithbob_1_2_softmax.py": CORRECT, "doejane_3_4_softmax.py": ""})
    assert [load(h, "softmax").view for h in expand(canvas_zip).handins] == [None, None]


def test_two_uploads_of_one_name_grade_the_newest_and_name_the_other(tmp_path):
    folder = make(tmp_path / "canvas", {"smithbob_12345_9_softmax.py": "def softmax(z, axis=-1):\n    return z\n",
                                        "smithbob_12345_10_softmax.py": CORRECT})
    loaded = load(expand(folder).handins[0], "softmax")
    assert loaded.member == "smithbob_12345_10_softmax.py" and loaded.units[0].filename == "<softmax.py>"
    assert loaded.load_warnings == ("not graded: smithbob_12345_9_softmax.py (one file is graded, softmax.py; a "
                                    "submission must not import its other files)",)


def test_moodle_downloads_in_folders_or_not(tmp_path):
    folders = make(tmp_path / "moodle", {
        "Ada Lovelace_101_assignsubmission_file_/softmax.py": CORRECT,
        "Ada Lovelace_101_assignsubmission_file_/data/x.csv": "1,2\n",
        "Alan Turing_102_assignsubmission_file_/hw/softmax.ipynb": NOTEBOOK,
        "Alan Turing_102_assignsubmission_onlinetext_/onlinetext.html": "<p>see the notebook</p>",
    })
    batch = expand(folders)
    assert students(batch) == ["Ada Lovelace", "Alan Turing"]
    assert graded(batch) == {"Ada Lovelace": "softmax.py",
                             "Alan Turing": "Alan Turing_102_assignsubmission_file_/hw/softmax.ipynb"}
    assert [p.name for p in batch.report_paths(Path("out"))] == ["Ada_Lovelace.json", "Alan_Turing.json"]
    flat = make(tmp_path / "flat", {"Ada Lovelace_101_assignsubmission_file_softmax.py": CORRECT,
                                    "Grace Hopper_103_assignsubmission_file_softmax.py": CORRECT})
    assert students(expand(flat)) == ["Ada Lovelace", "Grace Hopper"]


def test_nbgrader_submitted_folders_grade_only_this_assignment(tmp_path):
    course = make(tmp_path / "course", {
        "nbgrader_config.py": "c = get_config()\n",
        "source/softmax/softmax.ipynb": NOTEBOOK,
        "submitted/alice/softmax/softmax.ipynb": NOTEBOOK,
        "submitted/alice/softmax/timestamp.txt": "2024-03-01 12:00:00.000000 UTC",
        "submitted/alice/ps0/ps0.py": "x = 1\n",
        "submitted/bob/softmax/softmax.py": CORRECT,
        "submitted/carol/ps0/ps0.py": "x = 1\n",
    })
    for argument in (course, course / "submitted"):
        batch = expand(argument)
        assert students(batch) == ["alice", "bob"]
        assert [h.source for h in batch.handins] == [course / "submitted" / "alice" / "softmax",
                                                     course / "submitted" / "bob" / "softmax"]
        assert batch.notes == ((f"{argument}: left out {'' if argument.name == 'submitted' else 'submitted/'}"
                               "carol/ (no folder for this assignment)"),)
        assert graded(batch) == {"alice": "softmax.ipynb", "bob": "softmax.py"}


def test_blackboard_grades_each_users_latest_attempt(tmp_path):
    folder = make(tmp_path / "bb", {
        "HW2_jdoe_attempt_2024-03-01-12-00-00.txt": "Name: Jane Doe (jdoe)\n",
        "HW2_jdoe_attempt_2024-03-01-12-00-00_softmax.py": "def softmax(z, axis=-1):\n    return z\n",
        "HW2_jdoe_attempt_2024-03-02-09-30-00.txt": "Name: Jane Doe (jdoe)\n",
        "HW2_jdoe_attempt_2024-03-02-09-30-00_softmax.py": CORRECT,
        "HW2_msmith_attempt_2024-03-01-10-00-00.txt": "Name: Mo Smith (msmith)\n",
        "HW2_msmith_attempt_2024-03-01-10-00-00_softmax.ipynb": NOTEBOOK,
    })
    batch = expand(folder)
    assert students(batch) == ["jdoe", "msmith"]
    jdoe = load(batch.handins[0], "softmax")
    assert jdoe.member == "HW2_jdoe_attempt_2024-03-02-09-30-00_softmax.py"
    assert jdoe.load_warnings == ("2 attempts handed in; graded the latest, of 2024-03-02-09-30-00",)


def _thirty(root: Path) -> Path:
    """30 students as instructors collect them: files, folders, notebooks and zips."""
    for index in range(10):
        make(root, {f"student{index:02d}.py": CORRECT})
        make(root, {f"student{index + 10:02d}/softmax.py": CORRECT, f"student{index + 10:02d}/notes.md": "hi"})
        make(root, {f"student{index + 20:02d}.ipynb": NOTEBOOK})
    make(root, {"README.md": "grades due Friday\n", ".DS_Store": "x", "__MACOSX/._student00.py": "x"})
    return root


def test_a_class_folder_of_30_students_is_30_submissions(tmp_path):
    batch = expand(_thirty(tmp_path / "class"))
    assert students(batch) == [f"student{i:02d}" for i in range(30)]
    assert batch.notes == ((f"{tmp_path / 'class'}: left out README.md (no .py, .ipynb or .zip file: not a "
                           "student's submission)"),)
    assert [p.name for p in batch.report_paths(Path("out"))] == [f"student{i:02d}.json" for i in range(30)]
    assert all(load(h, "softmax").gradable for h in batch.handins)


def test_a_zipped_class_folder_is_a_usage_error_until_the_layout_is_named_then_read_like_the_folder(tmp_path):
    folder = _thirty(tmp_path / "class")
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                handle.write(path, f"class/{path.relative_to(folder)}")  # one folder around it all
    with pytest.raises(classroom.Unusable) as raised:  # graded as one student's zip, it would score 0
        expand(archive)
    assert raised.value.problems[0].startswith(f"{archive}: ambiguous: one submission (class.zip) or a class of "
                                               "10 students (student10/, student11/")
    assert raised.value.problems[0].endswith("Pass --layout one or --layout students")
    from_zip, from_folder = expand(archive, layout="students"), expand(folder)
    assert students(from_zip) == students(from_folder)
    assert [load(h, "softmax").sha256 for h in from_zip.handins] == \
        [load(h, "softmax").sha256 for h in from_folder.handins]


def test_a_students_file_and_folder_of_one_name_are_one_student(tmp_path):
    folder = make(tmp_path / "class", {"dan.py": CORRECT, "dan.ipynb": NOTEBOOK, "eve/homework.py": CORRECT})
    batch = expand(folder)
    assert students(batch) == ["dan", "eve"]
    dan = load(batch.handins[0], "softmax")
    assert dan.member == "dan.py" and dan.load_warnings == (
        "graded dan.py, not dan.ipynb (a notebook; a .py file is graded before a notebook of the same name)",)


def test_two_classes_with_a_student_of_one_name_get_reports_apart(tmp_path):
    first = make(tmp_path / "monday", {"alice.py": CORRECT, "bob.py": CORRECT})
    second = make(tmp_path / "tuesday", {"alice.py": CORRECT, "carol.py": CORRECT})
    batch = expand(first, second)
    assert [p.name for p in batch.report_paths(Path("out"))] == ["monday-alice.json", "bob.json",
                                                                 "tuesday-alice.json", "carol.json"]


# --- one submission stays one

@pytest.mark.parametrize("files", [
    {"softmax.py": CORRECT, "helpers.py": "x = 1\n", "data.csv": "1\n"},
    {"hw2/softmax.py": CORRECT, "hw2/old/softmax.py": CORRECT, "hw2/README.md": "hi"},
    {"softmax.py": CORRECT, "softmax.ipynb": NOTEBOOK},
    {"homework.py": CORRECT, "figures/plot.png": "png"},
    {"src/softmax.py": CORRECT, "figures/plot.png": "png", "README.md": "hi"},
])
def test_a_folder_that_is_one_submission_stays_one(files, tmp_path):
    folder = make(tmp_path / "hw", files)
    batch = expand(folder)
    assert batch.handins == (classroom.Handin(folder),) and batch.readings == ()
    assert load(batch.handins[0], "softmax").gradable


# --- usage errors, before anything is graded

@pytest.mark.parametrize("files, one, entries", [
    ({"src/softmax.py": CORRECT, "tests/test_softmax.py": "def test(): pass\n"}, "src/", "src/, tests/"),
    ({"alice.py": CORRECT, "bob.py": CORRECT, "carol/softmax.py": CORRECT}, "carol/", "alice.py, bob.py, carol/"),
])
def test_one_entry_named_after_the_assignment_among_others_is_ambiguous(files, one, entries, tmp_path):
    folder = make(tmp_path / "hw", files)
    with pytest.raises(classroom.Unusable) as raised:
        expand(folder)
    count = entries.count(",") + 1
    assert raised.value.problems == [(f"{folder}: ambiguous: one submission ({one}) or a class of {count} students "
                                     f"({entries}), each with their own softmax code? Pass --layout one or "
                                     "--layout students")]
    assert len(expand(folder, layout="students").handins) == count
    assert load(expand(folder, layout="one").handins[0], "softmax").gradable


def test_paths_that_do_not_exist_are_all_listed(tmp_path):
    good = make(tmp_path, {"softmax.py": CORRECT}) / "softmax.py"
    with pytest.raises(classroom.Unusable) as raised:
        expand(good, tmp_path / "nope.py", tmp_path / "typo", Path("\x1b[2Jhidden.py"))
    assert raised.value.problems == [f"{tmp_path / 'nope.py'}: no such file or folder",
                                     f"{tmp_path / 'typo'}: no such file or folder",
                                     "\\x1b[2Jhidden.py: no such file or folder"]


def test_an_empty_folder_or_a_class_of_nobody_is_a_usage_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(classroom.Unusable, match="empty: holds no files"):
        expand(tmp_path / "empty")
    only_notes = make(tmp_path / "notes", {"a.md": "x", "b.md": "y"})
    with pytest.raises(classroom.Unusable, match="nothing in it is laid out as nbgrader's submitted/"):
        expand(only_notes, layout="nbgrader")


def test_a_file_named_after_the_assignment_beside_student_folders_is_ambiguous(tmp_path):
    folder = make(tmp_path / "class", {"softmax.py": CORRECT, "alice/softmax.py": CORRECT,
                                       "bob/softmax.ipynb": NOTEBOOK})
    with pytest.raises(classroom.Unusable) as raised:
        expand(folder)
    assert raised.value.problems == [
        (f"{folder}: ambiguous: one submission (softmax.py) or a class of 3 students (alice/, bob/, softmax.py), "
        "each with their own softmax code? Pass --layout one or --layout students")]
    assert expand(folder, layout="one").handins == (classroom.Handin(folder),)
    assert students(expand(folder, layout="students")) == ["alice", "bob", "softmax"]


def test_a_download_with_foreign_entries_is_ambiguous_until_the_layout_is_named(tmp_path):
    folder = _canvas(tmp_path / "canvas")
    make(folder, {"reference_solution.py": CORRECT})
    with pytest.raises(classroom.Unusable) as raised:
        expand(folder)
    assert raised.value.problems == [
        (f"{folder}: 5 of 6 entries are named as in a Canvas download (lastnamefirstname_12345_67890_file.py), "
        "but not reference_solution.py; move those out, or pass --layout canvas (they are then left out) or "
        "--layout students")]
    batch = expand(folder, layout="canvas")
    assert len(batch.handins) == 4
    assert batch.notes == (f"{folder}: left out reference_solution.py (not named as in a Canvas download)",)


def test_hostile_student_names_are_kept_as_data_and_named_safely(tmp_path):
    folder = make(tmp_path / "class", {"\x1b]0;pwned\x07eve/softmax.py": CORRECT,
                                       "[bold red]mallory/softmax.py": CORRECT})
    batch = expand(folder)
    assert students(batch) == ["\x1b]0;pwned\x07eve", "[bold red]mallory"]  # cleaned where shown
    assert [p.name for p in batch.report_paths(Path("out"))] == ["_x1b]0;pwned_x07eve.json",
                                                                 "[bold_red]mallory.json"]


def test_a_broken_zip_argument_is_still_one_submission_with_a_report(tmp_path):
    shutil.copy(SUBMISSIONS / "zip_corrupt.zip", tmp_path / "hw.zip")
    batch = expand(tmp_path / "hw.zip")
    assert batch.handins == (classroom.Handin(tmp_path / "hw.zip"),)
    assert "is not a readable zip archive" in load(batch.handins[0], "softmax").load_errors[0]


def test_a_students_zip_with_a_backup_or_helpers_stays_one_submission(tmp_path):
    """Only two or more entries holding the assignment's file, none at the top, make a zip ambiguous."""
    backup = zipped(tmp_path / "backup.zip", {"hw2/softmax.py": CORRECT, "hw2/old/softmax.py": CORRECT})
    helpers = zipped(tmp_path / "helpers.zip", {"hw2/part1/softmax.py": CORRECT, "hw2/part1/helpers.py": "x = 1\n"})
    for archive in (backup, helpers):
        assert expand(archive).handins == (classroom.Handin(archive),)


def test_a_zip_beside_other_arguments_is_one_students_hand_in(tmp_path):
    """Graded as `grade -a softmax *.zip`, one student's odd zip does not stop the class."""
    odd = zipped(tmp_path / "odd.zip", {"a/softmax.py": CORRECT, "b/softmax.py": CORRECT + "\n# other\n"})
    plain = zipped(tmp_path / "plain.zip", {"softmax.py": CORRECT})
    assert expand(odd, plain).handins == (classroom.Handin(odd), classroom.Handin(plain))
    with pytest.raises(classroom.Unusable):
        expand(odd)
