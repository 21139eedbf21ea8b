"""Posts and users outside the REST API: archive, Gnip activity streams, snscrape, syndication,
web GraphQL."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from xfilter.detect.posts.fields import (
    MAX_DEPTH,
    Collector,
    Who,
    handle,
    id_text,
    is_x_url,
    keys_of,
    lookup,
    post_ids_of,
    rt_handle,
    text_of,
    url_handle,
    v1_user_handle,
)
from xfilter.detect.posts.keys import (
    ARCHIVE_INNER,
    ARCHIVE_KINDS,
    SNSCRAPE_KEYS,
    SNSCRAPE_USER_KEYS,
    SYNDICATION_KEYS,
    V1_CREATED,
)
from xfilter.detect.posts.rules import ACTIVITY, ARCHIVE, GRAPHQL, SNSCRAPE, SYNDICATION, USER

_ACTIVITY_ID = re.compile(r"^(?:tag|object):search\.(?:twitter|x)\.com,\d{4}:")
_ACTOR_ID = re.compile(r"^id:(?:twitter|x)\.com:(\d+)$")
_ARCHIVE_TWEETS = ("tweet", "deleted-tweet", "deletedTweet", "community-tweet", "communityTweet")

# ---------------------------------------------------------------------------------------------
# Gnip Activity Streams.


def _is_activity_id(v: Any) -> bool:
    return isinstance(v, str) and bool(_ACTIVITY_ID.match(v))


def _activity_twitter(d: Mapping[str, Any]) -> bool:
    if _is_activity_id(d.get("id")):
        return True
    actor = d.get("actor")
    if isinstance(actor, Mapping):
        aid = actor.get("id")
        if isinstance(aid, str) and _ACTOR_ID.match(aid):
            return True
    provider = d.get("provider")
    if isinstance(provider, Mapping) and is_x_url(provider.get("link")):
        return True
    obj = d.get("object")
    if isinstance(obj, Mapping) and _is_activity_id(obj.get("id")):
        return True
    return url_handle(d.get("link"), status_only=True) is not None


def _is_activity(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    shaped = bool(keys & {"verb", "postedTime", "body", "objectType"}) and bool(
        keys & {"actor", "object"}
    )
    return shaped and _activity_twitter(d)


def _actor_handle(actor: Any) -> str | None:
    if not isinstance(actor, Mapping):
        return None
    h = handle(actor.get("preferredUsername")) or url_handle(actor.get("link"))
    if h:
        return h
    aid = actor.get("id")
    m = _ACTOR_ID.match(aid) if isinstance(aid, str) else None
    return m.group(1) if m else None


def _activity_who(d: Mapping[str, Any], depth: int) -> Who:
    """Actor, the shared activity's actor (``verb: share``) and ``twitter_quoted_status``."""
    who = Who(_actor_handle(d.get("actor")) or url_handle(d.get("link"), status_only=True))
    if depth > MAX_DEPTH:
        return who
    obj = d.get("object")
    if d.get("verb") == "share" and isinstance(obj, Mapping):
        if isinstance(obj.get("actor"), Mapping):
            who.merge(_activity_who(obj, depth + 1))
        else:
            who.add(rt_handle(text_of(d, "body")))
    quoted = d.get("twitter_quoted_status")
    if isinstance(quoted, Mapping):
        who.merge(_activity_who(quoted, depth + 1))
    return who


# ---------------------------------------------------------------------------------------------
# snscrape.


_SNSCRAPE_TYPE = "snscrape.modules.twitter."
# snscrape's post types: a Tweet, a TweetRef (a post known by id alone) and a Tombstone (a
# post that cannot be shown); twscrape writes the same ``_type`` values.
_SNSCRAPE_POST_TYPES = frozenset({"Tweet", "TweetRef", "Tombstone"})
# A UserRef names a mentioned or replied-to account inside a post: not a profile.
_SNSCRAPE_USER_TYPES = frozenset({"User"})


def _snscrape_type(d: Mapping[str, Any]) -> str | None:
    """The class name of an snscrape / twscrape ``_type`` (``Tweet``, ``User`` …), if any."""
    t = d.get("_type")
    if isinstance(t, str) and t.startswith(_SNSCRAPE_TYPE):
        return t[len(_SNSCRAPE_TYPE) :]
    return None


