"""Post-ID columns: recognise them by name, then check their values vectorised.

The X Developer Agreement counts post IDs themselves as X Content, so a column of tweet ids
is an ``x_post`` signal even with no text beside it. A bare long number proves little (user,
list, media and Discord ids share the Snowflake layout), so the value check is only meant for
columns whose *name* already says "post id"; :func:`is_post_id_column` decides that.
"""

from __future__ import annotations

import re
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xfilter.detect.evidence import Rule

POST_ID_COLUMN = Rule(
    "id.post_column",
    "x_post",
    "column named like a post-ID column (tweet_id, status_id, id_str, …) holding plausible "
    "X post ids",
)
RULES: tuple[Rule, ...] = (POST_ID_COLUMN,)

#: Snowflake epoch (2010-11-04 01:42:54.657 UTC): ``ms = (id >> 22) + TWEPOCH_MS``.
TWEPOCH_MS = 1288834974657
#: Sequential pre-Snowflake ids ran from 20 ("just setting up my twttr") to this one.
PRE_SNOWFLAKE_MIN = 20
PRE_SNOWFLAKE_MAX = 29700859247

# Tokens that, right before ``id``/``ids``/``id_str``, make a name mean "post id".
_POST_TOKENS = frozenset({"tweet", "tweets", "status", "statuses", "retweet", "retweets"})
# Fused spellings seen in real datasets (``tweetid``, ``TweetIDs`` lower-cased, …).
_FUSED = frozenset({"tweetid", "tweetids", "statusid", "statusids", "tweetidstr"})
# ``post`` is too generic alone (forums, StackExchange): only when qualified as X's.
_X_QUALIFIERS = frozenset({"x", "twitter"})
_ID_TOKENS = frozenset({"id", "ids", "id_str"})

_CAMEL_1 = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_SPLIT = re.compile(r"[^a-z0-9]+")
# Digits only (optionally ``.0``, as written by float-typed CSV columns), no leading zero.
_ID_STRING = r"^[1-9][0-9]{0,18}(?:\.0+)?$"


def _tokens(name: str) -> list[str]:
    """Name → tokens: ``ArabicTweetID`` → arabic, tweet, id; ``tweet.id_str`` → tweet, id_str."""
    name = name.replace("IDs", "Ids")  # plural acronym: TweetIDs → tweet_ids
    snake = _CAMEL_2.sub(r"\1_\2", _CAMEL_1.sub(r"\1_\2", name)).lower()
    raw = [t for t in _SPLIT.split(snake) if t]
    out: list[str] = []
    for tok in raw:
        if tok == "str" and out and out[-1] == "id":
            out[-1] = "id_str"
        else:
            out.append(tok)
    return out


def is_post_id_column(name: str) -> bool:
    """True when a column name says it holds X post ids.

    Accepted: ``tweet_id``, ``tweetid``, ``TweetID``, ``tweet_ids``, ``ArabicTweetID``,
    ``tweet.id``, ``status_id`` (rtweet), ``in_reply_to_status_id(_str)``,
    ``quoted_status_id(_str)``, ``retweeted_status_id``, ``edit_history_tweet_ids``,
    ``inReplyToTweetId`` (snscrape), ``referenced_tweets.id``, ``id_str``, ``x_post_id``.

    Rejected on purpose: plain ``id``; ``post_id`` (forums and StackExchange use it for small
    integers that pass the pre-Snowflake range); ``conversation_id`` (chat datasets use it);
    ``tweet.user.id`` and other user ids.
    """
    toks = _tokens(name)
    if not toks:
        return False
    if toks == ["id_str"]:
        return True
    for i, tok in enumerate(toks):
        if tok in _FUSED:
            return True
        if tok not in _ID_TOKENS or i == 0:
            continue
        prev = toks[i - 1]
        if prev in _POST_TOKENS:
            return True
        if prev in {"post", "posts"} and i >= 2 and toks[i - 2] in _X_QUALIFIERS:
            return True
        if prev in {"xpost", "xposts"}:
            return True
    return False


def _now_ms(now_ms: int | None) -> int:
    return int(time.time() * 1000) if now_ms is None else int(now_ms)


def plausible_post_id(value: int, now_ms: int | None = None) -> bool:
    """Scalar form of :func:`plausible_post_ids` for one integer id."""
    if isinstance(value, bool) or value < PRE_SNOWFLAKE_MIN or value >= 1 << 63:
        return False
    if value <= PRE_SNOWFLAKE_MAX:
        return True
    return (value >> 22) + TWEPOCH_MS <= _now_ms(now_ms)


def _check_u64(values: np.ndarray, valid: np.ndarray, now: int) -> np.ndarray:
    """The plausibility test on uint64 values; ``valid`` masks nulls and rejected inputs."""
    v = values.astype(np.uint64, copy=False)
    pre = (v >= np.uint64(PRE_SNOWFLAKE_MIN)) & (v <= np.uint64(PRE_SNOWFLAKE_MAX))
    # Values at or above 2**63 would decode beyond 2080: the time bound rejects them.
    decoded = (v >> np.uint64(22)) + np.uint64(TWEPOCH_MS)
    snow = (v > np.uint64(PRE_SNOWFLAKE_MAX)) & (decoded <= np.uint64(max(now, 0)))
    plausible: np.ndarray = valid & (pre | snow)
    return plausible


