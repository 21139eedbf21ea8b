"""X signals in a text or HTML string: embedded posts, links and generic mentions.

Embeds are what strict mode rejects and ``redact`` cuts, so every ``x_embed`` span covers the
post itself: the whole ``<blockquote class="twitter-tweet">`` (plus its ``widgets.js``
script), or the post text before an attribution line through its date (X_REFERENCE §3).

Speed: most patterns are tried only near a literal anchor found with ``bytes.find`` on an
ASCII-lower-cased copy (``urls.lowered``), because Python's ``re`` tries every position of a
pattern that starts with a lookbehind or a character class. Every repetition is bounded, so a
scan is linear in the input length.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator

from xfilter.detect import urls
from xfilter.detect.evidence import Evidence, Rule, hit

RULE_BLOCKQUOTE = Rule(
    "embed.blockquote", "x_embed", "blockquote.twitter-tweet embed markup (also escaped in JSON)"
)
RULE_AMP = Rule("embed.amp", "x_embed", "<amp-twitter data-tweetid> AMP embed")
RULE_RENDERED = Rule("embed.rendered", "x_embed", "embed already rendered by widgets.js")
RULE_WIDGET = Rule(
    "embed.widget", "x_embed", "a timeline, sidebar or live-blog widget renders post text"
)
RULE_RETWEET = Rule("embed.retweet", "x_embed", "'RT @handle:' retweet text")
RULE_ATTRIBUTION = Rule(
    "text.attribution", "x_embed", "post text closed by '— Name (@handle) Date' (embed residue)"
)
RULE_PIC_DISPLAY = Rule(
    "text.pic_display", "x_embed", "pic.twitter.com display link: only rendered posts show it"
)
RULE_WRAPPER = Rule(
    "text.publisher_wrapper", "x_embed", "publisher embed wrapper ('End of Twitter post by @h')"
)
RULE_PLACEHOLDER = Rule(
    "link.placeholder", "x_link", "an element holding a post id (data-tweet-id) for a script"
)
RULE_SHARE_BUTTON = Rule("mention.share_button", "x_mention", "X share/follow button markup")
RULE_META = Rule("mention.meta", "x_mention", "<meta name='twitter:…'> card tags")
RULE_FOLLOW = Rule("mention.follow", "x_mention", "'Follow @handle' / 'follow us on Twitter'")
RULE_WORD = Rule("mention.word", "x_mention", "names Twitter, tweets or X as a platform")

Enough = Callable[[list[Evidence]], bool]

RULES: tuple[Rule, ...] = (
    RULE_BLOCKQUOTE,
    RULE_AMP,
    RULE_RENDERED,
    RULE_WIDGET,
    RULE_RETWEET,
    RULE_ATTRIBUTION,
    RULE_PIC_DISPLAY,
    RULE_WRAPPER,
    RULE_PLACEHOLDER,
    RULE_SHARE_BUTTON,
    RULE_META,
    RULE_FOLLOW,
    RULE_WORD,
    *urls.RULES,
)

_H = r"[A-Za-z0-9_]{1,20}"  # a handle; twitter-text allows up to 20 characters
# One space: Unicode spaces (NBSP; the hair spaces around Medium's dash) or their entities.
_SP = (
    r"(?:[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]"
    r"|&nbsp;|&#160;|&#x200a;|&#8202;|&thinsp;|&hairsp;)"
)
# Markup may be live (<), entity-escaped (&lt;) or JSON-escaped (\u003c) inside a script.
_LT = r"(?:<|&lt;|\\u003c|\\x3c)"
_GT = r"(?:>|&gt;|\\u003e|\\x3e)"
_LT_LITERALS = ("<", "&lt;", "\\u003c", "\\x3c")


def _near(
    pattern: re.Pattern[str],
    text: str,
    lits: urls.Literals,
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


# --------------------------------------------------------------------------- embed markup

_EMBED_TAGS = ("blockquote", "div", "twitter-widget", "amp-twitter", "iframe", "figure", "section")
_EMBED_OPEN = re.compile(
    rf"{_LT}(?P<tag>[a-z][a-z-]{{0,20}})\b(?P<attrs>[^<>]{{0,2000}}?){_GT}", re.I
)
_EMBED_ANCHORS = (b"twitter-tweet", b"twitter-video", b"amp-twitter", b"data-tweet")
# A class token; a digit may precede it when the quote is JSON-escaped (class=\u0022twitter-…).
_EMBED_CLASS = re.compile(r"(?<![A-Za-z_-])twitter-(?:tweet|video)(?![\w-])", re.I)
_TWEET_ID_ATTR = re.compile(r"data-tweet-?id\s*=", re.I)
_ESCAPED_SPACE = r"(?:\s|\\[nrt]){0,40}"
_WIDGETS_SCRIPT = re.compile(
    rf"{_ESCAPED_SPACE}{_LT}script\b[^<>]{{0,600}}?widgets\.js[^<>]{{0,600}}?{_GT}"
    rf"{_ESCAPED_SPACE}{_LT}\\{{0,2}}/script{_GT}",
    re.I,
)
_CLOSE = {t: re.compile(rf"{_LT}\\{{0,2}}/{t}\s{{0,5}}{_GT}", re.I) for t in _EMBED_TAGS}
_EMBED_REACH = 30_000  # an embed's markup is a few KB; never look further for its end
_ATTRIBUTION_HANDLE = re.compile(rf"\({_SP}{{0,3}}[@＠]({_H}){_SP}{{0,3}}\)")


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


def _embed_markup(text: str, lits: urls.Literals) -> list[Evidence]:
    out: list[Evidence] = []
    done = 0
    closes: dict[str, list[int]] = {}  # end offsets of each tag's closing tags, found once
    for anchor in lits.positions(_EMBED_ANCHORS):
        if anchor < done:
            continue
        floor = max(0, anchor - 2100)
        tag_start = max(text.rfind(lt, floor, anchor) for lt in _LT_LITERALS)
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

_MONTH_WORD = r"[^\W\d_]{3,12}\.?"
_DATE = re.compile(
    rf"(?:\[{_SP}{{0,2}})?(?:"
    # May 5, 2014
    rf"{_MONTH_WORD}{_SP}{{1,3}}\d{{1,2}}(?:st|nd|rd|th)?,{_SP}{{0,3}}\d{{4}}"
    # 28. Mai 2016, 28 de mayo de 2016, 16 мая 2018 г.
    rf"|\d{{1,2}}(?:\.|er|º)?{_SP}{{1,3}}(?:de{_SP}{{1,3}})?{_MONTH_WORD}{_SP}{{1,3}}"
    rf"(?:de{_SP}{{1,3}})?\d{{4}}(?:{_SP}{{0,2}}г\.?)?"
    # 2016年5月28日, 2016년 5월 28일
    rf"|\d{{4}}{_SP}{{0,2}}[年년]{_SP}{{0,2}}\d{{1,2}}{_SP}{{0,2}}[月월]{_SP}{{0,2}}\d{{1,2}}"
    rf"{_SP}{{0,2}}[日일]"
    # 2016. május 28.
    rf"|\d{{4}}\.{_SP}{{1,3}}{_MONTH_WORD}{_SP}{{1,3}}\d{{1,2}}\."
    r")(?!\d)"  # the next word may be glued on: '2017In the Saturday tweets'
)
# Between '(@handle)' and the date: spaces, and in HTML the opening <a> of the status link.
_DATE_LEAD = re.compile(rf"{_SP}{{0,4}}(?:<a\b(?P<attrs>[^<>]{{0,1500}})>{_SP}{{0,4}})?")
_DATE_CLOSE = re.compile(r"\](?:\([^()\s]{1,300}\))?|</a>")  # markdown link or </a>
_DASH = re.compile(
    r"—|–|―|‒|&mdash;|&#8212;|&#x2014;|&ndash;|&#8211;|&#x2013;|(?<=\s)--?(?=\s)|--", re.I
)
_NAME_MAX = 80  # display names are capped at 50 characters, emoji take two
_LOOSE_ATTRIBUTION = re.compile(
    rf"(?:—|–|&mdash;|&ndash;){_SP}{{0,3}}[^\n<>()—–]{{1,60}}?\((?:on|via) (?:Twitter|X)\)"
)
# Medium's rendition: '— <a href=".../copyconstruct/status/941…">@copyconstruct</a>', no date.
_LINKED_ATTRIBUTION = re.compile(
    rf"(?:—|–|&mdash;|&ndash;){_SP}{{0,3}}<a\b[^<>]{{0,600}}?href\s*=\s*[\"']?"
    rf"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/({_H})/status/\d{{1,20}}[^<>]{{0,600}}>"
    rf"{_SP}{{0,2}}@({_H}){_SP}{{0,2}}</a>",
    re.I,
)
_STATUS_ANCHORS = (b"twitter.com/", b"x.com/")
# What may precede an attribution that sits on its own line: quote marks, tags, entities,
# spaces, and the post's own trailing links ('pic.twitter.com/x — Name (@h) Date').
_LINE_LEAD = re.compile(
    r"(?:[\s>\u00a0]|<[^<>]{0,200}>|&#?\w{1,8};"
    r"|(?:https?://)?(?:t\.co|pic\.(?:twitter|x)\.com)/[A-Za-z0-9]{1,40}){0,20}"
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\u00a0]*\n")
_POST_REACH = 1_000  # a post is <= 280 characters plus links; longer back-spans are prose


def _post_start(text: str, pos: int) -> int:
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


def _attributions(text: str) -> list[Evidence]:
    out = []
    for m in _ATTRIBUTION_HANDLE.finditer(text):
        lead = _DATE_LEAD.match(text, m.end())
        date = _DATE.match(text, lead.end()) if lead else None
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
        out.append(hit(RULE_ATTRIBUTION, (_post_start(text, start), end), authors))
    for m in _LOOSE_ATTRIBUTION.finditer(text):
        out.append(hit(RULE_ATTRIBUTION, (_post_start(text, m.start()), m.end())))
    return out


def _linked_attributions(text: str, lits: urls.Literals) -> list[Evidence]:
    out = []
    for m in _near(_LINKED_ATTRIBUTION, text, lits, _STATUS_ANCHORS, 700, 700):
        span = (_post_start(text, m.start()), m.end())
        out.append(hit(RULE_ATTRIBUTION, span, (m.group(1), m.group(2))))
    return out


# --------------------------------------------------------------------------- publisher wrappers

_WRAPPER_MARK = re.compile(
    rf"(?P<kind>Skip|End of) (?:Twitter|X) (?:post|content)(?: (?P<n>\d{{1,3}}))?,?"
    rf"(?: by @?(?P<h>{_H}))?",
    re.I,
)
_WRAPPER_ANCHORS = (b"twitter post", b"twitter content", b" x post", b" x content")
_ALT_POST = re.compile(rf"(?:Twitter|X) post by @({_H})[:：]", re.I)  # BBC image data-alt
# A social-embed card whose alt text is the post: data-alt="Name (@handle): text".
_ALT_TEXT = re.compile(
    rf"(?:data-alt|alt|title|aria-label)\s*=\s*[\"'][^\"'<>]{{0,150}}?\(@({_H})\)[:：]", re.I
)
_VIEW_ON = re.compile(r"View (?:image|video|photo) on (?:Twitter|X)\b")
# The rest of such a rendered card: the author line 'Name @handle' and the footer.
_CARD_AUTHOR = re.compile(rf"^[^\n@]{{1,60}}[ \t]@({_H})[ \t]*\r?$", re.M)
_CARD_END = re.compile(r"(?:Twitter|X) Ads info and privacy")
_CARD_REACH = 1_500
_WRAPPER_REACH = 6_000


def _wrappers(text: str, lits: urls.Literals) -> list[Evidence]:
    out = []
    open_skip: dict[tuple[str | None, str | None], re.Match[str]] = {}
    for m in _near(_WRAPPER_MARK, text, lits, _WRAPPER_ANCHORS, 12, 60):
        key = ((m.group("h") or "").lower() or None, m.group("n"))
        handle = (m.group("h"),) if m.group("h") else ()
        if m.group("kind").lower() == "skip":
            open_skip[key] = m
            continue
        skip = open_skip.pop(key, None)
        if skip is None or m.start() - skip.start() > _WRAPPER_REACH:
            start = _post_start(text, m.start())
        else:
            start = skip.start()
        out.append(hit(RULE_WRAPPER, (start, m.end()), handle))
    for skip in open_skip.values():  # a 'Skip' marker whose end marker is missing
        handle = (skip.group("h"),) if skip.group("h") else ()
        out.append(hit(RULE_WRAPPER, skip.span(), handle))
    for m in _near(_ALT_POST, text, lits, (b"twitter post by @", b"x post by @"), 1, 40):
        out.append(hit(RULE_WRAPPER, m.span(), (m.group(1),)))
    for m in _near(_ALT_TEXT, text, lits, (b"alt=", b"title=", b"aria-label="), 6, 200):
        out.append(hit(RULE_WRAPPER, m.span(), (m.group(1),)))
    for m in _VIEW_ON.finditer(text):
        author = _CARD_AUTHOR.search(text, m.end(), m.end() + 400)
        card_end = _CARD_END.search(text, m.end(), m.end() + _CARD_REACH)
        span = (_post_start(text, m.start()), card_end.end() if card_end else m.end())
        out.append(hit(RULE_WRAPPER, span, (author.group(1),) if author else ()))
    return out


# --------------------------------------------------------------------------- rendered posts

# Display form of a post's media link; in an href it is a link, in visible text a post.
# Extractors glue it to the word before ('#COP26pic.twitter.com/…'), so letters may precede.
# A post's media link closes its text, so a display link that is followed by more prose, or
# introduced as a credit ('Photo: pic.twitter.com/…, via …'), only points at the image.
_PIC_DISPLAY = re.compile(
    r"(?<![/.=\"'_-])pic\.(?:twitter|x)\.com/[A-Za-z0-9]{4,40}"
    rf"(?={_SP}{{0,3}}(?:\Z|[\r\n<\"\\—–-]|&mdash;|&ndash;|pic\.|https?://|t\.co/|End of))",
    re.I,
)
_CREDIT = re.compile(
    rf"(?:photo|image|picture|pic|credit|source|foto|bild|imagen)s?(?:{_SP}by)?{_SP}{{0,2}}[:：]?"
    rf"{_SP}{{0,3}}\Z",
    re.I,
)
# 'RT @handle:'; some widgets link only part of a handle ('RT <a>@av</a>_news:'), so handle
# characters glued after the link belong to it.
_RETWEET = re.compile(
    rf"\bRT (?:@(?:<a\b[^<>]{{0,600}}>)?|<a\b[^<>]{{0,600}}>{_SP}{{0,2}}(?:@|&#64;))"
    rf"({_H})(?:</a>([A-Za-z0-9_]{{1,19}}))?\b"
)
# API text of a truncated post ends "… https://t.co/xyz" (X_REFERENCE §2.1).
_TRUNCATED = re.compile(
    rf"(?:…|&hellip;|&#8230;)(?:{_SP}|</[a-z]{{1,10}}>){{0,4}}"
    r"(?:<a\b[^<>]{0,400}?href\s*=\s*[\"']?)?(?:https?://)?"
    r"(?:t\.co/[A-Za-z0-9]{1,40}|(?:www\.)?(?:twitter|x)\.com/i/web/status/)",
    re.I,
)
# An entity rendered by X: an <a> to t.co whose visible text is the expanded display URL.
_TCO_DISPLAY = re.compile(
    r"<a\b[^<>]{0,600}?href\s*=\s*[\"']?https?://t\.co/[A-Za-z0-9]{1,40}(?=[\"'\s>])[^<>]{0,600}>"
    rf"{_SP}{{0,3}}(?!https?://t\.co)(?:https?://)?[\w-]{{1,63}}(?:\.[\w-]{{1,63}}){{1,5}}"
    r"(?:/[^<]{0,200})?<",
    re.I,
)
# A class attribute naming a tweet; a t.co link after it, with no element closed between, is
# part of a rendered post ('<div class="ts-fab-twitter-tweet">text <a href=t.co/…>').
_TWEET_CLASS = re.compile(r"class\s*=\s*[\"']?[^\"'<>]{0,200}?tweet", re.I)
# An element classed as a post's text ('tweet-text', 'tweet__content'); it is a rendered post
# when its displayed author (_AUTHOR_LINK) is near.
_TWEET_TEXT = re.compile(
    rf"{_LT}[a-z]{{1,10}}\b[^<>]{{0,600}}?class\s*=\s*[\"']?[^\"'<>]{{0,200}}?"
    rf"tweet(?:[-_]{{1,2}}|(?=Text))(?:text|content|body)(?![\w-])[^<>]{{0,600}}{_GT}",
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
_MONTH_NAME = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mär|mai|okt|dez|janv|févr|avr|juin"
    r"|juil|déc|ene|abr|ago|dic)[^\W\d_]{0,6}\.?"
)
# The anchor text of a rendered post's permalink: '5 hours ago', 'vor 3 Tagen', '18 Aug'.
_TIME_TEXT = re.compile(
    rf"(?:(?:about|vor|il y a|hace|há|ca\.?){_SP}{{1,3}})?(?:\d{{1,3}}|an?|one){_SP}{{0,3}}"
    rf"{_TIME_UNITS}\.?(?:{_SP}{{1,3}}ago)?"
    rf"|{_MONTH_NAME}{_SP}{{1,2}}\d{{1,2}}(?:,{_SP}{{1,2}}\d{{4}})?"
    rf"|\d{{1,2}}\.?{_SP}{{1,2}}{_MONTH_NAME}(?:{_SP}{{1,2}}\d{{4}})?",
    re.I,
)
_ANCHOR_TEXT = re.compile(
    rf"[^<>]{{0,1500}}?>(?:{_SP}|<[^<>/]{{1,200}}>){{0,3}}(?P<text>[^<>]{{1,60}})<", re.I
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
    rf"(?:intent/user\?screen_name=|(?!intent/))(?P<GROUP>{_H})[\"'/?]"
)
_AUTHOR_LINK = re.compile(
    rf"{_AUTHOR_CLASS}[^\"'<>]{{0,200}}[\"'][^<>]{{0,400}}?(?:>{_SP}{{0,40}}<a\b[^<>]{{0,400}}?)?"
    + _PROFILE_HREF.replace("GROUP", "h1")
    + "|"
    + _PROFILE_HREF.replace("GROUP", "h2")
    + rf"[^<>]{{0,400}}?{_AUTHOR_CLASS}"
    + rf"|intent/user\?[^\"'<>]{{0,100}}[\"'][^<>]{{0,300}}>{_SP}{{0,3}}(?:@|&#64;)(?P<h3>{_H})<",
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
    text: str, lits: urls.Literals, links: list[tuple[urls.XUrl, tuple[int, int]]]
) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, permalink handles) of post text that a widget rendered into the page."""
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    truncated_anchors = (b"t.co/", b"twitter.com/i/web/status/", b"x.com/i/web/status/")
    for m in _near(_TRUNCATED, text, lits, truncated_anchors, 600, 80):
        spans.append((_post_start(text, m.start()), m.end(), ()))
    for m in _near(_TCO_DISPLAY, text, lits, (b"t.co/",), 700, 1300):
        spans.append((_post_start(text, m.start()), m.end(), ()))
    for m in _near(_POST_ACTIONS, text, lits, (b"tweet",), 30, 40):
        spans.append((m.start(), m.end(), ()))
    classed = [m.start() for m in _near(_TWEET_CLASS, text, lits, (b"tweet",), 220, 10)]
    for xurl, (start, end) in links:
        i = bisect_left(classed, start) - 1
        if (
            xurl.kind == "tco"
            and i >= 0
            and start - classed[i] <= _WIDGET_REACH
            and text.find("</", classed[i], start) < 0
        ):
            spans.append((_post_start(text, start), end, ()))
        if xurl.is_status:
            anchor = _ANCHOR_TEXT.match(text, end)
            if anchor and _TIME_TEXT.fullmatch(anchor.group("text").strip(" \t\r\n\u00a0")):
                spans.append((start, anchor.end(), (xurl.handle,) if xurl.handle else ()))
    return spans


