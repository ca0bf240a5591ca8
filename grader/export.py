"""Exports: other formats rendered from report documents (never from anything else).

- ``gradescope``: one ``results.json`` in Gradescope's autograder format per report;
- ``junit``: JUnit XML, one test suite per submission (CI dashboards);
- ``csv``: a gradebook, one row per submission (the student first, when known), one column per test.

Every string of a report passes the function of its destination in ``grader.text``
(``for_json``, ``xml``, ``csv_cell``): the JSON is strict, the XML always parses, and
no gradebook cell is run as a spreadsheet formula.
"""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from grader import text
from grader.audience import views

FORMATS = ("gradescope", "junit", "csv")


def render(documents: list[dict], kind: str, audience: str = "instructor", after_due_date: bool = False) -> str:
    """``documents`` in format ``kind``, as ``audience`` may see them (grader.audience)."""
    documents = views(documents, audience, after_due_date)
    if kind == "gradescope":
        if len(documents) != 1:
            raise ValueError(f"gradescope results describe one submission; got {len(documents)} reports "
                             "(give -o a folder for one results file each)")
        return gradescope(documents[0])
    return {"junit": junit, "csv": gradebook}[kind](documents)


def _details(test: dict) -> str:
    parts = [test["message"]] if test["message"] else []
    if test.get("diagnosis"):
        parts.append(f"Hint: {test['diagnosis']}")
    return "\n".join(parts)


def gradescope(document: dict) -> str:
    problems = [f"Could not load your submission: {e}" for e in document["load_errors"]]
    problems += [f"Running your code ({e['where']}) raised:\n{e['error']}" for e in document["import_errors"]]
    results = {
        "score": document["score"],
        "output": "\n\n".join(problems),
        "stdout_visibility": "hidden",
        "tests": [{"name": f"{t['id']}: {t['name']}", "score": t["score"], "max_score": t["max_score"],
                   "status": "passed" if t["status"] == "passed" else "failed",
                   "output": _details(t), "visibility": t["visibility"]} for t in document["tests"]],
    }
    return json.dumps(text.for_json(results), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def junit(documents: list[dict]) -> str:
    root = ElementTree.Element("testsuites")
    for document in documents:
        name = text.xml(document.get("student") or Path(document["submission"]["path"]).name)
        assignment = text.xml(document["assignment"])
        failures = sum(t["status"] == "failed" for t in document["tests"])
        errors = sum(t["status"] in ("error", "timeout", "crashed") for t in document["tests"])
        suite = ElementTree.SubElement(root, "testsuite", name=f"{assignment}:{name}",
                                       tests=str(len(document["tests"])), failures=str(failures),
                                       errors=str(errors), time=f"{document['duration_s']:.3f}")
        for test in document["tests"]:
            case = ElementTree.SubElement(suite, "testcase", classname=f"{assignment}.{name}",
                                          name=text.xml(test["id"]), time=f"{test['duration_s']:.3f}")
            if test["status"] == "failed":
                ElementTree.SubElement(case, "failure", message=text.xml(test["name"])).text = text.xml(_details(test))
            elif test["status"] != "passed":
                ElementTree.SubElement(case, "error", message=text.xml(f"{test['status']}: {test['name']}")
                                       ).text = text.xml(_details(test))
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def gradebook(documents: list[dict]) -> str:
    tests = list(dict.fromkeys(t["id"] for d in documents for t in d["tests"]))
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["student", "submission", "sha256", "assignment", "score", "max_score", "load_errors", *tests]
    writer.writerow([text.csv_cell(cell) for cell in header])
    for document in documents:
        scores = {t["id"]: t["score"] for t in document["tests"]}
        cells = [document.get("student") or "", document["submission"]["path"], document["submission"]["sha256"],
                 document["assignment"],
                 f"{document['score']:g}", f"{document['max_score']:g}", "; ".join(document["load_errors"]),
                 *(f"{scores[t]:g}" if t in scores else "" for t in tests)]
        writer.writerow([text.csv_cell(cell) for cell in cells])
    return out.getvalue()
