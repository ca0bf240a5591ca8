"""HTML pages (the dashboard, feedback): templates, and the rule for text inside them.

Every value a template prints passes ``text.clean`` (control characters and escapes
shown, never obeyed), then Jinja2's HTML autoescaping: a student's ``<script>`` is
shown as text. Only markup the grader made itself (``markupsafe.Markup``, e.g. a
notebook cell rendered by nbconvert from escaped source) is printed as it is.
"""
from __future__ import annotations

from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup

from grader import text


def _safe(value):
    """What a template prints: student text cleaned (escaping follows); the grader's markup as is."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return text.clean(value)
    return value


def _number(value: float) -> str:
    """A score for people: ``7``, ``7.5``, ``0.333``."""
    return f"{round(value, 3):g}"


@cache
def environment() -> jinja2.Environment:
    """The templates of grader/templates, autoescaped, every printed value cleaned first."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("grader", "templates"), autoescape=True,
                             finalize=_safe, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["number"] = _number
    env.filters["percent"] = lambda share: f"{100 * share:.0f}%"
    return env


def asset(name: str) -> str:
    """A file of grader/templates as text (the inline script and style of a page)."""
    return resources.files("grader").joinpath("templates", name).read_text(encoding="utf-8")
