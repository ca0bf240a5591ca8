"""Audiences: what a report shows to whom. Every export and rendering of reports takes one.

- ``instructor``: everything, as graded (the messages of hidden tests name expected values).
- ``student``: per test, by its rubric ``visibility``:

  ==================  ==============================================================
  ``visible``         everything: message (expected values included: the release
                      holds them anyway), diagnosis, outputs, tolerance
  ``hidden``          name, status and points only
  ``after_due_date``  before the due date as ``hidden``; once it has passed
                      (``after_due_date=True``, ``--after-due-date``), the message
                      without expected values (``student_message``) and the diagnosis
  ==================  ==============================================================

  A report from before ``student_message`` existed shows no message for such a test.
  The student's own output, load errors and import errors are theirs and stay.

``view`` returns a copy that still follows the report schema, marked with ``audience``,
so a report already made for students is never shown as an instructor's.
"""
from __future__ import annotations

import copy

AUDIENCES = ("instructor", "student")
HIDDEN_NOTE = "hidden test: its details are shown to your instructor only"


def view(report: dict, audience: str = "instructor", after_due_date: bool = False) -> dict:
    """``report`` as ``audience`` may see it (a copy; ValueError for an unknown audience)."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; use one of {', '.join(AUDIENCES)}")
    shown = copy.deepcopy(report)
    if audience == "instructor" or report.get("audience") == "student":
        return shown
    shown["audience"] = "student"
    for test in shown["tests"]:
        visibility = test["visibility"]
        if visibility == "visible":
            continue
        if visibility == "after_due_date" and after_due_date:
            test["message"] = test.get("student_message", "")
        else:
            test["message"] = "" if test["status"] == "passed" else HIDDEN_NOTE
            test["diagnosis"] = None
        test["student_message"] = test["message"]
        test["outputs"] = {}
        test.pop("tolerance", None)
    return shown


def views(reports: list[dict], audience: str = "instructor", after_due_date: bool = False) -> list[dict]:
    return [view(report, audience, after_due_date) for report in reports]
