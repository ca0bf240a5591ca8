"""JSON Schemas for the grader's documents: assignments, rubrics, reports and worker frames.

Documents are checked by code fastjsonschema generates from each schema (compiled once
per process); only a document that fails is checked again by jsonschema, imported then,
for the message (every problem, with its key path).
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import fastjsonschema


class SchemaError(Exception):
    """A document does not follow its schema; the message names the file and the key."""


@lru_cache(maxsize=None)
def validator(kind: str):
    """A jsonschema validator of schema ``kind`` (the schema itself checked first)."""
    import jsonschema
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
    e.g. ``#/$defs/result``), or None if it is valid: fastjsonschema's generated code, about
    fifteen times faster than jsonschema (the keywords the schemas use are draft-07's)."""
    try:
        _compiled(kind, ref)(document)
    except fastjsonschema.JsonSchemaException as exc:
        return exc.message
    return None


def check(document: object, kind: str, source: str | Path) -> None:
    """Raise SchemaError for the first problem, as ``<source>: <key path>: <problem>``."""
    problem = first_problem(document, kind)
    if problem is None:
        return
    errors = sorted(validator(kind).iter_errors(document), key=lambda e: list(e.absolute_path))
    if not errors:  # the two validators disagree: the stricter one wins
        raise SchemaError(f"{source}: {problem}")
    first = errors[0]
    where = "/".join(str(part) for part in first.absolute_path) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise SchemaError(f"{source}: {where}: {first.message}{more}")
