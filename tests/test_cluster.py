"""Grading on Dask: a LocalCluster of 2 worker processes gives the reports local grading
gives (but for the durations), and the client keeps the gradebook."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS
from grader.exitcode import ExitCode

pytest.importorskip("distributed", reason="the [dask] extra (installed by the [test] extra)")

BATCH = [*sorted((ROOT / "examples" / "softmax").iterdir()), SUBMISSIONS / "syntax_error.py",
         SUBMISSIONS / "kills_its_parent.py", SUBMISSIONS / "infinite_loop_in_kl_divergence.py",
         SUBMISSIONS / "isolation_connects_to_loopback_server.py"]  # as it would the scheduler's port


def grade(out: Path, *extra: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "grader.cli_entry", "grade", "-a", "softmax", "-o", str(out),
                             "--seed", "7", "--timeout", "2", *extra, *map(str, BATCH)],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == ExitCode.OK, result.stderr
    return result


def without_durations(document: dict) -> dict:
    document = {k: v for k, v in document.items() if k != "duration_s"}
    document["tests"] = [{k: v for k, v in t.items() if k != "duration_s"} for t in document["tests"]]
    return document


def reports(out: Path) -> dict[str, dict]:
    return {p.name: without_durations(json.loads(p.read_text())) for p in sorted(out.glob("*.json"))}


@pytest.fixture(scope="module")
def graded_here(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict[str, dict]]:
    out = tmp_path_factory.mktemp("local") / "out"
    return grade(out), reports(out)


def test_a_local_cluster_of_two_workers_grades_as_local_grading_does(tmp_path, graded_here):
    local, here = graded_here
    cluster = grade(tmp_path / "cluster", "--cluster", "local:2")
    there = reports(tmp_path / "cluster")
    assert len(here) == len(BATCH) and list(here) == list(there)
    for name in here:
        assert there[name] == here[name], name
    assert "blocked: connect" in there["isolation_connects_to_loopback_server.json"]["output"]["text"]
    assert _plain(cluster.stdout) == _plain(local.stdout)
    with sqlite3.connect(tmp_path / "cluster" / "gradebook.sqlite") as db:
        assert db.execute("SELECT executor FROM batches").fetchall() == [("dask local:2",)]
        assert db.execute("SELECT count(*) FROM gradings WHERE done_key IS NOT NULL").fetchone() == (len(BATCH),)
    again = grade(tmp_path / "cluster", "--cluster", "local:2")  # nothing left: no cluster is started
    assert f"nothing to grade: all {len(BATCH)} submissions were graded before" in again.stderr


def _plain(summary: str) -> str:
    """The summary without the report folder."""
    return "\n".join(line.split(", report ")[0] for line in summary.splitlines())


def test_grade_on_a_running_scheduler(tmp_path, graded_here):
    from distributed import LocalCluster
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        result = grade(tmp_path / "out", "--scheduler", cluster.scheduler_address)
    assert reports(tmp_path / "out") == graded_here[1]
    assert f"grading {len(BATCH)} submissions" in result.stderr


def test_a_scheduler_that_is_not_there_is_a_usage_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "grader.cli_entry", "grade", "-a", "softmax", "-o",
                             str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9", str(BATCH[0])],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == ExitCode.USAGE
    assert "cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'" in result.stderr
    assert not (tmp_path / "out").exists()
    both = subprocess.run([sys.executable, "-m", "grader.cli_entry", "grade", "-a", "softmax", "--cluster",
                           "local:2", "--scheduler", "tcp://127.0.0.1:9", str(BATCH[0])],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert both.returncode == ExitCode.USAGE and "not both" in both.stderr
    bad = subprocess.run([sys.executable, "-m", "grader.cli_entry", "grade", "-a", "softmax", "--cluster",
                          "remote:2", str(BATCH[0])], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert bad.returncode == ExitCode.USAGE and "expected local:N" in bad.stderr
