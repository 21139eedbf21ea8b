"""Copies of how X and embed components display a post: the X web interface copied as text
(name, @handle, date, text, reply/repost/like counts), post cards drawn by embed components
(as HTML and as the text an extractor leaves), thread-unroll pages and quote cards.

Every display of a post puts its author's handle in a header: X's timeline writes
"Name / @handle / · / 2h", its post page and its embed iframe close the post with
"10:42 AM · Mar 3, 2024", and the embed components that copy the iframe (react-tweet and its
kin) write "Name @handle · Follow … Reply Copy link Read 34 replies". The rules find that header,
name the handle and cut the post from the name line to its counts or footer. Handles of other
platforms (``@user@instance``, ``@user.bsky.social``) are followed by '@' or '.', never by the
separator, so they are not headers.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache

from xfilter.detect import dates
from xfilter.detect.evidence import HANDLE, Evidence, Rule, hit
from xfilter.detect.normalize import Literals
from xfilter.detect.textmatch import SP
from xfilter.detect.urls import RESERVED_PATHS, XUrl, parse_x_url

RULE_WEB_COPY = Rule(
    "interface.web_copy",
    "x_embed",
    "a post as X or an embed card displays it, copied as text: name, @handle, '·', date, text",
)
RULE_QUOTE_CARD = Rule(
    "interface.quote_card",
    "x_embed",
    "a post quoted inside another: 'Quote' then name, @handle, '·', date and text",
)
RULE_CARD_MARKUP = Rule(
    "interface.card_markup",
    "x_embed",
    "an embed component's post card in HTML: Discourse onebox, Substack tweet card",
)
RULE_THREAD_UNROLL = Rule(
    "interface.thread_unroll",
    "x_embed",
    "a thread unrolled by Thread Reader App: 'Thread by @handle', the posts, 'force a refresh'",
)
RULE_COMPONENT = Rule(
    "interface.component",
    "x_embed",
    "a page source's embed component or shortcode that renders a post by its id or URL "
    "(<Tweet id>, Hugo {{< tweet >}}, Jekyll {% twitter %}, WordPress [embed])",
)
RULES: tuple[Rule, ...] = (
    RULE_WEB_COPY,
    RULE_QUOTE_CARD,
    RULE_CARD_MARKUP,
    RULE_THREAD_UNROLL,
    RULE_COMPONENT,
)

# The dot between a header's parts: '·' on X, '∙' on Substack, '•' on some extractors.
_DOT_RE2 = r"(?:[·∙•]|&middot;|&#183;|&#xb7;|&bull;|&#8226;)"
_GAP_RE2 = r"(?:\s|&nbsp;|<[^<>]*>)*"
_MONTHS_RE2 = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
# RE2 patterns (Hyperscan-compatible, no counted repetitions) that match every string on which
# ``find`` returns anything.
PREFILTER: str | None = "|".join(
    [
        rf"[@＠][a-z0-9_]+{_GAP_RE2}{_DOT_RE2}",  # '@handle ·' of a header
        rf"[0-9]:[0-9][0-9](?:\s|&nbsp;)*(?:[ap]\.?\s?m\.?)?{_GAP_RE2}{_DOT_RE2}",  # '10:42 AM ·'
        rf"[ap]\.?m\.?(?:\s|&nbsp;)*[-–](?:\s|&nbsp;)*[0-9]+(?:\s|&nbsp;)+{_MONTHS_RE2}",
        r"thread\s*reader|threadreaderapp|thread\s+by\s+(?:[@＠]|<a)",
        r"[”\"]\s*[—–―-]+\s*[@＠][a-z0-9_]",  # '“text” — @handle, Date' or at a line's end
        r"twitterstatus",
        r"data-attrs=[^>]*(?:full_text|tweet_id)",
        # X's own date and time, as TweetQA and copies glued by extractors keep them
        r"[0-9]/[0-9]+/[0-9][0-9][0-9][0-9],\s*[0-9]+:[0-9][0-9]:[0-9][0-9]\s*[ap]m",
        # embed components and shortcodes in page sources
        r"<(?:tweet|tweetembed|twittertweetembed|statictweet|clienttweet|embeddedtweet)\s",
        r"\{\{<\s*(?:tweet|x)\s|\{%\s*twitter\s|\[(?:tweet|embed)\]?\s*https?://",
    ]
)
# Everything ``find`` flags is an embedded post, so both prefilters are the same.
STRONG_PREFILTER: str | None = PREFILTER

_DOT = r"(?:[·∙•]|&middot;|&#183;|&#xb7;|&bull;|&#8226;)"
# Where a header's dot or a timestamp's separator may be; the old widget's dash
# ('4:05 PM - 3 Mar 2024') only after AM/PM, since ' - ' alone is everywhere.
_DOT_CHARS = ("·", "∙", "•")
_SEPARATOR_LITERALS = (b"&middot;", b"&#183;", b"&#xb7;", b"&bull;", b"&#8226;", b"m - ")
_TAG = r"<[^<>]{0,400}>"
_GAP = rf"(?:{SP}|{_TAG}){{0,12}}"
_REACH = 3_000  # a displayed post: header, up to 280 (or a long post's) characters, counts
# X's relative times: '5s', '12m', '2h', '3d'; lower-case, so '12M subscribers' is none.
_RELATIVE = r"\d{1,2}(?:s|m|h|d|w|y|min|hr)(?!\w)"
# A time of day as X prints it before the date: '10:42 AM', '15:39', '午後3:39'.
_TIME = (
    r"(?:(?:午前|午後|上午|下午|오전|오후)" + SP + r"?)?(?<!\d)\d{1,2}[:.]\d{2}"
    rf"(?:{SP}?(?i:[ap]\.?{SP}?m\.?))?"
)
# Digits of a time of day: what must precede a timestamp's separator, checked before the full
# timestamp pattern (whose date part spans every CLDR month name) is tried.
_CLOCK = re.compile(r"\d[:.]\d\d")
# The end of a card: its footer link, or the counts and actions under a post.
_FOOTER = re.compile(
    r"Read [\d.,]{1,9}[KMB]? repl(?:y|ies)|Read more on (?:X|Twitter)|View on (?:X|Twitter)"
    r"|Copy link(?: to (?:post|Tweet))?",
    re.I,
)
_COUNT_ITEM = (
    r"(?:\d[\d.,]{0,8}(?:[KMB万千]|&nbsp;?[KM])?|Views?|Repl(?:y|ies)|Reposts?|Retweets?|Likes?"
    r"|Bookmarks?|Quotes?|Share|Copy link)(?!\w)"
)
_COUNTS = re.compile(rf"(?:(?:{SP}|{_TAG}){{1,12}}{_COUNT_ITEM}){{2,16}}", re.I)
_BODY = re.compile(rf"{_GAP}[^\s<>]")
_PARAGRAPH = re.compile(r"\n[ \t\r\u00a0]*\n")
_QUOTE_LEAD = re.compile(rf"(?i:quoted?(?:{SP}(?:tweet|post))?|quote tweet){_GAP}\Z")
_THREAD_BY = re.compile(rf"Thread by{SP}{{1,3}}[@＠]({HANDLE})(?!\w)", re.I)
# 'Thread by @h' heading an unrolled thread (any unroller), as text or as a linked heading.
_THREAD_TITLE = re.compile(
    rf"(?:^|\n|>)(?:{SP}|<[^<>/]{{0,400}}>){{0,4}}Thread by{SP}{{1,3}}(?:<a\b[^<>]{{0,400}}>)?"
    rf"[@＠]({HANDLE})(?![\w@.])",
    re.I,
)
# A quote card: the post in quotation marks, then '— @handle, Date' or '— @handle' ending the
# line.
_QUOTE_ATTRIBUTION = re.compile(
    rf"[“\"](?P<text>[^“”\"]{{1,1200}})[”\"]{SP}{{0,4}}[—–―-]{{1,2}}{SP}{{0,2}}[@＠](?P<handle>{HANDLE})"
    r"(?:,|(?=[ \t]{0,4}(?:\r?\n|\Z)))"
)
_LINE_CLOSE = re.compile(r"[ \t]{0,4}(?:\r?\n|\Z)")
_SCREENNAME_ATTR = re.compile(rf"data-screenname\s*=\s*[\"']?({HANDLE})[\"'\s>]", re.I)
_UNROLL_BODY = re.compile(
    r"force a refresh|\d{1,4} (?:tweets|posts) • \d{1,3} min read|Read on (?:X|Twitter)\b"
    r"|data-tweet\s*=\s*[\"']?\d",
    re.I,
)
_ONEBOX = re.compile(r"<aside\b[^<>]{0,400}?class\s*=\s*[\"'][^\"'<>]{0,200}twitterstatus", re.I)
_ONEBOX_HANDLE = re.compile(
    rf"twitter-screen-name[^<>]{{0,200}}>{_GAP}(?:@|&#64;)({HANDLE})<"
    rf"|<h4>{_GAP}(?:<a\b[^<>]{{0,400}}>)?[^<>()]{{1,100}}\(@?({HANDLE})\)",
    re.I,
)
_DATA_ATTRS = re.compile(r"data-attrs\s*=\s*\"(\{[^\"<>]{0,20000}\})\"", re.I)
# 'Zach Lowe @ZachLowe_NBAOnly bad things…12/5/2016, 3:19:20 PM': a post copied from X with its
# parts glued together (TweetQA's contexts are this), closed by X's locale date and time.
_GLUED_STAMP = re.compile(
    r"\d{1,2}/\d{1,2}/\d{4},\s{0,2}\d{1,2}:\d{2}:\d{2}\s{0,2}[AaPp][Mm](?!\w)"
)
# Every _GLUED_STAMP holds this, and a pattern led by a literal is found by a quick scan for
# it (one led by a class is tried at every position): texts without it skip the stamp search.
_GLUED_STAMP_HINT = re.compile(r":\d{2}:\d{2}")
_GLUED_HANDLE = re.compile(rf"(?<![\w@])[@＠]({HANDLE})")
_GLUED_REACH = 600  # characters between the handle and the stamp: one post
# Components and shortcodes that render one post from its id or URL when the page is built.
_COMPONENT = re.compile(
    r"<(?:Tweet|TweetEmbed|TwitterTweetEmbed|StaticTweet|ClientTweet|EmbeddedTweet)\b"
    r"[^<>]{0,300}?\b(?:id|tweetId|tweet_id)\s*=\s*\{?\s*[\"']?(?P<id>\d{5,20})"
    r"|\{\{<\s{0,4}(?:tweet|x)\b(?P<hugo>[^{}]{0,300}?)>\}\}"
    r"|\{%\s{0,4}twitter\s{1,4}(?P<jekyll>https?://[^\s{}%]{1,300})[^{}]{0,200}%\}"
    r"|\[(?:tweet\s{1,4}|embed\]\s{0,4})(?P<wp>https?://[^\s\[\]]{1,300})",
)
_HUGO_USER = re.compile(rf"\buser\s*=\s*[\"']?({HANDLE})\b")
_HUGO_ID = re.compile(r"(?:\bid\s*=\s*[\"']?|^\s*)(\d{5,20})\b")


@cache
def _header() -> re.Pattern[str]:
    """'@handle · when' where when is 'Follow', a relative time or a date (anchored at '@')."""
    month = dates.month_pattern()
    month_day = (
        rf"(?:{month})\.?{SP}{{1,2}}\d{{1,2}}(?!\d)|\d{{1,2}}\.?{SP}{{1,2}}(?:{month})(?!\w)"
    )
    return re.compile(
        rf"[@＠](?P<handle>{HANDLE})(?![\w@.]){_GAP}{_DOT}{_GAP}"
        rf"(?P<when>(?P<follow>Follow)\b|{_RELATIVE}|{dates.pattern()}|{month_day})"
    )


@cache
def _stamp() -> re.Pattern[str]:
    """'10:42 AM · Mar 3, 2024': the time and date X prints under a post."""
    return re.compile(rf"{_TIME}{_GAP}(?:{_DOT}|[-–]){_GAP}(?:{dates.pattern()})")


# A handle that ends its line: the header of X's post page ('Name / @handle / text').
_LINE_HANDLE = re.compile(rf"[@＠]({HANDLE})(?![\w@.])(?=[ \t\u00a0]*(?:\r?\n|<|\Z))")


def _handle_boundary(text: str, at: int) -> bool:
    """Whether the '@' at ``at`` starts a handle (not an e-mail address or a path)."""
    return at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_@./&-")


def _name_start(text: str, at: int) -> int | None:
    """Where the display name before the handle at ``at`` begins, or None without one."""
    pos = at
    floor = max(0, at - 1_500)
    while pos > floor:
        ch = text[pos - 1]
        if ch.isspace():
            pos -= 1
        elif ch == ">":
            lt = text.rfind("<", max(floor, pos - 401), pos)
            if lt < 0:
                return None
            pos = lt
        elif text.endswith("&nbsp;", floor, pos):
            pos -= 6
        else:
            break
    if pos <= floor:
        return None
    line = max(text.rfind("\n", floor, pos), text.rfind(">", floor, pos)) + 1
    return line if pos - line <= 120 else pos - 120


def _post_end(text: str, start: int, limit: int) -> int:
    """Where the displayed post whose text starts at ``start`` ends: after its counts or its
    card footer, else at its paragraph's end."""
    ends = [
        m.end()
        for m in (_FOOTER.search(text, start, limit), _COUNTS.search(text, start, limit))
        if m
    ]
    if ends:
        return max(ends)
    para = _PARAGRAPH.search(text, start + 1, limit)
    return para.start() if para else min(limit, start + 1_000)


