"""Posts pasted or quoted into prose: a chat turn, a forum comment or a caption that carries a
post's text with its author's handle but without X's own embed markup.

Every shape here names X (a word such as "tweet", "on X", X's page title, or a status URL)
next to the text it introduces, because a bare ``@user: text`` line is how Slack, Discord, IRC
and Mastodon exports print every message. Each span covers the lead-in and the post's text, so
``redact`` cuts both; the authors are the handle the lead-in or the status URL names.

Chat and forum text separates words with plain spaces, so the patterns accept only those
(``_S``); the prefilters mirror that class exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from xfilter.detect.evidence import HANDLE, Evidence, Rule, hit
from xfilter.detect.normalize import Literals
from xfilter.detect.textmatch import near
from xfilter.detect.urls import XUrl

RULE_LEAD_IN = Rule(
    "pasted.lead_in",
    "x_embed",
    "post text after a lead-in naming its author on X ('Tweet from @h:', '@h tweeted:')",
)
RULE_CHAT_LINE = Rule(
    "pasted.chat_line",
    "x_embed",
    "an '@h: text' line introduced as a post ('Here is the tweet:') or closed by its status URL",
)
RULE_PAGE_TITLE = Rule(
    "pasted.page_title", "x_embed", "X's page title of a post: 'Name on X: \"text\" / X'"
)
RULE_QUOTED = Rule(
    "pasted.quoted",
    "x_embed",
    "quoted text next to its status URL or closed by '— @h on X' (forum and chat quotes)",
)
RULE_CAPTION = Rule(
    "pasted.caption",
    "x_embed",
    "caption or alt text giving a post's author and text ('Screenshot of a tweet by @h: …')",
)
RULE_TWEET_LABEL = Rule(
    "pasted.tweet_label",
    "x_embed",
    "a 'Tweet: text' field in a classification prompt built from a dataset of posts",
)
RULES: tuple[Rule, ...] = (
    RULE_LEAD_IN,
    RULE_CHAT_LINE,
    RULE_PAGE_TITLE,
    RULE_QUOTED,
    RULE_CAPTION,
    RULE_TWEET_LABEL,
)

# One space between words, and its RE2 twin for the prefilters (the same characters).
_S = r"[ \t\u00a0\u202f]"
_S_RE2 = r"[ \t\x{A0}\x{202F}]"
_AT = "[@＠]"
_HANDLE_RE2 = r"[@＠][a-z0-9_]+"
# An '@' that starts a handle: not inside an e-mail address ('foo@bar.com') and, after the
# handle, no '@instance' (Mastodon) and no further handle characters.
_AT_HANDLE = rf"(?<![\w@.]){_AT}(?P<HANDLE_GROUP>{HANDLE})(?![\w@])"


def _handle(group: str) -> str:
    return _AT_HANDLE.replace("HANDLE_GROUP", group)


_X = r"(?:X|Twitter)\b"
_ON_X = rf"(?:on|via){_S}{{1,3}}{_X}"
_SPEECH = r"(?:says|said|writes|wrote|posted|tweeted|reads|reading|saying)"

# --------------------------------------------------------------------------- lead-ins

_LEAD = re.compile(
    # 'Tweet from @h', 'X post by @h', 'This post by @h on X', 'Screenshot of a tweet by @h'
    rf"(?:(?:tweet|(?:x|twitter){_S}post)s?{_S}{{1,3}}(?:from|by){_S}{{1,3}}{_handle('a')}"
    rf"(?:{_S}{{1,3}}{_ON_X})?"
    rf"|(?:post|reply|thread|message|quote){_S}{{1,3}}(?:from|by){_S}{{1,3}}{_handle('b')}"
    rf"{_S}{{1,3}}{_ON_X}"
    # '@h tweeted', 'Name (@h) tweeted', 'as @h posted on X', '@h on Twitter'
    rf"|{_handle('c')}\)?{_S}{{1,3}}(?:(?:has|just){_S}{{1,3}})?"
    rf"(?P<verb>tweeted|(?:(?:posted|wrote|said|replied|shared){_S}{{1,3}})?{_ON_X})"
    # 'In their tweet, @h says'
    rf"|in{_S}{{1,3}}(?:their|his|her|its|a|the|this|that|one){_S}{{1,3}}tweets?,?{_S}{{1,3}}"
    rf"{_handle('d')}{_S}{{1,3}}{_SPEECH}"
    # captions: "@h's tweet that says", 'Tweet screenshot: @h'
    rf"|{_handle('e')}['’]s{_S}{{1,3}}(?:tweet|(?:x|twitter){_S}post|post{_S}{{1,3}}{_ON_X})"
    rf"(?:{_S}{{1,3}}(?:that|which))?(?={_S}{{1,3}}{_SPEECH}|{_S}?[:：])"
    rf"|(?:tweet|(?:x|twitter){_S}post){_S}screenshot{_S}?[:：]{_S}{{0,3}}{_handle('f')}"
    r")"
    # an optional status URL in brackets, then the colon or word that opens the text
    rf"(?:{_S}{{0,3}}\((?:https?://)?[^()\n]{{1,300}}\))?"
    rf"(?P<open>{_S}{{0,3}}[:：—–-]|,|{_S}{{1,3}}(?:that{_S}|which{_S})?"
    rf"(?:says|reads|reading|saying|writes|said|wrote){_S}?[:：]?|(?=\s))",
    re.I,
)
_LEAD_ANCHORS = (b"tweet", b"twitter", b" on x", b" via x", b" x post")
_AT_REACH = 26  # every lead-in has its '@handle' this close to its anchor word


def _lead_matches(text: str, lits: Literals) -> Iterator[re.Match[str]]:
    """``_LEAD`` near its anchor words, tried only where an '@' is close (share buttons and
    prose name Twitter far more often than they introduce a post)."""
    done = 0
    for anchor in lits.positions(_LEAD_ANCHORS):
        if anchor < done:
            continue
        window = text[max(0, anchor - _AT_REACH) : anchor + _AT_REACH]
        if "@" not in window and "＠" not in window:
            continue
        m = _LEAD.search(text, max(done, anchor - 80), min(len(text), anchor + 160))
        if m:
            done = max(m.end(), anchor + 1)
            yield m


_CAPTION_WORDS = re.compile(r"screenshot|image|photo|picture|\balt\b|caption", re.I)
_FOLLOW = re.compile(r"follow|find|contact|reach|dm\b|message", re.I)


def _lead_ins(text: str, lits: Literals) -> Iterator[Evidence]:
    for m in _lead_matches(text, lits):
        handle = next(m[g] for g in "abcdef" if m[g])
        if not m["open"] and not m["f"]:
            continue  # only 'Tweet screenshot: @h text' needs no colon after the handle
        bare_on_x = m["c"] and re.match(r"(?:on|via)\b", m["verb"] or "tweeted", re.I)
        if m["c"] and _FOLLOW.search(text, max(0, m.start() - 24), m.start()):
            continue  # 'follow @h on Twitter: …' introduces an account, not a post
        end = _text_after(text, m.end(), quoted_only=bool(bare_on_x) or m["open"] == ",")
        if end is None:
            continue
        start = _line_lead(text, m.start())
        caption = m["e"] or m["f"] or _CAPTION_WORDS.search(text, max(0, m.start() - 40), m.end())
        rule = RULE_CAPTION if caption else RULE_LEAD_IN
        yield hit(rule, (start, end), (handle,))


# --------------------------------------------------------------------------- the post's text

_OPEN_TO_CLOSE = {'"': '"', "“": "”", "„": "“", "«": "»", "「": "」", "『": "』", "”": "”"}
_GAP = re.compile(r"[ \t\u00a0]{0,4}(?:\r?\n[ \t\u00a0]{0,4}){0,2}")
_QUOTE_LINE = re.compile(r"[ \t]{0,4}(?:>|&gt;)[^\n]{0,1200}(?:\n|\Z)")
_HTML_QUOTE = re.compile(r"<(i|em|q|blockquote)\b[^<>]{0,200}>", re.I)
_PARAGRAPH_END = re.compile(r"\n[ \t\r\u00a0]*\n|\Z")
_LETTER = re.compile(r"[^\W\d_]")
_POST_REACH = 1_200  # a post is <= 280 characters (longer for subscribers) plus links


def _quote_end(text: str, pos: int) -> int | None:
    """End of the quotation that opens at ``pos`` (a quote mark, '>' lines or an HTML quote
    element), or None if none opens there."""
    if text.startswith("\\", pos) and pos + 1 < len(text) and text[pos + 1] in _OPEN_TO_CLOSE:
        pos += 1  # a JSON-escaped quote
    if pos >= len(text):
        return None
    if text.startswith("&quot;", pos):
        end = text.find("&quot;", pos + 6, pos + _POST_REACH)
        return end + 6 if end > pos + 6 else None
    close = _OPEN_TO_CLOSE.get(text[pos])
    if close is not None:
        end = text.find(close, pos + 1, pos + _POST_REACH)
        return end + 1 if end > pos + 1 else None
    line_start = text.rfind("\n", 0, pos) + 1
    lines = _QUOTE_LINE.match(text, pos) if not text[line_start:pos].strip() else None
    if lines:
        end = lines.end()
        while (more := _QUOTE_LINE.match(text, end)) and more.end() > end:
            end = more.end()
        return end
    element = _HTML_QUOTE.match(text, pos)
    if element:
        close_at = text.lower().find(f"</{element[1].lower()}", element.end(), pos + _POST_REACH)
        return close_at if close_at > element.end() else None
    return None


def _text_after(text: str, pos: int, quoted_only: bool = False) -> int | None:
    """End of the post text a lead-in ending at ``pos`` introduces: a quotation, or (unless
    ``quoted_only``) the rest of the paragraph; None if no text with letters follows."""
    start = _GAP.match(text, pos)
    begin = start.end() if start else pos
    end = _quote_end(text, begin)
    if end is None:
        if quoted_only:
            return None
        para = _PARAGRAPH_END.search(text, begin, begin + _POST_REACH)
        end = para.start() if para else min(len(text), begin + _POST_REACH)
    body = text[begin:end]
    if not _LETTER.search(re.sub(r"https?://\S{1,300}", "", body)):
        return None
    return end


_LEAD_REACH = 80


def _line_lead(text: str, pos: int) -> int:
    """Start of the line's opening words before ``pos`` ('Here's a tweet from', 'Name (')
    when they are short and in the same sentence, else ``pos``."""
    floor = max(0, pos - _LEAD_REACH)
    line_start = text.rfind("\n", floor, pos) + 1
    if line_start == 0 and floor > 0:
        return pos
    lead = text[line_start:pos]
    return pos if any(mark in lead for mark in ".!?") else line_start


# --------------------------------------------------------------------------- chat lines

# A lead-in line that names X and ends with a colon, then '@h: text' on the same or next line.
_CHAT_LEAD = re.compile(
    rf"(?:tweet|twitter|(?:x|twitter){_S}post|{_S}on{_S}X\b)[^\n]{{0,80}}?(?P<end>[:：.])"
    rf"[ \t]{{0,4}}(?:\r?\n[ \t]{{0,4}}){{0,2}}[\"“]?{_handle('h')}[:：]{_S}",
    re.I,
)
_CHAT_ANCHORS = (b"tweet", b"twitter", b" on x", b" x post")
# '@h: text' at a line start, for a status link of the same handle that closes it.
_CHAT_LINE = re.compile(rf"(?:^|(?<=\n))[ \t>]{{0,4}}[\"“]?{_handle('h')}[:：]{_S}", re.M)
_CHAT_BACK = 600


def _chat_lines(
    text: str, lits: Literals, links: list[tuple[XUrl, tuple[int, int]]]
) -> Iterator[Evidence]:
    for m in near(_CHAT_LEAD, text, lits, _CHAT_ANCHORS, 120, 160):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if m["end"] == "." and not _TASK.search(text, line_start, m.start("end")):
            continue  # a sentence about a post introduces it only in a task prompt
        end = _text_after(text, m.end())
        if end is not None:
            yield hit(RULE_CHAT_LINE, (m.start(), end), (m["h"],))
    for xurl, (start, end) in links:
        if not (xurl.is_status and xurl.handle):
            continue
        floor = max(0, start - _CHAT_BACK)
        lines = [
            line
            for line in _CHAT_LINE.finditer(text, floor, start)
            if line["h"].lower() == xurl.handle.lower()
        ]
        if lines and "\n\n" not in text[lines[-1].end() : start]:
            yield hit(RULE_CHAT_LINE, (lines[-1].start(), end), (xurl.handle,))


# --------------------------------------------------------------------------- page titles

_TITLE_ON = r"(?:on|auf|sur|en|no|na|su|op|w)"
_PAGE_TITLE = re.compile(
    rf"(?P<name>[^\n\"“”<>:]{{1,80}}?){_S}{_TITLE_ON}{_S}(?P<site>X|Twitter){_S}?[:：]{_S}{{0,2}}"
    r"(?=\\?[\"“„«「]|&quot;)"
    rf"|X{_S}?ユーザーの[^\n\"“”「<>]{{1,80}}?さん{_S}?[:：]{_S}{{0,2}}(?=[「\"“])",
    re.I,
)
_TITLE_ANCHORS = tuple(
    f" {word} {site}".encode()
    for word in ("on", "auf", "sur", "en", "no", "na", "su", "op", "w")
    for site in ("x", "twitter")
)
_JAPANESE_TITLE = "ユーザーの"
# A quotation stopped by a quote inside the post: the title's own end is '" / X'.
_TITLE_TAIL = re.compile(rf"\\?[\"”»」]{_S}?/{_S}?(?:X|Twitter)\b")
_TITLE_SUFFIX = re.compile(rf"{_S}?/{_S}?(?:X|Twitter)\b")
_SPEECH_NAME = re.compile(
    rf"(?:^|{_S}){_SPEECH}|(?:announced|added|noted|commented|explained|shared|replied)\Z",
    re.I,
)
_TITLE_LINK_REACH = 400
# 'As @h put it on X: "…"': the speaker named by a handle is the post's author.
_NAMED_HANDLE = re.compile(_handle("h"))


def _page_titles(
    text: str, lits: Literals, links: list[tuple[XUrl, tuple[int, int]]]
) -> Iterator[Evidence]:
    for m in _title_candidates(text, lits):
        if m["name"] and _SPEECH_NAME.search(m["name"].strip()):
            continue  # 'Musk wrote on X: "…"' is prose quoting a post, not a page title
        end = _quote_end(text, m.end())
        if end is None:
            continue
        line_end = text.find("\n", end)
        tail = _TITLE_TAIL.search(text, end - 2, line_end if line_end >= 0 else len(text))
        if tail and tail.start() - m.end() <= _POST_REACH:
            end = tail.end()
        suffix = _TITLE_SUFFIX.match(text, end)
        titled = suffix is not None or tail is not None
        if suffix:
            end = suffix.end()
        handles = _nearby_status_handles(links, m.start(), end)
        if not (titled or handles is not None or _starts_field(text, m)):
            continue
        if not titled and not _ENGLISH_ON.search(m[0]):
            continue  # other languages only with X's own ' / X' suffix
        named = _NAMED_HANDLE.search(m["name"] or "")
        authors = handles or ((named["h"],) if named else ())
        yield hit(RULE_PAGE_TITLE, (m.start() + _lead_space(m), end), authors)


_FIELD_START = re.compile(r"(?:\A|[\n\[|(>]|[\"'][:,]?[ \t]{0,2}[\"']|\d\.)[ \t]{0,3}\Z")
_NAME_MAX = 50


def _starts_field(text: str, m: re.Match[str]) -> bool:
    """Whether an English title's short name starts a line or a field ('"title": "Name on
    X: …')."""
    raw = m["name"] or ""
    name = raw.strip()
    if not name or len(name) > _NAME_MAX or not _ENGLISH_ON.search(m[0]):
        return False
    begin = m.start() + len(raw) - len(raw.lstrip())
    return _FIELD_START.search(text, max(0, begin - 12), begin) is not None


