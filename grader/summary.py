"""The Markdown summary of a batch, for CI: `grade --summary-md FILE` and GitHub's job summary.

Rendered from report documents (seen by an audience, grader.audience): a table with one
row per submission (score, failed tests), then every diagnosis per submission and test.
Every string a submission can influence passes ``text.markdown``.
"""
from __future__ import annotations

import os
from pathlib import Path

from grader import text
from grader.audience import views
from grader.scoring import Threshold

STEP_SUMMARY = "GITHUB_STEP_SUMMARY"


def _who(document: dict) -> str:
    return str(document.get("student") or Path(document["submission"]["path"]).name)


def markdown(documents: list[dict], audience: str = "instructor", after_due_date: bool = False,
             threshold: Threshold | None = None) -> str:
    """The summary of ``documents`` as GitHub-flavoured Markdown."""
    documents = views(documents, audience, after_due_date)
    assignment = documents[0]["assignment"] if documents else ""
    count = len(documents)
    lines = [f"## {text.markdown(assignment)}: {count} submission{'' if count == 1 else 's'}", "",
             "| submission | score | failed tests |", "|---|---|---|"]
    for document in documents:
        failed = [t["id"] for t in document["tests"] if t["status"] != "passed"]
        problem = "; ".join(document["load_errors"]) or ", ".join(failed)
        score = f"{document['score']:g}/{document['max_score']:g}"
        if threshold is not None and not threshold.met(document["score"], document["max_score"]):
            score += f" (below {threshold})"
        lines.append(f"| {text.markdown(_who(document))} | {score} | {text.markdown(problem[:300])} |")
    diagnosed = [(document, test) for document in documents for test in document["tests"] if test.get("diagnosis")]
    if diagnosed:
        lines += ["", "### Diagnoses", ""]
        lines += [f"- **{text.markdown(_who(document))}**, {text.markdown(test['id'])}: "
                  f"{text.markdown(test['diagnosis'])}" for document, test in diagnosed]
    return "\n".join(lines) + "\n"


def write(summary: str, path: Path | None) -> list[Path]:
    """Write ``summary`` to ``path`` (replaced) and append it to $GITHUB_STEP_SUMMARY when
    set; returns the files written."""
    written = []
    if path is not None:
        Path(path).write_text(summary, encoding="utf-8")
        written.append(Path(path))
    step = os.environ.get(STEP_SUMMARY)
    if step:
        with open(step, "a", encoding="utf-8") as handle:
            handle.write(summary + "\n")
        written.append(Path(step))
    return written
