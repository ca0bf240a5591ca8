"""The self-check file: what a release carries so students can run the visible tests offline.

``<assignment>.selfcheck.json`` (schema: ``grader/schemas/selfcheck.schema.json``) holds,
for the *visible* tests of one assignment only:

- ``probes``: the source of the visible probes and of what they use (grader.excerpt), no
  docstring, no hidden probe. The probes run on the student's module in the sandboxed
  worker, exactly as in the instructor's grading: the call protocol (classes, caches
  handed back, in-place checks) needs the probe's code; recorded arguments could not
  express it.
- ``tests``: per visible test its rubric entry (points, partial credit), tolerances,
  description, the functions it calls, and the reference's outputs at the release
  ``seed`` (``expected``); ``axis_variants``: the reference's outputs when a function
  ignores the ``axis`` it is given (a catalogue-free diagnosis that needs the reference);
  ``expected_second_seed``: the reference's outputs at ``grader.pattern.second_seed(seed)``,
  which confirm a ratio, sign or offset pattern offline as the instructor's grading does.
- ``mistakes``: each known mistake's misconception, fix and outputs on those same tests
  (or the exception it raised), so that diagnoses work offline.
- ``canary``: recorded inputs that prove the sandbox works on the student's machine
  before any verdict (grader.canary).
- ``templates``: the SHA-256 of the released templates (an untouched template is told apart).
- ``patterns``: the assignment's own texts for the catalogue-free diagnoses (assignment.toml).
- ``pairs``: the outputs of two mistakes made together (grader.pair) on those tests, for
  each pair the diagnosis may name, so that pairs are named offline too.

No reference code, no hidden probe, no mistake code, no hidden rubric entry. Output
trees are JSON: ``null``, ``{"s": str}``, ``{"l": [...]}``, ``{"d": {...}}``, and arrays as
``{"a": {"dtype": "<f8", "shape": [...], "base64": ...}}`` (raw little-endian bytes, so
every value, nan and inf included, is exact); an exception a mistake raised is
``{"raised": "builtins.ValueError", "message": ..., "function": ...}`` (grader.raised).
"""
from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader import protocol, schema
from grader.diagnosis import Raised

SCHEMA_VERSION = 1
SUFFIX = ".selfcheck.json"
_MAX_FILE_BYTES = 64 << 20


class SelfCheckError(ValueError):
    """A self-check file that cannot be used; the message names the file and what to do."""


@dataclass(frozen=True)
class RecordedTest:
    id: str
    name: str                  # the probe's description
    calls: tuple[str, ...]
    rtol: float
    atol: float
    points: float
    partial: str
    expected: object           # plain tree (protocol.to_plain form)
    axis_variants: tuple       # ((function, axis, tree), ...) in the order the diagnosis tries them
    expected_second: object = None  # the reference's outputs at pattern.second_seed(seed) (None: not recorded)


@dataclass(frozen=True)
class RecordedMistake:
    name: str
    misconception: str
    fix: str
    outputs: dict              # test id -> plain tree or Raised
    changes: tuple = ()        # the definitions it changes (diagnosis.Mistake.changes)


@dataclass(frozen=True)
class SelfCheck:
    path: Path | None
    assignment: str
    title: str
    framework: str
    functions: tuple[str, ...]
    forbidden_modules: tuple[str, ...]
    forbidden_calls: tuple[str, ...]
    seed: int
    grader_version: str
    numpy_version: str
    probes_source: str
    tests: tuple[RecordedTest, ...]
    mistakes: tuple[RecordedMistake, ...]
    canary: dict               # {"source", "submission", "tests": [{"id", "expected"}]} (trees decoded)
    templates: dict            # file name -> sha256
    patterns: dict = field(default_factory=dict)  # the assignment's own pattern texts (grader.pattern)
    pairs: tuple = ()          # ((first mistake, second mistake, {test id: tree or Raised}), ...) (grader.pair)

    def test(self, test_id: str) -> RecordedTest:
        for test in self.tests:
            if test.id == test_id:
                return test
        raise KeyError(test_id)


# --- trees --------------------------------------------------------------------------------

