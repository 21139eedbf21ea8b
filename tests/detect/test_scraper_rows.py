"""Scraper and export rows: snscrape / twscrape serialisations, GraphQL timeline entries, flat
CSV / DataFrame rows (as objects and as whole Arrow rows), and X objects inside prose."""

from __future__ import annotations

import copy
import json
from typing import Any

import pyarrow as pa
import pytest

from tests.detect import post_fixtures as fx
from tests.helpers import prefilter_matches, rules
from xfilter.detect.evidence import Evidence
from xfilter.detect.posts import (
    PREFILTER,
    analyze_json_text,
    analyze_object,
    objects_in_text,
    struct_type_is_post,
)
from xfilter.detect.posts.flat import normalised
from xfilter.tagging.scan import scan_table
from xfilter.transform import XFilter


def authors(ev: list[Evidence]) -> set[str]:
    return {a for e in ev for a in e.authors}


# ---------------------------------------------------------------------------------------------
# snscrape and twscrape


def test_twscrape_retweet_of_a_quote_names_every_carried_author() -> None:
    ev = analyze_object(fx.TWSCRAPE_RETWEET_OF_QUOTE)
    assert rules(ev) == {"json.snscrape"}
    assert authors(ev) == {"xdevelopers", "santiagomed"}


def test_twscrape_quote() -> None:
    ev = analyze_object(fx.TWSCRAPE_QUOTE)
    assert rules(ev) == {"json.snscrape"} and authors(ev) == {"teslascope"}


def test_twscrape_without_type_markers_is_still_a_post() -> None:
    def untyped(o: Any) -> Any:
        if isinstance(o, dict):
            return {k: untyped(v) for k, v in o.items() if k != "_type"}
        return [untyped(v) for v in o] if isinstance(o, list) else o

    ev = analyze_object(untyped(fx.TWSCRAPE_RETWEET_OF_QUOTE))
    assert rules(ev) == {"json.snscrape"}
    assert authors(ev) == {"xdevelopers", "santiagomed"}


def test_old_snscrape_names_the_author_from_its_username_property() -> None:
    for obj in (fx.SNSCRAPE_OLD_TWEET, fx.SNSCRAPE_OLD_ROW):
        ev = analyze_object(obj)
        assert rules(ev) == {"json.snscrape"} and authors(ev) == {"harbour_news"}


def test_snscrape_tweet_refs_and_tombstones_are_posts() -> None:
    for obj in (fx.SNSCRAPE_TWEET_REF, fx.SNSCRAPE_TOMBSTONE):
        ev = analyze_object(obj)
        assert rules(ev) == {"json.snscrape"} and authors(ev) == set()
    other = {"_type": "snscrape.modules.twitter.Place", "id": "1", "name": "Oslo"}
    assert analyze_object(other) == []


def test_snscrape_user_refs_name_nobody() -> None:
    # twscrape writes mentioned and replied-to accounts as UserRefs: references, not profiles
    ref = {"_type": "snscrape.modules.twitter.UserRef", "id": 5, "username": "ref_user"}
    assert analyze_object(ref) == []
    assert analyze_object({"mentionedUsers": [ref], "inReplyToUser": ref}) == []


def test_scraper_rows_as_whole_arrow_rows() -> None:
    table = pa.Table.from_pylist([fx.TWSCRAPE_QUOTE, fx.TWSCRAPE_RETWEET_OF_QUOTE])
    assert struct_type_is_post(pa.struct(list(table.schema))) == "json.snscrape"
    old = pa.Table.from_pylist([fx.SNSCRAPE_OLD_ROW])
    assert struct_type_is_post(pa.struct(list(old.schema))) == "json.snscrape"


