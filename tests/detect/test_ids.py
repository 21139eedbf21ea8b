"""Post-ID columns: names that mean "tweet id", and the vectorised plausibility check."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xfilter.detect.evidence import CATEGORIES
from xfilter.detect.ids import (
    PRE_SNOWFLAKE_MAX,
    RULES,
    TWEPOCH_MS,
    is_post_id_column,
    plausible_post_id,
    plausible_post_ids,
)

# 2026-01-01T00:00:00Z: a fixed "now" keeps the tests independent of the clock.
NOW = int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp() * 1000)


def snowflake(ms: int, epoch: int = TWEPOCH_MS) -> int:
    """An id minted at unix time ``ms`` by a Snowflake generator with ``epoch``."""
    return (ms - epoch) << 22


def ms(y: int, m: int = 1, d: int = 1) -> int:
    return int(dt.datetime(y, m, d, tzinfo=dt.timezone.utc).timestamp() * 1000)


# Real post ids with their documented created_at (docs/x-content-reference.md §2.7).
REAL_IDS = [887453193294282752, 1228393702244134912, 463440424141459456, 20, 1467810369]


def test_rules_are_x_post() -> None:
    assert [r.id for r in RULES] == ["id.post_column"]
    assert all(r.category == "x_post" and r.category in CATEGORIES for r in RULES)


@pytest.mark.parametrize(
    "name",
    [
        "tweet_id",
        "tweetid",
        "TweetID",
        "TweetId",
        "tweetID",
        "TWEET_ID",
        "tweet_ids",
        "TweetIDs",
        "tweet.id",
        "tweet.id_str",
        "id_str",
        "status_id",
        "statusid",
        "in_reply_to_status_id",
        "in_reply_to_status_id_str",
        "quoted_status_id",
        "quoted_status_id_str",
        "retweeted_status_id",
        "retweet_status_id",
        "ArabicTweetID",
        "EnglishTweetID",
        "edit_history_tweet_ids",
        "pinned_tweet_id",
        "inReplyToTweetId",
        "referenced_tweets.id",
        "x_post_id",
        "twitter_post_id",
    ],
)
def test_post_id_column_names(name: str) -> None:
    assert is_post_id_column(name)


@pytest.mark.parametrize(
    "name",
    [
        "id",
        "ID",
        "post_id",  # forums / StackExchange: small integers that pass the pre-Snowflake range
        "postId",
        "conversation_id",  # chat datasets
        "user_id",
        "tweet.user.id",
        "author_id",
        "tweet_count",
        "tweet",
        "tweet_text",
        "status",
        "message_id",
        "ids",
        "",
        "___",
    ],
)
def test_not_post_id_column_names(name: str) -> None:
    assert not is_post_id_column(name)


def test_real_ids_are_plausible() -> None:
    got = plausible_post_ids(pa.array(REAL_IDS, pa.int64()), now_ms=NOW)
    assert got.dtype == np.bool_
    assert got.tolist() == [True] * len(REAL_IDS)


def test_boundaries_pre_snowflake_and_too_early() -> None:
    arr = pa.array([19, 20, 21, PRE_SNOWFLAKE_MAX, PRE_SNOWFLAKE_MAX + 1, 0, -20], pa.int64())
    assert plausible_post_ids(arr, now_ms=NOW).tolist() == [
        False,
        True,
        True,
        True,
        True,  # decodes to 2010-11-04 + 7 s
        False,
        False,
    ]


def test_future_ids_rejected_relative_to_now() -> None:
    future = snowflake(ms(2030))
    past = snowflake(ms(2020))
    arr = pa.array([future, past], pa.int64())
    assert plausible_post_ids(arr, now_ms=NOW).tolist() == [False, True]
    # The same 2020 id is "from the future" for a caller whose clock says 2015.
    assert plausible_post_ids(arr, now_ms=ms(2015)).tolist() == [False, False]


def test_discord_epoch_snowflake() -> None:
    """Discord's epoch (2015) is later than X's, so a Discord id decodes ~4.2 years early.

    A 2024 Discord id therefore decodes to ~2019 with X's epoch: plausible today, which is
    why the caller must only check columns whose *name* says "tweet id". Against a 2016
    clock it decodes into the future and is rejected.
    """
    discord_epoch = 1420070400000
    discord_2024 = snowflake(ms(2024, 6, 1), epoch=discord_epoch)
    decoded = (discord_2024 >> 22) + TWEPOCH_MS
    assert ms(2019) < decoded < ms(2021)
    arr = pa.array([discord_2024], pa.uint64())
    assert plausible_post_ids(arr, now_ms=ms(2016)).tolist() == [False]
    assert plausible_post_ids(arr, now_ms=NOW).tolist() == [True]


def test_instagram_style_shift_decodes_to_far_future() -> None:
    # Instagram-style ids put the timestamp 23 bits up: read with X's 22-bit shift they land
    # decades ahead and are rejected.
    insta = (ms(2024) - 1314220021721) << 23
    assert plausible_post_ids(pa.array([insta], pa.int64()), now_ms=NOW).tolist() == [False]


def test_uint64_above_int63() -> None:
    arr = pa.array([2**63 + 5, 2**64 - 1, 887453193294282752], pa.uint64())
    assert plausible_post_ids(arr, now_ms=NOW).tolist() == [False, False, True]


def test_other_integer_widths() -> None:
    assert plausible_post_ids(pa.array([5, 25, None], pa.int8()), now_ms=NOW).tolist() == [
        False,
        True,
        False,
    ]
    assert plausible_post_ids(pa.array([1467810369], pa.uint32()), now_ms=NOW).tolist() == [True]


def test_nulls_are_false() -> None:
    arr = pa.array([None, 887453193294282752, None], pa.int64())
    assert plausible_post_ids(arr, now_ms=NOW).tolist() == [False, True, False]
    assert plausible_post_ids(pa.array([None, None]), now_ms=NOW).tolist() == [False, False]


def test_float_mangled_ids() -> None:
    # tweets_ar_en_parallel: 981111245209243600 went through a float64 JSON parser.
    arr = pa.array([981111245209243600.0, 1.5, float("nan"), float("inf"), None, -3.0, 1e30])
    assert plausible_post_ids(arr, now_ms=NOW).tolist() == [
        True,
        False,
        False,
        False,
        False,
        False,
        False,
    ]
    # a float column of small integral values (pandas ints with NaN) still works
    assert plausible_post_ids(pa.array([1467810369.0, 19.0]), now_ms=NOW).tolist() == [
        True,
        False,
    ]


def test_strings_of_digits() -> None:
    arr = pa.array(
        [
            "887453193294282752",
            "  1228393702244134912\n",
            "981111245209243600.0",
            "20",
            "0887453193294282752",  # leading zero: not how ids are written
            "887453193294282752x",
            "8.87453193294282752e17",
            "",
            None,
            "99999999999999999999",  # 20 digits, beyond uint64 / 63 bits
            "-887453193294282752",
            "TWEET_NOT_FOUND",
        ]
    )
    assert plausible_post_ids(arr, now_ms=NOW).tolist() == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
        False,
        False,
        False,
    ]
    large = pa.array(["887453193294282752", "nope"], pa.large_string())
    assert plausible_post_ids(large, now_ms=NOW).tolist() == [True, False]


def test_dictionary_and_decimal() -> None:
    dic = pa.array(["887453193294282752", "x", "887453193294282752"]).dictionary_encode()
    assert plausible_post_ids(dic, now_ms=NOW).tolist() == [True, False, True]
    import decimal

    dec = pa.array([decimal.Decimal("887453193294282752"), None], pa.decimal128(20, 0))
    assert plausible_post_ids(dec, now_ms=NOW).tolist() == [True, False]


def test_lists_any_element() -> None:
    arr = pa.array(
        [
            ["887453193294282752", "1228393702244134912"],  # edit_history_tweet_ids
            ["nope", "887453193294282752"],
            ["nope"],
            [],
            None,
            [None],
        ]
    )
    assert plausible_post_ids(arr, now_ms=NOW).tolist() == [True, True, False, False, False, False]
    ints = pa.array([[1, 2], [3, 887453193294282752]], pa.large_list(pa.int64()))
    assert plausible_post_ids(ints, now_ms=NOW).tolist() == [False, True]


def test_chunked_array() -> None:
    chunked = pa.chunked_array(
        [pa.array([887453193294282752, 1], pa.int64()), pa.array([], pa.int64()), [20]]
    )
    assert plausible_post_ids(chunked, now_ms=NOW).tolist() == [True, False, True]
    assert plausible_post_ids(pa.chunked_array([], pa.int64())).tolist() == []


def test_unsupported_types_are_false() -> None:
    assert plausible_post_ids(pa.array([True, False])).tolist() == [False, False]
    assert plausible_post_ids(pa.array([b"887453193294282752"])).tolist() == [False]
    assert plausible_post_ids(pa.array([], pa.int64())).tolist() == []


def test_default_now_is_the_clock() -> None:
    just_now = snowflake(int(time.time() * 1000) - 60_000)
    in_a_year = snowflake(int(time.time() * 1000) + 365 * 86_400_000)
    got = plausible_post_ids(pa.array([just_now, in_a_year], pa.int64()))
    assert got.tolist() == [True, False]


def test_a_million_ids_are_checked_at_once() -> None:
    n = 1_000_000
    arr = pa.array(np.arange(n, dtype=np.int64) * 1_000_003 + 887453193294282752)
    out = plausible_post_ids(arr, now_ms=NOW)
    assert len(out) == n and out.all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=50))
def test_matches_scalar_definition(values: list[int]) -> None:
    got = plausible_post_ids(pa.array(values, pa.uint64()), now_ms=NOW).tolist()
    want = [plausible_post_id(v, now_ms=NOW) for v in values]
    assert got == want
    as_text = plausible_post_ids(pa.array([f" {v} " for v in values]), now_ms=NOW).tolist()
    assert as_text == [w and v < 10**19 for v, w in zip(values, want, strict=True)]


def test_scalar_definition() -> None:
    assert plausible_post_id(20) and not plausible_post_id(19)
    assert plausible_post_id(887453193294282752, now_ms=NOW)
    assert not plausible_post_id(snowflake(ms(2030)), now_ms=NOW)
    assert not plausible_post_id(True)


@pytest.mark.parametrize(
    ("value", "plausible"),
    [
        ("1585841080431321088;1585841080431321089", True),
        ("1585841080431321088, 1585841080431321089", True),
        ("1585841080431321088 1585841080431321089", True),
        ('["1585841080431321088", "1585841080431321089"]', True),
        ("[1585841080431321088]", True),
        ("12 apples", False),
        ("1,000", False),
        ("[]", False),
        ("9999999999999999999;1", False),
    ],
)
def test_a_string_of_several_ids_is_plausible_when_one_is(value: str, plausible: bool) -> None:
    assert plausible_post_ids(pa.array([value]), now_ms=NOW).tolist() == [plausible]
