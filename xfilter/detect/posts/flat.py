"""Flat export rows of posts: CSV files and DataFrames whose columns are a post's fields.

Exports rename X's fields freely (``tweet_text``, ``content``, ``handle``, ``Tweet Id``), so a
row is read by its normalised column names. It is a post when a column's name says it holds a
post's text (``tweet``, ``tweet_text``, ``clean_tweet``), or when a column named as a post's own
id (``tweet_id``, ``status_id``) holds a plausible X post id beside a text column, or when a
generic ``id`` holding one sits beside a text column and X's own field set: the v1.1
``created_at`` format or two of X's post fields (``retweet_count``, ``favorite_count``,
``in_reply_to_status_id``, ``screen_name`` …). A generic id and a text alone are not: forum,
chat and other platforms' exports have those too, and Discord ids are Snowflakes as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from xfilter.detect.posts.fields import (
    Collector,
    Who,
    handle,
    plausible,
    rt_handle,
    url_handle,
)
from xfilter.detect.posts.keys import CLONE_KEYS, FLAT_POST_ID_KEYS, FLAT_X_KEYS, V1_CREATED
from xfilter.detect.posts.rules import EXPORT_ROW

#: Normalised names of a post's text in exports.
TEXT_NAMES = frozenset(
    {"text", "full_text", "content", "tweet_text", "tweet", "tweet_content", "raw_content",
     "rendered_content", "tweet_full_text", "status_text", "post_text"}
)  # fmt: skip
#: Normalised names that say the column holds a post's text: such a column is X content by its
#: name, with or without an id (datasets of annotated posts ship the text alone).
TWEET_TEXT_NAMES = frozenset(
    {"tweet", "tweets", "tweet_text", "tweet_content", "tweet_full_text", "tweet_body",
     "clean_tweet", "cleaned_tweet", "tweet_clean", "processed_tweet", "original_tweet"}
)  # fmt: skip
#: Normalised names of a generic id column.
GENERIC_ID_NAMES = frozenset({"id", "id_str"})
#: Normalised names of the author's handle, best first. ``name`` and ``user`` are left out:
#: exports use them for display names as often as for handles.
HANDLE_NAMES: tuple[str, ...] = (
    "screen_name", "user_screen_name", "username", "user_username", "author_username",
    "author_screen_name", "user_handle", "handle", "twitter_handle", "author_handle",
    "user_name", "author",
)  # fmt: skip
#: Normalised names of handles of posts a retweet or quote row carries.
CARRIED_HANDLE_NAMES = ("retweet_screen_name", "quoted_screen_name", "user_rt")
_URL_NAMES = ("url", "link", "tweet_url", "status_url", "permalink", "tweet_link")
_FLAT_ID_NAMES = frozenset(k.replace(" ", "_") for k in FLAT_POST_ID_KEYS)
_X_FIELD_NAMES = frozenset(FLAT_X_KEYS)
# Chat platforms' message fields: a Discord message has a Snowflake id and content too.
_CHAT_KEYS = frozenset(
    {"channel_id", "guild_id", "mention_everyone", "mention_roles", "webhook_id"}
)

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalised(name: str) -> str:
    """``Tweet Id`` → ``tweet_id``, ``retweetCount`` → ``retweet_count``, ``user.name`` →
    ``user_name``."""
    return _NON_WORD.sub("_", _CAMEL.sub(r"\1_\2", name).lower()).strip("_")


def _by_name(d: Mapping[str, Any]) -> dict[str, Any]:
    """Non-null values by normalised column name (the first column wins a clash)."""
    out: dict[str, Any] = {}
    for key, value in d.items():
        if value is not None and isinstance(key, str):
            out.setdefault(normalised(key), value)
    return out


def _post_id(value: Any) -> bool:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return plausible(value)


def _x_fields(d: Mapping[str, Any]) -> int:
    """How much of X's own field set a row has: two for a v1.1 created_at, one per X field.

    Raw spellings are matched (lower-cased), not normalised ones, because posts.PREFILTER
    must find every accepted row as JSON text.
    """
    score = 0
    for key, value in d.items():
        if value is None or not isinstance(key, str):
            continue
        lower = key.lower()
        if lower in _X_FIELD_NAMES:
            score += 1
        elif lower == "created_at" and isinstance(value, str) and V1_CREATED.match(value):
            score += 2
    return score


def _has_text(row: Mapping[str, Any]) -> bool:
    return any(isinstance(row.get(name), str) for name in TEXT_NAMES)


def _has_tweet_text(row: Mapping[str, Any]) -> bool:
    return any(
        isinstance(value := row.get(name), str) and value.strip() for name in TWEET_TEXT_NAMES
    )


def is_export_row(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    """True when ``d`` is a flat post row (see the module docstring)."""
    if keys & (CLONE_KEYS | _CHAT_KEYS):
        return False
    row = _by_name(d)
    if _has_tweet_text(row):
        return True
    if not _has_text(row):
        return False
    own_id = any(
        isinstance(k, str) and k.lower() in FLAT_POST_ID_KEYS and _post_id(v) for k, v in d.items()
    )
    if own_id:
        return True
    generic = any(_post_id(row.get(name)) for name in GENERIC_ID_NAMES)
    return generic and _x_fields(d) >= 2


def _who(d: Mapping[str, Any]) -> Who:
    """The handle column (else the handle of a status URL column), plus carried retweets."""
    row = _by_name(d)
    author = next((h for name in HANDLE_NAMES if (h := handle(row.get(name)))), None)
    author = author or next(
        (h for name in _URL_NAMES if (h := url_handle(row.get(name), status_only=True))), None
    )
    who = Who(author)
    names = (*TEXT_NAMES, *TWEET_TEXT_NAMES)
    text = next((v for name in names if isinstance(v := row.get(name), str)), None)
    for carried in [*(handle(row.get(name)) for name in CARRIED_HANDLE_NAMES), rt_handle(text)]:
        if carried:
            who.add(carried)
    return who


def _row_post_ids(d: Mapping[str, Any]) -> list[str]:
    """The plausible post ids in a row's own post-id columns and its generic id column."""
    row = _by_name(d)
    named = [v for k, v in d.items() if isinstance(k, str) and k.lower() in FLAT_POST_ID_KEYS]
    values = [*named, *(row.get(name) for name in GENERIC_ID_NAMES)]
    return [str(int(v)) for v in values if _post_id(v)]


def export_row(
    d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int
) -> bool | None:
    """A flat post row of an export (a step of walk.PRECEDENCE)."""
    if not is_export_row(d, keys):
        return None
    col.add(EXPORT_ROW, _who(d), "export row", _row_post_ids(d))
    return True


def schema_may_be_export_row(names: frozenset[str]) -> bool:
    """From column names alone: rows of this schema may be flat post rows worth analysing.

    Only schemas with a text column and either a post's own id column or a generic id beside
    an X field (or a ``created_at`` beside a handle column) pass, so tables of generic
    ``id``/``text`` rows are not analysed row by row.
    """
    lowered = {n.lower() for n in names}
    if lowered & _CHAT_KEYS or names & CLONE_KEYS:
        return False
    norm = {normalised(n) for n in names}
    if norm & TWEET_TEXT_NAMES:
        return True
    if not norm & TEXT_NAMES:
        return False
    if lowered & FLAT_POST_ID_KEYS or norm & _FLAT_ID_NAMES:
        return True
    if not norm & GENERIC_ID_NAMES:
        return False
    handles = bool(norm & set(HANDLE_NAMES))
    return bool(lowered & _X_FIELD_NAMES) or ("created_at" in lowered and handles)