def _headers(text: str, lits: Literals) -> list[tuple[re.Match[str], int]]:
    """Every '@handle · when' header, with where its name line begins."""
    header = _header()
    found = []
    for at in lits.positions((b"@",)):
        if not _handle_boundary(text, at):
            continue
        m = header.match(text, at)
        if m is None or m["handle"].lower() in RESERVED_PATHS:
            continue
        start = _name_start(text, at)
        if start is not None and _BODY.match(text, m.end()):
            found.append((m, start))
    return found


def _is_card(text: str, m: re.Match[str]) -> bool:
    """Whether a '@handle · Follow' header heads a post (its footer or date follows)."""
    limit = min(len(text), m.end() + _REACH)
    return bool(_FOOTER.search(text, m.end(), limit) or _stamp().search(text, m.end(), limit))


def _web_copies(text: str, lits: Literals, separators: list[int]) -> list[Evidence]:
    """Posts under a '@handle · when' header, and quote cards ('Quote' before the header)."""
    out = []
    headers = _headers(text, lits) if separators else []
    for i, (m, start) in enumerate(headers):
        if m["follow"] and not _is_card(text, m):
            continue
        limit = headers[i + 1][1] if i + 1 < len(headers) else len(text)
        end = _post_end(text, m.end(), min(limit, m.end() + _REACH))
        quoted = _QUOTE_LEAD.search(text, max(0, start - 40), start)
        rule = RULE_QUOTE_CARD if quoted else RULE_WEB_COPY
        out.append(hit(rule, (quoted.start() if quoted else start, end), (m["handle"],)))
    return out