_ENGLISH_ON = re.compile(rf"{_S}on{_S}(?:X|Twitter){_S}?[:：]", re.I)


def _title_candidates(text: str, lits: Literals) -> Iterator[re.Match[str]]:
    yield from near(_PAGE_TITLE, text, lits, _TITLE_ANCHORS, 100, 40)
    pos = text.find(_JAPANESE_TITLE)
    while pos >= 0:
        m = _PAGE_TITLE.search(text, max(0, pos - 4), pos + 120)
        if m:
            yield m
        pos = text.find(_JAPANESE_TITLE, pos + 1)


def _lead_space(m: re.Match[str]) -> int:
    name = m["name"] or ""
    return len(name) - len(name.lstrip())


def _nearby_status_handles(
    links: list[tuple[XUrl, tuple[int, int]]], start: int, end: int
) -> tuple[str, ...] | None:
    """The handle of the status link closest to ``[start, end)`` within reach (() when it
    names none), or None when there is no status link near."""
    best: tuple[int, XUrl] | None = None
    for xurl, (s, e) in links:
        if not xurl.is_status:
            continue
        distance = s - end if s >= end else start - e if e <= start else 0
        if 0 <= distance <= _TITLE_LINK_REACH and (best is None or distance < best[0]):
            best = (distance, xurl)
    if best is None:
        return None
    return (best[1].handle,) if best[1].handle else ()


