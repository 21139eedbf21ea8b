"""API v1.1 and v2 posts and users: how each is recognised and whose content it carries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xfilter.detect.posts.fields import (
    MAX_DEPTH,
    Collector,
    Who,
    digit_str,
    handle,
    id_text,
    keys_of,
    lookup,
    plausible,
    post_ids_of,
    rt_handle,
    self_link_handle,
    snowflake,
    text_of,
    url_handle,
    v1_user_handle,
)
from xfilter.detect.posts.keys import (
    USER_PROFILE_KEYS,
    V1_CREATED,
    V1_POST_KEYS,
    V2_FIELDS,
    V2_MEDIUM,
    V2_SPECIFIC,
    V2_USER_FIELDS,
    V2_USER_SPECIFIC,
)
from xfilter.detect.posts.rules import ARCHIVE, USER, V1_POST, V2_POST

# ---------------------------------------------------------------------------------------------
# Posts. Each *_who function returns the authors of a post of its kind: its own and those of the
# posts it carries.


def _is_v1_post(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    has_id = "id" in keys or "id_str" in keys or ("status_id" in keys and "screen_name" in keys)
    if not has_id:
        return _is_trimmed_v1_post(d)
    created = d.get("created_at")
    v1_created = isinstance(created, str) and bool(V1_CREATED.match(created))
    flat_author = "screen_name" in keys or "user_screen_name" in keys
    if not (v1_created or "id_str" in keys or flat_author):
        return False
    has_text = (
        isinstance(d.get("text"), str)
        or isinstance(d.get("full_text"), str)
        or isinstance(d.get("extended_tweet"), Mapping)
    )
    user = d.get("user")
    user_ok = isinstance(user, Mapping) and v1_user_handle(user) is not None
    if user_ok and not has_text and not v1_created:
        return False
    if not (has_text or user_ok):
        return False
    if flat_author and not (v1_created or "id_str" in keys):
        # rtweet / flattened exports: screen_name beside text needs more v1 vocabulary.
        return len(keys & V1_POST_KEYS) >= 2 or "status_id" in keys
    return v1_created or user_ok or len(keys & V1_POST_KEYS) >= 2


def _is_trimmed_v1_post(d: Mapping[str, Any]) -> bool:
    """A post trimmed to what a person pastes or a tutorial prints: its text, its date and its
    author's v1.1 user object by screen name, without ids. (Weibo and the other clones that
    share this shape are skipped before, by their own keys.)"""
    user = d.get("user")
    return (
        isinstance(text_of(d, "text", "full_text"), str)
        and isinstance(d.get("created_at"), str)
        and isinstance(user, Mapping)
        and handle(user.get("screen_name")) is not None
    )


def _v1_who(d: Mapping[str, Any], depth: int, owner: str | None = None) -> Who:
    """Author, plus carried retweet / quote authors (``retweeted_status``, ``quoted_status``)."""
    # Handles first (user object, flattened exports, the post's own links), then numeric ids.
    primary = (
        owner
        or handle(lookup(d, "user", "screen_name"))
        or handle(d.get("user_screen_name"))
        or handle(d.get("screen_name"))
        or self_link_handle(d)
        or v1_user_handle(d.get("user"))
        or id_text(lookup(d, "user", "id_str"))
        or id_text(d.get("user_id_str"))
        or id_text(d.get("user_id"))
    )
    who = Who(primary)
    if depth > MAX_DEPTH:
        return who
    text = text_of(d, "full_text", "text")
    rt = d.get("retweeted_status")
    if isinstance(rt, Mapping):
        sub = _v1_who(rt, depth + 1)
        if not sub.handles:
            sub = Who(rt_handle(text))
        who.merge(sub)
    elif handle(d.get("retweet_screen_name")):  # rtweet flat columns
        who.add(handle(d.get("retweet_screen_name")))
    qs = d.get("quoted_status")
    if isinstance(qs, Mapping):
        sub = _v1_who(qs, depth + 1)
        if not sub.handles:
            sub = Who(url_handle(lookup(d, "quoted_status_permalink", "expanded"), True))
        who.merge(sub)
    elif handle(d.get("quoted_screen_name")):
        who.add(handle(d.get("quoted_screen_name")))
    return who


def is_v2_post(d: Mapping[str, Any], keys: frozenset[str], in_envelope: bool) -> bool:
    if "id" not in keys:
        return False
    if not (isinstance(d.get("text"), str) or isinstance(d.get("note_tweet"), Mapping)):
        return False
    idv = d.get("id")
    digit = digit_str(idv)
    if not (digit or (isinstance(idv, int) and not isinstance(idv, bool))):
        return False
    spec = len(keys & V2_SPECIFIC)
    if spec >= 2:
        return True
    if not (digit and plausible(idv)):
        return False
    if spec == 1:
        return True
    if not keys <= V2_FIELDS:
        return False
    return in_envelope or snowflake(idv) or bool(keys & V2_MEDIUM)


# Referenced posts whose authors are authors of the record: the retweeted and the quoted.
_CARRIED_REFERENCES = frozenset({"retweeted", "quoted"})


def v2_who(
    d: Mapping[str, Any],
    users: Mapping[str, str],
    tweets: Mapping[str, Mapping[str, Any]],
    depth: int,
) -> Who:
    """Author via ``author.username`` (twarc2 flat) or ``author_id`` → ``includes.users``.

    Carried retweets and quotes add their authors: retweets always (the ``RT @h:`` prefix at
    worst), quotes when expanded inline (twarc2 flattening) or in includes. A replied-to post
    expanded inline is context, like a v1.1 reply pointer: its author is not the record's.
    """
    primary = handle(lookup(d, "author", "username"))
    uid = id_text(d.get("author_id")) or id_text(lookup(d, "author", "id"))
    if primary is None and uid is not None:
        primary = users.get(uid)
    primary = primary or self_link_handle(d) or uid
    who = Who(primary)
    if depth > MAX_DEPTH:
        return who
    refs = d.get("referenced_tweets")
    if not isinstance(refs, list):
        return who
    for ref in refs:
        if not isinstance(ref, Mapping):
            continue
        kind = ref.get("type")
        rid = id_text(ref.get("id"))
        inline = isinstance(ref.get("text"), str) or isinstance(ref.get("author"), Mapping)
        if kind not in _CARRIED_REFERENCES:
            continue
        if inline:
            who.merge(v2_who(ref, users, tweets, depth + 1))
        elif rid is not None and rid in tweets:
            # Already collected as an includes.tweets post; nothing more to add here.
            continue
        elif kind == "retweeted":
            who.add(rt_handle(text_of(d, "text")))
    return who


# ---------------------------------------------------------------------------------------------
# Users.


# Counters only X's user objects have together; with them a flat export's ``user_id`` column
# stands for the object's ``id``.
_USER_COUNTERS = frozenset(
    {"followers_count", "friends_count", "statuses_count", "favourites_count", "listed_count"}
)


def _is_v1_user(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    if handle(d.get("screen_name")) is None:
        return False
    flat_export = "user_id" in keys and len(keys & _USER_COUNTERS) >= 2
    if not (keys & {"id", "id_str"} or flat_export):
        return False
    if keys & {"indices", "connections", "text", "full_text"}:
        return False
    return bool(keys & USER_PROFILE_KEYS)


def is_v2_user(d: Mapping[str, Any], keys: frozenset[str], in_envelope: bool) -> bool:
    if handle(d.get("username")) is None or not digit_str(d.get("id")):
        return False
    if not keys <= V2_USER_FIELDS:
        return False
    return in_envelope or bool(keys & V2_USER_SPECIFIC)


# ---------------------------------------------------------------------------------------------
# Steps of the walk's classification (see walk.PRECEDENCE).


def v1_post(d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int) -> bool | None:
    """A v1.1 post; one with ``edit_info`` is an archive tweet."""
    if not _is_v1_post(d, keys):
        return None
    if "edit_info" in keys:
        col.add(ARCHIVE, _v1_who(d, depth), "archive tweet", post_ids_of(d))
    else:
        col.add(V1_POST, _v1_who(d, depth), "v1.1 post", post_ids_of(d))
    return True


def v1_user(d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int) -> bool | None:
    """A v1.1 user profile, and the post it carries as ``status``."""
    if not _is_v1_user(d, keys):
        return None
    owner = v1_user_handle(d)
    col.add(USER, Who(owner), "v1.1 user")
    status = d.get("status")
    if isinstance(status, Mapping) and keys_of(status) & {"text", "full_text", "id"}:
        col.add(V1_POST, _v1_who(status, depth + 1, owner=owner), "v1.1 post", post_ids_of(status))
    return True


def v2_post(d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int) -> bool | None:
    """A v2 post outside a response envelope."""
    if not is_v2_post(d, keys, in_envelope=False):
        return None
    col.add(V2_POST, v2_who(d, {}, {}, depth), "v2 post", post_ids_of(d))
    return True


def v2_user(d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int) -> bool | None:
    """A v2 user outside a response envelope."""
    if not is_v2_user(d, keys, in_envelope=False):
        return None
    col.add(USER, Who(handle(d.get("username"))), "v2 user")
    return True
