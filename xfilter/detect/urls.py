"""X hosts and URLs: the record's own URL field, and X links inside prose or HTML.

The URL grammar follows twitter-text where it is explicit (host boundaries, t.co slugs of at
most 40 characters, no URL right after ``$`` or ``#``) and docs/x-content-reference.md §1 for
hosts, paths,
mirrors and archive wrappers. Obfuscated spellings (fullwidth letters, zero-width characters,
percent- or JSON-escaped separators, defanged ``twitter[.]com``) are undone first
(:mod:`xfilter.detect.normalize`); spans always refer to the caller's original string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from xfilter.detect.evidence import HANDLE, Evidence, Rule, hit
from xfilter.detect.normalize import ESCAPE, Normalized, Unveiled
from xfilter.detect.normalize import Literals as Literals
from xfilter.detect.normalize import has_veils as has_veils

RULE_OWN_POST = Rule(
    "url.own_post", "x_post", "the record's own URL is an X post (also via a mirror or archive)"
)
RULE_OWN_PAGE = Rule(
    "url.own_page", "x_post", "the record's own URL is another X page: profile, media, API"
)
RULE_OWN_TCO = Rule("url.own_tco", "x_link", "the record's own URL is a t.co short link")
RULE_OWN_ASSET = Rule(
    "url.own_asset", "x_mention", "the record's own URL is an X avatar, banner or static asset"
)
RULE_STATUS = Rule("link.status", "x_link", "links one X post (status, article, Space)")
RULE_TCO = Rule("link.tco", "x_link", "t.co short link: X wraps every link in a post with it")
RULE_PIC = Rule("link.pic", "x_link", "pic.twitter.com / pic.x.com media link of a post")
RULE_MEDIA = Rule("link.media", "x_link", "post media on pbs.twimg.com or video.twimg.com")
RULE_EMBED_IFRAME = Rule(
    "embed.iframe", "x_embed", "rendered embed iframe of one post (embed/Tweet.html?id=)"
)
RULE_PROFILE = Rule("mention.profile", "x_mention", "link to an X profile")
RULE_SHARE = Rule("mention.share_intent", "x_mention", "share, follow or intent link (a button)")
RULE_WIDGETS_JS = Rule("mention.widgets_js", "x_mention", "loads X's widgets.js")
RULE_AVATAR = Rule("mention.avatar", "x_mention", "X-hosted avatar or banner image")
RULE_PAGE = Rule("mention.page", "x_mention", "bare X host or a non-content page (search, help)")

# The rules of a record's own URL field (analyze_url), and of X links in prose or HTML
# (iter_x_urls and url_evidence, which the text detector runs).
OWN_URL_RULES: tuple[Rule, ...] = (RULE_OWN_POST, RULE_OWN_PAGE, RULE_OWN_TCO, RULE_OWN_ASSET)
LINK_RULES: tuple[Rule, ...] = (
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
RULES: tuple[Rule, ...] = OWN_URL_RULES + LINK_RULES

# docs/x-content-reference.md §1.10: the union of the help/configuration list, the web client's
# slugs and
# the recommended additions. A first path segment in this set is never a handle.
_RESERVED_WORDS = """
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
"""
RESERVED_PATHS: frozenset[str] = frozenset(_RESERVED_WORDS.split())
# Path starts whose '/status/{id}' is a route of X's own, not a post by an account of that name.
_NEVER_AUTHORS = frozenset({"i", "intent", "share", "home", "search", "hashtag", "status"})

# Front-ends and embed-fixers that serve X content under their own host (§1.8), current and
# historical (old crawls still link them).
_MIRROR_LIST = """
    fxtwitter.com vxtwitter.com fixupx.com fixvx.com twittpr.com xfixup.com xcancel.com
    lightbrd.com twiiit.com sotwe.com twstalker.com threadreaderapp.com unofficialbird.com
    notabird.site nuku.trabun.org birdsite.xanny.family bird.trom.tf tweet.lambda.dance t.com.sb
    nt.vern.cc n.opnxng.com tw.artemislena.eu twitter.censors.us twitter.076.ne.jp