def _stamped_posts(
    text: str, separators: list[int], taken: list[tuple[int, int]]
) -> list[Evidence]:
    """Posts that close with '10:42 AM · Mar 3, 2024' under a '@handle' line (X's post page,
    extracted embed cards, Discourse's onebox text)."""
    out = []
    header = _header()
    for m in _stamp_matches(text, separators):
        if any(lo <= m.start() < hi for lo, hi in taken):
            continue
        floor = max(0, m.start() - _REACH)
        author = None
        for h in _LINE_HANDLE.finditer(text, floor, m.start()):
            if _handle_boundary(text, h.start()) and not header.match(text, h.start()):
                author = h
        if author is None or author[1].lower() in RESERVED_PATHS:
            continue
        start = _name_start(text, author.start())
        end = _post_end(text, m.end(), min(len(text), m.end() + 600))
        out.append(
            hit(RULE_WEB_COPY, (author.start() if start is None else start, end), (author[1],))
        )
    return out


def _stamp_matches(text: str, separators: list[int]) -> list[re.Match[str]]:
    """Every post timestamp in ``text``, searched only near a separator after a clock time."""
    stamp = _stamp()
    found: list[re.Match[str]] = []
    anchors = separators
    end = 0
    for pos in anchors:
        if pos < end or not _CLOCK.search(text, max(0, pos - 24), pos):
            continue
        m = stamp.search(text, max(end, pos - 40), min(len(text), pos + 120))
        if m:
            found.append(m)
            end = m.end()
    return found


