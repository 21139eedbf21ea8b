"""X hosts and URLs: the record's own URL field, and X links inside prose or HTML.

The URL grammar follows twitter-text where it is explicit (host boundaries, t.co slugs of at
most 40 characters, no URL right after ``$`` or ``#``) and X_REFERENCE §1 for hosts, paths,
mirrors and archive wrappers. Obfuscated spellings (fullwidth letters, zero-width characters,
percent- or JSON-escaped separators, defanged ``twitter[.]com``) are normalised first; spans
always refer to the caller's original string.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from urllib.parse import parse_qs

from xfilter.detect.evidence import Evidence, Rule, hit

RULE_OWN_POST = Rule("url.own_post", "x_post", "the record's own URL is an X post (mirrors and archive copies included)")
RULE_OWN_PAGE = Rule("url.own_page", "x_post", "the record's own URL is an X page, profile, media or API resource")
RULE_OWN_TCO = Rule("url.own_tco", "x_link", "the record's own URL is a t.co short link")
RULE_STATUS = Rule("link.status", "x_link", "links a specific X post (status, article, Space)")
RULE_TCO = Rule("link.tco", "x_link", "t.co short link: X wraps every link in a post with it")
RULE_PIC = Rule("link.pic", "x_link", "pic.twitter.com / pic.x.com media link of a post")
RULE_MEDIA = Rule("link.media", "x_link", "post media on pbs.twimg.com or video.twimg.com")
RULE_EMBED_IFRAME = Rule("embed.iframe", "x_embed", "rendered embed iframe of one post (embed/Tweet.html?id=)")
RULE_PROFILE = Rule("mention.profile", "x_mention", "link to an X profile")
RULE_SHARE = Rule("mention.share_intent", "x_mention", "share, follow or intent link (a button, not content)")
RULE_WIDGETS_JS = Rule("mention.widgets_js", "x_mention", "loads X's widgets.js")
RULE_AVATAR = Rule("mention.avatar", "x_mention", "X-hosted avatar or banner image")
RULE_PAGE = Rule("mention.page", "x_mention", "bare X host or a non-content X page (search, hashtag, help)")

RULES: tuple[Rule, ...] = (
    RULE_OWN_POST,
    RULE_OWN_PAGE,
    RULE_OWN_TCO,
    RULE_STATUS,
    RULE_TCO,
    RULE_PIC,
    RULE_MEDIA,
    RULE_EMBED_IFRAME,
    RULE_PROFILE,
    RULE_SHARE,
    RULE_WIDGETS_JS,
    RULE_AVATAR,
    RULE_PAGE,
)

# X_REFERENCE §1.10: the union of the help/configuration list, the web client's slugs and
# the recommended additions. A first path segment in this set is never a handle.
RESERVED_PATHS: frozenset[str] = frozenset(
    """
    about account accounts activity all announcements anywhere api_rules api_terms apirules
    apps auth badges blog business buttons contacts devices direct_messages download downloads
    edit_announcements faq favorites find_sources find_users followers following friend_request
    friendrequest friends goodies help home i im_account inbox invitations invite jobs list login
    logo logout me mentions messages mockview newtwitter notifications nudge oauth phoenix_search
    positions privacy public_timeline related_tweets replies retweeted_of_mine retweets
    retweets_by_others rules saved_searches search sent sessions settings share signup signin
    similar_to statistics terms tos translate trends tweetbutton twttr update_discoverability
    users welcome who_to_follow widgets zendesk_auth media_signup
    404 explore follower_requests hashtag intent lists personalization search-advanced
    search-home session twitterblue webview your_twitter_data compose en status statuses
    """.split()
)

# Front-ends and embed-fixers that serve X content under their own host (§1.8).
MIRROR_HOSTS: tuple[str, ...] = (
    "fxtwitter.com", "vxtwitter.com", "fixupx.com", "fixvx.com", "twittpr.com", "xfixup.com",
    "xcancel.com", "lightbrd.com", "twiiit.com", "sotwe.com", "twstalker.com",
    "threadreaderapp.com", "unofficialbird.com", "notabird.site", "nuku.trabun.org",
    "birdsite.xanny.family", "bird.trom.tf", "tweet.lambda.dance", "t.com.sb", "nt.vern.cc",
    "n.opnxng.com", "tw.artemislena.eu", "twitter.censors.us", "twitter.076.ne.jp",
)
# Hosts whose first path segment is a handle; other twitter.com subdomains (help., blog.,
# developer.) host documentation, not accounts.
_HANDLE_SUBDOMAINS = frozenset({"", "www", "mobile", "m", "tweetdeck"})
_HANDLE = re.compile(r"@?([a-z0-9_]{1,20})", re.I | re.A)
_DIGITS = re.compile(r"\d{1,20}", re.A)
_TCO_SLUG = re.compile(r"/([a-z0-9]+)", re.I | re.A)

# --------------------------------------------------------------------------- normalisation

_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
# Each alternative is one obfuscation we undo. Percent, JSON and entity escapes are decoded
# only for punctuation: a separator hidden as %2F is common, an escaped letter is not.
_OBFUSCATION = re.compile(
    rf"[{_INVISIBLE}]+"
    r"|[\uff01-\uff5e\u3002\uff61]"
    r"|%(?:2[1-9a-f]|3[a-f]|40|5[b-f]|60|7[b-e])"
    r"|\\u00(?:2[1-9a-f]|3[a-f]|40|5[b-f]|60|7[b-e])"
    r"|\\/"
    r"|&#(?:x0*(?:2[1-9a-f]|3[a-f]|40|5[b-f]|60|7[b-e])|0*(?:3[3-9]|4[0-7]|5[89]|6[0-4]|9[1-6]|12[3-6]));"
    r"|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)"
    r"|\[:\]|hxxp",
    re.I,
)


def _deobfuscate(piece: str) -> str:
    lower = piece.lower()
    if piece[0] in _INVISIBLE_SET:
        return ""
    if len(piece) == 1:
        return "." if piece in "\u3002\uff61" else unicodedata.normalize("NFKC", piece)
    if lower.startswith("%"):
        return chr(int(piece[1:], 16))
    if lower.startswith("\\u"):
        return chr(int(piece[2:], 16))
    if piece == "\\/":
        return "/"
    if lower.startswith("&#x"):
        return chr(int(piece[3:-1], 16))
    if piece.startswith("&#"):
        return chr(int(piece[2:-1]))
    if lower == "[:]":
        return ":"
    if lower == "hxxp":
        return piece[0] + "tt" + piece[3]
    return "."


_INVISIBLE_SET = frozenset(
    chr(c)
    for lo, hi in ((0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069))
    for c in range(lo, hi + 1)
) | {"\ufeff"}


class Normalized:
    """A de-obfuscated copy of a string that maps its offsets back to the original."""

    __slots__ = ("_n_end", "_n_start", "_o_end", "_o_start", "original", "text")

    def __init__(self, original: str) -> None:
        self.original = original
        self._n_start: list[int] = []
        self._n_end: list[int] = []
        self._o_start: list[int] = []
        self._o_end: list[int] = []
        parts: list[str] = []
        copied = 0
        length = 0
        for m in _OBFUSCATION.finditer(original):
            start, end = m.span()
            parts.append(original[copied:start])
            length += start - copied
            replacement = _deobfuscate(m.group())
            parts.append(replacement)
            self._n_start.append(length)
            length += len(replacement)
            self._n_end.append(length)
            self._o_start.append(start)
            self._o_end.append(end)
            copied = end
        if not parts:
            self.text = original
            return
        parts.append(original[copied:])
        self.text = "".join(parts)

    def _char(self, pos: int) -> tuple[int, int]:
        """Original (start, end) of normalised character ``pos``."""
        i = bisect_right(self._n_start, pos) - 1
        if i < 0:
            return pos, pos + 1
        if pos < self._n_end[i]:
            return self._o_start[i], self._o_end[i]
        orig = self._o_end[i] + pos - self._n_end[i]
        return orig, orig + 1

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original span of the normalised span ``[start, end)``."""
        if not self._n_start:
            return start, end
        if end <= start:
            pos = self._char(start)[0] if start < len(self.text) else len(self.original)
            return pos, pos
        return self._char(start)[0], self._char(end - 1)[1]


