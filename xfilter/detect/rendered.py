"""Posts rendered into a page: retweet text, media display links and widget output.

A widget or a site's own template shows a post's text with its permalink, its author and its
truncation link; these rules find that text and name the displayed author.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache

from xfilter.detect import dates, urls
from xfilter.detect.evidence import HANDLE, HANDLE_CHARS, Evidence, Rule, hit
from xfilter.detect.normalize import Literals
from xfilter.detect.textmatch import GT, LT, SP, near, post_start

RULE_WIDGET = Rule(
    "embed.widget", "x_embed", "a timeline, sidebar or live-blog widget renders post text"
)
RULE_RETWEET = Rule("embed.retweet", "x_embed", "'RT @handle:' retweet text")
RULE_PIC_DISPLAY = Rule(
    "text.pic_display", "x_embed", "pic.twitter.com display link: only rendered posts show it"
)


# --------------------------------------------------------------------------- rendered posts

# Display form of a post's media link; in an href it is a link, in visible text a post.
# Extractors glue it to the word before ('#COP26pic.twitter.com/…'), so letters may precede.
# A post's media link closes its text, so a display link that is followed by more prose, or
# introduced as a credit ('Photo: pic.twitter.com/…, via …'), only points at the image.
_PIC_DISPLAY = re.compile(
    r"(?<![/.=\"'_-])pic\.(?:twitter|x)\.com/[A-Za-z0-9]{4,40}"
    rf"(?={SP}{{0,3}}(?:\Z|[\r\n<\"\\—–-]|&mdash;|&ndash;|pic\.|https?://|t\.co/|End of))",
    re.I,
)
_CREDIT = re.compile(
    rf"(?:photo|image|picture|pic|credit|source|foto|bild|imagen)s?(?:{SP}by)?{SP}{{0,2}}[:：]?"
    rf"{SP}{{0,3}}\Z",
    re.I,
)
# 'RT @handle:'; some widgets link only part of a handle ('RT <a>@av</a>_news:'), so handle
# characters glued after the link belong to it.
_RETWEET = re.compile(
    rf"\bRT (?:@(?:<a\b[^<>]{{0,600}}>)?|<a\b[^<>]{{0,600}}>{SP}{{0,2}}(?:@|&#64;))"
    rf"({HANDLE})(?:</a>({HANDLE_CHARS}{{1,19}}))?\b"
)
# API text of a truncated post ends "… https://t.co/xyz" (docs/x-content-reference.md §2.1).
_TRUNCATED = re.compile(
    rf"(?:…|&hellip;|&#8230;)(?:{SP}|</[a-z]{{1,10}}>){{0,4}}"
    r"(?:<a\b[^<>]{0,400}?href\s*=\s*[\"']?)?(?:https?://)?"
    r"(?:t\.co/[A-Za-z0-9]{1,40}|(?:www\.)?(?:twitter|x)\.com/i/web/status/)",
    re.I,
)
# An entity rendered by X: an <a> to t.co whose visible text is the expanded display URL.
_TCO_DISPLAY = re.compile(
    r"<a\b[^<>]{0,600}?href\s*=\s*[\"']?https?://t\.co/[A-Za-z0-9]{1,40}(?=[\"'\s>])[^<>]{0,600}>"
    rf"{SP}{{0,3}}(?!https?://t\.co)(?:https?://)?[\w-]{{1,63}}(?:\.[\w-]{{1,63}}){{1,5}}"
    r"(?:/[^<]{0,200})?<",
    re.I,
)
# A class attribute naming a tweet; a t.co link after it, with no element closed between, is
# part of a rendered post ('<div class="ts-fab-twitter-tweet">text <a href=t.co/…>').
_TWEET_CLASS = re.compile(r"class\s*=\s*[\"']?[^\"'<>]{0,200}?tweet", re.I)
# An element classed as a post's text ('tweet-text', 'tweet__content'); it is a rendered post
# when its displayed author (_AUTHOR_LINK) is near.
_TWEET_TEXT = re.compile(
    rf"{LT}[a-z]{{1,10}}\b[^<>]{{0,600}}?class\s*=\s*[\"']?[^\"'<>]{{0,200}}?"
    rf"tweet(?:[-_]{{1,2}}|(?=Text))(?:text|content|body)(?![\w-])[^<>]{{0,600}}{GT}",
    re.I,
)
_TWEET_TEXT_ANCHORS = tuple(
    f"tweet{sep}{part}".encode()
    for sep in ("-", "_", "__", "")
    for part in ("text", "content", "body")
)
_CLOSE_ANY = re.compile(r"</(?:div|p|span|li|article|section|blockquote)\s{0,5}>", re.I)
_TIME_UNITS = (
    r"(?:sec|secs|second|seconds|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|wk"
    r"|week|weeks|mo|month|months|y|yr|yrs|year|years|Sekunden?|Minuten?|Std\.?|Stunden?|Tagen?"
    r"|Wochen?|Monaten?|Jahren?|secondes?|heures?|jours?|semaines?|mois|ans?|segundos?|minutos?"
    r"|horas?|días?|dias?|semanas?|meses|mes|años?|anos?)"
)


@cache
def _time_text() -> re.Pattern[str]:
    """The anchor text of a rendered post's permalink: '5 hours ago', 'vor 3 Tagen', '18 Aug'
    (month names from CLDR, as for embed dates)."""
    month = rf"(?:{dates.month_pattern()})\.?"
    return re.compile(
        rf"(?:(?:about|vor|il y a|hace|há|ca\.?){SP}{{1,3}})?(?:\d{{1,3}}|an?|one){SP}{{0,3}}"
        rf"{_TIME_UNITS}\.?(?:{SP}{{1,3}}ago)?"
        rf"|{month}{SP}{{1,2}}\d{{1,2}}(?:,{SP}{{1,2}}\d{{4}})?"
        rf"|\d{{1,2}}\.?{SP}{{1,2}}{month}(?:{SP}{{1,2}}\d{{4}})?",
        re.I,
    )


_ANCHOR_TEXT = re.compile(
    rf"[^<>]{{0,1500}}?>(?:{SP}|<[^<>/]{{1,200}}>){{0,3}}(?P<text>[^<>]{{1,60}})<", re.I
)
_POST_ACTIONS = re.compile(
    r"intent/(?:retweet|like|favorite)\?tweet_id=\d|intent/tweet\?in_reply_to=\d", re.I
)
# The displayed author of a rendered post: a link classed as its screen name or author, the
# widget's follow button, or a web-intent user link showing '@handle'. Twitter's @Anywhere
# hovercards class every @mention 'twitter-anywhere-user twitter-screenname': those are
# mentions inside the post, not its author.
_AUTHOR_CLASS = (
    r"class\s*=\s*[\"'](?![^\"'<>]{0,200}anywhere)[^\"'<>]{0,200}"
    r"(?:screen[-_]?name|user[-_]?name|author|follow-button)"
)
_PROFILE_HREF = (
    r"href\s*=\s*[\"'][^\"'<>]{0,200}?(?:twitter|x)\.com/"
    rf"(?:intent/user\?screen_name=|(?!intent/))(?P<GROUP>{HANDLE})[\"'/?]"
)
_AUTHOR_LINK = re.compile(
    rf"{_AUTHOR_CLASS}[^\"'<>]{{0,200}}[\"'][^<>]{{0,400}}?(?:>{SP}{{0,40}}<a\b[^<>]{{0,400}}?)?"
    + _PROFILE_HREF.replace("GROUP", "h1")
    + "|"
    + _PROFILE_HREF.replace("GROUP", "h2")
    + rf"[^<>]{{0,400}}?{_AUTHOR_CLASS}"
    + rf"|intent/user\?[^\"'<>]{{0,100}}[\"'][^<>]{{0,300}}>{SP}{{0,3}}"
    + rf"(?:@|&#64;)(?P<h3>{HANDLE})<",
    re.I,
)
_AUTHOR_ANCHORS = (
    b"screen",
    b"username",
    b"user-name",
    b"user_name",
    b"author",
    b"follow-button",
    b"intent/user",
)
_WIDGET_REACH = 1_500


def _widget_spans(
    text: str, lits: Literals, links: list[tuple[urls.XUrl, tuple[int, int]]]
) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, permalink handles) of post text that a widget rendered into the page."""
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    truncated_anchors = (b"t.co/", b"twitter.com/i/web/status/", b"x.com/i/web/status/")
    for m in near(_TRUNCATED, text, lits, truncated_anchors, 600, 80):
        spans.append((post_start(text, m.start()), m.end(), ()))
    for m in near(_TCO_DISPLAY, text, lits, (b"t.co/",), 700, 1300):
        spans.append((post_start(text, m.start()), m.end(), ()))
    for m in near(_POST_ACTIONS, text, lits, (b"tweet",), 30, 40):
        spans.append((m.start(), m.end(), ()))
    classed = [m.start() for m in near(_TWEET_CLASS, text, lits, (b"tweet",), 220, 10)]
    for xurl, (start, end) in links:
        i = bisect_left(classed, start) - 1
        if (
            xurl.kind == "tco"
            and i >= 0
            and start - classed[i] <= _WIDGET_REACH
            and text.find("</", classed[i], start) < 0
        ):
            spans.append((post_start(text, start), end, ()))
        if xurl.is_status:
            anchor = _ANCHOR_TEXT.match(text, end)
            if anchor and _time_text().fullmatch(anchor.group("text").strip(" \t\r\n\u00a0")):
                spans.append((start, anchor.end(), (xurl.handle,) if xurl.handle else ()))
    return spans