# --------------------------------------------------------------------------- quotations

# What may stand between a quotation and its status URL: spaces, dashes, brackets, markup,
# the author's handle and attribution words ('— [@h](…)', '-- @h (…)', '<p>— <a href=…>').
_GLUE_WORD = (
    rf"(?:{_AT}{HANDLE}\b|(?:via|source|from|by|on|X|Twitter|tweet|post|link)\b"
    r"|[—–―~()\[\]:,.|-]|&mdash;|&ndash;|&#8212;|&#x2014;"
    r"|<(?!/(?:i|em|q|blockquote)\b)[^<>]{0,600}>)"
)
_GLUE_BEFORE = re.compile(rf"(?:\s{{0,4}}{_GLUE_WORD}){{0,10}}\s{{0,4}}\Z", re.I)
# After a URL the quotation must be introduced: a colon, a dash, a line break, or a space
# right before its opening quote mark.
_GLUE_AFTER = re.compile(
    r"[ \t]{0,4}(?:[)\]][ \t]{0,4})?(?:[:：—–-]|&mdash;|\r?\n|(?<=[ \t])(?=[\"“„«「]))"
    r"[ \t\r\n]{0,6}"
    r"(?:<p>[ \t\r\n]{0,4})?"
)
_CLOSERS = {'"': '"', "”": "“„”", "»": "«", "」": "「", "』": "『"}
_QUOTE_TAIL = re.compile(r"(?:(?:>|&gt;)[^\n]{0,1200}\n?)\Z")
_HTML_QUOTE_CLOSE = re.compile(r"</(i|em|q|blockquote)\s{0,3}>\s{0,4}(?:</p>\s{0,4})?\Z", re.I)
_GLUE_REACH = 200
_TRAILER = re.compile(
    rf"(?:^|(?<=\n))[ \t]{{0,4}}(?:[—–―~]|--?|&mdash;){_S}{{0,3}}"
    rf"(?:{_handle('h')}{_S}{{1,3}}{_ON_X}"
    rf"|\[{_AT}(?P<p>{HANDLE})\]\((?:https?://)?(?:www\.|mobile\.)?(?:twitter|x)\.com/"
    rf"(?P<p2>{HANDLE})/?\))",
    re.I | re.M,
)
_TRAILER_ANCHORS = (b" on x", b" via x", b"twitter", b"x.com/")


