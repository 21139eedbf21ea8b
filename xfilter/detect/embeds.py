"""Embedded posts in text or HTML: embed markup, attribution lines and publisher wrappers.

Embeds are what strict mode rejects and ``redact`` cuts, so every span covers the post itself:
the whole ``<blockquote class="twitter-tweet">`` (plus its ``widgets.js`` script), or the post
text before an attribution line through its date (docs/x-content-reference.md §3).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache

from xfilter.detect import dates, urls
from xfilter.detect.evidence import HANDLE, Evidence, Rule, hit
from xfilter.detect.normalize import Literals
from xfilter.detect.textmatch import GT, LT, LT_LITERALS, SP, near, post_start

RULE_BLOCKQUOTE = Rule(
    "embed.blockquote", "x_embed", "blockquote.twitter-tweet embed markup (also escaped in JSON)"
)
RULE_AMP = Rule("embed.amp", "x_embed", "<amp-twitter data-tweetid> AMP embed")
RULE_RENDERED = Rule("embed.rendered", "x_embed", "embed already rendered by widgets.js")
RULE_ATTRIBUTION = Rule(
    "text.attribution", "x_embed", "post text closed by '— Name (@handle) Date' (embed residue)"
)
RULE_WRAPPER = Rule(
    "text.publisher_wrapper", "x_embed", "publisher embed wrapper ('End of Twitter post by @h')"
)
RULE_PLACEHOLDER = Rule(
    "link.placeholder", "x_link", "an element holding a post id (data-tweet-id) for a script"
)


# --------------------------------------------------------------------------- embed markup

_EMBED_TAGS = ("blockquote", "div", "twitter-widget", "amp-twitter", "iframe", "figure", "section")
_EMBED_OPEN = re.compile(
    rf"{LT}(?P<tag>[a-z][a-z-]{{0,20}})\b(?P<attrs>[^<>]{{0,2000}}?){GT}", re.I
)
_EMBED_ANCHORS = (b"twitter-tweet", b"twitter-video", b"amp-twitter", b"data-tweet")
# A class token; a digit may precede it when the quote is JSON-escaped (class=\u0022twitter-…).
_EMBED_CLASS = re.compile(r"(?<![A-Za-z_-])twitter-(?:tweet|video)(?![\w-])", re.I)
_TWEET_ID_ATTR = re.compile(r"data-tweet-?id\s*=", re.I)
_ESCAPED_SPACE = r"(?:\s|\\[nrt]){0,40}"
_WIDGETS_SCRIPT = re.compile(
    rf"{_ESCAPED_SPACE}{LT}script\b[^<>]{{0,600}}?widgets\.js[^<>]{{0,600}}?{GT}"
    rf"{_ESCAPED_SPACE}{LT}\\{{0,2}}/script{GT}",
    re.I,
)
_CLOSE = {t: re.compile(rf"{LT}\\{{0,2}}/{t}\s{{0,5}}{GT}", re.I) for t in _EMBED_TAGS}
_EMBED_REACH = 30_000  # an embed's markup is a few KB; never look further for its end
_ATTRIBUTION_HANDLE = re.compile(rf"\({SP}{{0,3}}[@＠]({HANDLE}){SP}{{0,3}}\)")


def _embed_authors(markup: str) -> tuple[str, ...]:
    """The post's author: the '(@handle)' of its closing attribution, else the handle of its
    last status link (the date link). Both come last: the text before may cite others."""
    handles = [m.group(1) for m in _ATTRIBUTION_HANDLE.finditer(markup)]
    if not handles:
        handles = [x.handle for x, _ in urls.iter_x_urls(markup) if x.is_status and x.handle]
    return (handles[-1],) if handles else ()


def _embed_rule(tag: str, attrs: str) -> Rule | None:
    """Official embeds are x_embed even without post text; a site's own placeholder that a
    script fills from a post id carries no text and is x_link (corpus README conventions)."""
    if tag == "amp-twitter":
        return RULE_AMP if "data-tweetid" in attrs.lower() else None
    if tag in _EMBED_TAGS and _EMBED_CLASS.search(attrs):
        return RULE_BLOCKQUOTE if tag == "blockquote" else RULE_RENDERED
    if _TWEET_ID_ATTR.search(attrs):
        return RULE_RENDERED if tag in ("iframe", "twitter-widget") else RULE_PLACEHOLDER
    return None


def embed_markup(text: str, lits: Literals) -> list[Evidence]:
    out: list[Evidence] = []
    done = 0
    closes: dict[str, list[int]] = {}  # end offsets of each tag's closing tags, found once
    for anchor in lits.positions(_EMBED_ANCHORS):
        if anchor < done:
            continue
        floor = max(0, anchor - 2100)
        tag_start = max(text.rfind(lt, floor, anchor) for lt in LT_LITERALS)
        m = _EMBED_OPEN.match(text, tag_start) if tag_start >= 0 else None
        if m is None or m.end() <= anchor:
            continue
        tag = m.group("tag").lower()
        rule = _embed_rule(tag, m.group("attrs"))
        if rule is None:
            continue
        if rule is RULE_PLACEHOLDER:
            out.append(hit(rule, m.span()))
            continue
        if tag not in closes:
            closes[tag] = [c.end() for c in _CLOSE[tag].finditer(text)]
        i = bisect_left(closes[tag], m.end() + 1)
        end = m.end()
        if i < len(closes[tag]) and closes[tag][i] <= m.end() + _EMBED_REACH:
            end = closes[tag][i]
        script = _WIDGETS_SCRIPT.match(text, end)
        if script:
            end = script.end()
        out.append(hit(rule, (m.start(), end), _embed_authors(text[m.start() : end])))
        done = end
    return out


# --------------------------------------------------------------------------- attribution


@cache
def _date() -> re.Pattern[str]:
    """An embed date in any of the widget's languages, optionally as a markdown link's text
    ('[May 5, 2014](url)'); built on first use (:mod:`xfilter.detect.dates`)."""
    return re.compile(rf"(?:\[{SP}{{0,2}})?{dates.pattern()}")


# Between '(@handle)' and the date: spaces, and in HTML the opening <a> of the status link.
_DATE_LEAD = re.compile(rf"{SP}{{0,4}}(?:<a\b(?P<attrs>[^<>]{{0,1500}})>{SP}{{0,4}})?")
# The end of the date's link: markdown ']' (with its target) or </a>, after stray spaces.
_DATE_CLOSE = re.compile(rf"{SP}{{0,3}}(?:\](?:\([^()\s]{{1,300}}\))?|</a>)")
_DASH = re.compile(
    r"—|–|―|‒|&mdash;|&#8212;|&#x2014;|&ndash;|&#8211;|&#x2013;|(?<=\s)--?(?=\s)|--", re.I
)
_NAME_MAX = 80  # display names are capped at 50 characters, emoji take two
_LOOSE_ATTRIBUTION = re.compile(
    rf"(?:—|–|&mdash;|&ndash;){SP}{{0,3}}[^\n<>()—–]{{1,60}}?\((?:on|via) (?:Twitter|X)\)"
)
# Medium's rendition: '— <a href=".../copyconstruct/status/941…">@copyconstruct</a>', no date.
_LINKED_ATTRIBUTION = re.compile(
    rf"(?:—|–|&mdash;|&ndash;){SP}{{0,3}}<a\b[^<>]{{0,600}}?href\s*=\s*[\"']?"
    rf"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/({HANDLE})/status/\d{{1,20}}[^<>]{{0,600}}>"
    rf"{SP}{{0,2}}@({HANDLE}){SP}{{0,2}}</a>",
    re.I,
)
_STATUS_ANCHORS = (b"twitter.com/", b"x.com/")


def attributions(text: str) -> list[Evidence]:
    out = []
    for m in _ATTRIBUTION_HANDLE.finditer(text):
        lead = _DATE_LEAD.match(text, m.end())
        date = _date().match(text, lead.end()) if lead else None
        if lead is None or date is None:
            continue
        status = [x for x, _ in urls.iter_x_urls(lead.group("attrs") or "") if x.is_status]
        dashes = [
            d
            for d in _DASH.finditer(text, max(0, m.start() - _NAME_MAX - 10), m.start())
            if "\n" not in text[d.end() : m.start()].strip(" \t\r\u00a0")
            and "<" not in text[d.end() : m.start()]
        ]
        if not dashes and not status:  # '(@h) Date' alone is too weak; a dash or link is not
            continue
        start = dashes[-1].start() if dashes else m.start()
        end = date.end()
        closing = _DATE_CLOSE.match(text, end)
        if closing:
            end = closing.end()
        authors = (m.group(1), *(x.handle for x in status if x.handle))
        out.append(hit(RULE_ATTRIBUTION, (post_start(text, start), end), authors))
    if "(on " not in text and "(via " not in text:  # every loose attribution holds one
        return out
    for m in _LOOSE_ATTRIBUTION.finditer(text):
        out.append(hit(RULE_ATTRIBUTION, (post_start(text, m.start()), m.end())))
    return out


def linked_attributions(text: str, lits: Literals) -> list[Evidence]:
    out = []
    for m in near(_LINKED_ATTRIBUTION, text, lits, _STATUS_ANCHORS, 700, 700):
        span = (post_start(text, m.start()), m.end())
        out.append(hit(RULE_ATTRIBUTION, span, (m.group(1), m.group(2))))
    return out


# --------------------------------------------------------------------------- publisher wrappers

_WRAPPER_MARK = re.compile(
    rf"(?P<kind>Skip|End of) (?:Twitter|X) (?:post|content)(?: (?P<n>\d{{1,3}}))?,?"
    rf"(?: by @?(?P<h>{HANDLE}))?",
    re.I,
)
_WRAPPER_ANCHORS = (b"twitter post", b"twitter content", b" x post", b" x content")
_ALT_POST = re.compile(rf"(?:Twitter|X) post by @({HANDLE})[:：]", re.I)  # BBC image data-alt
# A social-embed card whose alt text is the post: data-alt="Name (@handle): text".
_ALT_TEXT = re.compile(
    rf"(?:data-alt|alt|title|aria-label)\s*=\s*[\"'][^\"'<>]{{0,150}}?\(@({HANDLE})\)[:：]", re.I
)
_VIEW_ON = re.compile(r"View (?:image|video|photo) on (?:Twitter|X)\b")
# The rest of such a rendered card: the author line 'Name @handle' and the footer.
_CARD_AUTHOR = re.compile(rf"^[^\n@]{{1,60}}[ \t]@({HANDLE})[ \t]*\r?$", re.M)
_CARD_END = re.compile(r"(?:Twitter|X) Ads info and privacy")
_CARD_REACH = 1_500
_WRAPPER_REACH = 6_000


def wrappers(text: str, lits: Literals) -> list[Evidence]:
    out = []
    open_skip: dict[tuple[str | None, str | None], re.Match[str]] = {}
    for m in near(_WRAPPER_MARK, text, lits, _WRAPPER_ANCHORS, 12, 60):
        key = ((m.group("h") or "").lower() or None, m.group("n"))
        handle = (m.group("h"),) if m.group("h") else ()
        if m.group("kind").lower() == "skip":
            open_skip[key] = m
            continue
        skip = open_skip.pop(key, None)
        if skip is None or m.start() - skip.start() > _WRAPPER_REACH:
            start = post_start(text, m.start())
        else:
            start = skip.start()
        out.append(hit(RULE_WRAPPER, (start, m.end()), handle))
    for skip in open_skip.values():  # a 'Skip' marker whose end marker is missing
        handle = (skip.group("h"),) if skip.group("h") else ()
        out.append(hit(RULE_WRAPPER, skip.span(), handle))
    for m in near(_ALT_POST, text, lits, (b"twitter post by @", b"x post by @"), 1, 40):
        out.append(hit(RULE_WRAPPER, m.span(), (m.group(1),)))
    for m in near(_ALT_TEXT, text, lits, (b"alt=", b"title=", b"aria-label="), 6, 200):
        out.append(hit(RULE_WRAPPER, m.span(), (m.group(1),)))
    for m in _VIEW_ON.finditer(text):
        author = _CARD_AUTHOR.search(text, m.end(), m.end() + 400)
        card_end = _CARD_END.search(text, m.end(), m.end() + _CARD_REACH)
        span = (post_start(text, m.start()), card_end.end() if card_end else m.end())
        out.append(hit(RULE_WRAPPER, span, (author.group(1),) if author else ()))
    return out
