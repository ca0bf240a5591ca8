"""Text: the one boundary that student-controlled text crosses to reach a person or a file.

Anything a submission can influence (exception messages, captured output, file and
member names, syntax-error lines, whatever the worker sends back) passes through the
function for its destination before it is printed or written:

==============  =============================================================
``clean``        the base every other function applies: lone surrogates and
                 undecodable bytes (``surrogateescape``) become U+FFFD; control
                 characters, terminal escape sequences (their ESC/CSI byte) and
                 bidirectional overrides become visible escapes (``\\x1b``),
                 so they are shown, never obeyed; ``\\r\\n`` becomes ``\\n``
``terminal``     ``clean``, then Rich markup escaped: for text put into markup
``for_json``     a JSON tree (dicts, lists, strings, numbers) with every string,
                 keys too, cleaned
``xml``          ``clean``, and anything outside XML 1.0's ``Char`` replaced
``csv_cell``     ``clean``, and a cell a spreadsheet would run as a formula
                 (``= + - @``, tab, CR first) quoted with a leading ``'``
``markdown``     ``clean`` on one line, with Markdown and HTML syntax escaped
                 (a table cell stays one cell; no link, image or tag is made)
``file_name``    one file-name component: cleaned, no separators, no leading
                 dot, at most ``limit`` UTF-8 bytes (a hash keeps it unique)
==============  =============================================================

Every function is idempotent and total: it never raises on any ``str``.
"""
from __future__ import annotations

import hashlib
import re

from rich.markup import escape as _escape_markup

REPLACEMENT = "\ufffd"

# C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), the
# bidirectional embeddings, overrides and isolates (they reorder what follows on screen),
# and the two non-characters XML refuses.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_CONTROL_ALL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\s]+')


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str, *, lines: bool = True) -> str:
    """``text`` made safe to show and to encode as UTF-8.

    With ``lines=False`` (names, one-line fields) newlines and tabs are escaped too.
    A valid surrogate pair is joined into its character; a lone surrogate becomes U+FFFD.
    """
    if not isinstance(text, str):
        text = str(text)
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    text = text.replace("\r\n", "\n")
    return (_CONTROL if lines else _CONTROL_ALL).sub(_visible, text)


def terminal(text: str, *, lines: bool = True) -> str:
    """``clean(text)`` for inclusion in Rich markup: ``[/...]`` is shown, never parsed."""
    return _escape_markup(clean(text, lines=lines))


def for_json(value):
    """A copy of the JSON tree ``value`` with every string (keys included) cleaned.

    Numbers, booleans and None are kept as they are (``report.validate`` refuses NaN and
    infinities); tuples become lists; anything else is a TypeError naming its type.
    """
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(key)): for_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [for_json(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def xml(text: str) -> str:
    """``clean(text)`` that is a sequence of XML 1.0 characters (ElementTree escapes <&>)."""
    return _NOT_XML.sub(REPLACEMENT, clean(text))


def csv_cell(text: str) -> str:
    """``clean(text)`` that no spreadsheet evaluates: a leading ``= + - @``, tab or CR gets ``'``."""
    text = clean(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


_MARKDOWN = re.compile(r"([\\`*_\[\]|<>~&])")


def markdown(text: str) -> str:
    """``clean(text, lines=False)`` as literal Markdown text inside a line (a table cell, a
    list item): every character Markdown or HTML reads as inline syntax there (``\\ ` * _
    [ ] | < > ~ &``) is backslash-escaped; line-start syntax cannot occur on one line."""
    return _MARKDOWN.sub(r"\\\1", clean(text, lines=False))


def file_name(text: str, limit: int = 120) -> str:
    """``text`` as one portable file-name component, at most ``limit`` UTF-8 bytes.

    Separators, whitespace and characters Windows refuses become ``_``; a leading dot
    becomes ``_`` (no hidden files); the empty name becomes ``_``. A name cut to fit
    ends in 8 hex digits of its full form's SHA-256, so two long names stay apart.
    """
    name = _NOT_IN_FILE_NAMES.sub("_", clean(text, lines=False))
    name = "_" + name[1:] if name.startswith(".") else name or "_"
    encoded = name.encode("utf-8")
    if len(encoded) <= limit:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[:8]
    return encoded[:limit - 9].decode("utf-8", "ignore") + "-" + digest