# ---------------------------------------------------------------------------------------------
# GraphQL timeline entries (twscrape's recorded responses)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GRAPHQL_SEARCH_ENTRY", {"piloly"}),  # 2024+ layout: user core.screen_name
        ("GRAPHQL_LEGACY_USER_ENTRY", {"redroja4", "sisumisu3"}),  # legacy.screen_name
        ("GRAPHQL_VISIBILITY_ENTRY", {"markgaleotti", "cspc_dc"}),
        ("GRAPHQL_RETWEET_OF_QUOTE_ENTRY", {"xdevelopers", "santiagomed"}),
    ],
)
def test_graphql_timeline_entries(name: str, expected: set[str]) -> None:
    entry = getattr(fx, name)
    timeline = {"data": {"timeline": {"instructions": [
        {"type": "TimelineAddEntries", "entries": [entry]}]}}}  # fmt: skip
    for obj in (entry, timeline):
        ev = analyze_object(obj)
        assert rules(ev) == {"json.graphql"} and authors(ev) == expected
        assert prefilter_matches([json.dumps(obj)], PREFILTER) == [True]


def test_graphql_tombstone_entry() -> None:
    entry = {"entryId": "tweet-1", "content": {"itemContent": {"tweet_results": {"result": {
        "__typename": "TweetTombstone",
        "tombstone": {"__typename": "TextTombstone", "text": {"text": "This Post is unavailable."}},
    }}}}}  # fmt: skip
    assert rules(analyze_object(entry)) == {"json.syndication"}


# ---------------------------------------------------------------------------------------------
# Flat export rows


@pytest.mark.parametrize("row", fx.FLAT_POSITIVES, ids=lambda r: ",".join(r)[:40])
def test_flat_export_rows_are_posts(row: dict[str, Any]) -> None:
    ev = analyze_object(row)
    assert ev and {e.category for e in ev} == {"x_post"}
    assert prefilter_matches([json.dumps(row)], PREFILTER) == [True]


def test_flat_export_rows_name_their_authors() -> None:
    assert authors(analyze_object(fx.FLAT_SNSCRAPE_FRAME)) == {"garden_jo"}
    assert authors(analyze_object(fx.FLAT_SUPABASE)) == {"newsdesk_42"}
    assert authors(analyze_object(fx.FLAT_HANDLE_COLUMNS)) == {"band_q"}
    # a retweet row carries the retweeted author too
    assert authors(analyze_object(fx.FLAT_TWINT)) == {"weather_bot_7", "met_office_x"}
    by_url = {k: v for k, v in fx.FLAT_SUPABASE.items() if k != "author_username"}
    assert authors(analyze_object(by_url)) == {"newsdesk_42"}


@pytest.mark.parametrize("row", fx.FLAT_NEGATIVES, ids=lambda r: ",".join(r)[:40])
def test_other_platforms_rows_are_not_posts(row: dict[str, Any]) -> None:
    assert analyze_object(row) == []


def test_a_generic_id_needs_x_fields() -> None:
    base = {"id": 1356000000000000001, "text": "hello", "username": "someone"}
    assert analyze_object(base) == []
    assert analyze_object({**base, "retweet_count": 1}) == []  # one X field is not enough
    assert analyze_object({**base, "retweet_count": 1, "favorite_count": 2})
    assert analyze_object({**base, "created_at": "Wed Oct 10 20:19:24 +0000 2018"})
    # an id that no X post can have (decodes to a time after now) is not a post id
    assert analyze_object({**base, "id": 9_000_000_000_000_000_000, "retweet_count": 1,
                           "favorite_count": 2}) == []  # fmt: skip


def test_a_post_id_column_needs_a_plausible_value_and_text() -> None:
    assert analyze_object({"tweet_id": 570306133677760513, "label": "neutral"}) == []
    assert analyze_object({"tweet_id": "abc", "text": "hello"}) == []
    assert analyze_object({"tweet_id": 5.703061336777605e17, "text": "hi"})  # float CSV ids


def test_normalised_column_names() -> None:
    assert normalised("Tweet Id") == "tweet_id"
    assert normalised("retweetCount") == "retweet_count"
    assert normalised("user.screen_name") == "user_screen_name"


