"""The class dashboard: one self-contained HTML page drawn from a batch's reports.

Per assignment: the score distribution (a histogram in inline SVG), the pass rate of
every test, every diagnosed mistake with the students who made it, each student's
results (messages, diagnoses, load and import errors, output) behind a click, and the
isolation layers and warnings of the reports. Nothing is fetched when the page is
viewed: the CSS, the SVG and the few lines of script (sorting, filtering) are inline,
and the page's Content-Security-Policy allows no network at all and no script but its
own (by hash). Every string of a report passes ``text.clean``, then HTML escaping
(Jinja2's autoescape), so student text is shown, never obeyed.
"""
from __future__ import annotations

import base64
import hashlib
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

from markupsafe import Markup

from grader import report, text
from grader.page import asset, environment

STATUSES = ("passed", "failed", "error", "timeout", "crashed")
LAYERS = ("namespaces", "cgroups", "seccomp", "landlock_abi", "network_isolated", "filesystem_isolated",
          "memory_bounded")
CHART_WIDTH, CHART_HEIGHT = 640, 220  # the histogram's drawing area, in CSS pixels
_PER_POINT_UP_TO = 40  # scores out of at most this many points get one bar per point
_BARS = 20             # else this many bars of equal width


@dataclass(frozen=True)
class Bar:
    """One bar of the histogram: scores in [low, high) (the last bar includes its high)."""

    low: float
    high: float
    count: int
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class TestRate:
    """How the class did on one test."""

    id: str
    name: str
    visibility: str
    points: float
    counts: dict
    total: int
    rate: float          # passed / total, 0..1
    mean_score: float


@dataclass(frozen=True)
class Student:
    """One submission of the class, for the drill-down."""

    anchor: str          # an id made by the dashboard, never from student text
    label: str
    report: dict
    failed: int


@dataclass(frozen=True)
class Mistake:
    diagnosis: str
    tests: tuple[str, ...]
    students: tuple[Student, ...]


@dataclass(frozen=True)
class Section:
    """Everything the page shows of one assignment."""

    assignment: str
    max_score: float
    statuses: dict
    scores: dict          # mean, median, min, max, full marks
    bars: tuple[Bar, ...]
    y_max: int
    tests: tuple[TestRate, ...]
    mistakes: tuple[Mistake, ...]
    students: tuple[Student, ...]
    layers: dict          # layer -> reports that had it
    warnings: tuple[tuple[str, int], ...]


def sections(documents: list[dict]) -> list[Section]:
    """One section per assignment, in the order the assignments first appear."""
    groups: dict[str, list[dict]] = {}
    for document in documents:
        groups.setdefault(document["assignment"], []).append(document)
    counter = iter(range(1, len(documents) + 1))
    return [_section(name, group, counter) for name, group in groups.items()]


def _section(name: str, documents: list[dict], counter) -> Section:
    students = tuple(Student(f"s{next(counter)}", report.who(d), d, sum(t["status"] != "passed" for t in d["tests"]))
                     for d in sorted(documents, key=lambda d: text.clean(report.who(d)).casefold()))
    max_score = max(d["max_score"] for d in documents)
    scores = [d["score"] for d in documents]
    bars, y_max = histogram(scores, max_score)
    return Section(
        assignment=name, max_score=max_score,
        statuses=Counter(d.get("status", "graded") for d in documents),
        scores={"mean": statistics.fmean(scores), "median": statistics.median(scores), "min": min(scores),
                "max": max(scores), "full": sum(d["score"] >= d["max_score"] > 0 for d in documents)},
        bars=bars, y_max=y_max, tests=_rates(documents), mistakes=_mistakes(students),
        students=students, layers=_layers(documents), warnings=_warnings(documents))


def histogram(scores: list[float], max_score: float) -> tuple[tuple[Bar, ...], int]:
    """Bars of the score distribution, laid out in a CHART_WIDTH x CHART_HEIGHT area, and
    the largest count. One bar per point up to ``_PER_POINT_UP_TO`` points (the last bar
    holds exactly full marks), else ``_BARS`` bars of equal width."""
    if max_score <= _PER_POINT_UP_TO:
        edges = [float(k) for k in range(int(max_score) + 1)] + [max_score + 1]
    else:
        edges = [max_score * k / _BARS for k in range(_BARS + 1)]
    counts = [0] * (len(edges) - 1)
    for score in scores:
        index = next((k for k in range(len(counts)) if score < edges[k + 1]), len(counts) - 1)
        counts[index] += 1
    y_max = max(counts) or 1
    width = CHART_WIDTH / len(counts)
    bars = []
    for k, count in enumerate(counts):
        low, high = edges[k], edges[k + 1]
        height = CHART_HEIGHT * count / y_max
        shown = f"{low:g}" if max_score <= _PER_POINT_UP_TO else f"{low:.3g}–{high:.3g}"
        bars.append(Bar(low, high, count, k * width + 1, CHART_HEIGHT - height, max(width - 2, 1), height, shown))
    return tuple(bars), y_max


def _rates(documents: list[dict]) -> tuple[TestRate, ...]:
    found: dict[str, list[dict]] = defaultdict(list)
    for document in documents:
        for test in document["tests"]:
            found[test["id"]].append(test)
    rates = []
    for test_id, results in found.items():
        counts = Counter(r["status"] for r in results)
        first = results[0]
        rates.append(TestRate(test_id, first["name"], first["visibility"], first["max_score"],
                              {s: counts.get(s, 0) for s in STATUSES}, len(results),
                              counts.get("passed", 0) / len(results),
                              statistics.fmean(r["score"] for r in results)))
    return tuple(rates)


def _mistakes(students: tuple[Student, ...]) -> tuple[Mistake, ...]:
    tests: dict[str, set] = defaultdict(set)
    who: dict[str, dict] = defaultdict(dict)
    for student in students:
        for test in student.report["tests"]:
            if test.get("diagnosis"):
                tests[test["diagnosis"]].add(test["id"])
                who[test["diagnosis"]][student.anchor] = student
    ranked = sorted(who, key=lambda d: (-len(who[d]), d))
    return tuple(Mistake(d, tuple(sorted(tests[d])), tuple(who[d].values())) for d in ranked)


def _layers(documents: list[dict]) -> dict:
    return {layer: sum(bool(d["isolation"].get(layer)) for d in documents) for layer in LAYERS}


def _warnings(documents: list[dict]) -> tuple[tuple[str, int], ...]:
    counts = Counter(w for d in documents for w in dict.fromkeys(d["isolation"].get("warnings", ())))
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def render(documents: list[dict], title: str = "Class dashboard") -> str:
    """The dashboard of ``documents`` (reports, any number of assignments) as one HTML page.

    Raises ValueError when there is no report."""
    if not documents:
        raise ValueError("no report to draw a dashboard from; pass report files or the folder `grader grade -o` wrote")
    script = asset("dashboard.js")
    return environment().get_template("dashboard.html.j2").render(
        title=title, sections=sections(documents), count=len(documents), statuses=STATUSES,
        style=Markup(asset("page.css")), script=Markup(script), script_hash=_sha256(script),
        width=CHART_WIDTH, height=CHART_HEIGHT)


def _sha256(script: str) -> str:
    """The CSP source that lets exactly this inline script run."""
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