def normalize(text: str) -> str:
    """De-obfuscate ``text`` (fullwidth, zero-width, escaped separators, defanged dots)."""
    return Normalized(text).text


# --------------------------------------------------------------------------- URL grammar

_LABEL = r"[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?"
_MIRRORS = "|".join(re.escape(h) for h in sorted(MIRROR_HOSTS, key=len, reverse=True))
_HOST = (
    rf"(?:{_MIRRORS}"
    rf"|(?:{_LABEL}\.){{0,6}}(?:twitter|x|twimg|fxtwitter|vxtwitter|fixupx|fixvx|twittpr|xfixup)\.com"
    rf"|(?:{_LABEL}\.){{0,3}}nitter[a-z0-9-]{{0,20}}(?:\.{_LABEL}){{1,3}}"
    r"|(?:www\.)?(?:pscp|periscope)\.tv"
    r"|t\.co)"
)
# The scheme may follow '@' (twitter-text extracts the URL of '@http://host'); a bare host
# may not follow '@' (e-mail), '#'/'$' (hashtag, cashtag) or a host character (lookalikes).
_URL = re.compile(
    r"(?:(?<![a-z0-9_#$\u00c0-\u024f])https?://"
    r"|(?<![a-z0-9_.@#$:\-\u00c0-\u024f])(?<!://)(?://)?)"
    rf"(?P<host>{_HOST})"
    r"(?![a-z0-9_-])(?!\.[a-z0-9])"
    r"(?::\d{1,5})?"
    r"(?P<path>[/?#][a-z0-9\-._~:/?#@!$&()*+,;=%^]{0,2048})?",
    re.I | re.A,
)
_TRAILING = ".,;:!?*'\""