def encode_tree(tree) -> object:
    """A plain tree (or Raised) as JSON data; arrays exact, as base64 of their bytes."""
    if isinstance(tree, Raised):
        return {"raised": tree.exception, "message": tree.message, "function": tree.function}
    if tree is None:
        return None
    if isinstance(tree, str):
        return {"s": tree}
    if isinstance(tree, np.ndarray):
        array = tree.astype(tree.dtype.newbyteorder("<"), order="C", copy=False)  # 0-d stays 0-d
        return {"a": {"dtype": array.dtype.str, "shape": list(array.shape),
                      "base64": base64.b64encode(array.tobytes()).decode("ascii")}}
    if isinstance(tree, dict):
        return {"d": {key: encode_tree(value) for key, value in tree.items()}}
    if isinstance(tree, list):
        return {"l": [encode_tree(value) for value in tree]}
    raise TypeError(f"not a plain tree: {type(tree).__name__}; call protocol.to_plain first")


def decode_tree(node, where: str = "tree"):
    """The tree ``encode_tree`` wrote; SelfCheckError for arrays whose bytes disagree with
    their dtype and shape (the schema has checked everything else)."""
    if node is None:
        return None
    if "raised" in node:
        return Raised(node["raised"], node.get("message", ""), node.get("function", ""))
    if "s" in node:
        return node["s"]
    if "d" in node:
        return {key: decode_tree(value, f"{where}[{key!r}]") for key, value in node["d"].items()}
    if "l" in node:
        return [decode_tree(value, f"{where}[{i}]") for i, value in enumerate(node["l"])]
    array = node["a"]
    if array["dtype"] not in protocol.ALLOWED_DTYPES:
        raise SelfCheckError(f"{where}: dtype {array['dtype']!r} is not one the grader reads; ask for the release again")
    data = base64.b64decode(array["base64"].encode("ascii"), validate=True)
    dtype, shape = np.dtype(array["dtype"]), tuple(array["shape"])
    if len(data) != dtype.itemsize * math.prod(shape):
        raise SelfCheckError(f"{where}: {len(data)} bytes do not make an array of shape {shape} and dtype {dtype}; "
                             "ask for the release again")
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


# --- the document -------------------------------------------------------------------------

def document(check: SelfCheck) -> dict:
    """``check`` as the JSON document of the self-check file (validated)."""
    data = {
        "schema_version": SCHEMA_VERSION, "kind": "grader-selfcheck",
        "grader_version": check.grader_version, "numpy_version": check.numpy_version,
        "assignment": {"name": check.assignment, "title": check.title, "framework": check.framework,
                       "functions": list(check.functions),
                       "forbidden": {"modules": list(check.forbidden_modules), "calls": list(check.forbidden_calls)}},
        "seed": check.seed,
        "probes": {"source": check.probes_source},
        "tests": [{"id": t.id, "name": t.name, "calls": list(t.calls), "rtol": t.rtol, "atol": t.atol,
                   "points": t.points, "visibility": "visible", "partial": t.partial,
                   "expected": encode_tree(t.expected),
                   "axis_variants": [{"function": f, "axis": a, "outputs": encode_tree(tree)}
                                     for f, a, tree in t.axis_variants],
                   "expected_second_seed": encode_tree(t.expected_second)} for t in check.tests],
        "mistakes": [{"name": m.name, "misconception": m.misconception, "fix": m.fix,
                      "outputs": {test: encode_tree(tree) for test, tree in m.outputs.items()},
                      "changes": list(m.changes)}
                     for m in check.mistakes],
        "canary": {"source": check.canary["source"], "submission": check.canary["submission"],
                   "tests": [{"id": t["id"], "expected": encode_tree(t["expected"])}
                             for t in check.canary["tests"]]},
        "templates": dict(check.templates),
        "patterns": dict(check.patterns),
        "pairs": [{"first": first, "second": second,
                   "outputs": {test: encode_tree(tree) for test, tree in outputs.items()}}
                  for first, second, outputs in check.pairs],
    }
    schema.check(data, "selfcheck", f"self-check file for {check.assignment}")
    return data


