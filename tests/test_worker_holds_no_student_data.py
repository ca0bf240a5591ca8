"""The warm worker holds nothing of any submission, and a child knows as little as it can
(issue 9): a later submission finds nothing of an earlier one anywhere in its readable
memory, and no host path of the course, the probes or the grader's scratch folders is
reachable from student code. Both with every layer and without namespaces."""
from __future__ import annotations

import re
import secrets
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT, SEED, SUBMISSIONS

from grader import rubric
from grader.grading import Grader, Options
from grader.limits import Limits
from grader.pool import Pool

PREFIX = "PLANTED" + "-MARKER-"  # what scans_its_memory_for_an_earlier_submission.py looks for


@pytest.fixture(scope="module")
def one_worker(layers):
    """A pool of one zygote: every submission here is forked from the same process."""
    pool = Pool(1, cgroups=layers.cgroups)
    yield pool
    pool.close()


def _grade_in_order(paths, configured, course, workers, timeout_s=60.0):
    found = course["softmax"]
    options = Options(limits=Limits(timeout_s=timeout_s), seed=SEED)
    with Grader(found, rubric.load(found), configured, options, workers=workers) as grader:
        return [grader.grade(path) for path in paths]


def test_a_later_submission_finds_nothing_of_an_earlier_one_in_its_memory(configured, course, one_worker,
                                                                            tmp_path):
    in_source, in_name = secrets.token_hex(16), secrets.token_hex(16)
    body = (SUBMISSIONS / "sys_exit_at_import.py").read_text().replace(
        "sys.exit(1)", f'NOTE = "{PREFIX}{in_source}"  # {PREFIX}{in_source}\n')
    earlier = tmp_path / f"{PREFIX}{in_name}.py"
    earlier.write_text(body)
    first, later = _grade_in_order([earlier, SUBMISSIONS / "scans_its_memory_for_an_earlier_submission.py"],
                                   configured, course, one_worker)
    assert first["score"] == first["max_score"]
    text = later["output"]["text"]
    assert "self-check found: True" in text, text  # the scan reads the heap it runs in
    scanned = int(re.search(r"scanned (\d+) MiB", text).group(1))
    assert scanned > 100, text  # the runtime (NumPy, torch) was read, not just a corner
    assert in_source not in text and in_name not in text, text
    assert "markers found: []" in text, text
    assert later["score"] == later["max_score"]


def test_no_host_path_of_the_course_or_the_grader_scratch_is_reachable(configured, course, one_worker):
    (report,) = _grade_in_order([SUBMISSIONS / "searches_its_objects_for_host_paths.py"], configured,
                                course, one_worker)
    text = report["output"]["text"]
    assert report["score"] == report["max_score"], report["tests"]
    for when in ("import", "call"):
        assert f"{when}: self-check found: True" in text, text
        assert f"{when}: probe files: []" in text, text
        folders = eval(re.search(rf"{when}: folders: (\[.*\])", text).group(1))  # noqa: S307 - our own output
        assert not [f for f in folders if f.startswith((str(ROOT / "assignments"), str(ROOT / "reference")))]
        scratch = [f for f in folders if f.startswith(f"{tempfile.gettempdir()}/grader-")]
        if configured.namespaces:
            assert scratch == [], scratch
            assert str(SUBMISSIONS) not in folders  # the submission is seen as /submission/...
        else:  # without namespaces the submission's own scratch folder is its working folder
            assert all(Path(f).name == "scratch" for f in scratch), scratch