@dataclass(frozen=True)
class XUrl:
    """What an X URL points at.

    ``kind`` is one of: ``status`` (a post or other specific content), ``embed`` (embed
    iframe), ``tco``, ``pic``, ``media``, ``avatar``, ``profile``, ``share``, ``widgets_js``,
    ``page``.
    """

    host: str
    kind: str
    handle: str | None = None
    status_id: str | None = None
    mirror: bool = False

    @property
    def is_status(self) -> bool:
        return self.kind == "status"


def _strip_trailing(path: str) -> str:
    """Drop sentence punctuation and unbalanced ')' from a URL's end (twitter-text)."""
    while path:
        last = path[-1]
        if last in _TRAILING or (last == ")" and path.count("(") < path.count(")")):
            path = path[:-1]
        else:
            break
    return path


def _handle_of(segment: str) -> str | None:
    m = _HANDLE.fullmatch(segment)
    if m is None or m.group(1).lower() in RESERVED_PATHS:
        return None
    return m.group(1)


def _classify_site(host: str, path: str, query: str, mirror: bool) -> XUrl:
    """Paths of twitter.com / x.com and of mirrors that copy their routes."""
    segments = [s for s in path.split("/") if s]
    if mirror and segments and segments[0].lower() in ("dl", "dir"):
        segments = segments[1:]
    low = [s.lower() for s in segments]
    ident = segments[2] if len(segments) > 2 else None
    if low[:1] == ["i"]:
        if low[1:3] in (["web", "status"], ["videos", "tweet"]) and len(segments) > 3:
            ident = segments[3]
        elif low[1:2] in (["status"], ["article"], ["spaces"], ["broadcasts"], ["moments"]):
            pass
        else:
            return XUrl(host, "page", mirror=mirror)
        if ident and re.fullmatch(r"[a-z0-9]{1,20}", ident, re.I | re.A):
            return XUrl(host, "status", None, ident, mirror)
        return XUrl(host, "page", mirror=mirror)
    if low[:1] in (["status"], ["statuses"]) and len(segments) > 1 and _DIGITS.fullmatch(segments[1]):
        return XUrl(host, "status", None, segments[1], mirror)
    if low[:1] in (["intent"], ["share"]) or (low[:1] == ["home"] and "status" in query.lower()):
        return XUrl(host, "share", mirror=mirror)
    handle = _handle_of(segments[0]) if segments else None
    if handle is None:
        return XUrl(host, "page", mirror=mirror)
    if (
        len(segments) > 2
        and low[1] in ("status", "statuses", "thread", "article")
        and _DIGITS.fullmatch(segments[2])
    ):
        return XUrl(host, "status", handle, segments[2], mirror)
    return XUrl(host, "profile", handle, mirror=mirror)