def _rendered_posts(
    text: str, lits: urls.Literals, links: list[tuple[urls.XUrl, tuple[int, int]]]
) -> list[Evidence]:
    out = []
    for m in _near(_RETWEET, text, lits, (b"rt @", b"rt <a"), 1, 700):
        out.append(hit(RULE_RETWEET, m.span(), ((m.group(1) + (m.group(2) or ""))[:20],)))
    for m in _near(_PIC_DISPLAY, text, lits, (b"pic.twitter.com/", b"pic.x.com/"), 1, 80):
        if not _CREDIT.search(text, max(0, m.start() - 30), m.start()):
            out.append(hit(RULE_PIC_DISPLAY, (_post_start(text, m.start()), m.end())))
    widgets = _widget_spans(text, lits, links)
    shown: list[tuple[int, str]] = []  # (offset, handle) of displayed post authors
    if widgets or any(t in lits for t in _TWEET_TEXT_ANCHORS):
        for m in _near(_AUTHOR_LINK, text, lits, _AUTHOR_ANCHORS, 700, 1500):
            handle = m.group("h1") or m.group("h2") or m.group("h3")
            if handle.lower() not in urls.RESERVED_PATHS:
                shown.append((m.start(), handle))
    positions = [pos for pos, _ in shown]
    for m in _near(_TWEET_TEXT, text, lits, _TWEET_TEXT_ANCHORS, 1400, 40):
        i = bisect_left(positions, m.start() - _WIDGET_REACH)
        if i < len(positions) and positions[i] <= m.start() + _WIDGET_REACH:
            close = _CLOSE_ANY.search(text, m.end(), m.end() + _WIDGET_REACH)
            widgets.append((m.start(), close.end() if close else m.end(), ()))
    for start, end, handles in widgets:
        lo = bisect_left(positions, start - _WIDGET_REACH)
        hi = bisect_left(positions, end + _WIDGET_REACH + 1)
        near = tuple(dict.fromkeys(h for _, h in shown[lo : min(hi, lo + 50)]))
        # The displayed author beats a permalink's handle (some widgets link a placeholder).
        out.append(hit(RULE_WIDGET, (start, end), near or handles))
    return out