def _quotation_before(text: str, pos: int) -> int | None:
    """Start of a quotation that ends before ``pos``, with at most attribution glue between."""
    floor = max(0, pos - _GLUE_REACH)
    glue = _GLUE_BEFORE.search(text, floor, pos)
    stop = len(text[: glue.start() if glue else pos].rstrip())
    if stop == 0 or stop == pos:
        return None  # a quote mark right before the URL opens the URL's own string
    last = text[stop - 1]
    if last in _CLOSERS:
        floor = max(0, stop - _POST_REACH)
        begin = max(text.rfind(o, floor, stop - 1) for o in _CLOSERS[last])
        if begin < 0 or not _WORDS.search(text, begin, stop):
            return None
        return begin
    block = _quote_block_start(text, stop)
    if block is not None:
        return block
    element = _HTML_QUOTE_CLOSE.search(text, max(0, stop - 40), stop)
    if element:
        tag = element[1].lower()
        begin = text.lower().rfind(f"<{tag}", max(0, stop - _POST_REACH), element.start())
        return begin if begin >= 0 and _WORDS.search(text, begin, stop) else None
    return None


# Three words at least: a quoted name or term ('called it “a disaster”') is not a post.
_WORDS = re.compile(r"[^\W\d_][^\s]*\s+[^\s]+\s+[^\s]*[^\W\d_]")