def _separators(text: str, lits: Literals) -> list[int]:
    """Offsets of every header dot and timestamp separator in ``text``."""
    found = list(lits.positions(_SEPARATOR_LITERALS))
    if not text.isascii():  # a str knows whether it is ASCII: no scan
        found += [i for dot in _DOT_CHARS for i in _find_all(text, dot)]
        found.sort()
    return found


def _find_all(text: str, needle: str) -> list[int]:
    """Offsets of ``needle`` in ``text`` (the first 10,000)."""
    out: list[int] = []
    i = text.find(needle)
    while i >= 0 and len(out) < 10_000:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def _thread_words(lits: Literals, tails: tuple[bytes, ...]) -> list[int]:
    """Offsets of 'thread' followed by one of ``tails`` (one scan for every thread phrase)."""
    low = lits.low
    return [p for p in lits.positions((b"thread",)) if low.startswith(tails, p + 6)]


def _mentions_thread(lits: Literals, tails: tuple[bytes, ...]) -> bool:
    return bool(_thread_words(lits, tails))


def _thread_unrolls(text: str, lits: Literals) -> list[Evidence]:
    """A Thread Reader App page: its title or its posts' markup, with the thread's text."""
    if not _mentions_thread(lits, (b" reader", b"reader")):
        return []
    bodies = list(_UNROLL_BODY.finditer(text))
    if not bodies:
        return []
    authors = [m[1] for m in _THREAD_BY.finditer(text)]
    authors += [m[1] for m in _SCREENNAME_ATTR.finditer(text, 0, bodies[-1].end())]
    if not authors:
        return []
    first = _THREAD_BY.search(text)
    start = min(first.start() if first else bodies[0].start(), bodies[0].start())
    return [hit(RULE_THREAD_UNROLL, (start, bodies[-1].end()), tuple(authors))]