# --------------------------------------------------------------------------- mentions

_SHARE_BUTTON = re.compile(
    r"twitter-(?:share|follow|hashtag|mention)-button|(?<![\w-])twitter-timeline(?![\w-])"
    r"|a2a_button_twitter|twitter-tweet-btn|addthis_button_twitter|tweetmeme",
    re.I,
)
_META = re.compile(r"<meta\b[^<>]{0,300}?(?:name|property)\s*=\s*[\"']?twitter:", re.I)
_OTHER_NETWORKS = (
    r"(?:Instagram|Facebook|TikTok|Threads|Bluesky|Mastodon|YouTube|Twitch|LinkedIn|Pinterest"
    r"|Snapchat|Telegram)"
)
_FOLLOW = re.compile(
    rf"\bFollow(?:{_SP}{{1,3}}(?:us|me|him|her|them))?"
    rf"(?:{_SP}{{1,3}}(?:on|at){_SP}{{1,3}}(?:Twitter|X)\b"
    rf"|{_SP}{{1,3}}(?:@|&#64;){_H}\b(?!{_SP}{{0,3}}(?:on|at){_SP}{{1,3}}{_OTHER_NETWORKS}))",
    re.I,
)
_WORD = re.compile(
    r"(?<![a-z])(?:twitter(?:n|t|te|ten)?|(?:re)?tweet(?:s|ed|ing|et|en)?|twitterati|tweetdeck)"
    r"(?![a-z])",
    re.I,
)
_WORD_OTHER_SCRIPTS = re.compile(r"ツイッター|ツイート|推特|트위터|твиттер", re.I)
# "X" alone is a letter; it names the platform only in these constructions.
_X_PLATFORM = re.compile(
    rf"\b(?:posted|posting|wrote|writing|said|shared|announced|commented|replied|reposted"
    rf"|tweeted){_SP}{{1,3}}(?:on|to|via){_SP}X(?![\w&-])"
    rf"|\bX(?:,|{_SP}\()?{_SP}{{0,2}}(?:formerly|previously){_SP}{{1,2}}"
    rf"(?:known{_SP}{{1,2}}as{_SP})?Twitter"
    rf"|\bX{_SP}(?:Corp\b|Premium\b)"
    rf"|\b(?:find|follow|join|reach|contact|message)(?:{_SP}(?:us|me|him|her|them))?{_SP}on{_SP}X"
    r"(?![\w&-])"
    rf"|\bon{_SP}X:?{_SP}{{1,2}}(?:@|&#64;){_H}"
    rf"|\b(?:an|the|his|her|their|its|my|your|our|official|personal){_SP}X{_SP}"
    r"(?:posts?|accounts?|handle|feed|profile|thread)\b"
)
_X_PLATFORM_ANCHORS = (
    b" on x",
    b" to x",
    b" via x",
    b"x corp",
    b"x premium",
    b"formerly",
    b"previously",
    b" x post",
    b" x account",
    b" x handle",
    b" x feed",
    b" x profile",
    b" x thread",
)
# Bootstrap's stylesheet credit names Twitter, Inc. as its author; it is not a mention.
_BOOTSTRAP_CREDIT = re.compile(
    rf"(?:©|&copy;|\(c\)|copyright){_SP}{{0,3}}"
    rf"(?:\d{{4}}(?:{_SP}{{0,2}}[-–]{_SP}{{0,2}}\d{{4}})?,?{_SP}{{0,3}})?Twitter,? Inc",
    re.I,
)
# The run of host characters around a word: 'twitter' inside 'twitter-dash.com', 'twitter.jp'
# or 'press@twitter.com' is a (lookalike) host or address, which the URL rules judge.
_HOST_RUN_AHEAD = re.compile(r"[\w.@-]{0,80}")
_HOST_RUN_BACK = re.compile(r"[\w.@-]{1,80}\Z")
_DOMAIN_LIKE = re.compile(r"[\w-]\.[^\W\d_]")


