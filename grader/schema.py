"""JSON Schemas for the grader's documents: assignments, rubrics, reports and worker frames."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import fastjsonschema
import jsonschema


class SchemaError(Exception):
    """A document does not follow its schema; the message names the file and the key."""


@lru_cache(maxsize=None)
def validator(kind: str) -> jsonschema.protocols.Validator:
    text = resources.files("grader.schemas").joinpath(f"{kind}.schema.json").read_text()
    document = json.loads(text)
    cls = jsonschema.validators.validator_for(document)
    cls.check_schema(document)
    return cls(document)


@lru_cache(maxsize=None)
def _compiled(kind: str, ref: str | None):
    """A fast validator (generated code) for schema ``kind``, or the part of it at ``ref``."""
    text = resources.files("grader.schemas").joinpath(f"{kind}.schema.json").read_text()
    document = json.loads(text)
    if ref:
        document = {**{k: v for k, v in document.items() if k != "oneOf"}, "$ref": ref}
    return fastjsonschema.compile(document)


def first_problem(document: object, kind: str, ref: str | None = None) -> str | None:
    """The problem of ``document`` against schema ``kind`` (or the part of it at ``ref``,
    e.g. ``#/$defs/result``), or None if it is valid. For documents checked on a hot path
    (worker frames, draft-07 schemas): about ten times faster than ``check``."""
    try:
        _compiled(kind, ref)(document)
    except fastjsonschema.JsonSchemaException as exc:
        return exc.message
    return None


def check(document: object, kind: str, source: str | Path) -> None:
    """Raise SchemaError for the first problem, as ``<source>: <key path>: <problem>``."""
    errors = sorted(validator(kind).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "(top level)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SchemaError(f"{source}: {where}: {first.message}{more}")