def _tags(rows: list[dict[str, Any]]) -> tuple[list[list[str]], list[list[str]]]:
    tagged = XFilter(mode="strict").tag_table(pa.Table.from_pylist(rows))
    return (
        tagged.column("xfilter_rules").to_pylist(),
        tagged.column("xfilter_authors").to_pylist(),
    )


@pytest.mark.parametrize(
    ("row", "author"),
    [(fx.FLAT_NAACL, "river_walker"), (fx.FLAT_SNSCRAPE_FRAME, "garden_jo"),
     (fx.FLAT_HANDLE_COLUMNS, "band_q"), (fx.FLAT_TWEEPY_DUMP, None)],
)  # fmt: skip
def test_flat_tables_are_tagged_row_by_row_with_authors(
    row: dict[str, Any], author: str | None
) -> None:
    assert struct_type_is_post(pa.Table.from_pylist([row]).schema.field(0).type) is None
    schema_type = pa.struct(list(pa.Table.from_pylist([row]).schema))
    assert struct_type_is_post(schema_type) is not None
    found_rules, found_authors = _tags([row])
    assert any(r.startswith("json.") for r in found_rules[0])
    if author:
        assert author in found_authors[0]


def test_flat_tables_of_other_platforms_stay_clean() -> None:
    for row in (fx.DISCORD_FLAT_ROW, fx.MASTODON_FLAT_ROW, fx.FORUM_ROW, fx.WEIBO_FLAT_ROW):
        found_rules, _ = _tags([row])
        assert not [r for r in found_rules[0] if r.startswith(("json.", "id."))], row
    schema = pa.struct(list(pa.Table.from_pylist([{"id": 1, "text": "x"}]).schema))
    assert struct_type_is_post(schema) is None  # generic id/text tables are not walked


# ---------------------------------------------------------------------------------------------
# X objects inside prose


def _post_json(**extra: Any) -> str:
    return json.dumps({**fx.v1_post(1598052224372690944, "desk_ed", "hello {world}"), **extra})


def test_object_after_a_prompt() -> None:
    body = _post_json()
    text = f"Parse this: {body} and give me the author."
    ev = objects_in_text(text)
    assert rules(ev) == {"json.v1_post"} and authors(ev) == {"desk_ed"}
    start = text.index("{")
    assert all(e.span == (start, start + len(body)) for e in ev)


def test_object_in_a_code_fence_and_as_a_python_literal() -> None:
    obj = fx.v1_post(1598052224372690944, "desk_ed", "don't {stop}")
    fenced = "Here it is:\n```json\n" + json.dumps(obj, indent=2) + "\n```\nThanks!"
    assert authors(objects_in_text(fenced)) == {"desk_ed"}
    literal = f"The row was {obj!r}, what now?"
    assert authors(objects_in_text(literal)) == {"desk_ed"}


def test_objects_after_a_stray_brace_and_several_objects() -> None:
    a = _post_json()
    b = json.dumps(fx.TWSCRAPE_QUOTE)
    text = f"I typed {{ by mistake. First {a}; then {{}} and {b}."
    ev = objects_in_text(text)
    assert rules(ev) == {"json.v1_post", "json.snscrape"}
    assert authors(ev) == {"desk_ed", "teslascope"}


def test_prose_without_x_objects_gives_nothing() -> None:
    assert objects_in_text("no braces at all, twitter.com/a/status/1") == []
    assert objects_in_text('config: {"id": "12", "name": "x"} done') == []
    mastodon = json.dumps(fx.MASTODON_STATUS)
    assert objects_in_text(f"Parse this toot: {mastodon}") == []
    assert objects_in_text("{" * 10_000 + '"id_str": "1"') == []
    assert objects_in_text('broken {"id_str": "1598052224372690944", "text": "a\nb"}') == []


def test_objects_in_text_is_bounded() -> None:
    body = _post_json()
    many = " ".join([body] * 200)
    assert authors(objects_in_text(many)) == {"desk_ed"}
    huge = "{" + '"id_str": "1", ' + '"x": "' + "a" * 1_100_000 + '"}'
    assert objects_in_text(huge) == []