def _inside_host(text: str, start: int, end: int) -> bool:
    before = _HOST_RUN_BACK.search(text, max(0, start - 80), start)
    after = _HOST_RUN_AHEAD.match(text, end)
    run = (before.group() if before else "") + text[start:end] + (after.group() if after else "")
    return "@" in run or _DOMAIN_LIKE.search(run) is not None


def _word_mention(text: str, lits: urls.Literals) -> re.Match[str] | None:
    credit_anchors = (b"twitter, inc", b"twitter inc")
    credits = [m.span() for m in _near(_BOOTSTRAP_CREDIT, text, lits, credit_anchors, 40, 20)]
    for m in _near(_WORD, text, lits, (b"twitter", b"tweet"), 1, 16):
        if not any(s <= m.start() < e for s, e in credits) and not _inside_host(text, *m.span()):
            return m
    if not text.isascii():
        return _WORD_OTHER_SCRIPTS.search(text)
    return None


def _x_platform(text: str, lits: urls.Literals) -> re.Match[str] | None:
    # _X_PLATFORM is case-sensitive and every branch spells a capital X: without one, skip
    # the anchor search (most texts that name Twitter never name X).
    if "X" not in text:
        return None
    return next(_near(_X_PLATFORM, text, lits, _X_PLATFORM_ANCHORS, 30, 60), None)


