"""X post objects and other X platform objects in parsed JSON or nested struct rows.

A record that *is* an API payload (v1.1, v2, Gnip activity, account archive, snscrape,
syndication, web GraphQL) or an X user / list / DM / trend object is X Content (``x_post``).
Shapes are recognised by key combinations that only X uses, never by a generic ``id``/``text``
pair, so Mastodon, Bluesky, Reddit or GitHub objects do not fire.

Authors are the accounts whose content the record carries: a post's author plus the authors
of carried retweets, quotes and expanded replies; the owner of a user profile; the author of
an oEmbed'ed post. Handles are preferred; a numeric user id is given only when no handle is
known. An :class:`Evidence` with empty ``authors`` means "X content whose author is unknown"
(for example an archive tweet, or a v2 post fetched without expansions), and is emitted
beside the known authors of the same rule when only some objects have a known author.

Work is bounded: the walk stops after ``MAX_NODES`` visits; the authors of posts carried
inside a post are followed ``MAX_DEPTH`` levels down.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xfilter.detect.evidence import Evidence, Rule, hit
from xfilter.detect.ids import PRE_SNOWFLAKE_MAX, plausible_post_id

_CAT = "x_post"

V1_POST = Rule(
    "json.v1_post", _CAT, "API v1.1 / native / enterprise post object (id_str, v1 created_at, user)"
)
V2_POST = Rule(
    "json.v2_post", _CAT, "API v2 post object (edit_history_tweet_ids, author_id, public_metrics…)"
)
V2_ENVELOPE = Rule(
    "json.v2_envelope", _CAT, "API v2 response envelope (data / includes / meta) carrying posts"
)
ARCHIVE = Rule(
    "json.archive", _CAT, "'Your X data' archive file or item (window.YTD.*, {'tweet': {...}})"
)
ACTIVITY = Rule(
    "json.activity_stream",
    _CAT,
    "Gnip Activity Streams post (tag:search.twitter.com id, id:twitter.com actor)",
)
SNSCRAPE = Rule("json.snscrape", _CAT, "snscrape / twscrape Tweet or User serialisation")
SYNDICATION = Rule(
    "json.syndication", _CAT, "embed syndication JSON (cdn.syndication.twimg.com tweet-result)"
)
GRAPHQL = Rule("json.graphql", _CAT, "x.com web GraphQL tweet result (rest_id + legacy)")
USER = Rule("json.user", _CAT, "X user profile object (v1.1 screen_name, v2 username, snscrape)")
API_OBJECT = Rule(
    "json.api_object",
    _CAT,
    "other X API object: list, DM, trend, place, id list, friendship, oEmbed, media, "
    "compliance, counts, rate-limit or help response",
)

RULES: tuple[Rule, ...] = (
    V1_POST,
    V2_POST,
    V2_ENVELOPE,
    ARCHIVE,
    ACTIVITY,
    SNSCRAPE,
    SYNDICATION,
    GRAPHQL,
    USER,
    API_OBJECT,
)

MAX_DEPTH = 24
MAX_NODES = 100_000

# ---------------------------------------------------------------------------------------------
# Vocabulary. Keys listed in _ANCHOR_KEYS (or a value pattern in _ANCHOR_VALUES) are required by
# every accepting path below, which is what lets PREFILTER promise to match every flagged string.

# Twitter-only v1.1 post keys (besides id_str and the v1 created_at format, which anchor).
_V1_POST_KEYS = frozenset(
    {
        "truncated", "retweet_count", "favorite_count", "favorited", "retweeted",
        "in_reply_to_status_id", "in_reply_to_status_id_str", "in_reply_to_user_id",
        "in_reply_to_user_id_str", "in_reply_to_screen_name", "is_quote_status",
        "retweeted_status", "quoted_status", "quoted_status_id", "quoted_status_id_str",
        "quoted_status_permalink", "extended_tweet", "extended_entities", "display_text_range",
        "contributors", "filter_level", "timestamp_ms", "possibly_sensitive", "source",
        "entities", "coordinates", "place", "geo", "quote_count", "reply_count",
        "matching_rules", "current_user_retweet", "withheld_in_countries", "lang", "full_text",
        "edit_info", "edit_controls", "user_mentions", "hashtags", "urls",
    }
)  # fmt: skip
_USER_PROFILE_KEYS = frozenset(
    {
        "followers_count", "friends_count", "statuses_count", "favourites_count",
        "listed_count", "profile_image_url", "profile_image_url_https", "protected",
        "verified", "created_at", "description", "location", "status", "default_profile",
        "default_profile_image", "profile_banner_url", "time_zone", "geo_enabled", "url",
    }
)  # fmt: skip
# v2 post fields that only X uses; one of these plus a digit-string id is a v2 post.
_V2_SPECIFIC = frozenset(
    {
        "edit_history_tweet_ids", "referenced_tweets", "reply_settings", "context_annotations",
        "note_tweet", "edit_controls", "public_metrics", "organic_metrics", "non_public_metrics",
        "promoted_metrics", "__twarc", "conversation_id",
    }
)  # fmt: skip
_V2_MEDIUM = frozenset(
    {"author_id", "in_reply_to_user_id", "community_id", "card_uri", "media_metadata"}
)
_V2_FIELDS = _V2_SPECIFIC | _V2_MEDIUM | frozenset(
    {
        "id", "text", "attachments", "created_at", "display_text_range", "entities", "geo",
        "lang", "possibly_sensitive", "source", "withheld", "scopes", "article",
        "paid_partnership", "author", "in_reply_to_user", "type",
    }
)  # fmt: skip
_V2_USER_FIELDS = frozenset(
    {
        "id", "name", "username", "affiliation", "connection_status", "created_at",
        "description", "entities", "location", "most_recent_tweet_id", "pinned_tweet_id",
        "profile_banner_url", "profile_image_url", "protected", "public_metrics",
        "receives_your_dm", "subscription", "subscription_type", "url", "verified",
        "verified_followers_count", "verified_type", "withheld", "is_identity_verified",
        "parody", "__twarc",
    }
)  # fmt: skip
_V2_USER_SPECIFIC = frozenset(
    {"public_metrics", "pinned_tweet_id", "most_recent_tweet_id", "verified_type", "__twarc"}
)
_V2_LIST_FIELDS = frozenset(
    {"id", "name", "created_at", "private", "follower_count", "member_count", "owner_id",
     "description"}
)  # fmt: skip
_V2_SPACE_FIELDS = frozenset(
    {
        "id", "state", "created_at", "creator_id", "ended_at", "host_ids", "lang",
        "is_ticketed", "invited_user_ids", "participant_count", "subscriber_count",
        "scheduled_start", "speaker_ids", "started_at", "title", "topic_ids", "updated_at",
    }
)  # fmt: skip
_V2_META = frozenset(
    {"result_count", "next_token", "previous_token", "newest_id", "oldest_id",
     "total_tweet_count", "sent", "summary"}
)  # fmt: skip
_ENVELOPE_KEYS = frozenset({"data", "includes", "meta", "errors", "matching_rules", "__twarc"})
_COMPLIANCE_EVENT = frozenset({"id", "action", "created_at", "redacted_at", "reason"})
_SNSCRAPE_KEYS = frozenset(
    {
        "replyCount", "retweetCount", "likeCount", "quoteCount", "conversationId",
        "retweetedTweet", "quotedTweet", "inReplyToTweetId", "inReplyToUser", "mentionedUsers",
        "renderedContent", "rawContent", "tcooutlinks", "sourceLabel", "viewCount",
        "bookmarkCount",
    }
)  # fmt: skip
_SNSCRAPE_USER_KEYS = frozenset(
    {"displayname", "rawDescription", "followersCount", "friendsCount", "statusesCount",
     "favouritesCount", "listedCount", "mediaCount", "profileImageUrl"}
)  # fmt: skip
_SYNDICATION_KEYS = frozenset(
    {"mediaDetails", "edit_control", "conversation_count", "news_action_type", "isEdited",
     "isStaleEdit", "photos"}
)  # fmt: skip
_DM_SENDER = frozenset({"sender_id", "sender_id_str", "sender_screen_name"})
_DM_RECIPIENT = frozenset({"recipient_id", "recipient_id_str", "recipient_screen_name"})
_HELP_CONFIG = frozenset(
    {"non_username_paths", "short_url_length_https", "characters_reserved_per_media"}
)
_ARCHIVE_INNER = frozenset({"tweetId", "accountId", "conversationId"})
_RATE_FAMILIES = (
    "statuses|help|application|friends|followers|users|lists|favorites|search|trends|geo|"
    "direct_messages|friendships|account|blocks|mutes|saved_searches|collections|tweets"
)
# Twitter-API clones whose payloads look like v1.1: Weibo (idstr, mid, reposts_count…),
# Fanfou (rawid), StatusNet / GNU social (statusnet_*). Their subtrees are skipped.
_CLONE_KEYS = frozenset(
    {"idstr", "mid", "reposts_count", "attitudes_count", "comments_count", "rawid", "is_self",
     "statusnet_html", "statusnet_conversation_id", "statusnet_profile_url"}
)  # fmt: skip
_NON_X_TYPE_PREFIXES = ("app.bsky.", "com.atproto.", "chat.bsky.", "tools.ozone.")
_DM_EVENT_TYPES = frozenset({"MessageCreate", "ParticipantsJoin", "ParticipantsLeave"})
_SPACE_STATES = frozenset({"live", "scheduled", "ended", "canceled"})
_ARCHIVE_KINDS = frozenset(
    {"tweet", "like", "account", "follower", "following", "block", "mute", "dmConversation",
     "profile", "deleted-tweet", "deletedTweet", "noteTweet", "community-tweet",
     "communityTweet"}
)  # fmt: skip

_ANCHOR_KEYS: tuple[str, ...] = tuple(
    sorted(
        {
            "id_str", "screen_name", "username", "user_screen_name", "rest_id", "edit_info",
            "dm_conversation_id", "dm_event_id", "noteTweetId",
            "next_cursor_str", "previous_cursor_str", "tweet_volume", "place_type",
            "media_id_string", "expires_after_secs", "indices", "rate_limit_context",
            "local_name", "member_count", "subscriber_count", "upload_expires_at",
            "download_expires_at", "tweet_count", "result_count", "total_tweet_count",
            "newest_id", "up_to_status_id_str",
        }
        | _V2_SPECIFIC
        | _DM_SENDER
        | _DM_RECIPIENT
        | _HELP_CONFIG
        | _ARCHIVE_INNER
    )
)  # fmt: skip
_ANCHOR_VALUES: tuple[str, ...] = (
    r"\+0000 [0-9]{4}[\"']",  # v1.1 created_at: "Wed Oct 10 20:19:24 +0000 2018"
    r"[\"']id[\"']\s*:\s*[\"'][0-9]+[\"']",  # v2 ids are digit strings
    # X URLs only as the start of a quoted JSON value, so prose with X links does not match.
    r"[\"'](?:https?:(?:\\*/){2}[a-z0-9.-]*|(?:tag|object):search\.|id:)(?:twitter|x|twimg)\.com",
    r"snscrape\.modules\.twitter",
    r"window\.ytd\.",
    r"message_create",
    r"[\"']TweetTombstone[\"']",
    r"[\"']state[\"']\s*:\s*[\"'](?:live|scheduled|ended|canceled)[\"']",  # v2 Spaces
    r"[\"']/(?:" + _RATE_FAMILIES + r")/",  # rate-limit endpoint keys
)

#: RE2 pattern (use with ``ignore_case=True``) matching every JSON string that
#: :func:`analyze_json_text` flags: X-only key names (followed by ``:``, also dotted
#: ``public_metrics.like_count`` and single-quoted Python-literal keys) or X-only values.
PREFILTER: str = (
    r"[\"'](?:"
    + "|".join(re.escape(k) for k in _ANCHOR_KEYS)
    + r")(?:\.[^\"']*)?[\"']\s*:|"
    + "|".join(_ANCHOR_VALUES)
)

_V1_CREATED = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \+0000 \d{4}$")
_HANDLE = re.compile(r"^@?[A-Za-z0-9_]{1,50}$")
_DIGITS = re.compile(r"^[0-9]{1,20}$")
_X_URL = re.compile(
    r"^https?:(?:\\?/){2}(?:www\.|mobile\.|m\.)?(?:twitter|x)\.com(?:\\?/|$)", re.IGNORECASE
)
_X_HANDLE_URL = re.compile(
    r"^https?://(?:www\.|mobile\.|m\.)?(?:twitter|x)\.com/(?:#!/)?@?([A-Za-z0-9_]{1,50})"
    r"(?:[/?#]|$)",
    re.IGNORECASE,
)
_X_STATUS_URL = re.compile(
    r"^https?://(?:www\.|mobile\.|m\.)?(?:twitter|x)\.com/(?:#!/)?@?([A-Za-z0-9_]{1,50})"
    r"/status(?:es)?/(\d+)",
    re.IGNORECASE,
)
_X_DISPLAY = ("pic.twitter.com/", "pic.x.com/", "twitter.com/", "x.com/")
_PROBLEM_TYPE = re.compile(r"^https://api\.(?:twitter|x)\.com/2/problems/")
_RT_PREFIX = re.compile(r"^RT @([A-Za-z0-9_]{1,50}):")
_SPACE_ID = re.compile(r"^[0-9A-Za-z]{13}$")
_RATE_PATH = re.compile(r"^/(?:" + _RATE_FAMILIES + r")/")
_ACTIVITY_ID = re.compile(r"^(?:tag|object):search\.(?:twitter|x)\.com,\d{4}:")
_ACTOR_ID = re.compile(r"^id:(?:twitter|x)\.com:(\d+)$")
_ARCHIVE_PREFIX = re.compile(r"\ufeff?\s*window\.YTD\.[A-Za-z0-9_.-]+\.part\d+\s*=\s*")
_JSON_START = re.compile(r"\ufeff?\s*(?:[\[{]|window\.YTD\.)")
# Not handles: first path segments of x.com that are pages, not accounts.
_RESERVED = frozenset(
    {"i", "intent", "share", "search", "hashtag", "home", "explore", "settings", "login",
     "signup", "logout", "messages", "notifications", "download", "about", "tos", "privacy",
     "en", "compose", "widgets", "account", "status", "statuses", "help", "jobs"}
)  # fmt: skip
_PYLIT_MAX = 2_000_000


# ---------------------------------------------------------------------------------------------
# Small helpers. None values count as absent: Arrow struct rows carry every schema key.


def _keys(d: Mapping[str, Any]) -> frozenset[str]:
    """Present keys, with ``a.b`` flattened names (json_normalize, twarc-csv) reduced to ``a``."""
    return frozenset(str(k).partition(".")[0] for k, v in d.items() if v is not None)


def _get(d: Mapping[str, Any], *path: str) -> Any:
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


def _handle(v: Any) -> str | None:
    if isinstance(v, str):
        s: str = v.strip()
        if _HANDLE.match(s):
            return s
    return None


def _id_text(v: Any) -> str | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return str(v) if v > 0 else None
    if isinstance(v, str) and _DIGITS.match(v.strip()):
        return v.strip()
    return None


def _digit_str(v: Any) -> bool:
    return isinstance(v, str) and bool(_DIGITS.match(v))


def _plausible(v: Any) -> bool:
    s = _id_text(v)
    return s is not None and plausible_post_id(int(s))


def _snowflake(v: Any) -> bool:
    s = _id_text(v)
    return s is not None and int(s) > PRE_SNOWFLAKE_MAX and plausible_post_id(int(s))


def _url_handle(url: Any, status_only: bool = False) -> str | None:
    if not isinstance(url, str):
        return None
    m = (_X_STATUS_URL if status_only else _X_HANDLE_URL).match(url.strip())
    if m and m.group(1).lower() not in _RESERVED:
        return m.group(1)
    return None


def _is_x_url(v: Any) -> bool:
    return isinstance(v, str) and bool(_X_URL.match(v.strip()))


def _text_of(d: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        v = d.get(name)
        if isinstance(v, str):
            return v
    return None


def _rt_handle(text: str | None) -> str | None:
    m = _RT_PREFIX.match(text) if text else None
    return m.group(1) if m else None


def _self_link_handle(d: Mapping[str, Any]) -> str | None:
    """Author from the post's own links: X writes ``/{author}/status/{this id}/photo/1``.

    Covers posts without a user object (embedded statuses, v2 posts fetched without
    expansions) whose media or URL entities point back at the post itself.
    """
    own = _id_text(d.get("id_str")) or _id_text(d.get("id"))
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


class _Who:
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

    def merge(self, other: _Who | None) -> None:
        if other is None:
            self.complete = False
            return
        self.handles.extend(other.handles)
        self.complete &= other.complete


_NOBODY: tuple[str, ...] = ()


class _Collector:
    """Evidence per rule: authors merged in order, plus an "author unknown" flag."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[Rule, dict[str, None], list[bool]]] = {}
        self.budget = MAX_NODES

    def tick(self) -> bool:
        self.budget -= 1
        return self.budget > 0

    def add(self, rule: Rule, who: _Who) -> None:
        entry = self.found.setdefault(rule.id, (rule, {}, [False]))
        for h in who.handles:
            entry[1][h.lower().lstrip("@")] = None
        if not who.complete:
            entry[2][0] = True

    def evidence(self) -> list[Evidence]:
        out: list[Evidence] = []
        for rule, authors, unknown in self.found.values():
            if authors:
                out.append(hit(rule, authors=tuple(authors)))
            if unknown[0] or not authors:
                out.append(hit(rule, authors=_NOBODY))
        return out


