"""Field access for parsed X objects: lookups, handles, ids, X links, and the authors collected."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from xfilter.detect.evidence import FIELD_HANDLE, Evidence, Rule, hit
from xfilter.detect.ids import PRE_SNOWFLAKE_MAX, plausible_post_id

# The walk stops after MAX_NODES visits; the authors of posts carried inside a post are followed
# MAX_DEPTH levels down.
MAX_DEPTH = 24
MAX_NODES = 100_000

_HANDLE = re.compile(rf"^@?{FIELD_HANDLE}$")
_DIGITS = re.compile(r"^[0-9]{1,20}$")
_X_URL = re.compile(
    r"^https?:(?:\\?/){2}(?:www\.|mobile\.|m\.)?(?:twitter|x)\.com(?:\\?/|$)", re.IGNORECASE
)
_X_HANDLE_URL = re.compile(
    rf"^https?://(?:www\.|mobile\.|m\.)?(?:twitter|x)\.com/(?:#!/)?@?({FIELD_HANDLE})"
    r"(?:[/?#]|$)",
    re.IGNORECASE,
)
_X_STATUS_URL = re.compile(
    rf"^https?://(?:www\.|mobile\.|m\.)?(?:twitter|x)\.com/(?:#!/)?@?({FIELD_HANDLE})"
    r"/status(?:es)?/(\d+)",
    re.IGNORECASE,
)
_RT_PREFIX = re.compile(rf"^RT @({FIELD_HANDLE}):")
# Not handles: first path segments of x.com that are pages, not accounts.
_RESERVED = frozenset(
    {"i", "intent", "share", "search", "hashtag", "home", "explore", "settings", "login",
     "signup", "logout", "messages", "notifications", "download", "about", "tos", "privacy",
     "en", "compose", "widgets", "account", "status", "statuses", "help", "jobs"}
)  # fmt: skip

# None values count as absent: Arrow struct rows carry every schema key.


def keys_of(d: Mapping[str, Any]) -> frozenset[str]:
    """Present keys, with ``a.b`` flattened names (json_normalize, twarc-csv) reduced to ``a``."""
    return frozenset(str(k).partition(".")[0] for k, v in d.items() if v is not None)


def lookup(d: Mapping[str, Any], *path: str) -> Any:
    """Nested lookup that also understands flattened ``a.b`` keys."""
    cur: Any = d
    for i, key in enumerate(path):
        if not isinstance(cur, Mapping):
            return None
        nxt = cur.get(key)
        if nxt is None and i < len(path) - 1:
            dotted = cur.get(".".join(path[i:]))
            if dotted is not None:
                return dotted
        cur = nxt
        if cur is None:
            return None
    return cur


def handle(v: Any) -> str | None:
    if isinstance(v, str):
        s: str = v.strip()
        if _HANDLE.match(s):
            return s
    return None


def id_text(v: Any) -> str | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return str(v) if v > 0 else None
    if isinstance(v, str) and _DIGITS.match(v.strip()):
        return v.strip()
    return None


def digit_str(v: Any) -> bool:
    return isinstance(v, str) and bool(_DIGITS.match(v))


def plausible(v: Any) -> bool:
    s = id_text(v)
    return s is not None and plausible_post_id(int(s))


def snowflake(v: Any) -> bool:
    s = id_text(v)
    return s is not None and int(s) > PRE_SNOWFLAKE_MAX and plausible_post_id(int(s))


def url_handle(url: Any, status_only: bool = False) -> str | None:
    if not isinstance(url, str):
        return None
    m = (_X_STATUS_URL if status_only else _X_HANDLE_URL).match(url.strip())
    if m and m.group(1).lower() not in _RESERVED:
        return m.group(1)
    return None


def v1_user_handle(user: Any) -> str | None:
    """screen_name, else the numeric id (a trimmed ``{"id": 12, "id_str": "12"}`` user)."""
    if not isinstance(user, Mapping):
        return None
    return handle(user.get("screen_name")) or id_text(user.get("id_str")) or id_text(user.get("id"))


def is_x_url(v: Any) -> bool:
    return isinstance(v, str) and bool(_X_URL.match(v.strip()))


def text_of(d: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        v = d.get(name)
        if isinstance(v, str):
            return v
    return None


def rt_handle(text: str | None) -> str | None:
    m = _RT_PREFIX.match(text) if text else None
    return m.group(1) if m else None


def self_link_handle(d: Mapping[str, Any]) -> str | None:
    """Author from the post's own links: X writes ``/{author}/status/{this id}/photo/1``.

    Covers posts without a user object (embedded statuses, v2 posts fetched without
    expansions) whose media or URL entities point back at the post itself.
    """
    own = id_text(d.get("id_str")) or id_text(d.get("id"))
    if own is None:
        return None
    for holder in (d, d.get("extended_tweet")):
        if not isinstance(holder, Mapping):
            continue
        for ent_key in ("entities", "extended_entities"):
            ents = holder.get(ent_key)
            if not isinstance(ents, Mapping):
                continue
            for kind in ("media", "urls"):
                items = ents.get(kind)
                for item in items if isinstance(items, list) else ():
                    url = item.get("expanded_url") if isinstance(item, Mapping) else None
                    m = _X_STATUS_URL.match(url.strip()) if isinstance(url, str) else None
                    if m and m.group(2) == own and m.group(1).lower() not in _RESERVED:
                        return m.group(1)
    return None


class Who:
    """Authors of one object: known handles plus whether every carried author is known."""

    __slots__ = ("complete", "handles")

    def __init__(self, *handles: str | None) -> None:
        self.handles: list[str] = []
        self.complete = True
        for h in handles:
            self.add(h)

    def add(self, h: str | None) -> None:
        if h:
            self.handles.append(h)
        else:
            self.complete = False

    def merge(self, other: Who | None) -> None:
        if other is None:
            self.complete = False
            return
        self.handles.extend(other.handles)
        self.complete &= other.complete


# Where a post object keeps its own id (v1.1 ``id_str``/``id``, GraphQL ``rest_id``, v2 and
# snscrape ``id``, archive likes ``tweetId``), and the keys under which it carries other posts
# whole (retweets, quotes, GraphQL result wrappers, the archive's ``tweet``, an activity's
# ``object``).
_OWN_ID_KEYS = ("id_str", "rest_id", "id", "tweetId", "tweet_id")
_CARRIED_POST_KEYS = (
    "retweeted_status", "quoted_status", "retweetedTweet", "quotedTweet",
    "retweeted_status_result", "quoted_status_result", "result", "tweet", "legacy", "object",
)  # fmt: skip
# A Gnip activity names its post as ``tag:search.twitter.com,2005:<id>``.
_ACTIVITY_ID = re.compile(r"^tag:search\.twitter\.com,\d{4}:(\d{1,20})$")


def post_ids_of(d: Mapping[str, Any], depth: int = 0) -> list[str]:
    """The ids of a post object and of the posts it carries whole, in the order met."""
    found: list[str] = []
    for key in _OWN_ID_KEYS:
        value = d.get(key)
        if isinstance(value, str) and (activity := _ACTIVITY_ID.match(value.strip())):
            value = activity.group(1)
        if plausible(value):
            found.append(str(int(str(value).strip())))
            break
    if depth < MAX_DEPTH:
        for key in _CARRIED_POST_KEYS:
            inner = d.get(key)
            if isinstance(inner, Mapping):
                found.extend(post_ids_of(inner, depth + 1))
    return found


class _Found:
    """What one rule found so far: its authors in order, the shapes, whether one is unknown,
    and the ids of the posts it carries."""

    __slots__ = ("authors", "posts", "rule", "shapes", "unknown")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.authors: dict[str, None] = {}
        self.shapes: dict[str, None] = {}
        self.posts: dict[str, None] = {}
        self.unknown = False


class Collector:
    """Evidence per rule: authors merged in order, plus an "author unknown" flag.

    Each rule gives one :class:`Evidence` (two when only some of its objects have a known
    author), whose ``detail`` names the shapes that fired, in the order they were met.
    """

    def __init__(self) -> None:
        self.found: dict[str, _Found] = {}
        self.budget = MAX_NODES

    def tick(self) -> bool:
        self.budget -= 1
        return self.budget > 0

    def add(self, rule: Rule, who: Who, shape: str, posts: Iterable[str] = ()) -> None:
        entry = self.found.get(rule.id)
        if entry is None:
            entry = self.found[rule.id] = _Found(rule)
        for h in who.handles:
            entry.authors[h.lower().lstrip("@")] = None
        entry.shapes[shape] = None
        entry.posts.update(dict.fromkeys(posts))
        if not who.complete:
            entry.unknown = True

    def evidence(self) -> list[Evidence]:
        out: list[Evidence] = []
        for entry in self.found.values():
            detail, posts = ", ".join(entry.shapes), tuple(entry.posts)
            if entry.authors:
                out.append(
                    hit(entry.rule, authors=tuple(entry.authors), detail=detail, posts=posts)
                )
            if entry.unknown or not entry.authors:
                out.append(hit(entry.rule, detail=detail, posts=posts))
        return out


#: One step of the walk's classification: records the evidence of ``d`` when ``d`` has its shape
#: and returns whether the walk may skip the subtree (True) or must enter it (False); None when
#: ``d`` is not its shape. Called as ``step(d, keys_of(d), collector, depth)``.
Step = Callable[[Mapping[str, Any], frozenset[str], Collector, int], "bool | None"]
