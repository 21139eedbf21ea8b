"""Struct-schema shortcuts: X objects decided from an Arrow type, and the rows worth parsing."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xfilter.detect.posts.flat import HANDLE_NAMES, schema_may_be_export_row
from xfilter.detect.posts.keys import (
    ANCHOR_KEYS,
    CLONE_KEYS,
    RATE_PATH,
    SNSCRAPE_KEYS,
    USER_PROFILE_KEYS,
    V1_POST_KEYS,
    V2_SPECIFIC,
)
from xfilter.detect.posts.rules import (
    ACTIVITY,
    ARCHIVE,
    EXPORT_ROW,
    SNSCRAPE,
    USER,
    V1_POST,
    V2_POST,
)

_V1_STRUCT_KEYS = V1_POST_KEYS - {"source", "entities", "lang", "geo", "place", "coordinates"}
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
    EXPORT_ROW.id: tuple((name,) for name in HANDLE_NAMES),
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
    Flat export schemas (``tweet_id``/``id``, a text column, X's field names) are the one
    exception: the schema only says the rows may be posts, and :func:`analyze_object` checks
    each row's values (a plausible post id, a v1.1 date).
    """
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return struct_type_is_post(t.value_type)
    f = _fields(t)
    if not f:
        return None
    names = frozenset(f)
    if names & CLONE_KEYS:
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
    if {"id", "text"} <= names and len(names & V2_SPECIFIC) >= 2:
        return V2_POST.id
    if {"actor", "verb"} <= names and len(names & _ACTIVITY_STRUCT_KEYS) >= 2:
        return ACTIVITY.id
    sn_user = frozenset(_fields(f["user"])) if "user" in f else frozenset()
    if (
        "id" in names
        and names & {"content", "rawContent", "renderedContent"}
        and ("username" in sn_user or "username" in names)
        and names & _SNSCRAPE_STRUCT_X
        and len(names & SNSCRAPE_KEYS) >= 3
    ):
        return SNSCRAPE.id
    if (
        "screen_name" in names
        and names & {"id", "id_str", "user_id"}
        and len(names & USER_PROFILE_KEYS & {
            "followers_count", "friends_count", "statuses_count", "favourites_count",
            "profile_image_url_https", "listed_count",
        }) >= 2
        and not names & {"text", "indices", "connections"}
    ):  # fmt: skip
        return USER.id
    if schema_may_be_export_row(names):
        return EXPORT_ROW.id
    return None


# Decoded-value forms of the PREFILTER value anchors, for string leaves of struct columns.
_LEAF_VALUES = (
    r"\+0000 [0-9]{4}$"
    r"|^(?:https?:(?:\\*/){2}[a-z0-9.-]*|(?:tag|object):search\.|id:)(?:twitter|x|twimg)\.com"
    r"|snscrape\.modules\.twitter|^message_create$|^TweetTombstone$"
)
_LEAF_BY_NAME = {"id": r"^[0-9]+$", "state": r"^(?:live|scheduled|ended|canceled)$"}
_ANCHOR_KEY_SET = frozenset(k.lower() for k in ANCHOR_KEYS)  # PREFILTER ignores case too


def _anchor_name(name: str | None) -> bool:
    return name is not None and (name.lower() in _ANCHOR_KEY_SET or bool(RATE_PATH.match(name)))


def _candidate_rows(arr: pa.Array, name: str | None) -> np.ndarray:
    n = len(arr)
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    valid = np.asarray(arr.is_valid(), dtype=bool) if arr.null_count else np.ones(n, dtype=bool)
    out: np.ndarray = valid.copy() if _anchor_name(name) else np.zeros(n, dtype=bool)
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
            hit_rows |= np.asarray(pc.fill_null(pc.is_in(keys, pa.array(ANCHOR_KEYS)), False))
            rate = pc.match_substring_regex(keys, RATE_PATH.pattern)
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
