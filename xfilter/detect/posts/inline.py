"""X objects written inside a larger string: a post pasted as JSON after "Parse this:", inside
a ```json code fence, or as a Python dict literal in chat, forum or tool-use text."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import replace
from typing import Any

from xfilter.detect.evidence import Evidence
from xfilter.detect.posts.keys import PREFILTER
from xfilter.detect.posts.walk import analyze_object

#: Objects longer than this are not parsed (a post object with its user is a few KB; a whole
#: API response a few hundred).
MAX_OBJECT_CHARS = 1_000_000
#: Python-literal objects are parsed with ``ast``, which is slower: a tighter bound.
MAX_LITERAL_CHARS = 200_000
#: At most this many candidate objects are parsed per string.
MAX_OBJECTS = 64

_ANCHOR = re.compile(PREFILTER, re.IGNORECASE)


_SPECIAL = re.compile(r"[{}\"'\\\n]")


def _balanced_objects(text: str) -> list[tuple[int, int]]:
    """Spans of the outermost balanced ``{…}`` in ``text``, in one left-to-right pass.

    A brace that never closes (a stray ``{`` in prose) does not hide the objects after it:
    every closed pair is a candidate and only those inside another closed pair are dropped.
    Quotes count only inside braces (prose has apostrophes); a raw line break inside a quoted
    string, or an object longer than MAX_OBJECT_CHARS, drops the open braces and the scan goes
    on from there, so the work stays linear. Only braces, quotes, backslashes and line breaks
    are visited.
    """
    spans: list[tuple[int, int]] = []  # closed pairs, none inside another
    opened: list[int] = []
    quote = ""
    skip = -1  # the position of a character escaped by a backslash
    for match in _SPECIAL.finditer(text, text.find("{")):
        i, ch = match.start(), match.group()
        if i == skip:
            continue
        if opened and i - opened[0] > MAX_OBJECT_CHARS:
            opened.clear()
            quote = ""
        if not opened:
            if ch == "{":
                opened.append(i)
        elif quote:
            if ch == "\\":
                skip = i + 1
            elif ch == quote:
                quote = ""
            elif ch == "\n":
                opened.clear()
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "{":
            opened.append(i)
        elif ch == "}":
            start = opened.pop()
            while spans and spans[-1][0] > start:
                spans.pop()
            spans.append((start, i + 1))
    return spans


def _parse(candidate: str) -> Any:
    """A JSON object, else a Python dict literal; None when neither parses."""
    try:
        return json.loads(candidate)
    except (ValueError, RecursionError):
        pass
    if "'" in candidate and len(candidate) <= MAX_LITERAL_CHARS:
        try:
            return ast.literal_eval(candidate)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            pass
    return None


def objects_in_text(text: str) -> list[Evidence]:
    """Evidence for X objects embedded in a larger string, each with the span of its object.

    Contract: ``text`` is any string (prose, markdown, a chat turn), typically one that is not
    itself JSON. Returns ``[]`` at once when it has no ``{``; otherwise every outermost
    balanced ``{…}`` that contains a posts.PREFILTER match and parses as JSON (or as a Python
    dict literal) goes through :func:`analyze_object`, and its evidence comes back with
    ``span`` set to the object's half-open character range in ``text``, so a redaction can cut
    the object out. Work is linear in ``len(text)`` (one pass over its braces and quotes, and
    the anchor search inside candidate objects only) plus the parsing of at most MAX_OBJECTS
    objects of at most MAX_OBJECT_CHARS each. Never raises. A string that is a JSON object as a
    whole gives the same rules as ``analyze_json_text``, with the whole string as span.
    """
    if not isinstance(text, str) or "{" not in text:
        return []
    found: list[Evidence] = []
    tried = 0
    for start, end in _balanced_objects(text):
        if _ANCHOR.search(text, start, end) is None:
            continue  # no anchor inside: not an X object
        tried += 1
        if tried > MAX_OBJECTS:
            break
        parsed = _parse(text[start:end])
        if isinstance(parsed, dict):
            found += [replace(e, span=(start, end)) for e in analyze_object(parsed)]
    return found
