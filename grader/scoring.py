"""Scoring: a test's verdict and the rubric give points. A pure function."""
from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Threshold:
    """``grade --fail-under``: a score in points (``24``) or in percent of the maximum (``80%``)."""

    value: float
    percent: bool

    @classmethod
    def parse(cls, given: str) -> "Threshold":
        """``"24"`` -> 24 points, ``"80%"`` -> 80 percent; ValueError for anything else."""
        text = given.strip()
        percent = text.endswith("%")
        try:
            value = float(text[:-1] if percent else text)
        except ValueError:
            raise ValueError(f"{given!r} is neither points (e.g. 24) nor a percentage (e.g. 80%)") from None
        if not value >= 0 or value == float("inf") or (percent and value > 100):
            raise ValueError(f"{given!r}: give points >= 0 or a percentage from 0% to 100%")
        return cls(value, percent)

    def met(self, score: float, max_score: float) -> bool:
        """Is ``score`` (out of ``max_score``) at or above the threshold?"""
        if self.percent:
            return self.value == 0 or (max_score > 0 and score * 100 >= self.value * max_score - 1e-9)
        return score >= self.value - 1e-9

    def __str__(self) -> str:
        return f"{self.value:g}%" if self.percent else f"{self.value:g} points"