def _classify(host: str, rest: str) -> XUrl | None:
    """Classify a URL given its lower-case host and everything after it."""
    path, _, query = rest.partition("?")
    path, _, fragment = path.partition("#")
    if fragment.startswith("!/"):  # hashbang era (2010-2012): twitter.com/#!/user/status/id
        path, _, query = fragment[1:].partition("?")
    labels = host.split(".")
    if host == "t.co":
        if not path.strip("/"):
            return XUrl(host, "page")
        m = _TCO_SLUG.match(path)
        if m is None:
            return XUrl(host, "page")
        if len(m.group(1)) > 40:  # twitter-text rejects longer slugs
            return None
        return XUrl(host, "tco", status_id=m.group(1))
    if host.endswith("twimg.com"):
        low = path.lower()
        if "profile_images" in low or "profile_banners" in low or "default_profile" in low:
            return XUrl(host, "avatar")
        if labels[0] in ("video", "ton") and path.strip("/"):
            return XUrl(host, "media")
        if labels[0] == "pbs" and low.startswith(
            ("/media/", "/ext_tw_video", "/amplify_video", "/tweet_video", "/card_img")
        ):
            return XUrl(host, "media")
        if "syndication" in labels and "id=" in query:
            ident = parse_qs(query).get("id", [""])[0]
            if _DIGITS.fullmatch(ident):
                return XUrl(host, "status", status_id=ident)
        return XUrl(host, "page")
    if host.endswith((".pscp.tv", ".periscope.tv")) or host in ("pscp.tv", "periscope.tv"):
        kind = "status" if len([s for s in path.split("/") if s]) >= 2 else "page"
        return XUrl(host, kind)
    mirror = not host.endswith(("twitter.com", "x.com")) or any(
        host == m or host.endswith("." + m) for m in MIRROR_HOSTS
    )
    if not mirror:
        sub = host.rsplit(".", 2)[0] if host.count(".") >= 2 else ""
        if sub == "pic":
            slug = path.strip("/")
            return XUrl(host, "pic", status_id=slug) if slug else XUrl(host, "page")
        if sub == "platform":
            low = path.lower()
            if low.endswith("widgets.js"):
                return XUrl(host, "widgets_js")
            if low.startswith("/embed/"):
                ident = parse_qs(query).get("id", [""])[0]
                if _DIGITS.fullmatch(ident):
                    return XUrl(host, "embed", status_id=ident)
            if "button" in low:
                return XUrl(host, "share")
            return XUrl(host, "page")
        if sub.startswith("syndication") and "screen-name/" in path:
            handle = _handle_of(path.rsplit("screen-name/", 1)[1].strip("/"))
            return XUrl(host, "profile", handle) if handle else XUrl(host, "page")
        if not (sub in _HANDLE_SUBDOMAINS or (len(sub) == 2 and sub.isalpha())):
            return XUrl(host, "page")
    return _classify_site(host, path, query, mirror)


def parse_x_url(url: str) -> XUrl | None:
    """Parse one URL (scheme optional, already de-obfuscated); ``None`` if it is not X's."""
    m = _URL.match(url.strip())
    if m is None:
        return None
    return _classify(m.group("host").lower(), _strip_trailing(m.group("path") or ""))


# --------------------------------------------------------------------------- prose and HTML

_PROSE_RULES = {
    "status": RULE_STATUS,
    "tco": RULE_TCO,
    "pic": RULE_PIC,
    "media": RULE_MEDIA,
    "embed": RULE_EMBED_IFRAME,
    "avatar": RULE_AVATAR,
    "profile": RULE_PROFILE,
    "share": RULE_SHARE,
    "widgets_js": RULE_WIDGETS_JS,
    "page": RULE_PAGE,
}


def iter_x_urls(norm: Normalized) -> list[tuple[XUrl, tuple[int, int]]]:
    """Every X URL in a normalised string, with its span in the original string."""
    found = []
    for m in _URL.finditer(norm.text):
        path = m.group("path") or ""
        stripped = _strip_trailing(path)
        xurl = _classify(m.group("host").lower(), stripped)
        if xurl is None:
            continue
        end = m.end() - (len(path) - len(stripped))
        found.append((xurl, norm.span(m.start(), end)))
    return found