def _quote_block_start(text: str, stop: int) -> int | None:
    """Start of the run of '>' lines (markdown quote) that ends at ``stop``, or None."""
    begin = None
    line_end = stop
    floor = max(0, stop - _POST_REACH)
    while line_end > floor:
        line_start = text.rfind("\n", floor, line_end) + 1
        line = text[line_start:line_end].lstrip(" \t")
        if not line.startswith((">", "&gt;")):
            if line.strip():
                break
        else:
            begin = line_start
        if line_start <= floor:
            break
        line_end = line_start - 1
    return begin


def _quotations(
    text: str, lits: Literals, links: list[tuple[XUrl, tuple[int, int]]]
) -> Iterator[Evidence]:
    covered = 0
    for xurl, (start, end) in links:
        if not xurl.is_status or start < covered:
            continue
        authors = (xurl.handle,) if xurl.handle else ()
        link_start, link_end = _link_extent(text, start, end)
        covered = link_end
        if _PROSE_LINK_TEXT.search(text, end, link_end):
            continue  # '“…,” <a href=…>one user quipped</a>': prose that links its source
        before = _quotation_before(text, link_start)
        if before is not None:
            yield hit(RULE_QUOTED, (before, link_end), authors)
            continue
        glue = _GLUE_AFTER.match(text, link_end)
        after = _quote_end(text, glue.end()) if glue else None
        if after is not None and _WORDS.search(text, glue.end() if glue else end, after):
            yield hit(RULE_QUOTED, (start, after), authors)
    for m in near(_TRAILER, text, lits, _TRAILER_ANCHORS, 60, 40):
        if m["p"] and m["p"].lower() != m["p2"].lower():
            continue  # '— [@h](…/other)': the link is not the quoted author's profile
        before = _quotation_before(text, m.start())
        if before is not None:
            yield hit(RULE_QUOTED, (before, m.end()), (m["h"] or m["p"],))