# ---------------------------------------------------------------------------------------------
# Posts. Each *_who function returns the authors when ``d`` is that kind of post, else None.


def _v1_user_handle(user: Any) -> str | None:
    """screen_name, else the numeric id (a trimmed ``{"id": 12, "id_str": "12"}`` user)."""
    if not isinstance(user, Mapping):
        return None
    return (
        _handle(user.get("screen_name")) or _id_text(user.get("id_str")) or _id_text(user.get("id"))
    )


def _is_v1_post(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    has_id = "id" in keys or "id_str" in keys or ("status_id" in keys and "screen_name" in keys)
    if not has_id:
        return False
    created = d.get("created_at")
    v1_created = isinstance(created, str) and bool(_V1_CREATED.match(created))
    flat_author = "screen_name" in keys or "user_screen_name" in keys
    if not (v1_created or "id_str" in keys or flat_author):
        return False
    has_text = (
        isinstance(d.get("text"), str)
        or isinstance(d.get("full_text"), str)
        or isinstance(d.get("extended_tweet"), Mapping)
    )
    user = d.get("user")
    user_ok = isinstance(user, Mapping) and _v1_user_handle(user) is not None
    if user_ok and not has_text and not v1_created:
        return False
    if not (has_text or user_ok):
        return False
    if flat_author and not (v1_created or "id_str" in keys):
        # rtweet / flattened exports: screen_name beside text needs more v1 vocabulary.
        return len(keys & _V1_POST_KEYS) >= 2 or "status_id" in keys
    return v1_created or user_ok or len(keys & _V1_POST_KEYS) >= 2


def _v1_who(d: Mapping[str, Any], depth: int, owner: str | None = None) -> _Who:
    """Author, plus carried retweet / quote authors (``retweeted_status``, ``quoted_status``)."""
    # Handles first (user object, flattened exports, the post's own links), then numeric ids.
    primary = (
        owner
        or _handle(_get(d, "user", "screen_name"))
        or _handle(d.get("user_screen_name"))
        or _handle(d.get("screen_name"))
        or _self_link_handle(d)
        or _v1_user_handle(d.get("user"))
        or _id_text(_get(d, "user", "id_str"))
        or _id_text(d.get("user_id_str"))
        or _id_text(d.get("user_id"))
    )
    who = _Who(primary)
    if depth > MAX_DEPTH:
        return who
    text = _text_of(d, "full_text", "text")
    rt = d.get("retweeted_status")
    if isinstance(rt, Mapping):
        sub = _v1_who(rt, depth + 1)
        if not sub.handles:
            sub = _Who(_rt_handle(text))
        who.merge(sub)
    elif _handle(d.get("retweet_screen_name")):  # rtweet flat columns
        who.add(_handle(d.get("retweet_screen_name")))
    qs = d.get("quoted_status")
    if isinstance(qs, Mapping):
        sub = _v1_who(qs, depth + 1)
        if not sub.handles:
            sub = _Who(_url_handle(_get(d, "quoted_status_permalink", "expanded"), True))
        who.merge(sub)
    elif _handle(d.get("quoted_screen_name")):
        who.add(_handle(d.get("quoted_screen_name")))
    return who


def _is_v2_post(d: Mapping[str, Any], keys: frozenset[str], in_envelope: bool) -> bool:
    if "id" not in keys:
        return False
    if not (isinstance(d.get("text"), str) or isinstance(d.get("note_tweet"), Mapping)):
        return False
    idv = d.get("id")
    digit = _digit_str(idv)
    if not (digit or (isinstance(idv, int) and not isinstance(idv, bool))):
        return False
    spec = len(keys & _V2_SPECIFIC)
    if spec >= 2:
        return True
    if not (digit and _plausible(idv)):
        return False
    if spec == 1:
        return True
    if not keys <= _V2_FIELDS:
        return False
    return in_envelope or _snowflake(idv) or bool(keys & _V2_MEDIUM)


def _v2_user_handle(uid: Any, users: Mapping[str, str]) -> str | None:
    s = _id_text(uid)
    if s is None:
        return None
    return users.get(s) or s


def _v2_who(
    d: Mapping[str, Any],
    users: Mapping[str, str],
    tweets: Mapping[str, Mapping[str, Any]],
    depth: int,
) -> _Who:
    """Author via ``author.username`` (twarc2 flat) or ``author_id`` → ``includes.users``.

    Carried referenced posts add their authors: retweets always (the ``RT @h:`` prefix at
    worst), quotes and replies when expanded inline (twarc2 flattening) or in includes.
    """
    primary = _handle(_get(d, "author", "username"))
    uid = _id_text(d.get("author_id")) or _id_text(_get(d, "author", "id"))
    if primary is None and uid is not None:
        primary = users.get(uid)
    primary = primary or _self_link_handle(d) or uid
    who = _Who(primary)
    if depth > MAX_DEPTH:
        return who
    refs = d.get("referenced_tweets")
    if not isinstance(refs, list):
        return who
    for ref in refs:
        if not isinstance(ref, Mapping):
            continue
        kind = ref.get("type")
        rid = _id_text(ref.get("id"))
        inline = isinstance(ref.get("text"), str) or isinstance(ref.get("author"), Mapping)
        if inline:
            who.merge(_v2_who(ref, users, tweets, depth + 1))
        elif rid is not None and rid in tweets:
            # Already collected as an includes.tweets post; nothing more to add here.
            continue
        elif kind == "retweeted":
            who.add(_rt_handle(_text_of(d, "text")))
    return who


def _activity_twitter(d: Mapping[str, Any]) -> bool:
    idv = d.get("id")
    if isinstance(idv, str) and _ACTIVITY_ID.match(idv):
        return True
    actor = d.get("actor")
    if isinstance(actor, Mapping):
        aid = actor.get("id")
        if isinstance(aid, str) and _ACTOR_ID.match(aid):
            return True
    provider = d.get("provider")
    if isinstance(provider, Mapping) and _is_x_url(provider.get("link")):
        return True
    obj = d.get("object")
    if isinstance(obj, Mapping):
        oid = obj.get("id")
        if isinstance(oid, str) and _ACTIVITY_ID.match(oid):
            return True
    return _url_handle(d.get("link"), status_only=True) is not None


def _is_activity(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    shaped = bool(keys & {"verb", "postedTime", "body", "objectType"}) and bool(
        keys & {"actor", "object"}
    )
    return shaped and _activity_twitter(d)


def _actor_handle(actor: Any) -> str | None:
    if not isinstance(actor, Mapping):
        return None
    h = _handle(actor.get("preferredUsername")) or _url_handle(actor.get("link"))
    if h:
        return h
    aid = actor.get("id")
    m = _ACTOR_ID.match(aid) if isinstance(aid, str) else None
    return m.group(1) if m else None


def _activity_who(d: Mapping[str, Any], depth: int) -> _Who:
    """Actor, the shared activity's actor (``verb: share``) and ``twitter_quoted_status``."""
    who = _Who(_actor_handle(d.get("actor")) or _url_handle(d.get("link"), status_only=True))
    if depth > MAX_DEPTH:
        return who
    obj = d.get("object")
    if d.get("verb") == "share" and isinstance(obj, Mapping):
        if isinstance(obj.get("actor"), Mapping):
            who.merge(_activity_who(obj, depth + 1))
        else:
            who.add(_rt_handle(_text_of(d, "body")))
    quoted = d.get("twitter_quoted_status")
    if isinstance(quoted, Mapping):
        who.merge(_activity_who(quoted, depth + 1))
    return who


def _is_snscrape_post(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    t = d.get("_type")
    if isinstance(t, str):
        return t.startswith("snscrape.modules.twitter.") and t.endswith("Tweet")
    if "id" not in keys or not keys & {"content", "rawContent", "renderedContent"}:
        return False
    if _url_handle(d.get("url"), status_only=True):
        return True
    return len(keys & _SNSCRAPE_KEYS) >= 3 and _handle(_get(d, "user", "username")) is not None


def _snscrape_who(d: Mapping[str, Any], depth: int) -> _Who:
    who = _Who(_handle(_get(d, "user", "username")) or _url_handle(d.get("url"), True))
    if depth > MAX_DEPTH:
        return who
    for key in ("retweetedTweet", "quotedTweet"):
        sub = d.get(key)
        if isinstance(sub, Mapping):
            who.merge(_snscrape_who(sub, depth + 1))
    return who


def _is_syndication(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    tn = d.get("__typename")
    has_text = isinstance(d.get("text"), str)
    if tn == "Tweet" and "id_str" in keys and (has_text or "user" in keys):
        return True
    return "id_str" in keys and has_text and bool(keys & _SYNDICATION_KEYS)


def _syndication_who(d: Mapping[str, Any], depth: int) -> _Who:
    """``user.screen_name``; the carried ``quoted_tweet`` and ``parent`` (replied-to) too."""
    who = _Who(_v1_user_handle(d.get("user")))
    if depth > MAX_DEPTH:
        return who
    for key in ("quoted_tweet", "parent"):
        sub = d.get(key)
        if isinstance(sub, Mapping) and "id_str" in sub:
            who.merge(_syndication_who(sub, depth + 1))
    return who


def _graphql_user(result: Any) -> str | None:
    if not isinstance(result, Mapping):
        return None
    return (
        _handle(_get(result, "legacy", "screen_name"))
        or _handle(_get(result, "core", "screen_name"))
        or _id_text(result.get("rest_id"))
    )


def _graphql_who(d: Mapping[str, Any], depth: int) -> _Who:
    legacy = d.get("legacy")
    legacy = legacy if isinstance(legacy, Mapping) else {}
    who = _Who(
        _graphql_user(_get(d, "core", "user_results", "result"))
        or _id_text(legacy.get("user_id_str"))
    )
    if depth > MAX_DEPTH:
        return who
    for sub in (
        _get(legacy, "retweeted_status_result", "result"),
        _get(d, "quoted_status_result", "result"),
    ):
        if isinstance(sub, Mapping):
            tweet = sub.get("tweet")  # TweetWithVisibilityResults wraps the tweet
            inner: Mapping[str, Any] = tweet if isinstance(tweet, Mapping) else sub
            who.merge(_graphql_who(inner, depth + 1))
    return who


# ---------------------------------------------------------------------------------------------
# Users and other API objects.


def _is_v1_user(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    if _handle(d.get("screen_name")) is None or not keys & {"id", "id_str"}:
        return False
    if keys & {"indices", "connections", "text", "full_text"}:
        return False
    return bool(keys & _USER_PROFILE_KEYS)


def _is_v2_user(d: Mapping[str, Any], keys: frozenset[str], in_envelope: bool) -> bool:
    if _handle(d.get("username")) is None or not _digit_str(d.get("id")):
        return False
    if not keys <= _V2_USER_FIELDS:
        return False
    return in_envelope or bool(keys & _V2_USER_SPECIFIC)


def _is_snscrape_user(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    t = d.get("_type")
    if isinstance(t, str):
        return t == "snscrape.modules.twitter.User"
    return _handle(d.get("username")) is not None and len(keys & _SNSCRAPE_USER_KEYS) >= 2


def _is_v2_item(d: Mapping[str, Any], keys: frozenset[str], context: bool) -> bool:
    """v2 non-post, non-user items inside an envelope: lists, Spaces, DMs, counts, jobs.

    A bare ``{"id": "...", "name": "..."}`` list needs v2 context (meta / includes), a
    list-only field or a Snowflake id: the shape alone is any REST API's named resource.
    """
    idv = d.get("id")
    if "tweet_count" in keys and {"start", "end"} <= keys:
        return True
    if {"dm_conversation_id", "dm_event_id"} & keys:
        return True
    if d.get("event_type") in _DM_EVENT_TYPES and _digit_str(idv):
        return True
    if keys & {"upload_expires_at", "download_expires_at"} and d.get("type") in (
        "tweets",
        "users",
    ):
        return True
    if (
        isinstance(idv, str)
        and _SPACE_ID.match(idv)
        and d.get("state") in _SPACE_STATES
        and keys <= _V2_SPACE_FIELDS
    ):
        return True
    if not (_digit_str(idv) and isinstance(d.get("name"), str) and keys <= _V2_LIST_FIELDS):
        return False
    return context or bool(keys - {"id", "name"}) or _snowflake(idv)


def _oembed_who(d: Mapping[str, Any], keys: frozenset[str]) -> _Who | None:
    named = d.get("provider_name") in ("Twitter", "X")
    if not (named or _is_x_url(d.get("provider_url"))):
        return None
    if not (_is_x_url(d.get("author_url")) or _is_x_url(d.get("url"))):
        return None
    if not keys & {"html", "author_url"}:
        return None
    return _Who(_url_handle(d.get("author_url")) or _url_handle(d.get("url"), True))


def _is_api_object(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    """Non-post X API objects, each by a key combination no other platform uses."""
    if keys & _DM_SENDER and keys & (_DM_RECIPIENT | {"recipient", "target"}):
        return True
    if "message_create" in keys or (
        d.get("type") == "message_create" and "created_timestamp" in keys
    ):
        return True
    if keys & _HELP_CONFIG or "rate_limit_context" in keys:
        return True
    if "media_id_string" in keys or {"media_id", "expires_after_secs"} <= keys:
        return True
    if "tweet_volume" in keys and {"name", "query"} <= keys:
        return True
    if {"name", "query"} <= keys and _is_x_url(d.get("url")):
        return True
    if "place_type" in keys and {"full_name", "country_code"} <= keys:
        return True
    if "indices" in keys and (
        _handle(d.get("screen_name"))
        or str(d.get("display_url")).startswith(_X_DISPLAY)
        or str(d.get("url")).startswith(("http://t.co/", "https://t.co/"))
    ):
        return True  # a v1.1 entity: mention, media or t.co URL with its indices
    if (
        "twimg.com" in str(d.get("media_url_https")) or "twimg.com" in str(d.get("media_url"))
    ) and (keys & {"id", "id_str", "media_key", "display_url"}):
        return True
    if isinstance(d.get("connections"), list) and keys & {"screen_name", "id_str"}:
        return True
    rel = d.get("relationship")
    if isinstance(rel, Mapping) and isinstance(rel.get("source"), Mapping):
        src = rel["source"]
        if "screen_name" in src or "id_str" in src:
            return True
    if "slug" in keys and keys & {"member_count", "subscriber_count"}:
        full, uri = d.get("full_name"), d.get("uri")
        if (isinstance(full, str) and full.startswith("@")) or "/lists/" in str(uri):
            return True
    if "local_name" in keys and {"code", "name"} <= keys and keys <= {
        "code", "name", "local_name", "status", "debug"
    }:  # fmt: skip
        return True
    if "id_str" in keys and {"query", "name"} <= keys and "text" not in keys:
        created = d.get("created_at")
        if isinstance(created, str) and _V1_CREATED.match(created):
            return True  # saved search
    if "id_str" in keys and "user_id_str" in keys and keys <= {
        "id", "id_str", "user_id", "user_id_str"
    }:  # fmt: skip
        return True  # streaming delete notice
    if "up_to_status_id_str" in keys and "user_id" in keys:
        return True  # streaming scrub_geo notice
    if (
        _digit_str(d.get("id"))
        and isinstance(d.get("action"), str)
        and isinstance(d.get("reason"), str)
        and keys <= _COMPLIANCE_EVENT
    ):
        return True
    if keys & {"upload_expires_at", "download_expires_at"} and d.get("type") in (
        "tweets",
        "users",
    ):
        return True
    if "tweet_count" in keys and {"start", "end"} <= keys:
        return True
    t = d.get("type")
    if isinstance(t, str) and _PROBLEM_TYPE.match(t):
        return True
    resources = d.get("resources")
    if isinstance(resources, Mapping):
        for family in resources.values():
            if isinstance(family, Mapping) and any(
                isinstance(k, str) and _RATE_PATH.match(k) for k in family
            ):
                return True
    return False


# ---------------------------------------------------------------------------------------------
# The walk.


def _envelope(d: Mapping[str, Any], keys: frozenset[str], col: _Collector, depth: int) -> bool:
    """A v2 response: resolve ``author_id`` through ``includes.users`` of the same envelope."""
    data = d.get("data")
    items = data if isinstance(data, list) else [data] if isinstance(data, Mapping) else []
    includes = d.get("includes")
    includes = includes if isinstance(includes, Mapping) else {}
    inc_users = [u for u in includes.get("users") or () if isinstance(u, Mapping)]
    inc_tweets = [t for t in includes.get("tweets") or () if isinstance(t, Mapping)]
    users: dict[str, str] = {}
    for u in [*inc_users, *(i for i in items if isinstance(i, Mapping))]:
        uid, name = _id_text(u.get("id")), _handle(u.get("username"))
        if uid and name:
            users[uid] = name
    tweets = {str(t.get("id")): t for t in inc_tweets if t.get("id") is not None}
    meta = d.get("meta")
    # Relaxed item shapes ({id, text}, {id, name}) only count inside a real v2 response.
    context = bool(includes) or bool(keys & {"__twarc", "matching_rules"})
    context = context or (isinstance(meta, Mapping) and bool(_keys(meta) & _V2_META))
    found = False
    for item in items:
        if not isinstance(item, Mapping) or not col.tick():
            continue
        ik = _keys(item)
        if _is_v2_post(item, ik, in_envelope=context):
            col.add(V2_ENVELOPE, _v2_who(item, users, tweets, depth + 1))
        elif _is_v2_user(item, ik, in_envelope=True):
            col.add(USER, _Who(_handle(item.get("username"))))
        elif _is_v2_item(item, ik, context):
            col.add(API_OBJECT, _Who())
        else:
            _walk(item, col, depth + 1)
            continue
        found = True
    for t in inc_tweets:
        if col.tick() and _is_v2_post(t, _keys(t), in_envelope=True):
            col.add(V2_ENVELOPE, _v2_who(t, users, tweets, depth + 1))
            found = True
    # includes.users only resolve author ids: like a v1 post's ``user``, they are not
    # profiles the record is about, so mentioned accounts do not become authors.
    if not found and isinstance(meta, Mapping) and not items:
        mk = _keys(meta)
        if mk and mk <= _V2_META and mk & {"result_count", "total_tweet_count", "newest_id"}:
            col.add(API_OBJECT, _Who())
            found = True
    errors = d.get("errors")
    if isinstance(errors, list):
        for e in errors:
            if isinstance(e, Mapping) and _is_api_object(e, _keys(e)):
                if not found:
                    col.add(API_OBJECT, _Who())
                found = True
                break
    return found


def _archive_item(d: Mapping[str, Any], keys: frozenset[str], col: _Collector) -> bool:
    """``{"tweet": {...}}``, ``{"like": {"tweetId": ...}}``, ``{"account": {...}}`` …"""
    if len(keys) != 1:
        return False
    kind = next(iter(keys))
    inner = d.get(kind)
    if kind not in _ARCHIVE_KINDS or not isinstance(inner, Mapping):
        return False
    ik = _keys(inner)
    if kind in ("tweet", "deleted-tweet", "deletedTweet", "community-tweet", "communityTweet"):
        if not (ik & {"id_str", "id"} and ik & {"full_text", "text", "created_at"}):
            return False
        if not ("id_str" in ik or _V1_CREATED.match(str(inner.get("created_at")))):
            return False
    elif not ik & (_ARCHIVE_INNER | {"noteTweetId"}):
        return False
    owner = _handle(inner.get("username")) if kind == "account" else None
    col.add(ARCHIVE, _Who(owner))  # the owner of an archive is not in its tweets
    return True


def _classify(d: Mapping[str, Any], col: _Collector, depth: int) -> bool:
    """Record evidence for ``d`` if it is an X object; True when its subtree is consumed."""
    keys = _keys(d)
    if not keys:
        return False
    t = d.get("$type")
    if isinstance(t, str) and t.startswith(_NON_X_TYPE_PREFIXES):
        return True  # Bluesky / AT Protocol
    if keys & _CLONE_KEYS:
        return True  # Weibo, Fanfou, GNU social: Twitter-shaped but not X
    if keys <= _ENVELOPE_KEYS and keys & {"data", "includes", "meta"}:
        return _envelope(d, keys, col, depth)
    if _archive_item(d, keys, col):
        return True
    if keys & {"actor", "object"} and _is_activity(d, keys):
        col.add(ACTIVITY, _activity_who(d, depth))
        return True
    if "rest_id" in keys and isinstance(d.get("legacy"), Mapping):
        legacy = d["legacy"]
        if isinstance(legacy.get("full_text"), str) or isinstance(legacy.get("text"), str):
            col.add(GRAPHQL, _graphql_who(d, depth))
            return True
        if _handle(legacy.get("screen_name")):
            col.add(USER, _Who(_handle(legacy.get("screen_name"))))
            return True
    if "__typename" in keys and d.get("__typename") == "TweetTombstone":
        col.add(SYNDICATION, _Who(None))
        return True
    if _is_syndication(d, keys):
        col.add(SYNDICATION, _syndication_who(d, depth))
        return True
    if _is_snscrape_post(d, keys):
        col.add(SNSCRAPE, _snscrape_who(d, depth))
        return True
    if _is_snscrape_user(d, keys):
        col.add(USER, _Who(_handle(d.get("username"))))
        return True
    if keys & {"provider_name", "provider_url"}:
        who = _oembed_who(d, keys)
        if who is not None:
            col.add(API_OBJECT, who)
            return True
    if _is_api_object(d, keys):
        col.add(API_OBJECT, _Who())
        return True
    if _is_v1_post(d, keys):
        col.add(ARCHIVE if "edit_info" in keys else V1_POST, _v1_who(d, depth))
        return True
    if _is_v1_user(d, keys):
        sn = _v1_user_handle(d)
        col.add(USER, _Who(sn))
        status = d.get("status")
        if isinstance(status, Mapping) and _keys(status) & {"text", "full_text", "id"}:
            col.add(V1_POST, _v1_who(status, depth + 1, owner=sn))
        return True
    if _is_v2_post(d, keys, in_envelope=False):
        col.add(V2_POST, _v2_who(d, {}, {}, depth))
        return True
    if _is_v2_user(d, keys, in_envelope=False):
        col.add(USER, _Who(_handle(d.get("username"))))
        return True
    aid = d.get("id")
    if d.get("objectType") == "person" and isinstance(aid, str) and _ACTOR_ID.match(aid):
        col.add(USER, _Who(_actor_handle(d)))
        return True
    if keys & {"next_cursor_str", "previous_cursor_str"}:
        col.add(API_OBJECT, _Who())  # cursored v1.1 page: keep walking into its items
    return False


def _walk(node: Any, col: _Collector, depth: int) -> None:
    """Visit ``node`` and what it contains, depth first, with an explicit stack: an X object
    wrapped in any number of levels is still found; ``MAX_NODES`` bounds the work."""
    stack: list[tuple[Any, int]] = [(node, depth)]
    while stack:
        node, depth = stack.pop()
        if not col.tick():
            return
        if isinstance(node, Mapping):
            if _classify(node, col, depth):
                continue
            children = [v for v in node.values() if isinstance(v, (Mapping, list, tuple))]
        elif isinstance(node, (list, tuple)):
            children = []
            for item in node:
                if isinstance(item, (Mapping, list, tuple)):
                    children.append(item)
                elif not col.tick():
                    return
        else:
            continue
        stack.extend((child, depth + 1) for child in reversed(children))


def analyze_object(obj: object) -> list[Evidence]:
    """Evidence for X objects in a parsed JSON value or an Arrow struct row (as Python dicts).

    Lists, envelopes and unknown wrappers are walked; recognised objects are not entered
    further except to collect the authors of the posts they carry. One :class:`Evidence` per
    rule, with the authors of all its objects (plus an author-less one when some are unknown).
    """
    col = _Collector()
    with contextlib.suppress(RecursionError):  # pathological nesting despite the depth cap
        _walk(obj, col, 0)
    return col.evidence()


def _loads(text: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(text)
    except (ValueError, RecursionError):
        pass
    # Python-literal dicts (``str(dict)`` written into CSV columns) are common in tweet datasets.
    if "'" in text and len(text) <= _PYLIT_MAX:
        import ast

        try:
            return True, ast.literal_eval(text.strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            pass
    return False, None


def analyze_json_text(text: str) -> list[Evidence] | None:
    """Evidence for a JSON string (or an archive ``window.YTD.*.partN = [...]`` file).

    Returns None when ``text`` is not JSON: it does not start with ``{`` / ``[`` after
    whitespace, or does not parse. Never raises. The archive prefix alone is evidence, so a
    truncated ``window.YTD.tweets.part0 = [...`` file still yields ``json.archive``.
    """
    if not isinstance(text, str) or not _JSON_START.match(text):
        return None
    m = _ARCHIVE_PREFIX.match(text)
    if m:
        ok, obj = _loads(text[m.end() :].rstrip().rstrip(";"))
        found = analyze_object(obj) if ok else []
        if not any(e.rule == ARCHIVE.id for e in found):
            found.append(hit(ARCHIVE))
        return found
    ok, obj = _loads(text.lstrip("\ufeff"))
    return analyze_object(obj) if ok else None


# ---------------------------------------------------------------------------------------------
# Schema-level shortcut for Arrow struct columns.

_V1_STRUCT_KEYS = _V1_POST_KEYS - {"source", "entities", "lang", "geo", "place", "coordinates"}
_ACTIVITY_STRUCT_KEYS = frozenset(
    {"twitter_entities", "twitter_lang", "twitter_filter_level", "twitter_extended_entities",
     "twitter_quoted_status", "gnip"}
)  # fmt: skip
_SNSCRAPE_STRUCT_X = frozenset(
    {"retweetCount", "quoteCount", "retweetedTweet", "quotedTweet", "tcooutlinks"}
)

#: Field paths holding the author handle (then the numeric fallback) for each rule returned by
#: :func:`struct_type_is_post`, so that authors can be read with ``pc.struct_field``.
STRUCT_AUTHOR_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    V1_POST.id: (
        ("user", "screen_name"),
        ("retweeted_status", "user", "screen_name"),
        ("quoted_status", "user", "screen_name"),
        ("user", "id_str"),
    ),
    V2_POST.id: (("author", "username"), ("author_id",)),
    ACTIVITY.id: (("actor", "preferredUsername"), ("object", "actor", "preferredUsername")),
    SNSCRAPE.id: (("user", "username"), ("retweetedTweet", "user", "username")),
    USER.id: (("screen_name",), ("username",)),
    ARCHIVE.id: (),
}


def _fields(t: pa.DataType) -> dict[str, pa.DataType]:
    return {f.name: f.type for f in t} if pa.types.is_struct(t) else {}


def struct_type_is_post(t: pa.DataType) -> str | None:
    """Rule id when an Arrow struct type's field names alone identify X objects, else None.

    Decides v1.1 posts, v2 posts, Gnip activities, snscrape tweets, v1.1 users and archive
    ``{"tweet": ...}`` rows from the schema, so a whole column can be tagged without per-row
    Python. Lists of such structs qualify too. A row counts only where the struct is valid and
    its id field (``id_str``/``id``; ``tweet.id_str`` for archives) is non-null: Arrow fills
    missing keys with nulls. Returns None for shapes that need values to decide (syndication,
    oEmbed, Mastodon-like activities, small v2 objects); those rows need :func:`analyze_object`.
    """
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return struct_type_is_post(t.value_type)
    f = _fields(t)
    if not f:
        return None
    names = frozenset(f)
    if names & _CLONE_KEYS:
        return None
    if len(names) == 1 and "tweet" in names:
        inner = frozenset(_fields(f["tweet"]))
        if "id_str" in inner and inner & {"full_text", "text"}:
            return ARCHIVE.id
        return None
    has_text = bool(names & {"text", "full_text", "extended_tweet"})
    user = frozenset(_fields(f["user"])) if "user" in f else frozenset()
    if (
        "id_str" in names
        and has_text
        and "screen_name" in user
        and len(names & _V1_STRUCT_KEYS) >= 3
    ):
        return V1_POST.id
    if {"id", "text"} <= names and len(names & _V2_SPECIFIC) >= 2:
        return V2_POST.id
    if {"actor", "verb"} <= names and len(names & _ACTIVITY_STRUCT_KEYS) >= 2:
        return ACTIVITY.id
    sn_user = frozenset(_fields(f["user"])) if "user" in f else frozenset()
    if (
        "id" in names
        and names & {"content", "rawContent", "renderedContent"}
        and "username" in sn_user
        and names & _SNSCRAPE_STRUCT_X
        and len(names & _SNSCRAPE_KEYS) >= 3
    ):
        return SNSCRAPE.id
    if (
        "screen_name" in names
        and names & {"id", "id_str"}
        and len(names & _USER_PROFILE_KEYS & {
            "followers_count", "friends_count", "statuses_count", "favourites_count",
            "profile_image_url_https", "listed_count",
        }) >= 2
        and not names & {"text", "indices", "connections"}
    ):  # fmt: skip
        return USER.id
    return None


# Decoded-value forms of the PREFILTER value anchors, for string leaves of struct columns.
_LEAF_VALUES = (
    r"\+0000 [0-9]{4}$"
    r"|^(?:https?:(?:\\*/){2}[a-z0-9.-]*|(?:tag|object):search\.|id:)(?:twitter|x|twimg)\.com"
    r"|snscrape\.modules\.twitter|^message_create$|^TweetTombstone$"
)
_LEAF_BY_NAME = {"id": r"^[0-9]+$", "state": r"^(?:live|scheduled|ended|canceled)$"}
_ANCHOR_KEY_SET = frozenset(_ANCHOR_KEYS)


def _anchor_name(name: str | None) -> bool:
    return name is not None and (name in _ANCHOR_KEY_SET or bool(_RATE_PATH.match(name)))


def _candidate_rows(arr: pa.Array, name: str | None) -> np.ndarray:
    n = len(arr)
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    valid = np.asarray(arr.is_valid(), dtype=bool) if arr.null_count else np.ones(n, dtype=bool)
    out = valid.copy() if _anchor_name(name) else np.zeros(n, dtype=bool)
    if n == 0 or out.all():
        return out
    if pa.types.is_struct(t):
        for f, child in zip(t, arr.flatten(), strict=True):  # flatten() applies parent nulls
            out |= _candidate_rows(child, f.name)
    elif pa.types.is_map(t):
        entries = arr.cast(pa.list_(pa.struct([t.key_field, t.item_field])))
        flat = pc.list_flatten(entries)
        keys, values = flat.flatten()
        hit_rows = _candidate_rows(values, None)
        if pa.types.is_string(keys.type) or pa.types.is_large_string(keys.type):
            hit_rows |= np.asarray(pc.fill_null(pc.is_in(keys, pa.array(_ANCHOR_KEYS)), False))
            rate = pc.match_substring_regex(keys, _RATE_PATH.pattern)
            hit_rows |= np.asarray(pc.fill_null(rate, False), dtype=bool)
        parents = np.asarray(pc.list_parent_indices(entries), dtype=np.int64)
        out[parents[hit_rows]] = True
    elif pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        flat = pc.list_flatten(arr)
        if len(flat):
            parents = np.asarray(pc.list_parent_indices(arr), dtype=np.int64)
            out[parents[_candidate_rows(flat, None)]] = True
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        m = pc.match_substring_regex(arr, _LEAF_VALUES, ignore_case=True)
        out |= np.asarray(pc.fill_null(m, False), dtype=bool)
        if name in _LEAF_BY_NAME:
            m = pc.match_substring_regex(arr, _LEAF_BY_NAME[name])
            out |= np.asarray(pc.fill_null(m, False), dtype=bool)
    out &= valid
    return out


def struct_candidates(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Vectorised prefilter for nested (struct / list / map) columns: the PREFILTER of rows.

    True where a row has a non-null field named like an X-only key, or a string leaf holding
    an X-only value (v1 ``+0000 YYYY`` date, quoted X URL, Gnip ``tag:search.twitter.com``
    id, digit-string ``id``, …). Every row on which :func:`analyze_object` returns evidence is
    True, so only candidate rows need ``to_pylist()`` and Python analysis.
    """
    if isinstance(arr, pa.ChunkedArray):
        parts = [_candidate_rows(c, None) for c in arr.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    return _candidate_rows(arr, None)
