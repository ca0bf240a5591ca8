"""What the overhead work changed must not change what grading means: each child has its
own random state, the worker pool keeps to its size, documents are checked as strictly,
and the yardstick's grades are the expected ones (bench/anchors40)."""
from __future__ import annotations

import json
import re

import jsonschema
import pytest
from conftest import ROOT, SUBMISSIONS

from grader import assignment, report, rubric, schema
from grader.grading import Grader, Options
from grader.limits import Limits

BENCH = ROOT / "bench" / "anchors40"


def test_each_child_draws_its_own_global_random_numbers(grade):
    outputs = [grade(SUBMISSIONS / "draws_from_numpy_and_python_global_random_state.py",
                     tests=("softmax_rows",))["output"]["text"] for _ in range(3)]
    draws = [re.fullmatch(r"numpy (\S+) python (\S+)\n", text).groups() for text in outputs]
    assert len({numpy for numpy, _ in draws}) == 3 and len({python for _, python in draws}) == 3


def test_a_grader_starts_its_workers_at_once_and_keeps_to_their_number(layers, course):
    found = course["softmax"]
    options = Options(limits=Limits(timeout_s=3.0), seed=3, jobs=2)
    with Grader(found, rubric.load(found), layers, options) as grader:
        assert len(grader.pool.all) == 2  # started before anything is graded
        documents = grader.grade_all([ROOT / "examples/softmax/ada_loops.py"] * 6)
        assert len(grader.pool.all) == 2  # four threads, two workers
        assert [d["score"] for d in documents] == [30] * 6
        if layers.namespaces:  # one empty mount point for every child, nothing per submission
            assert sorted(p.name for p in grader.scratch.iterdir()) == ["shared"]


@pytest.mark.parametrize("kind", ["report", "rubric", "assignment", "summary", "frame"])
def test_every_schema_is_a_valid_schema(kind):
    document = json.loads((ROOT / "grader" / "schemas" / f"{kind}.schema.json").read_text())
    jsonschema.validators.validator_for(document).check_schema(document)


def test_a_report_that_breaks_its_schema_is_refused_with_the_key_path():
    bad = {"schema_version": 1, "grader_version": "x", "assignment": "softmax", "status": "graded",
           "submission": {"path": "a.py", "sha256": "", "member": None}, "seed": 1, "score": 1, "max_score": 1,
           "tests": [{"id": "t", "name": "n", "score": 1, "max_score": 1, "status": "pased", "message": "",
                      "visibility": "visible", "diagnosis": None, "duration_s": 0, "outputs": {}}],
           "load_errors": [], "import_errors": [], "output": {"text": "", "bytes": 0},
           "isolation": {"namespaces": True, "cgroups": True, "seccomp": True, "landlock_abi": 1,
                         "network_isolated": True, "filesystem_isolated": True, "memory_bounded": True,
                         "warnings": []}, "duration_s": 0}
    with pytest.raises(schema.SchemaError, match=r"report for a.py: tests/0/status: 'pased' is not one of"):
        report.validate(bad)
    bad["tests"][0]["status"] = "passed"
    report.validate(bad)  # the same document, fixed, passes


def test_the_yardstick_notebooks_get_their_expected_grades(layers):
    """bench/anchors40: every student loses exactly the tests expected.json says (both forms)."""
    expected = json.loads((BENCH / "expected.json").read_text())
    found = assignment.load("softmax1", BENCH / "course")
    options = Options(limits=Limits(timeout_s=5.0), seed=11, jobs=2)
    with Grader(found, rubric.load(found), layers, options) as grader:
        grader.canary()
        for form in ("nbgrader_form", "otter_form"):
            paths = sorted((BENCH / form).glob("*.ipynb"))
            for path, document in zip(paths, grader.grade_all(paths)):
                lost = sorted(t["id"] for t in document["tests"] if t["status"] != "passed")
                assert lost == sorted(expected[path.stem]["expected_lost"]), (form, path.stem, lost)