def _unrolled_titles(text: str, lits: Literals) -> list[Evidence]:
    """'Thread by @h' heading the thread's posts, which close with their dates; a heading that
    links the handle to its X profile needs no date."""
    out = []
    for pos in _thread_words(lits, (b" by",)):
        m = _THREAD_TITLE.search(text, max(0, pos - 420), pos + 450)
        if m is None or m.start() > pos:
            continue
        if _links_x_profile(m.group(0), m[1]) and _BODY.match(text, m.end()):
            end = _post_end(text, m.end(), min(len(text), m.end() + _REACH))
            out.append(hit(RULE_THREAD_UNROLL, (m.start(), max(end, m.end())), (m[1],)))
            continue
        dated = dates.search(text, m.end(), min(len(text), m.end() + _REACH))
        if dated and _BODY.match(text, m.end()):
            end = _post_end(text, dated.end(), min(len(text), dated.end() + _REACH))
            out.append(hit(RULE_THREAD_UNROLL, (m.start(), max(end, dated.end())), (m[1],)))
    return out


def _links_x_profile(markup: str, handle: str) -> bool:
    """Whether ``markup`` links ``handle``'s profile on X."""
    low = markup.lower()
    return any(f"{host}/{handle.lower()}" in low for host in ("twitter.com", "x.com"))


def _glued_copies(text: str) -> list[Evidence]:
    """A post copied from X with its parts glued: '@handle' then the text, closed by X's
    'M/D/YYYY, H:MM:SS AM' stamp."""
    out = []
    for stamp in _GLUED_STAMP.finditer(text):
        start = max(0, stamp.start() - _GLUED_REACH)
        handles = list(_GLUED_HANDLE.finditer(text, start, stamp.start()))
        if handles:
            first = handles[0]
            author = _unglued(first[1])
            out.append(hit(RULE_WEB_COPY, (first.start(), stamp.end()), (author,), "glued"))
    return out


_WORD_START = re.compile(r"(?<=[A-Za-z0-9_])(?=[A-Z][a-z])")
_HANDLE_MAX = 15  # X handles are 4–15 characters (1–15 for old accounts)


def _unglued(handle: str) -> str:
    """A handle glued to the word after it ('ZachLowe_NBAOnly' → 'ZachLowe_NBA'): handles are at
    most 15 characters, so a longer run ends at the last capitalised word that keeps it so."""
    if len(handle) <= _HANDLE_MAX:
        return handle
    cuts = [m.start() for m in _WORD_START.finditer(handle) if m.start() <= _HANDLE_MAX]
    return handle[: cuts[-1]] if cuts else handle[:_HANDLE_MAX]


def _components(text: str) -> list[Evidence]:
    """Embed components and shortcodes of a page's source, each naming one post."""
    out = []
    for m in _COMPONENT.finditer(text):
        authors: tuple[str, ...] = ()
        if m["hugo"] is not None:
            user = _HUGO_USER.search(m["hugo"])
            if user is None and _HUGO_ID.search(m["hugo"]) is None:
                continue
            authors = (user[1],) if user else ()
        elif m["jekyll"] is not None or m["wp"] is not None:
            found = parse_x_url(m["jekyll"] or m["wp"])
            if found is None or found.kind != "status":
                continue
            authors = (found.handle,) if found.handle else ()
        out.append(hit(RULE_COMPONENT, m.span(), authors))
    return out