def rendered_posts(
    text: str, lits: Literals, links: list[tuple[urls.XUrl, tuple[int, int]]]
) -> list[Evidence]:
    out = []
    for m in near(_RETWEET, text, lits, (b"rt @", b"rt <a"), 1, 700):
        out.append(hit(RULE_RETWEET, m.span(), ((m.group(1) + (m.group(2) or ""))[:20],)))
    for m in near(_PIC_DISPLAY, text, lits, (b"pic.twitter.com/", b"pic.x.com/"), 1, 80):
        if not _CREDIT.search(text, max(0, m.start() - 30), m.start()):
            out.append(hit(RULE_PIC_DISPLAY, (post_start(text, m.start()), m.end())))
    widgets = _widget_spans(text, lits, links)
    shown: list[tuple[int, str]] = []  # (offset, handle) of displayed post authors
    if widgets or any(t in lits for t in _TWEET_TEXT_ANCHORS):
        for m in near(_AUTHOR_LINK, text, lits, _AUTHOR_ANCHORS, 700, 1500):
            handle = m.group("h1") or m.group("h2") or m.group("h3")
            if handle.lower() not in urls.RESERVED_PATHS:
                shown.append((m.start(), handle))
    positions = [pos for pos, _ in shown]
    for m in near(_TWEET_TEXT, text, lits, _TWEET_TEXT_ANCHORS, 1400, 40):
        i = bisect_left(positions, m.start() - _WIDGET_REACH)
        if i < len(positions) and positions[i] <= m.start() + _WIDGET_REACH:
            close = _CLOSE_ANY.search(text, m.end(), m.end() + _WIDGET_REACH)
            widgets.append((m.start(), close.end() if close else m.end(), ()))
    for start, end, handles in widgets:
        lo = bisect_left(positions, start - _WIDGET_REACH)
        hi = bisect_left(positions, end + _WIDGET_REACH + 1)
        nearby = tuple(dict.fromkeys(h for _, h in shown[lo : min(hi, lo + 50)]))
        # The displayed author beats a permalink's handle (some widgets link a placeholder).
        out.append(hit(RULE_WIDGET, (start, end), nearby or handles))
    return out
