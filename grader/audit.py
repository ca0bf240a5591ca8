"""`grader audit`: do the tests catch every known mistake and spare every correct answer?

Every mistake module and every correct alternative of an assignment is graded as a
submission, through the worker. A finding: a mistake that keeps full marks, a mistake
whose reported diagnosis is not its own, an alternative that loses a point.
"""
from __future__ import annotations

from pathlib import Path

from grader.diagnosis import parse_docstring
from grader.grading import Grader, Options
from grader.pool import Pool


def run(found, scores, layers, seed=None, jobs=2, echo=print, workers: Pool | None = None) -> int:
    """Audit one assignment; print the table and the findings; return how many findings."""
    options = Options(seed=seed, jobs=jobs)
    mistakes, alternatives = list(found.mistake_paths), list(found.alternative_paths)
    with Grader(found, scores, layers, options, workers=workers) as grader:
        documents = grader.grade_all(mistakes + alternatives)
    findings = []
    echo(f"{found.name}: {len(mistakes)} mistakes, {len(alternatives)} correct alternatives, "
         f"{len(scores.entries)} tests (seed {grader.seed})")
    for path, document in zip(mistakes, documents[:len(mistakes)]):
        findings += _mistake(path, document, echo)
    _per_test(scores, mistakes, documents[:len(mistakes)], echo)
    for path, document in zip(alternatives, documents[len(mistakes):]):
        lost = [f"{t['id']} ({t['status']}: {t['message'][:200]})" for t in document["tests"]
                if t["score"] < t["max_score"]]
        echo(f"  alternative {path.stem:<40} {document['score']:g}/{document['max_score']:g}")
        if lost:
            findings.append(f"{found.name}: correct alternative {path.name} loses points on " + "; ".join(lost))
    for finding in findings:
        echo(f"FINDING {finding}")
    echo(f"{found.name}: {'no findings' if not findings else f'{len(findings)} finding(s)'}")
    return len(findings)


def _mistake(path: Path, document: dict, echo) -> list[str]:
    misconception, fix = parse_docstring(path.stem, _docstring(path))
    own = f"Matches a known mistake: {misconception} Fix: {fix}"
    caught = [t["id"] for t in document["tests"] if t["score"] < t["max_score"]]
    reported = {t["diagnosis"] for t in document["tests"] if t["diagnosis"]}
    echo(f"  mistake {path.stem:<44} {document['score']:g}/{document['max_score']:g}  "
         f"caught by {len(caught)}: {', '.join(caught)[:120]}")
    echo(f"      diagnosis: {misconception}")
    findings = []
    if not caught:
        findings.append(f"{document['assignment']}: mistake {path.name} keeps full marks")
    if own not in reported:
        findings.append(f"{document['assignment']}: mistake {path.name} is not diagnosed as itself "
                        f"(reported: {sorted(reported) or 'no diagnosis'})"[:600])
    elif len(reported) > 1:
        others = sorted(reported - {own})
        findings.append(f"{document['assignment']}: mistake {path.name} also gets other diagnoses: {others}"[:600])
    return findings


def _per_test(scores, mistakes: list[Path], documents: list[dict], echo) -> None:
    """The other side of the matrix: which mistakes each test catches."""
    echo("  tests x mistakes (x = the test takes points from that mistake):")
    width = max(len(entry.test) for entry in scores.entries)
    echo(f"    {'':<{width}}  " + "".join(f"{i % 100:>3}" for i in range(1, len(mistakes) + 1)))
    for entry in scores.entries:
        caught = [any(t["id"] == entry.test and t["score"] < t["max_score"] for t in d["tests"]) for d in documents]
        cells = "".join("  x" if hit else "  ." for hit in caught)
        echo(f"    {entry.test:<{width}}  {cells}   {sum(caught)} caught")
    echo("    mistakes: " + ", ".join(f"{i} {p.stem}" for i, p in enumerate(mistakes, start=1)))


def _docstring(path: Path) -> str | None:
    import ast
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