def _mentions(text: str, lits: urls.Literals) -> list[Evidence]:
    """At most one hit per mention rule: naming the platform once is enough."""
    share_anchors = (b"twitter", b"tweetmeme")
    found = [
        (RULE_SHARE_BUTTON, next(_near(_SHARE_BUTTON, text, lits, share_anchors, 20, 40), None)),
        (RULE_META, _META.search(text)),
        (RULE_FOLLOW, next(_near(_FOLLOW, text, lits, (b"follow",), 1, 120), None)),
        (RULE_WORD, _word_mention(text, lits)),
        (RULE_WORD, _x_platform(text, lits)),
    ]
    return [hit(rule, m.span()) for rule, m in found if m is not None]


# --------------------------------------------------------------------------- entry points


def analyze_text(text: str, enough: Enough | None = None) -> list[Evidence]:
    """Every X signal in extracted text or raw HTML, with spans in ``text``.

    ``enough``, if given, is asked after each detector whether the evidence so far answers
    the caller's question; then the rest is skipped (``xf.keep`` needs one category that
    rejects, not all of them).
    """
    if not text:
        return []
    lits = urls.Literals(text)
    links = urls.iter_x_urls(text, lits)
    evidence = [urls.url_evidence(xurl, span) for xurl, span in links]
    stages: tuple[Callable[[], list[Evidence]], ...] = (
        lambda: _embed_markup(text, lits),
        lambda: _attributions(text),
        lambda: _linked_attributions(text, lits),
        lambda: _wrappers(text, lits),
        lambda: _rendered_posts(text, lits, links),
        lambda: _mentions(text, lits),
    )
    for stage in stages:
        if enough is not None and enough(evidence):
            break
        evidence += stage()
    return evidence


