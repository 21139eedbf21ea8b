"""What the text rules share: spaces and markup as pages write them, anchor-bounded search,
and where a post's text begins before its attribution."""

from __future__ import annotations

import re
from collections.abc import Iterator

from xfilter.detect.normalize import Literals

# One space: Unicode spaces (NBSP; the hair spaces around Medium's dash) or their entities.
SP = (
    r"(?:[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]"
    r"|&nbsp;|&#160;|&#x200a;|&#8202;|&thinsp;|&hairsp;)"
)
# Markup may be live (<), entity-escaped (&lt;) or JSON-escaped (\u003c) inside a script.
LT = r"(?:<|&lt;|\\u003c|\\x3c)"
GT = r"(?:>|&gt;|\\u003e|\\x3e)"
LT_LITERALS = ("<", "&lt;", "\\u003c", "\\x3c")


def near(
    pattern: re.Pattern[str],
    text: str,
    lits: Literals,
    anchors: tuple[bytes, ...],
    back: int,
    ahead: int,
) -> Iterator[re.Match[str]]:
    """Non-overlapping matches of ``pattern`` that start at most ``back`` characters before
    an anchor literal and end at most ``ahead`` characters after it."""
    end = 0
    for anchor in lits.positions(anchors):
        if anchor < end:
            continue
        m = pattern.search(text, max(end, anchor - back), min(len(text), anchor + ahead))
        if m:
            end = max(m.end(), anchor + 1)
            yield m


# What may precede an attribution that sits on its own line: quote marks, tags, entities,
# spaces, and the post's own trailing links ('pic.twitter.com/x — Name (@h) Date').
_LINE_LEAD = re.compile(
    r"(?:[\s>\u00a0]|<[^<>]{0,200}>|&#?\w{1,8};"
    r"|(?:https?://)?(?:t\.co|pic\.(?:twitter|x)\.com)/[A-Za-z0-9]{1,40}){0,20}"
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\u00a0]*\n")
_POST_REACH = 1_000  # a post is <= 280 characters plus links; longer back-spans are prose


def post_start(text: str, pos: int) -> int:
    """Where the post text that ends at ``pos`` begins.

    Inline ("text — Name (@h) Date") it is the start of the line; when the attribution sits
    on its own line the post is the paragraph above it.
    """
    floor = max(0, pos - _POST_REACH)
    line_start = text.rfind("\n", floor, pos) + 1
    if line_start == 0 and floor > 0:
        space = text.find(" ", floor, pos)
        return space + 1 if space >= 0 else floor
    if not _LINE_LEAD.fullmatch(text, line_start, pos):
        return line_start
    prev = max(floor, line_start - 1)
    breaks = list(_PARAGRAPH_BREAK.finditer(text, floor, prev))
    if breaks:
        return breaks[-1].end()
    if floor == 0:
        return 0
    # No paragraph structure: take the line above, the usual place of a one-line post.
    return text.rfind("\n", floor, prev) + 1 or floor
