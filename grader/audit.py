"""`grader audit`: do the tests catch every known mistake, spare every correct answer,
and pay nothing for no work?

Every known mistake (its file composed with the reference, grader.mistake: the
submission it stands for) and every correct alternative of an assignment is graded as a
submission, through the worker, under one or more seeds. A finding: a mistake that keeps
full marks, a mistake whose reported diagnosis is not its own, an alternative that loses
a point (on any seed); a test that catches a mistake on some seeds and not on others
(its verdict depends on the luck of the seed); a degenerate submission (grader.degenerate:
the reference with every function doing no work, and the untouched templates) that keeps
points on a test using a function that does no work.
"""
from __future__ import annotations

import ast
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader import degenerate, syntax
from grader.assignment import CourseError
from grader.grading import Grader, Options
from grader.mistake import parse_docstring, write_submission
from grader.pool import Pool


@dataclass(frozen=True)
class Graded:
    """The reports of one submission, one per seed (in the order of the seeds)."""

    path: Path
    documents: tuple[dict, ...]

    def caught(self, test: str) -> tuple[bool, ...]:
        """Per seed: did ``test`` take points?"""
        return tuple(any(t["id"] == test and t["score"] < t["max_score"] for t in d["tests"])
                     for d in self.documents)


def seed_list(seed: int | None, count: int) -> tuple[int, ...]:
    """``count`` consecutive seeds from ``seed`` (random when None)."""
    if count < 1:
        raise ValueError(f"the number of seeds must be at least 1, not {count}")
    first = seed if seed is not None else random.SystemRandom().randrange(2**31 - count)
    return tuple(first + i for i in range(count))


def run(found, scores, layers, seed=None, jobs=2, echo=print, workers: Pool | None = None,
        seeds: int = 1, degenerates: bool = True) -> int:
    """Audit one assignment under ``seeds`` seeds (from ``seed``); print the tables and
    the findings; return how many findings."""
    chosen = seed_list(seed, seeds)
    alternatives = list(found.alternative_paths)
    with tempfile.TemporaryDirectory(prefix="grader-mistakes-") as folder:
        Path(folder).chmod(0o755)  # the sandboxed child, another uid, reads the files
        mistakes, composed, broken = _compose(found, Path(folder))
        graded = _grade(found, scores, layers, chosen, jobs, workers, composed + alternatives)
    graded_mistakes = [Graded(path, one.documents) for path, one in zip(mistakes, graded)]
    graded_alternatives = graded[len(mistakes):]
    echo(f"{found.name}: {len(mistakes)} mistakes, {len(alternatives)} correct alternatives, "
         f"{len(scores.entries)} tests (seed{'s' if len(chosen) > 1 else ''} {', '.join(map(str, chosen))})")
    findings = list(broken)
    for one in graded_mistakes:
        findings += _mistake(one, chosen, echo)
    findings += _per_test(found.name, scores, graded_mistakes, chosen, echo)
    for one in graded_alternatives:
        findings += _alternative(found.name, one, chosen, echo)
    if degenerates:
        findings += degenerate_findings(found, scores, layers, workers, chosen[0], jobs, echo)
    for finding in findings:
        echo(f"FINDING {finding}")
    echo(f"{found.name}: {'no findings' if not findings else f'{len(findings)} finding(s)'}")
    return len(findings)


def _compose(found, folder: Path) -> tuple[list[Path], list[Path], list[str]]:
    """The mistake files that compose with the reference, the submissions they stand for
    (written into ``folder``), and a finding for each one that does not."""
    mistakes, composed, broken = [], [], []
    for path in found.mistake_paths:
        try:
            composed.append(write_submission(found, path, folder))
            mistakes.append(path)
        except CourseError as exc:
            broken.append(f"{found.name}: mistake {path.name} cannot be graded: {exc}")
    return mistakes, composed, broken


def _grade(found, scores, layers, seeds, jobs, workers, paths: list[Path]) -> list[Graded]:
    per_seed = []
    for each in seeds:
        with Grader(found, scores, layers, Options(seed=each, jobs=jobs), workers=workers) as grader:
            per_seed.append(grader.grade_all(paths))
    return [Graded(path, tuple(documents[i] for documents in per_seed)) for i, path in enumerate(paths)]


def _scores(documents) -> str:
    return " ".join(f"{d['score']:g}/{d['max_score']:g}" for d in documents)


def _on(seeds, flags) -> str:
    return ", ".join(str(s) for s, flag in zip(seeds, flags) if flag)