# RE2 twin of _SP: RE2's \s is ASCII-only, Python's also covers \v, \x1c-\x1f, \x85, U+1680 …
_SP_RE2 = (
    r"(?:[\s\x{0B}\x{1C}-\x{1F}\x{85}\x{A0}\x{1680}\x{2000}-\x{200B}\x{2028}\x{2029}\x{202F}"
    r"\x{205F}\x{3000}]|&nbsp;|&#160;|&#x200a;|&#8202;|&thinsp;|&hairsp;)"
)
# Matches every string analyze_text flags. Like urls.PREFILTER it avoids counted repetitions,
# which would make RE2 leave its fast DFA once joined with the other alternatives.
PREFILTER: str = "|".join(
    [
        urls.PREFILTER,
        r"twitter|tweet|ツイッター|ツイート|推特|트위터|твиттер",
        rf"\({_SP_RE2}*[@＠][a-z0-9_]",  # '(@handle)' of an attribution line
        rf"follow(?:{_SP_RE2}+(?:us|me|him|her|them))?{_SP_RE2}+(?:@|&#64;)|rt (?:@|<a)",
        rf"(?:on|to|via|at){_SP_RE2}x|x{_SP_RE2}(?:corp|premium|posts?|content|accounts?|handle"
        r"|feed|profile|thread)",
    ]
)

