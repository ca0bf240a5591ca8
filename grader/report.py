"""Reports: one strict-JSON document per submission, checked against its schema before writing.

Report files are named after their submissions, uniquely within a batch (``report_names``),
and written without ever following a link or reusing a file someone else created
(``write``). Every string of a written report has passed ``text.for_json``.
"""
from __future__ import annotations

import json
import math
import os
import secrets
import unicodedata
from pathlib import Path, PurePath

from grader import schema, text

SCHEMA_VERSION = 1
SUBMISSION_SUFFIXES = (".py", ".ipynb", ".zip")
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class ReportError(ValueError):
    """A report cannot be written as strict JSON (a grader fault); the message names the key."""


def clean(report: dict) -> dict:
    """A copy of ``report`` with every string safe for any destination (``text.for_json``)."""
    return text.for_json(report)


def validate(report: dict) -> None:
    """Raise SchemaError if ``report`` breaks its schema, ReportError if a number is NaN or infinite."""
    source = f"report for {text.clean(str(report.get('submission', {}).get('path', '?')))}"
    schema.check(report, "report", source)
    where = non_finite(report)
    if where is not None:
        raise ReportError(f"{source}: {where} is not a finite number; reports hold finite numbers only "
                          "(a grader fault: please report it with the submission)")


def non_finite(value, where: str = "") -> str | None:
    """The key path (``tests/3/duration_s``) of the first NaN or infinity in a JSON tree, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return where or "(top level)"
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in children:
        found = non_finite(item, f"{where}/{key}" if where else str(key))
        if found is not None:
            return found
    return None


def dumps(report: dict) -> str:
    """The report as strict JSON text (UTF-8-encodable; no NaN or Infinity)."""
    return json.dumps(clean(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write(report: dict, path: Path) -> Path:
    """Validate and write ``report`` to ``path``, atomically: a reader never sees half of it.

    The text goes to a fresh temporary file in the same folder, created with O_EXCL and
    O_NOFOLLOW under a random name (a planted file or link is never opened), and is then
    renamed over ``path`` (a link at ``path`` itself is replaced, never followed).
    Raises SchemaError / ReportError (nothing is written) or OSError.
    """
    validate(report)
    return write_bytes(dumps(report).encode("utf-8"), path)


def write_bytes(data: bytes, path: Path) -> Path:
    """Write ``data`` to ``path`` as ``write`` writes a report: through a fresh temporary
    file beside it, renamed into place (no link followed, no half-written file seen)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial, fd = _create_partial(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def _create_partial(path: Path) -> tuple[Path, int]:
    for _ in range(100):
        partial = path.with_name(f".{path.name}.{secrets.token_hex(6)}.partial")
        try:
            return partial, os.open(partial, _CREATE, 0o644)
        except FileExistsError:
            continue
    raise FileExistsError(f"{path.parent}: could not create a temporary file for {path.name}")


def read(path: Path) -> dict:
    """A report from disk, validated; ValueError (JSON) or SchemaError / ReportError."""
    def refuse(constant: str):
        raise ReportError(f"{path}: {constant} is not valid JSON; regrade the submission to get a strict report")
    report = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    validate(report)
    return report


def who(document: dict) -> str:
    """Who a report is about, for people: its student, else its file's name (and member)."""
    if document.get("student"):
        return document["student"]
    where = document["submission"]
    name = Path(where["path"]).name
    return f"{name} ({where['member']})" if where.get("member") else name


def output_paths(submissions: list[Path], outdir: Path) -> list[Path]:
    """``OUTDIR/<name>.json`` for each submission: unique within the batch, deterministic.

    See ``report_names``; e.g. ``softmax.py`` -> ``softmax.json``; ``alice/softmax.py``
    with ``bob/softmax.py`` -> ``alice-softmax.json``, ``bob-softmax.json``.
    """
    return [outdir / f"{name}.json" for name in report_names([candidates(p) for p in submissions])]


def candidates(submission: Path | str) -> list[str]:
    """Names for the report of ``submission``, from the least to the most specific.

    Pairs (without, with the submission suffix) per number of enclosing folders kept:
    ``a/b/softmax.py`` -> ``softmax``, ``softmax.py``, ``b-softmax``, ``b-softmax.py``,
    ``a-b-softmax``, ``a-b-softmax.py`` (a name without a suffix repeats itself). Each
    is a safe file-name component (``text.file_name``).
    """
    parts = [p for p in PurePath(os.path.normpath(os.fspath(submission))).parts
             if p not in (os.sep, ".", "..") and not p.endswith(os.sep)] or [os.fspath(submission)]
    name = parts[-1]
    suffix = next((s for s in SUBMISSION_SUFFIXES if name.lower().endswith(s) and len(name) > len(s)), "")
    stem = name[:len(name) - len(suffix)]
    found = []
    for depth in range(len(parts)):
        base = "-".join([*parts[len(parts) - 1 - depth:-1], stem])
        found += [text.file_name(base), text.file_name(base + suffix)]
    return found


def report_names(choices: list[list[str]]) -> list[str]:
    """One name per input, unique (ignoring case) and deterministic for the list given.

    ``choices[i]`` is input i's ``candidates``: levels of detail, paired as (without,
    with suffix). Inputs whose least specific names agree form a group; the whole group
    takes the first level that tells its members apart (or, failing that, tells most of
    them apart), so ``alice/softmax.py`` and ``bob/softmax.py`` become ``alice-softmax``
    and ``bob-softmax``, ``victim.py`` and ``victim.ipynb`` ``victim.py`` and
    ``victim.ipynb``. A name still held twice (the same file given twice) gets ``-2``,
    ``-3``..., never a name another input holds (such as a real ``victim-2.py``'s).
    """
    groups: dict[str, list[int]] = {}
    for i, names in enumerate(choices):
        groups.setdefault(_key(names[0]), []).append(i)
    chosen = [names[0] for names in choices]
    for members in groups.values():
        if len(members) > 1:
            depth = max(len(choices[i]) for i in members)
            level = max(range(depth), key=lambda j: (len({_key(_at(choices[i], j)) for i in members}), -j))
            for i in members:
                chosen[i] = _at(choices[i], level)
    taken = {_key(name) for name in chosen}
    seen: set[str] = set()
    for i, name in enumerate(chosen):
        if _key(name) in seen:
            chosen[i] = name = _numbered(name, taken)
            taken.add(_key(name))
        seen.add(_key(name))
    return chosen


def _at(names: list[str], level: int) -> str:
    """The name at ``level``, or the most specific one of the same kind (with/without suffix)."""
    if level < len(names):
        return names[level]
    return names[len(names) - 2 + level % 2] if len(names) >= 2 else names[-1]


def _numbered(name: str, taken: set[str]) -> str:
    count = 2
    while _key(f"{name}-{count}") in taken:
        count += 1
    return f"{name}-{count}"


def _key(name: str) -> str:
    """Two names that one file system may store as one file (case, Unicode normal form)."""
    return unicodedata.normalize("NFC", name).casefold()
