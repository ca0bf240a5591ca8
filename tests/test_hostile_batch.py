"""Done when (issue 9): a batch of every fixture in tests/submissions/ (whatever is there
now) and two correct controls, graded through the command line with -j 2 and a 5 s time
limit, ends with exit 0 in bounded time; every input has exactly one report, in strict
JSON; both controls get full marks; nothing is left running."""
from __future__ import annotations

import json
import subprocess
import sys
import time

from conftest import ROOT, SUBMISSIONS
from processes import wait_until_none_left

from grader.exitcode import ExitCode

CONTROLS = (ROOT / "examples" / "softmax" / "ada_loops.py", ROOT / "tests" / "alternatives" / "softmax" /
            "logsumexp_based.py")
BOUND_SECONDS = 600


def hostile_inputs() -> list:
    """Every fixture (a file or a folder), then the controls."""
    fixtures = sorted(p for p in SUBMISSIONS.iterdir() if not p.name.startswith((".", "_")))
    return fixtures + list(CONTROLS)


def strict_json(text: str):
    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


def grade_batch(inputs, outdir, jobs=2, timeout=5):
    command = [sys.executable, "-m", "grader.cli_entry", "grade", "-a", "softmax", "-o", str(outdir), "-j", str(jobs),
               "--timeout", str(timeout), "--memory-mb", "1024", "--seed", "9", *map(str, inputs)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=BOUND_SECONDS + 60)


def test_every_hostile_fixture_and_two_controls_through_the_command_line(tmp_path):
    inputs = hostile_inputs()
    assert len(inputs) > 40
    started = time.monotonic()
    result = grade_batch(inputs, tmp_path)
    elapsed = time.monotonic() - started
    assert result.returncode == ExitCode.OK, result.stderr[-4000:]
    assert elapsed < BOUND_SECONDS
    files = sorted(tmp_path.glob("*.json"))
    reports = [strict_json(path.read_text(encoding="utf-8")) for path in files]
    assert len(reports) == len(inputs), sorted(p.name for p in files)
    assert sorted(r["submission"]["path"] for r in reports) == sorted(map(str, inputs))
    assert [r["submission"]["path"] for r in reports if r["status"] == "grading_error"] == []
    by_path = {r["submission"]["path"]: r for r in reports}
    for control in CONTROLS:
        assert by_path[str(control)]["score"] == by_path[str(control)]["max_score"] == 30, control
    assert list(tmp_path.glob("*.partial")) == []
    assert wait_until_none_left() == []