def _mistake(one: Graded, seeds, echo) -> list[str]:
    path, assignment = one.path, one.documents[0]["assignment"]
    misconception, fix = parse_docstring(path.stem, _docstring(path))
    own = f"Matches a known mistake: {misconception} Fix: {fix}"
    caught = sorted({t["id"] for d in one.documents for t in d["tests"] if t["score"] < t["max_score"]})
    echo(f"  mistake {path.stem:<44} {_scores(one.documents)}  caught by {len(caught)}: {', '.join(caught)[:120]}")
    echo(f"      diagnosis: {misconception}")
    findings = []
    kept = [not any(t["score"] < t["max_score"] for t in d["tests"]) for d in one.documents]
    if any(kept):
        findings.append(f"{assignment}: mistake {path.name} keeps full marks (seed {_on(seeds, kept)})")
    reported = [{t["diagnosis"] for t in d["tests"] if t["diagnosis"]} for d in one.documents]
    missing = [own not in r for r in reported]
    if any(missing):
        others = sorted(set().union(*(r for r, m in zip(reported, missing) if m)))
        findings.append(f"{assignment}: mistake {path.name} is not diagnosed as itself on seed "
                        f"{_on(seeds, missing)} (reported: {others or 'no diagnosis'})"[:600])
    extra = sorted(set().union(*reported) - {own})
    if extra and not any(missing):
        findings.append(f"{assignment}: mistake {path.name} also gets other diagnoses: {extra}"[:600])
    return findings


def _per_test(name: str, scores, mistakes: list[Graded], seeds, echo) -> list[str]:
    """The other side of the matrix: which mistakes each test catches, on every seed.
    A test that catches a mistake on some seeds only is a finding."""
    echo("  tests x mistakes (x = the test takes points from that mistake"
         + (" on every seed, ? = on some seeds only):" if len(seeds) > 1 else "):"))
    width = max(len(entry.test) for entry in scores.entries)
    echo(f"    {'':<{width}}  " + "".join(f"{i % 100:>3}" for i in range(1, len(mistakes) + 1)))
    findings = []
    for entry in scores.entries:
        cells, count = "", 0
        for one in mistakes:
            verdicts = one.caught(entry.test)
            cells += "  x" if all(verdicts) else "  ?" if any(verdicts) else "  ."
            count += any(verdicts)
            if any(verdicts) and not all(verdicts):
                findings.append(f"{name}: test {entry.test} catches mistake {one.path.name} on seed "
                                f"{_on(seeds, verdicts)} but not on seed {_on(seeds, [not v for v in verdicts])}")
        echo(f"    {entry.test:<{width}}  {cells}   {count} caught")
    echo("    mistakes: " + ", ".join(f"{i} {one.path.stem}" for i, one in enumerate(mistakes, start=1)))
    return findings


def _alternative(name: str, one: Graded, seeds, echo) -> list[str]:
    echo(f"  alternative {one.path.stem:<40} {_scores(one.documents)}")
    findings = []
    for each, document in zip(seeds, one.documents):
        lost = [f"{t['id']} ({t['status']}: {t['message'][:200]})" for t in document["tests"]
                if t["score"] < t["max_score"]]
        if lost:
            findings.append(f"{name}: correct alternative {one.path.name} loses points on seed {each}: "
                            + "; ".join(lost))
    return findings


def degenerate_findings(found, scores, layers, workers, seed: int, jobs: int = 2, echo=print) -> list[str]:
    """Grade the degenerate submissions and the untouched templates; a test that uses a
    function doing no work (traced on the reference) and keeps points is a finding."""
    variants = degenerate.variants(found)
    uses = degenerate.exercised(found, seed)
    everything = frozenset().union(*uses.values())
    with tempfile.TemporaryDirectory(prefix="grader-degenerate-") as folder:
        Path(folder).chmod(0o755)  # the sandboxed child, another uid, reads the files
        paths = []
        for variant in variants:
            path = Path(folder) / f"{variant.stem}.py"
            path.write_text(variant.source, encoding="utf-8")
            path.chmod(0o644)
            paths.append(path)
        options = Options(seed=seed, jobs=jobs, diagnose=False)
        with Grader(found, scores, layers, options, workers=workers) as grader:
            documents = grader.grade_all(paths + list(found.template_paths))
    subjects = [(v.label, v.degenerate) for v in variants]
    subjects += [(f"untouched template {p.name}", everything) for p in found.template_paths]
    echo("  degenerate submissions (a test that uses a function doing no work must score 0):")
    findings = []
    for (label, idle), document in zip(subjects, documents):
        paying = [t for t in document["tests"] if t["score"] > 0 and uses[t["id"]] & idle]
        earned = sum(t["score"] for t in document["tests"] if not uses[t["id"]] & idle)
        echo(f"    {document['score']:>5g}/{document['max_score']:g}  {label}"
             + (f"; {earned:g} from tests of kept code only" if earned else "")
             + (f"  <- {len(paying)} test(s) pay for no work" if paying else ""))
        for test in paying:
            findings.append(f"{found.name}: degenerate submission ({label}) scores {test['score']:g}/"
                            f"{test['max_score']:g} on test {test['id']}, which uses "
                            f"{', '.join(sorted(uses[test['id']] & idle))} (seed {seed})")
        if document["load_errors"]:
            findings.append(f"{found.name}: degenerate submission ({label}) does not load: "
                            f"{'; '.join(document['load_errors'])}")
        unclean = [t["id"] for t in document["tests"] if t["status"] in ("timeout", "crashed")]
        if unclean:
            findings.append(f"{found.name}: {label}: tests {', '.join(unclean)} time out or crash "
                            "instead of failing cleanly")
    return findings


def _docstring(path: Path) -> str | None:
    return ast.get_docstring(syntax.parse(path.read_text(encoding="utf-8")))
