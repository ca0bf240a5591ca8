"""Scoring: a test's verdict and the rubric give points. A pure function."""
from __future__ import annotations

from grader.rubric import Entry


def points(entry: Entry, passed: bool, outputs_ok: dict[str, bool] | None) -> float:
    """Points for one test.

    ``passed``: every output matched and nothing disqualified the test.
    ``outputs_ok``: per top-level output, whether it matched (None when the test did not
    return outputs: an error, timeout, crash or forbidden call scores 0).
    """
    if passed:
        return entry.points
    if entry.partial == "per_output" and outputs_ok:
        return round(entry.points * sum(outputs_ok.values()) / len(outputs_ok), 6)
    return 0.0