def _is_snscrape_post(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    if "_type" in keys:
        return _snscrape_type(d) in _SNSCRAPE_POST_TYPES
    if "id" not in keys or not keys & {"content", "rawContent", "renderedContent"}:
        return False
    if url_handle(d.get("url"), status_only=True):
        return True
    return len(keys & SNSCRAPE_KEYS) >= 3 and _snscrape_author(d) is not None


def _snscrape_author(d: Mapping[str, Any]) -> str | None:
    """``user.username``; old snscrape versions wrote ``username`` beside the post."""
    return handle(lookup(d, "user", "username")) or handle(d.get("username"))


def _snscrape_who(d: Mapping[str, Any], depth: int) -> Who:
    who = Who(_snscrape_author(d) or url_handle(d.get("url"), True))
    if depth > MAX_DEPTH:
        return who
    for key in ("retweetedTweet", "quotedTweet"):
        sub = d.get(key)
        if isinstance(sub, Mapping):
            who.merge(_snscrape_who(sub, depth + 1))
    return who


def _is_snscrape_user(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    if "_type" in keys:
        return _snscrape_type(d) in _SNSCRAPE_USER_TYPES
    return handle(d.get("username")) is not None and len(keys & SNSCRAPE_USER_KEYS) >= 2


# ---------------------------------------------------------------------------------------------
# Embed syndication and web GraphQL.


def _is_syndication(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    tn = d.get("__typename")
    has_text = isinstance(d.get("text"), str)
    if tn == "Tweet" and "id_str" in keys and (has_text or "user" in keys):
        return True
    return "id_str" in keys and has_text and bool(keys & SYNDICATION_KEYS)


def _syndication_who(d: Mapping[str, Any], depth: int) -> Who:
    """``user.screen_name``; the carried ``quoted_tweet`` and ``parent`` (replied-to) too."""
    who = Who(v1_user_handle(d.get("user")))
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
        handle(lookup(result, "legacy", "screen_name"))
        or handle(lookup(result, "core", "screen_name"))
        or id_text(result.get("rest_id"))
    )


def _graphql_who(d: Mapping[str, Any], depth: int) -> Who:
    legacy = d.get("legacy")
    legacy = legacy if isinstance(legacy, Mapping) else {}
    who = Who(
        _graphql_user(lookup(d, "core", "user_results", "result"))
        or id_text(legacy.get("user_id_str"))
    )
    if depth > MAX_DEPTH:
        return who
    for sub in (
        lookup(legacy, "retweeted_status_result", "result"),
        lookup(d, "quoted_status_result", "result"),
    ):
        if isinstance(sub, Mapping):
            tweet = sub.get("tweet")  # TweetWithVisibilityResults wraps the tweet
            inner: Mapping[str, Any] = tweet if isinstance(tweet, Mapping) else sub
            who.merge(_graphql_who(inner, depth + 1))
    return who


# ---------------------------------------------------------------------------------------------
# Steps of the walk's classification (see walk.PRECEDENCE).


def archive_item(
    d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int
) -> bool | None:
    """``{"tweet": {...}}``, ``{"like": {"tweetId": ...}}``, ``{"account": {...}}`` …"""
    if len(keys) != 1:
        return None
    kind = next(iter(keys))
    inner = d.get(kind)
    if kind not in ARCHIVE_KINDS or not isinstance(inner, Mapping):
        return None
    ik = keys_of(inner)
    if kind in _ARCHIVE_TWEETS:
        if not (ik & {"id_str", "id"} and ik & {"full_text", "text", "created_at"}):
            return None
        if not ("id_str" in ik or V1_CREATED.match(str(inner.get("created_at")))):
            return None
    elif not ik & (ARCHIVE_INNER | {"noteTweetId"}):
        return None
    owner = handle(inner.get("username")) if kind == "account" else None
    col.add(
        ARCHIVE, Who(owner), f"archive {kind}", post_ids_of(inner)
    )  # the owner of an archive is not in its tweets
    return True


def activity(d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int) -> bool | None:
    """A Gnip activity (post or share) from X."""
    if not (keys & {"actor", "object"} and _is_activity(d, keys)):
        return None
    col.add(ACTIVITY, _activity_who(d, depth), "activity", post_ids_of(d))
    return True


def activity_person(
    d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int
) -> bool | None:
    """A Gnip actor on its own."""
    aid = d.get("id")
    if not (d.get("objectType") == "person" and isinstance(aid, str) and _ACTOR_ID.match(aid)):
        return None
    col.add(USER, Who(_actor_handle(d)), "activity person")
    return True


def graphql(d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int) -> bool | None:
    """A GraphQL tweet result, or a GraphQL user result (``legacy.screen_name``, or
    ``core.screen_name`` in the 2024+ layout)."""
    if "rest_id" not in keys:
        return None
    legacy = d.get("legacy")
    legacy = legacy if isinstance(legacy, Mapping) else {}
    if isinstance(legacy.get("full_text"), str) or isinstance(legacy.get("text"), str):
        col.add(GRAPHQL, _graphql_who(d, depth), "graphql post", post_ids_of(d))
        return True
    if not (legacy or d.get("__typename") == "User"):
        return None
    owner = handle(legacy.get("screen_name")) or handle(lookup(d, "core", "screen_name"))
    if owner:
        col.add(USER, Who(owner), "graphql user")
        return True
    return None


def tombstone(
    d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int
) -> bool | None:
    """The syndication placeholder of a withheld or deleted post."""
    if "__typename" not in keys or d.get("__typename") != "TweetTombstone":
        return None
    col.add(SYNDICATION, Who(None), "tombstone", post_ids_of(d))
    return True


def syndication(
    d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int
) -> bool | None:
    """A syndication (embed) post."""
    if not _is_syndication(d, keys):
        return None
    col.add(SYNDICATION, _syndication_who(d, depth), "syndication post", post_ids_of(d))
    return True


def snscrape_post(
    d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int
) -> bool | None:
    """An snscrape / twscrape Tweet."""
    if not _is_snscrape_post(d, keys):
        return None
    col.add(SNSCRAPE, _snscrape_who(d, depth), "snscrape post", post_ids_of(d))
    return True


def snscrape_user(
    d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int
) -> bool | None:
    """An snscrape / twscrape User."""
    if not _is_snscrape_user(d, keys):
        return None
    col.add(USER, Who(handle(d.get("username"))), "snscrape user")
    return True