# The visible text of a link element that is prose: two words that are not a URL or handle.
_PROSE_LINK_TEXT = re.compile(r">[^<]{0,300}?(?<![/@\w.])[^\W\d_]{2,}\s+[^\W\d_]{2,}")
_HREF = re.compile(r"<a\b[^<>]{0,600}?href\s{0,3}=\s{0,3}[\"']?", re.I)
_LINK_REACH = 700


def _link_extent(text: str, start: int, end: int) -> tuple[int, int]:
    """The link element, markdown link or brackets around a URL at ``[start, end)``."""
    tag = text.rfind("<a", max(0, start - _LINK_REACH), start)
    if tag >= 0 and _HREF.fullmatch(text, tag, start):
        close = text.find("</a>", end, end + _LINK_REACH)
        return tag, close + 4 if close >= 0 else end
    if text.startswith("](", start - 2):
        label = text.rfind("[", max(0, start - 200), start - 2)
        closing = end + 1 if text.startswith(")", end) else end
        return (label if label >= 0 else start - 2), closing
    if text.startswith("(", start - 1) or text.startswith("<", start - 1):
        closer = ")" if text[start - 1] == "(" else ">"
        return start - 1, end + 1 if text.startswith(closer, end) else end
    return start, end


# --------------------------------------------------------------------------- classification

