"""Name the real cause (issue 10): code that fills memory is said to have run out of
memory, with the limit, whether the kernel killed it or it stalled at the limit until
the time limit; at import every test says so."""
from __future__ import annotations

import dataclasses

from conftest import SEED, SUBMISSIONS

from grader import rubric
from grader.grading import Grader, Options
from grader.limits import Limits
from grader.pool import Pool

HALF_GIB = 512 << 20


def test_memory_filled_at_import_says_so_on_every_test(grade, configured):
    report = grade(SUBMISSIONS / "memory_hog_at_import.py", layers_override=configured, memory_bytes=HALF_GIB)
    for test in report["tests"]:
        assert test["status"] == "crashed" and test["score"] == 0, test
        assert test["message"].startswith("while loading your code: ran out of memory (limit 0.5 GiB)"), test["message"]
        assert "infinite loop" not in test["message"]


def test_memory_filled_in_one_function_says_so_on_its_tests_only(grade, configured):
    report = grade(SUBMISSIONS / "memory_hog_in_log_softmax.py", layers_override=configured,
                   memory_bytes=HALF_GIB)
    for test in report["tests"]:
        if test["id"].startswith(("log_softmax", "cross_entropy")):  # cross_entropy calls log_softmax
            assert test["status"] == "crashed" and test["score"] == 0, test
            assert test["message"].startswith("ran out of memory (limit 0.5 GiB)"), test["message"]
        else:
            assert test["status"] == "passed", test["id"]


def test_without_cgroups_the_memory_error_is_named_with_the_limit(layers, course):
    """A machine without cgroups: its own pool, whose zygotes are in no group (the session's
    pool is, and the limit an earlier test gave its group would stop the child first)."""
    without = dataclasses.replace(layers, cgroups=False, namespaces=False)  # an address-space rlimit instead
    found = course["softmax"]
    options = Options(limits=Limits(timeout_s=3.0, memory_bytes=HALF_GIB), seed=SEED)
    workers = Pool(1, cgroups=False)
    try:
        with Grader(found, rubric.load(found), without, options, workers=workers) as grader:
            report = grader.grade(SUBMISSIONS / "memory_hog_in_log_softmax.py",
                                  tests=("log_softmax_rows", "softmax_rows"))
    finally:
        workers.close()
    by_id = {t["id"]: t for t in report["tests"]}
    assert by_id["softmax_rows"]["status"] == "passed"
    failed = by_id["log_softmax_rows"]
    assert failed["score"] == 0 and failed["message"].startswith("ran out of memory (limit 0.5 GiB)"), failed
    assert "MemoryError" in failed["message"]