def _quote_attributions(text: str, lits: Literals) -> list[Evidence]:
    """'“text” — @handle, Mar 3, 2024': a quote card whose attribution is the bare handle."""
    out = []
    for pos in lits.positions((b"@",)):
        lead = text[max(0, pos - 6) : pos].rstrip(" \u00a0")
        after = pos + 1 + len(_handle_at(text, pos))
        dated = text.startswith(",", after)
        if not (lead.endswith(("—", "–", "―", "-")) and (dated or _LINE_CLOSE.match(text, after))):
            continue
        m = _QUOTE_ATTRIBUTION.search(text, max(0, pos - 1_230), pos + 30)
        while m and m.end() < pos:
            m = _QUOTE_ATTRIBUTION.search(text, m.end(), pos + 30)
        if m is None:
            continue
        if dated:
            at = m.end() + 1 if text[m.end() : m.end() + 1] == " " else m.end()
            if not dates.match(text, at):
                continue
        elif len(m["text"].split()) < 3:
            continue  # '"lol" - @h' at a line's end: too little to be a post
        out.append(hit(RULE_QUOTE_CARD, (m.start(), m.end()), (m["handle"],)))
    return out


def _handle_at(text: str, at: int) -> str:
    """The handle characters after the '@' at ``at``."""
    end = at + 1
    while end < len(text) and end - at <= 21 and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return text[at + 1 : end]


def _oneboxes(
    text: str, lits: Literals, links: list[tuple[XUrl, tuple[int, int]]]
) -> list[Evidence]:
    """Discourse's onebox of a post: ``<aside class="onebox twitterstatus">`` … ``</aside>``."""
    out = []
    for pos in lits.positions((b"twitterstatus",)):
        m = _ONEBOX.search(text, max(0, pos - 700), pos + 20)
        if m is None:
            continue
        close = text.find("</aside>", m.end(), m.end() + 30_000)
        end = close + len("</aside>") if close >= 0 else min(len(text), m.end() + 5_000)
        named = _ONEBOX_HANDLE.search(text, m.end(), end)
        authors = [named[1] or named[2]] if named else []
        authors += [
            x.handle for x, (lo, _) in links if m.start() <= lo < end and x.is_status and x.handle
        ]
        if authors:
            out.append(hit(RULE_CARD_MARKUP, (m.start(), end), tuple(authors), detail="onebox"))
    return out


def _data_attr_cards(text: str, lits: Literals) -> list[Evidence]:
    """Substack's tweet card: a ``data-attrs`` JSON with the post's text and username."""
    out = []
    # The card's data carries its post's URL on X, so pages without an X host have none.
    if not (b"twitter" in lits or b"x.com" in lits):
        return []
    for pos in lits.positions((b"data-attrs",)):
        m = _DATA_ATTRS.match(text, pos)
        if m is None or ("full_text" not in m[1] and "tweet_id" not in m[1]):
            continue
        try:
            attrs = json.loads(html.unescape(m[1]))
        except ValueError:
            continue
        if not isinstance(attrs, dict):
            continue
        handle = attrs.get("username") or attrs.get("screen_name")
        has_text = isinstance(attrs.get("full_text") or attrs.get("text"), str)
        if isinstance(handle, str) and has_text and re.fullmatch(HANDLE, handle.lstrip("@")):
            out.append(hit(RULE_CARD_MARKUP, m.span(), (handle,), detail="data_attrs"))
    return out


def find(text: str, lits: Literals, links: list[tuple[XUrl, tuple[int, int]]]) -> list[Evidence]:
    """Every displayed post in ``text``."""
    separators = _separators(text, lits)
    out = _web_copies(text, lits, separators)
    out += _stamped_posts(text, separators, [e.span for e in out if e.span])
    out += _thread_unrolls(text, lits)
    if not any(e.rule == RULE_THREAD_UNROLL.id for e in out):
        out += _unrolled_titles(text, lits)
    if "—" in text or "–" in text or "-" in text:
        out += _quote_attributions(text, lits)
    out += _oneboxes(text, lits, links)
    out += _data_attr_cards(text, lits)
    if "/" in text and _GLUED_STAMP_HINT.search(text):
        out += _glued_copies(text)
    if "<" in text or "{" in text or "[" in text:
        out += _components(text)
    return out