def test_objects_in_text_keeps_other_fields_of_the_evidence() -> None:
    text = "Parse this: " + json.dumps(copy.deepcopy(fx.V1_RETWEET))
    ev = objects_in_text(text)
    assert ev and all(e.span is not None for e in ev)
    assert authors(ev) == authors(analyze_object(fx.V1_RETWEET))


def test_scan_table_flags_flat_rows() -> None:
    from xfilter.detect.datasets import DatasetRegistry

    table = pa.Table.from_pylist([fx.FLAT_TWEEPY_DUMP, {**fx.FLAT_TWEEPY_DUMP, "id": 7}])
    found = dict(scan_table(table, DatasetRegistry()).rows())
    assert 0 in found and 1 not in found


def test_graphql_user_result_in_the_new_layout() -> None:
    user = {"__typename": "User", "rest_id": "236209129", "id": "VXNlcjoyMzYyMDkxMjk=",
            "core": {"name": "Some Name", "screen_name": "some_name"}, "legacy": {}}  # fmt: skip
    entry = {"content": {"itemContent": {"__typename": "TimelineUser",
                                         "user_results": {"result": user}}}}  # fmt: skip
    ev = analyze_object(entry)
    assert rules(ev) == {"json.user"} and authors(ev) == {"some_name"}
    assert analyze_object({"rest_id": "1", "core": {"screen_name": "x_y"}}) == []


def test_json_dumped_twice_is_read_through() -> None:
    twice = json.dumps(json.dumps(fx.TWSCRAPE_QUOTE))
    ev = analyze_json_text(twice)
    assert ev is not None and rules(ev) == {"json.snscrape"}
    assert prefilter_matches([twice], PREFILTER) == [True]
    assert analyze_json_text(json.dumps("just a string")) is None
    assert analyze_json_text(json.dumps(json.dumps("a string twice"))) is None


def test_flat_user_export_rows_are_users() -> None:
    row = {
        "user_id": "146000001", "name": "Jo Q", "screen_name": "jo_q", "followers_count": "279",
        "friends_count": "547", "verified": "False", "description": "dogs", "listed_count": "1",
    }  # fmt: skip
    ev = analyze_object(row)
    assert rules(ev) == {"json.user"} and authors(ev) == {"jo_q"}
    assert struct_type_is_post(pa.struct(list(pa.Table.from_pylist([row]).schema))) == "json.user"
    assert analyze_object({"user_id": "1", "screen_name": "jo_q", "followers_count": 3}) == []


# Rows of an annotated-posts CSV (the layout of the Davidson et al. hate-speech set): the post's
# text sits in a column named for it, with no id, handle or date.
_ANNOTATED = {
    "Unnamed: 0": [3, 40],
    "count": [3, 3],
    "class": [2, 1],
    "tweet": ["hello world, lovely morning", "!!! RT @mayasolovely: As a woman you shouldn't"],
}


def test_a_column_named_for_a_posts_text_makes_the_row_a_post() -> None:
    table = pa.table(_ANNOTATED)
    tagged = XFilter(mode="strict").tag_table(table).to_pylist()
    assert [r["xfilter_action"] for r in tagged] == ["quarantine", "quarantine"]
    assert all("json.export_row" in r["xfilter_rules"] for r in tagged)
    assert tagged[1]["xfilter_authors"] == ["mayasolovely"]
    renamed = pa.table({**{k: v for k, v in _ANNOTATED.items() if k != "tweet"},
                        "sentence": _ANNOTATED["tweet"]})  # fmt: skip
    assert XFilter(mode="strict").tag_table(renamed).column("xfilter_action").to_pylist()[0] == (
        "keep"
    )


def test_an_empty_post_text_column_is_nothing() -> None:
    table = pa.table({"tweet": ["", None], "label": [0, 1]})
    assert XFilter(mode="strict").tag_table(table).column("xfilter_action").to_pylist() == [
        "keep",
        "keep",
    ]