# Matches every string on which analyze_text finds more than the mention rules: X hosts with
# their dot (HOST_PREFILTER), embed markup, attribution lines, publisher wrappers and rendered
# posts, each by the literal its pattern cannot match without. A PREFILTER row that misses it
# (web text naming Twitter in passing, the common case) needs only analyze_mentions.
STRONG_PREFILTER: str = "|".join(
    [
        urls.HOST_PREFILTER,
        r"twitter-(?:tweet|video)|amp-twitter|data-tweet",  # _EMBED_ANCHORS
        rf"\({_SP_RE2}*[@＠][a-z0-9_]|\((?:on|via) (?:twitter|x)\)",  # attributions, alt text
        r"(?:skip|end of) (?:twitter|x) (?:post|content)|(?:twitter|x) post by @",  # wrappers
        r"view (?:image|video|photo) on (?:twitter|x)",
        r"rt (?:@|<a)",  # _RETWEET
        r"intent/(?:retweet|like|favorite)\?tweet_id=|intent/tweet\?in_reply_to=",
        r"tweet(?:[-_]|[-_][-_])?(?:text|content|body)",  # _TWEET_TEXT
    ]
)


def analyze_mentions(text: str) -> list[Evidence]:
    """What analyze_text finds in a string that STRONG_PREFILTER does not match."""
    return _mentions(text, urls.Literals(text)) if text else []