_LABEL = re.compile(
    rf"(?:(?:^|(?<=[\n\"'{{>]))[ \t]{{0,4}}(?:#{{1,4}}{_S})?(?:\*\*)?"
    rf"(?:input{_S}|original{_S})?tweet(?:[ _]text)?(?:\*\*)?"
    rf"|(?:following|this|the|given|below|above|next){_S}tweet(?:{_S}text)?)"
    rf"[ \t]{{0,3}}[:：]",
    re.I | re.M,
)
_LABEL_ANCHORS = (b"tweet",)
# A post's text is given to be judged: the prompt names a classification task.
_TASK = re.compile(
    r"classif|sentiment|emotion|\blabel|categor|offensive|hate|hateful|irony|ironic|sarcas"
    r"|stance|toxic|polarity|predict|detect|analy[sz]|emoji|sexis|racis|abusive|cyberbull",
    re.I,
)
# ... but a tweet the prompt asks to write is not a post from X.
_WRITE = re.compile(
    r"\b(?:write|writing|draft|compose|generate|create|craft|suggest)\b[^\n]{0,60}tweet", re.I
)
_TASK_REACH = 600


def _tweet_labels(text: str, lits: Literals) -> Iterator[Evidence]:
    for m in near(_LABEL, text, lits, _LABEL_ANCHORS, 40, 20):
        end = _text_after(text, m.end())
        if end is None:
            continue
        window = (max(0, m.start() - _TASK_REACH), min(len(text), end + _TASK_REACH))
        if not _TASK.search(text, *window) or _WRITE.search(text, *window):
            continue
        start = m.start() + len(m[0]) - len(m[0].lstrip())
        yield hit(RULE_TWEET_LABEL, (start, end))


# --------------------------------------------------------------------------- entry point

_ON_X_RE2 = rf"(?:on|via){_S_RE2}+(?:x|twitter)"
# Every string find() flags matches one of these (case-insensitively); each alternative is
# the literal core of one pattern above, with its spaces as _S_RE2.
STRONG_PREFILTER: str = "|".join(
    [
        # _LEAD: 'tweet from @', 'post by @ … on X', '@h tweeted', '@h on X', "@h's tweet"
        rf"(?:tweet|post|reply|thread|message|quote)s?{_S_RE2}+(?:from|by){_S_RE2}+[@＠]",
        rf"{_HANDLE_RE2}\)?{_S_RE2}+(?:(?:has|just){_S_RE2}+)?tweeted",
        rf"{_HANDLE_RE2}\)?{_S_RE2}+(?:(?:has|just){_S_RE2}+)?"
        rf"(?:(?:posted|wrote|said|replied|shared){_S_RE2}+)?{_ON_X_RE2}",
        rf"tweets?,?{_S_RE2}+[@＠]",
        rf"{_HANDLE_RE2}['’]s{_S_RE2}+(?:tweet|x|twitter|post)",
        rf"(?:tweet|post){_S_RE2}screenshot",
        # _CHAT_LEAD
        r"(?:tweet|twitter|post|on" + _S_RE2 + r"x)[^\n]*[:：.][\s\"“]*[@＠]",
        # _PAGE_TITLE
        rf"{_S_RE2}(?:on|auf|sur|en|no|na|su|op|w){_S_RE2}(?:x|twitter){_S_RE2}?[:：]",
        r"ユーザーの",
        # _TRAILER is covered by the '@h on X' alternative; _LABEL:
        r"tweet(?:[ _]text)?(?:\*\*)?[ \t]*[:：]",
        # _quotations and the status-link half of _chat_lines need a status URL, which the
        # URL prefilter already promises.
    ]
)
PREFILTER: str = STRONG_PREFILTER


def find(text: str, lits: Literals, links: list[tuple[XUrl, tuple[int, int]]]) -> list[Evidence]:
    """Every pasted or quoted post in ``text``."""
    found = [
        *_lead_ins(text, lits),
        *_chat_lines(text, lits, links),
        *_page_titles(text, lits, links),
        *_quotations(text, lits, links),
        *_tweet_labels(text, lits),
    ]
    return list(dict.fromkeys(found))  # a link's href and its text find the same quotation