def find_urls(text: str) -> list[Evidence]:
    """Evidence for every X URL in prose or HTML, with spans in ``text``."""
    out = []
    for xurl, span in iter_x_urls(Normalized(text)):
        authors = (xurl.handle,) if xurl.kind == "status" and xurl.handle else ()
        out.append(hit(_PROSE_RULES[xurl.kind], span, authors))
    return out


# --------------------------------------------------------------------------- own URL field

# Archive wrappers (§1.9): strip the prefix, then judge the inner URL.
_WRAPPER = re.compile(
    r"(?:https?://)?(?:"
    r"(?:web\.)?archive\.org/web/\d{0,14}\*?(?:[a-z]{2}_)?/"
    r"|wayback\.archive-it\.org/\d+/\d{1,14}(?:[a-z]{2}_)?/"
    r"|archive\.(?:today|is|ph|md|li|fo|vn)/(?:\d{4}[\d.\-]*/|newest/|oldest/|o/\w+/)"
    r"|webcache\.googleusercontent\.com/search\?q=cache:(?:[\w-]+:)?"
    r")",
    re.I | re.A,
)


def analyze_url(url: str) -> list[Evidence]:
    """Evidence for a record's own URL field: is the record itself an X page?"""
    if not url:
        return []
    text = Normalized(url.strip().strip("<>\"'")).text.strip()
    for _ in range(3):
        m = _WRAPPER.match(text)
        if m is None:
            break
        text = text[m.end() :]
    xurl = parse_x_url(text)
    if xurl is None:
        return []
    handle = (xurl.handle,) if xurl.handle else ()
    if xurl.kind == "tco":
        return [hit(RULE_OWN_TCO)]
    if xurl.kind in ("status", "embed"):
        return [hit(RULE_OWN_POST, authors=handle)]
    return [hit(RULE_OWN_PAGE, authors=handle)]


# --------------------------------------------------------------------------- prefilter

_FULLWIDTH_OFFSET = 0xFEE0
_RE2_INVISIBLE = r"[\x{200B}-\x{200F}\x{202A}-\x{202E}\x{2060}-\x{2064}\x{2066}-\x{2069}\x{FEFF}]*"
_RE2_DOT = (
    r"(?:[.\x{FF0E}\x{3002}\x{FF61}]|%2e|\\u002e|&#0*46;|&#x0*2e;"
    r"|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
)
# Characters that may stand before a host once escapes are decoded (%2F, \u002F, &#47;).
_RE2_BOUNDARY = r"(?:^|[^a-z0-9_-]|%[0-9a-f]{2}|\\u00[0-9a-f]{2})"


def _re2_tolerant(literal: str) -> str:
    """RE2 pattern for ``literal`` in any spelling that ``Normalized`` undoes."""
    parts = []
    for ch in literal:
        if ch == ".":
            parts.append(_RE2_DOT)
        elif ch.isalnum():
            wide = chr(ord(ch) + _FULLWIDTH_OFFSET)
            wide_upper = chr(ord(ch.upper()) + _FULLWIDTH_OFFSET)
            parts.append(f"[{ch}{wide}{wide_upper}]")
        else:
            parts.append(re.escape(ch))
    return _RE2_INVISIBLE.join(parts)


_PREFILTER_FREE = (
    "twitter.", "twimg.", "nitter", "fixupx.", "fixvx.", "xfixup.", "twittpr.", "xcancel.",
    "lightbrd.", "twiiit.", "sotwe.", "twstalker.", "threadreaderapp.", "unofficialbird.",
    "notabird.", "trabun.", "birdsite.", "trom.tf", "lambda.dance", "t.com.sb", "vern.cc",
    "opnxng.", "artemislena.", "pscp.tv", "periscope.tv",
)
PREFILTER: str = "|".join(
    [_re2_tolerant(k) for k in _PREFILTER_FREE]
    + [_RE2_BOUNDARY + _re2_tolerant("x.com"), _RE2_BOUNDARY + _re2_tolerant("t.co")]
)