def _flat(arr: pa.Array, now: int) -> np.ndarray:
    """Plausibility per element of a non-nested array."""
    n = len(arr)
    t = arr.type
    if n == 0:
        return np.zeros(0, dtype=bool)
    if pa.types.is_dictionary(t):
        return _flat(arr.dictionary_decode(), now)
    if pa.types.is_integer(t):
        valid = np.asarray(arr.is_valid(), dtype=bool)
        if pa.types.is_signed_integer(t):
            vals = np.asarray(pc.fill_null(arr.cast(pa.int64()), 0), dtype=np.int64)
            valid &= vals >= 0
            vals = np.where(valid, vals, 0).astype(np.uint64)
        else:
            vals = np.asarray(pc.fill_null(arr.cast(pa.uint64()), 0), dtype=np.uint64)
        return _check_u64(vals, valid, now)
    if pa.types.is_floating(t):
        x = np.asarray(pc.fill_null(arr.cast(pa.float64()), np.nan), dtype=np.float64)
        # Float-mangled ids (981111245209243600 after a float64 parser) are integral floats;
        # 1.5 or NaN are not ids at all.
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(x) & (x >= 0) & (x < 2.0**63) & (np.floor(x) == x)
        vals = np.where(ok, x, 0).astype(np.uint64)
        return _check_u64(vals, ok, now)
    if pa.types.is_decimal(t):
        return _flat(arr.cast(pa.string()), now)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        s = pc.utf8_trim_whitespace(arr)
        found: np.ndarray = _single_ids(s, now) | _id_lists(s, now)
        return found
    return np.zeros(n, dtype=bool)


def _single_ids(s: pa.Array, now: int) -> np.ndarray:
    """Plausibility of strings that each hold one id (whitespace already trimmed)."""
    ok = pc.fill_null(pc.match_substring_regex(s, _ID_STRING), False)
    digits = pc.replace_substring_regex(s, r"\.0+$", "")
    digits = pc.if_else(ok, digits, pa.scalar("0", type=digits.type))
    vals = np.asarray(pc.fill_null(digits.cast(pa.uint64()), 0), dtype=np.uint64)
    return _check_u64(vals, np.asarray(ok, dtype=bool), now)


# Several ids in one string: "1;2", "1, 2", "1 2", or a JSON array '["1", "2"]' (exports of
# conversation or thread ids). Only strings made of ids and separators count.
_ID_LIST = r'^[\s\["\']*\d+(?:[\s,;"\'\]\[]+\d+)*[\s\]"\']*$'
_ID_SEPARATORS = r'[\s,;"\'\[\]]+'


def _id_lists(strings: pa.Array, now: int) -> np.ndarray:
    """True where a string is a list of ids of which at least one is plausible."""
    listed = pc.fill_null(pc.match_substring_regex(strings, _ID_LIST), False)
    if not pc.any(listed).as_py():
        return np.zeros(len(strings), dtype=bool)
    rows = np.flatnonzero(np.asarray(listed, dtype=bool))
    trimmed = pc.utf8_trim(strings.take(pa.array(rows)), "[]\"' ")
    tokens = pc.split_pattern_regex(trimmed, _ID_SEPARATORS)
    hits = _single_ids(pc.list_flatten(tokens), now)
    parents = np.asarray(pc.list_parent_indices(tokens), dtype=np.int64)
    out = np.zeros(len(strings), dtype=bool)
    out[rows[np.unique(parents[hits])]] = True
    return out


def _one(arr: pa.Array, now: int) -> np.ndarray:
    t = arr.type
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        out = np.zeros(len(arr), dtype=bool)
        if len(arr) == 0:
            return out
        flat = pc.list_flatten(arr)
        if len(flat) == 0:
            return out
        parents = np.asarray(pc.list_parent_indices(arr), dtype=np.int64)
        hits = _one(flat, now)
        out[parents[hits]] = True
        return out
    return _flat(arr, now)


def plausible_post_ids(arr: pa.Array | pa.ChunkedArray, now_ms: int | None = None) -> np.ndarray:
    """Vectorised: True where a value is a plausible X post id.

    Plausible means ``20 <= id <= 29700859247`` (sequential pre-Snowflake ids) or a Snowflake
    whose decoded time ``(id >> 22) + 1288834974657`` is not after ``now_ms`` (default: now);
    every id above the pre-Snowflake range decodes to 2010-11-04 or later by construction.

    Accepts integer arrays, strings of digits (surrounding whitespace allowed, no leading
    zero, an optional ``.0`` tail), float64 (integral floats only, so float-mangled ids such as
    ``981111245209243600`` pass), decimals, dictionary-encoded values, and lists of any of
    these: a list row is True when ANY element is plausible, because one post id is already
    X Content. Nulls, empty lists, negative, fractional and non-digit values are False.
    """
    now = _now_ms(now_ms)
    if isinstance(arr, pa.ChunkedArray):
        parts = [_one(chunk, now) for chunk in arr.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
    return _one(arr, now)


def post_ids_in(value: object, now_ms: int | None = None) -> tuple[str, ...]:
    """The plausible X post ids in one value of a post-id column, as decimal strings: an
    integer, an integral float, a string of one id or of several ("1;2", '["1", "2"]'), or a
    list of any of these. The same values :func:`plausible_post_ids` accepts, one by one."""
    now = _now_ms(now_ms)
    found: dict[str, None] = {}
    for number in _numbers(value):
        if plausible_post_id(number, now):
            found[str(number)] = None
    return tuple(found)


def _numbers(value: object) -> list[int]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, float):
        ok = value == value and 0 <= value < 2.0**63 and value == int(value)
        return [int(value)] if ok else []
    if isinstance(value, (list, tuple)):
        return [n for item in value for n in _numbers(item)]
    text = str(value).strip()
    if not re.fullmatch(_ID_LIST, text):
        return []
    tokens = re.split(_ID_SEPARATORS, text.strip("[]\"' "))
    return [int(t.split(".")[0]) for t in tokens if re.fullmatch(_ID_STRING, t)]
