"""Reports: one JSON document per submission, checked against its schema before writing."""
from __future__ import annotations

import json
from pathlib import Path

from grader import schema

SCHEMA_VERSION = 1


def validate(report: dict) -> None:
    schema.check(report, "report", f"report for {report.get('submission', {}).get('path', '?')}")


def write(report: dict, path: Path) -> Path:
    """Validate and write ``report`` to ``path`` (atomically: a reader never sees half)."""
    validate(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def read(path: Path) -> dict:
    report = json.loads(path.read_text(encoding="utf-8"))
    validate(report)
    return report


def output_paths(submissions: list[Path], outdir: Path) -> list[Path]:
    """``OUTDIR/<name without extension>.json``, with -2, -3... where two names collide."""
    seen: dict[str, int] = {}
    paths = []
    for submission in submissions:
        stem = submission.stem
        count = seen[stem] = seen.get(stem, 0) + 1
        paths.append(outdir / (f"{stem}.json" if count == 1 else f"{stem}-{count}.json"))
    return paths