def write(check: SelfCheck, path: Path) -> Path:
    """Write the self-check file (compact JSON, UTF-8); returns ``path``."""
    path.write_text(json.dumps(document(check), ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")
    return path


def read(path: Path) -> SelfCheck:
    """The self-check file at ``path``; SelfCheckError says what is wrong and what to do."""
    path = Path(path)
    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            raise SelfCheckError(f"{path} is larger than {_MAX_FILE_BYTES >> 20} MiB: not a self-check file")
        data = json.loads(path.read_text(encoding="utf-8"),
                          parse_constant=lambda c: _refuse(path, c))
    except OSError as exc:
        raise SelfCheckError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, SelfCheckError):
            raise
        raise SelfCheckError(f"{path} is not valid JSON ({exc}); ask for the release again") from None
    if isinstance(data, dict) and data.get("schema_version") not in (None, SCHEMA_VERSION):
        raise SelfCheckError(f"{path} has schema_version {data.get('schema_version')!r}; this grader reads "
                             f"version {SCHEMA_VERSION}: install the grader version the release names "
                             f"({data.get('grader_version')!r})")
    try:
        schema.check(data, "selfcheck", path)
    except schema.SchemaError as exc:
        raise SelfCheckError(f"{exc}; ask for the release again") from None
    return _from_document(data, path)


def _refuse(path: Path, constant: str):
    raise SelfCheckError(f"{path}: {constant} is not valid JSON; ask for the release again")


def _from_document(data: dict, path: Path | None) -> SelfCheck:
    where = str(path or "self-check")
    tests = tuple(RecordedTest(
        t["id"], t["name"], tuple(t["calls"]), float(t["rtol"]), float(t["atol"]), float(t["points"]),
        t["partial"], decode_tree(t["expected"], f"{where}: tests/{t['id']}/expected"),
        tuple((v["function"], v["axis"], decode_tree(v["outputs"], f"{where}: axis variant"))
              for v in t["axis_variants"]),
        decode_tree(t.get("expected_second_seed"), f"{where}: tests/{t['id']}/expected_second_seed"))
        for t in data["tests"])
    mistakes = tuple(RecordedMistake(m["name"], m["misconception"], m["fix"],
                                     {test: decode_tree(tree, f"{where}: mistake {m['name']}")
                                      for test, tree in m["outputs"].items()},
                                     tuple(m.get("changes", ()))) for m in data["mistakes"])
    canary = {"source": data["canary"]["source"], "submission": data["canary"]["submission"],
              "tests": [{"id": t["id"], "expected": decode_tree(t["expected"], f"{where}: canary")}
                        for t in data["canary"]["tests"]]}
    info = data["assignment"]
    return SelfCheck(path, info["name"], info["title"], info["framework"], tuple(info["functions"]),
                     tuple(info["forbidden"]["modules"]), tuple(info["forbidden"]["calls"]), data["seed"],
                     data["grader_version"], data["numpy_version"], data["probes"]["source"], tests, mistakes,
                     canary, dict(data["templates"]), dict(data.get("patterns", {})),
                     tuple((p["first"], p["second"], {test: decode_tree(tree, f"{where}: pair {p['first']}+{p['second']}")
                                                      for test, tree in p["outputs"].items()})
                           for p in data.get("pairs", ())))


# --- finding it ---------------------------------------------------------------------------

def file_name(assignment: str) -> str:
    return f"{assignment}{SUFFIX}"


def find(submission: Path, release: Path | None = None, assignment: str | None = None) -> Path | None:
    """The self-check file for ``submission``: in ``release`` (a folder or the file itself)
    when given, else beside the submission or in a folder above it. With several
    releases in one folder, the one named after ``assignment`` (default: the file's stem).
    Returns None when there is none (SelfCheckError when ``release`` holds none)."""
    if release is not None:
        release = Path(release)
        if release.is_file():
            return release
        found = _in_folder(release, assignment or _stem(submission))
        if found is None:
            raise SelfCheckError(f"{release} holds no *{SUFFIX} file; pass the folder that grader release wrote")
        return found
    folder = Path(submission).resolve().parent
    for candidate in (folder, *folder.parents):
        found = _in_folder(candidate, assignment or _stem(submission))
        if found is not None:
            return found
    return None


def _stem(submission: Path) -> str:
    return Path(submission).name.split(".")[0]


def _in_folder(folder: Path, assignment: str) -> Path | None:
    try:
        named = folder / file_name(assignment)
        if named.is_file():
            return named
        candidates = sorted(folder.glob(f"*{SUFFIX}"))
    except OSError:
        return None
    return candidates[0] if len(candidates) == 1 else None