"""
MIRROR_HOSTS: tuple[str, ...] = tuple(_MIRROR_LIST.split())
# Hosts whose first path segment is a handle; other twitter.com subdomains (help., blog.,
# developer.) host documentation, not accounts.
_HANDLE_SUBDOMAINS = frozenset({"", "www", "mobile", "m", "0", "tweetdeck"})
_HANDLE = re.compile(rf"@?({HANDLE})", re.I | re.A)
_DIGITS = re.compile(r"\d{1,20}", re.A)
_CONTENT_ID = re.compile(r"[a-z0-9]{1,20}", re.I | re.A)
_TCO_SLUG = re.compile(r"/([a-z0-9]+)", re.I | re.A)
# A post id that starts a path segment: '20', '20.json', or '20&sa=D' when the X URL sits,
# unencoded, in another URL's query string and runs on into that query's next parameter.
_LEADING_ID = re.compile(r"(\d{1,20})(?![a-z0-9_])", re.I | re.A)


# --------------------------------------------------------------------------- canonical form


def normalize(text: str) -> str:
    """Canonical form of a URL-ish string: de-obfuscated, unescaped, lower-cased, without
    trailing sentence punctuation."""
    plain = Normalized(Unveiled(text).text).text
    return _strip_trailing(plain.strip()).lower()


# --------------------------------------------------------------------------- URL grammar

_LABEL = r"[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?"
_MIRRORS = "|".join(re.escape(h) for h in sorted(MIRROR_HOSTS, key=len, reverse=True))
_HOST = (
    rf"(?:(?:{_LABEL}\.){{0,6}}(?:{_MIRRORS}|(?:twitter|x|twimg)\.com"
    rf"|nitter(?:\.{_LABEL}){{1,3}}|(?:pscp|periscope)\.tv"
    r"|twitter3e4tixl4xyajtrzo62zg5vztmjuricljdp2c5kshju4avyoid\.onion"  # X's onion service
    # Google Translate's proxy: 'x-com.translate.goog', 'mobile-twitter-com.translate.goog'
    r"|(?:[a-z0-9]{1,10}-){0,2}(?:twitter|x)-com\.translate\.goog)"
    r"|t\.co)"
)
# The scheme may follow '@' (twitter-text extracts the URL of '@http://host'); a bare host
# may not follow '@' (e-mail), '#'/'$' (hashtag, cashtag) or a host character (lookalikes).
_URL = re.compile(
    r"(?:(?<![a-z0-9_#$\u00c0-\u024f])https?://"
    r"|(?<![a-z0-9_.@#$:\-\u00c0-\u024f])//"
    r"|(?<![a-z0-9_.@#$\-\u00c0-\u024f])(?<!://))"
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
    slug: str | None = None  # of a t.co or pic.twitter.com link
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
    if low[:2] == ["i", "nojs_router"]:  # the no-JavaScript redirect: ?path=<encoded path>
        inner = _query_values(query, "path")
        if inner and inner[0].startswith("/") and "nojs_router" not in inner[0]:
            inner_path, _, inner_query = inner[0].partition("?")
            return _classify_site(host, inner_path, inner_query, mirror)
    if low[:1] == ["i"]:
        # /i/web/status/{id}, /i/videos/tweet/{id}; /i/status|article|spaces|…/{id}
        # /i/cards/tfw/v1/{id}: the card of one post; /i/videos/{id}: its video
        at = 4 if low[1:4] == ["cards", "tfw", "v1"] else 2
        at = 3 if low[1:3] in (["web", "status"], ["videos", "tweet"]) else at
        if at > 2 or low[1:2] in (
            ["videos"],
            ["status"],
            ["article"],
            ["spaces"],
            ["broadcasts"],
            ["moments"],
        ):
            ident = segments[at] if len(segments) > at else ""
            if _CONTENT_ID.fullmatch(ident):  # Space ids are alphanumeric
                return XUrl(host, "status", status_id=ident, mirror=mirror)
        return XUrl(host, "page", mirror=mirror)
    # /status/{id} without a handle; /thread/{id}.html on thread readers
    if low[:1] in (["status"], ["statuses"], ["thread"]) and len(segments) > 1:
        digits = _LEADING_ID.match(segments[1])
        if digits:
            return XUrl(host, "status", status_id=digits.group(1), mirror=mirror)
    if low[:1] in (["intent"], ["share"]) or (low[:1] == ["home"] and "status" in query.lower()):
        return XUrl(host, "share", mirror=mirror)
    post_id = _LEADING_ID.match(segments[2]) if len(segments) > 2 else None
    if post_id and low[1] in ("status", "statuses", "thread", "article"):
        # An account may hold a name the router reserves for its pages (@TwitterBlue): before
        # '/status/{id}' it can only be the author.
        author = _HANDLE.fullmatch(segments[0])
        if author and low[0] not in _NEVER_AUTHORS:
            return XUrl(host, "status", author.group(1), post_id.group(1), mirror=mirror)
    handle = _handle_of(segments[0]) if segments else None
    if handle is None:
        return XUrl(host, "page", mirror=mirror)
    return XUrl(host, "profile", handle, mirror=mirror)


# Path segments of API and syndication endpoints after which a post id comes.
_POST_SEGMENTS = frozenset({"statuses", "tweets", "tweet", "tweet-result", "status"})


def _query_values(query: str, *names: str) -> list[str]:
    """The values of the named query parameters, percent-decoded."""
    params = parse_qs(query)
    return [v for name in names for v in params.get(name, [])]


def _classify_service(host: str, path: str, query: str) -> XUrl:
    """X's API, oEmbed and syndication endpoints: the post or account a request names.

    ``statuses/show.json?id=``, ``statuses/show/{id}.json``, ``/2/tweets/{id}``,
    ``/2/tweets?ids=``, GraphQL ``TweetDetail`` variables, ``publish…/oembed?url=<status URL>``,
    ``cdn.syndication.twimg.com/tweet-result?id=``; accounts by ``screen_name=``,
    ``/2/users/by/username/{h}`` or ``…/screen-name/{h}``.
    """
    low = path.lower()
    for inner in _query_values(query, "url", "query"):  # oEmbed or publish form of a URL
        found = parse_x_url(inner)
        if found is not None and found.kind in ("status", "profile"):
            return XUrl(host, found.kind, found.handle, found.status_id)
    segments = [seg for seg in low.split("/") if seg]
    keyword = next((i for i, seg in enumerate(segments) if seg in _POST_SEGMENTS), None)
    if keyword is not None:  # the id follows the keyword ('show/20.json') or is a parameter
        for value in [*segments[keyword + 1 :], *_query_values(query, "id", "ids")]:
            ident = _LEADING_ID.match(value)
            if ident:
                return XUrl(host, "status", status_id=ident.group(1))
    handles = _query_values(query, "screen_name", "username")
    if "screen-name/" in path:
        handles.append(path.rsplit("screen-name/", 1)[1].strip("/"))
    if "/username/" in low:
        handles.append(path[low.rindex("/username/") + 10 :].strip("/"))
    for candidate in handles:
        handle = _handle_of(candidate.split(",")[0])
        if handle:
            return XUrl(host, "profile", handle)
    return XUrl(host, "page")


def _classify(host: str, rest: str) -> XUrl | None:
    """Classify a URL given its lower-case host and everything after it."""
    before_fragment, _, fragment = rest.partition("#")
    path, _, query = before_fragment.replace("&amp;", "&").partition("?")  # from HTML attributes
    if fragment.startswith("!/"):  # hashbang era (2010-2012): twitter.com/#!/user/status/id
        path, _, query = fragment[1:].partition("?")
    if host.endswith(".translate.goog"):  # the proxied host, its dots written as dashes
        host = host.split(".", 1)[0].replace("-", ".")
        return _classify_site(host, path, query, mirror=True)
    labels = host.split(".")
    if host == "t.co":
        if not path.strip("/"):
            return XUrl(host, "page")
        m = _TCO_SLUG.match(path)
        if m is None or path[m.end() :].startswith("/"):  # t.co/i/adsct is X's ad pixel
            return XUrl(host, "page")
        if len(m.group(1)) > 40:  # twitter-text rejects longer slugs
            return None
        return XUrl(host, "tco", slug=m.group(1))
    if host.endswith("twimg.com"):
        low = path.lower()
        if "profile_images" in low or "profile_banners" in low or "default_profile" in low:
            return XUrl(host, "avatar")
        if labels[0] in ("video", "ton", "amp") and path.strip("/"):  # amp: Amplify videos
            return XUrl(host, "media")
        if labels[0] == "pbs" and low.startswith(
            ("/media/", "/ext_tw_video", "/amplify_video", "/tweet_video", "/card_img")
        ):
            return XUrl(host, "media")
        if "syndication" in labels:
            return _classify_service(host, path, query)
        return XUrl(host, "page")
    if host.endswith((".pscp.tv", ".periscope.tv")) or host in ("pscp.tv", "periscope.tv"):
        kind = "status" if len([s for s in path.split("/") if s]) >= 2 else "page"
        return XUrl(host, kind)
    mirror = not host.endswith(("twitter.com", "x.com", ".onion")) or any(
        host == m or host.endswith("." + m) for m in MIRROR_HOSTS
    )
    if not mirror:
        sub = host.rsplit(".", 2)[0] if host.count(".") >= 2 else ""
        if sub == "pic":
            slug = path.strip("/")
            return XUrl(host, "pic", slug=slug) if slug else XUrl(host, "page")
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
        if sub.startswith("syndication") or sub in ("api", "publish"):
            return _classify_service(host, path, query)
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


# Every host that _HOST accepts contains one of these literals; they locate candidates.
_CORE_ANCHORS = (
    "twitter",
    "x.com",
    "t.co",
    "twimg",
    "nitter",
    "pscp.tv",
    "periscope.tv",
    "x-com.translate.goog",
)
_HOST_ANCHORS = tuple(
    a.encode()
    for a in _CORE_ANCHORS + MIRROR_HOSTS
    if a in _CORE_ANCHORS or not any(c in a for c in _CORE_ANCHORS)
)
_BACK = 400  # scheme and sub-domain labels before an anchor
_ESCAPE_TOKENS = ("%", "\\", "&#")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
# A URL, escaped or not, never spans these; they bound the window that is unescaped.
_DELIMITERS = tuple(" \t\n\r\"'<>`{}|[]")
_RAW_AHEAD = re.compile(r"[^\s\"'<>`{}|\[\]\x80-\U0010ffff]{0,2300}")


def _match_around(text: str, anchor: int) -> re.Match[str] | None:
    """The leftmost X URL whose host contains ``anchor``, as ``_URL.finditer`` would find it.

    Rather than trying every position, only the possible starts are tried: a scheme or '//'
    before the run of host characters, the run's start and each label start in it.
    """
    run = anchor
    while run > 0 and anchor - run < _BACK and text[run - 1] in _HOST_CHARS:
        run -= 1
    starts = []
    before = text[max(0, run - 8) : run].lower()
    for prefix in ("https://", "http://", "//"):
        if before.endswith(prefix):
            starts.append(run - len(prefix))
    starts.append(run)
    starts += [i + 1 for i in range(run, anchor) if text[i] == "."]
    for start in starts:
        m = _URL.match(text, start)
        if m and m.start("host") <= anchor < m.end("host"):
            return m
    return None


def iter_x_urls(text: str, literals: Literals | None = None) -> list[tuple[XUrl, tuple[int, int]]]:
    """Every X URL in ``text`` with its span there (``literals`` indexes ``text`` if given)."""
    plain = Unveiled(text, literals)
    text, literals = plain.text, plain.literals
    found = []
    covered = 0
    for anchor in literals.positions(_HOST_ANCHORS):
        if anchor < covered:
            continue
        floor = max(0, anchor - _BACK)
        lo = max(text.rfind(d, floor, anchor) for d in _DELIMITERS) + 1 or floor
        ahead = _RAW_AHEAD.match(text, anchor)
        hi = ahead.end() if ahead else anchor  # the pattern can match empty: never None
        raw = text[lo:hi]
        pattern = ESCAPE if any(t in raw for t in _ESCAPE_TOKENS) else None
        window = Normalized(raw, pattern)
        m = _match_around(window.text, window.to_normalized(anchor - lo))
        if m is None:
            continue
        path = m.group("path") or ""
        stripped = _strip_trailing(path)
        xurl = _classify(m.group("host").lower(), stripped)
        start, end = window.span(m.start(), m.end() - (len(path) - len(stripped)))
        covered = lo + end
        if xurl is not None:
            span = (lo + start, lo + end)
            found.append((xurl, plain.span(*span)))
    return found


# -- links a caller can take without reading the whole text ---------------------------------

# A plain stretch of text: printable ASCII that no de-obfuscation pass rewrites (no '%', '\\',
# '&', '(' or bracket: no escape or defanged form can start in it) and no URL delimiter; the
# characters around it are delimiters that no pass removes or adds to.
_PLAIN_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$*+,-./:;=?@^_~)"
)
_PLAIN_RUN = re.compile(r"[a-zA-Z0-9!#$*+,\-./:;=?@^_~)]{1,300}")
_PLAIN_BOUNDS = frozenset(" \t\n\r\"'<>")
_PLAIN_REACH = 300  # below _BACK: iter_x_urls sees the same window start
# The hosts a plain link is looked for at: X's own, its media CDN and t.co ('/' after each).
_PLAIN_HOSTS = (b"twitter.com/", b"x.com/", b"twimg.com/", b"t.co/")


def _plain_anchors(literals: Literals) -> list[tuple[int, int]]:
    """(start, end) of every _PLAIN_HOSTS literal in the indexed text, any case, in order."""
    return [(p, p + len(h)) for h in _PLAIN_HOSTS for p in literals.positions((h,))]


def plain_links(text: str, literals: Literals | None = None) -> list[Evidence]:
    """Evidence for the X URLs of ``text`` that stand in plain stretches of it: exactly what
    ``find_urls(text)`` reports for those stretches, found without reading the rest.

    ``iter_x_urls`` de-obfuscates the whole text, then judges each URL within the delimiters
    around it. A plain stretch (see ``_PLAIN_CHARS``) between delimiters that no pass adds or
    removes reads the same before and after, no URL from outside reaches into it, and it is
    shorter than the window ``iter_x_urls`` looks back over: there it finds the same URLs
    whether given the whole text or the stretch alone. ``xf.keep`` takes one of these as
    proof enough that a record links X content, and skips the rest of its analysis.
    ``literals`` indexes ``text`` if given.
    """
    found: list[Evidence] = []
    done = 0
    for start, end in sorted(_plain_anchors(literals or Literals(text))):
        if start < done:
            continue
        lo = start
        while lo > 0 and text[lo - 1] in _PLAIN_CHARS and start - lo < _PLAIN_REACH:
            lo -= 1
        if lo > 0 and text[lo - 1] not in _PLAIN_BOUNDS:
            continue
        run = _PLAIN_RUN.match(text, lo)
        hi = run.end() if run else lo
        if hi < end or (hi < len(text) and text[hi] not in _PLAIN_BOUNDS):
            continue
        stretch = text[lo:hi]
        if "hxxp" in stretch.lower():  # a defanged scheme: rewritten in the whole text
            continue
        for xurl, (first, last) in iter_x_urls(stretch):
            found.append(url_evidence(xurl, (lo + first, lo + last)))
        done = hi
    return found


def url_evidence(xurl: XUrl, span: tuple[int, int]) -> Evidence:
    """Evidence for an X URL found in prose; a status link names its author and its post."""
    authors = (xurl.handle,) if xurl.is_status and xurl.handle else ()
    return hit(_PROSE_RULES[xurl.kind], span, authors, posts=_status_ids(xurl))


def _status_ids(xurl: XUrl) -> tuple[str, ...]:
    return (xurl.status_id,) if xurl.status_id else ()


def find_urls(text: str) -> list[Evidence]:
    """Evidence for every X URL in prose or HTML, with spans in ``text``."""
    return [url_evidence(xurl, span) for xurl, span in iter_x_urls(text)]


# --------------------------------------------------------------------------- own URL field

# Archive wrappers (§1.9): strip the prefix, then judge the inner URL.
_WRAPPER = re.compile(
    r"(?:https?://)?(?:"
    r"(?:web\.)?archive\.org/web/\d{0,14}\*?(?:[a-z]{2}_)?/"
    r"|wayback\.archive-it\.org/\d+/\d{1,14}(?:[a-z]{2}_)?/"
    r"|archive\.(?:today|is|ph|md|li|fo|vn)/(?:\d{4}[\d.\-]*/|newest/|oldest/|o/\w+/"
    r"|(?=https?://))"
    r"|webcache\.googleusercontent\.com/search\?q=cache:(?:[\w-]+:)?"
    r")",
    re.I | re.A,
)


# Redirectors that send the visitor to the URL in one of their query parameters: Facebook's
# and Instagram's link shims, Google's result and Docs links, Reddit's, Tumblr's and YouTube's
# out-links, LinkedIn, VK, Steam, Slack, Pocket, DuckDuckGo and Outlook Safe Links.
_REDIRECT = re.compile(
    r"(?:https?://)?(?:"
    r"(?:l|lm|m|www)\.facebook\.com/l\.php|l\.instagram\.com/?"
    r"|(?:www\.)?google\.[a-z.]{2,6}/url|out\.reddit\.com/[^?#]{0,40}|t\.umblr\.com/redirect"
    r"|(?:www\.)?youtube\.com/redirect|(?:www\.)?linkedin\.com/redir/redirect"
    r"|(?:away\.)?vk\.com/away\.php|steamcommunity\.com/linkfilter/?|slack-redir\.net/link"
    r"|getpocket\.com/redirect|(?:html\.)?duckduckgo\.com/l/?"
    r"|[a-z0-9]{1,10}\.safelinks\.protection\.outlook\.com/?"
    r")\?(?P<query>[^#]{1,4000})",
    re.I | re.A,
)
_REDIRECT_PARAMS = ("u", "q", "url", "z", "to", "uddg", "target")


def _unwrap(text: str) -> str:
    """The URL an archive or redirector wrapper stands for (itself if it is none)."""
    for _ in range(3):
        m = _WRAPPER.match(text)
        if m is not None:
            text = text[m.end() :]
            continue
        m = _REDIRECT.match(text)
        inner = _query_values(m.group("query"), *_REDIRECT_PARAMS) if m else []
        if not inner:
            break
        text = inner[0].strip()
    return text


def analyze_url(url: str) -> list[Evidence]:
    """Evidence for a record's own URL field: is the record itself an X page?

    A post's media on X's CDN is the post's own content (an image-caption row of it is the
    post's media with a caption): ``url.own_page``. Avatars, banners and X's static assets
    (emoji sprites, scripts, styles on abs.twimg.com) belong to no post: ``url.own_asset``.
    """
    if not url:
        return []
    text = _unwrap(Normalized(Unveiled(url.strip().strip("<>\"'")).text).text.strip())
    xurl = parse_x_url(text)
    if xurl is None:
        return []
    handle = (xurl.handle,) if xurl.handle else ()
    if xurl.kind == "tco":
        return [hit(RULE_OWN_TCO)]
    if xurl.kind in ("status", "embed"):
        return [hit(RULE_OWN_POST, authors=handle, posts=_status_ids(xurl))]
    if xurl.kind == "avatar" or (xurl.kind == "page" and xurl.host.endswith("twimg.com")):
        return [hit(RULE_OWN_ASSET)]
    return [hit(RULE_OWN_PAGE, authors=handle)]


# --------------------------------------------------------------------------- prefilter

# The prefilter must match every string the detectors flag, in the raw text, so it allows what
# the first two passes undo: defanged dots, any case, fullwidth forms and invisible characters
# between any two characters. RE2 must run it as a DFA: counted repetitions ({0,8}) multiply
# DFA states across alternatives and make RE2 fall back to a ~50x slower engine, so none here.
_RE2_VEIL = "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]*"
_RE2_HEX = "[0-9a-f\uff10-\uff19\uff21-\uff26\uff41-\uff46]"
_RE2_DOT = (
    "(?:[.\uff0e\u3002\uff61]"
    + r"|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|%2e|\\u002e|&#0*46;|&#x0*2e;)"
)


def _re2_char(ch: str) -> str:
    """An RE2 class for one ASCII character and its fullwidth forms (RE2 folds ASCII case)."""
    forms = sorted({ch, *(chr(ord(c) + 0xFEE0) for c in {ch.lower(), ch.upper()})})
    return "[" + "".join(re.escape(c) if c.isascii() else c for c in forms) + "]"


def _re2_tolerant(literal: str) -> str:
    """RE2 pattern for ``literal`` in any spelling that the first two passes undo."""
    return _RE2_VEIL.join(_RE2_DOT if c == "." else _re2_char(c) for c in literal)


# What may stand right before a bare 'x.com' or 't.co' once escapes are undone: '%2F' and
# '\u002F' end in a hex digit, '\/' and '&#47;' in punctuation.
_RE2_BOUNDARY = (
    "(?:^|[^a-z0-9_-]|(?:[%\uff05]|"
    + _re2_tolerant("\\u00")
    + f"){_RE2_VEIL}{_RE2_HEX}{_RE2_VEIL}{_RE2_HEX})"
)


# Literals needing no boundary: no ordinary word contains them ('x.com' and 't.co' do).
_PREFILTER_LITERALS = (
    "twitter",
    "twimg",
    "nitter",
    "pscp.tv",
    "periscope.tv",
    "x-com.translate.goog",
    *(h for h in MIRROR_HOSTS if "twitter" not in h),
)
PREFILTER: str = "|".join(
    [_re2_tolerant(k) for k in _PREFILTER_LITERALS]
    + [_RE2_BOUNDARY + _re2_tolerant("x.com"), _RE2_BOUNDARY + _re2_tolerant("t.co")]
)

# Every X URL has a host that ends in one of these (a dot always follows 'twitter', 'twimg' and
# 'nitter' in _HOST), so this tighter twin of PREFILTER skips the bare word 'Twitter' and
# lookalike hosts such as 'twitter-dash.com' while still matching every URL iter_x_urls finds.
HOST_PREFILTER: str = "|".join(
    [
        _re2_tolerant(h)
        for h in (
            "twitter.com",
            "twimg.com",
            "nitter.",
            "pscp.tv",
            "periscope.tv",
            "twitter-com.translate.goog",
            "x-com.translate.goog",
            "twitter3e4tixl4xyajtrzo62zg5vztmjuricljdp2c5kshju4avyoid.onion",
        )
    ]
    + [_re2_tolerant(h) for h in MIRROR_HOSTS]
    + [_RE2_BOUNDARY + _re2_tolerant("x.com"), _RE2_BOUNDARY + _re2_tolerant("t.co")]
)
