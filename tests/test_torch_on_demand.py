"""torch is imported by the worker only for assignments that need it: a NumPy batch's
zygote never maps libtorch, a torch assignment's zygote imports it before its first
fork and stays warm for the next submissions."""
from __future__ import annotations

import time
from pathlib import Path

from conftest import ROOT, SEED

from grader import pool, rubric
from grader.grading import Grader, Options
from grader.limits import Limits


def _maps_torch(pid: int) -> bool:
    return "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def test_a_numpy_batch_never_loads_torch_and_a_torch_zygote_stays_warm(course, layers):
    workers = pool.Pool(1, cgroups=layers.cgroups)
    try:
        options = Options(Limits(timeout_s=5.0), seed=SEED)
        softmax, attention = course["softmax"], course["attention"]
        with Grader(softmax, rubric.load(softmax), layers, options, workers=workers) as grader:
            report = grader.grade(ROOT / "examples" / "softmax" / "cleo_uses_torch.py")
        assert report["score"] < report["max_score"]  # its torch is still forbidden, and found
        assert any("forbidden" in t["message"] for t in report["tests"])
        (numpy_zygote,) = workers.all
        assert not numpy_zygote.torch and not _maps_torch(numpy_zygote.process.pid)
        pids = []
        with Grader(attention, rubric.load(attention), layers, options, workers=workers) as grader:
            for _ in range(2):
                document = grader.grade(attention.reference_path)
                assert document["score"] == document["max_score"]
                pids.append([z.process.pid for z in workers.all if z.torch])
        assert pids[0] == pids[1] and len(pids[0]) == 1, "one torch zygote, kept warm"
        assert _maps_torch(pids[0][0])
        assert not _maps_torch(numpy_zygote.process.pid)  # NumPy jobs still go to the zygote without torch
    finally:
        workers.close()


def test_a_zygote_without_torch_starts_faster(layers):
    started = {}
    for kind in (False, True, False):
        begin = time.perf_counter()
        zygote = pool.Zygote(pool.worker_environment(), torch=kind)
        started.setdefault(kind, []).append(time.perf_counter() - begin)
        zygote.close()
    assert min(started[False]) < min(started[True])
