"""JSON Schemas for the grader's documents: assignments, rubrics and reports."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

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


def check(document: object, kind: str, source: str | Path) -> None:
    """Raise SchemaError for the first problem, as ``<source>: <key path>: <problem>``."""
    errors = sorted(validator(kind).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "(top level)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SchemaError(f"{source}: {where}: {first.message}{more}")
