"""X post and platform objects: shapes, authors, negatives, bounds, PREFILTER, Arrow schemas.

Fixtures are hand-written in the shapes docs/x-content-reference.md §2 documents (v1.1, v2,
archive, Gnip,
snscrape, syndication, GraphQL) with invented content.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.detect.post_fixtures import (
    ACTIVITY_POST,
    ACTIVITYPUB_CREATE,
    ARCHIVE_TEXT,
    ARCHIVE_TWEET,
    BLUESKY_POST,
    BLUESKY_THREAD,
    CURSORED_USERS,
    DISCORD_MESSAGE,
    DM_EVENT,
    DM_V1,
    GITHUB_ISSUE,
    GRAPHQL,
    MASTODON_STATUS,
    NEGATIVES,
    OEMBED,
    OSTATUS_ACTIVITY,
    OTHER_API_OBJECTS,
    PLACE,
    POSITIVES,
    SNSCRAPE_NO_TYPE,
    SNSCRAPE_TWEET,
    SYNDICATION,
    TRENDS,
    V1_EXTENDED,
    V1_LIST,
    V1_ORIGINAL,
    V1_QUOTE,
    V1_RETWEET,
    V1_USER_WITH_RETWEET,
    V1_USER_WITH_STATUS,
    V2_DEFAULT_FIELDS,
    V2_DM_EVENTS,
    V2_ENVELOPE,
    V2_FLAT,
    V2_FLAT_REPLY_AND_QUOTE,
    V2_FLAT_RETWEET_OF_QUOTE,
    V2_ITEM_NO_INCLUDES,
    V2_ITEM_RETWEET,
    V2_USERS,
    WEIBO_STATUS,
    Obj,
    activity_share,
    v1_post,
    v1_user,
)
from tests.helpers import prefilter_matches, rules
from xfilter.detect.evidence import CATEGORIES, Evidence
from xfilter.detect.posts import (
    PREFILTER,
    RULES,
    STRUCT_AUTHOR_FIELDS,
    analyze_json_text,
    analyze_object,
    objects_in_text,
    struct_candidates,
    struct_type_is_post,
)
from xfilter.detect.posts.api_objects import API_OBJECTS, V2_ITEMS
from xfilter.detect.posts.api_objects import OEMBED as OEMBED_SHAPE


def authors(ev: list[Evidence] | None, *, profiles: bool = True) -> set[str]:
    assert ev is not None
    return {a for e in ev for a in e.authors if profiles or e.rule != "json.user"}


def unknown(ev: list[Evidence]) -> bool:
    """Some object in the record has no known author."""
    return any(not e.authors for e in ev)


# ---------------------------------------------------------------------------------------------
# Tests


def test_rules_are_stable_x_post_rules() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert {"json.v1_post", "json.v2_post", "json.v2_envelope", "json.archive"} <= set(ids)
    assert {"json.activity_stream", "json.snscrape", "json.syndication", "json.user"} <= set(ids)
    assert "json.api_object" in ids
    assert all(r.category == "x_post" and r.category in CATEGORIES for r in RULES)


def test_v1_extended_tweet() -> None:
    ev = analyze_object(V1_EXTENDED)
    assert rules(ev) == {"json.v1_post"}
    assert authors(ev) == {"nasa_moon"}
    assert all(e.category == "x_post" and e.span is None for e in ev)


def test_v1_retweet_adds_original_author() -> None:
    assert authors(analyze_object(V1_RETWEET)) == {"deckhand_99", "jack_sparrow"}


def test_v1_retweet_without_original_user_uses_rt_prefix() -> None:
    rt = copy.deepcopy(V1_RETWEET)
    del rt["retweeted_status"]["user"]
    assert authors(analyze_object(rt)) == {"deckhand_99", "jack_sparrow"}


def test_v1_quote_adds_quoted_author() -> None:
    assert authors(analyze_object(V1_QUOTE)) == {"critic_23", "interior"}


def test_v1_trimmed_user_gives_numeric_id() -> None:
    post = v1_post(
        253650670274637824, None, "phone books", user={"id": 14364433, "id_str": "14364433"}
    )
    ev = analyze_object(post)
    assert rules(ev) == {"json.v1_post"} and authors(ev) == {"14364433"}


def test_v1_without_user_has_unknown_author() -> None:
    ev = analyze_object(v1_post(867833721579122688, None, "user object was removed"))
    assert rules(ev) == {"json.v1_post"}
    assert authors(ev) == set() and unknown(ev)


def test_v1_own_media_link_names_the_author() -> None:
    # Embedded statuses carry no user, but X links the post's media at /{author}/status/{id}.
    post = copy.deepcopy(V1_EXTENDED)
    del post["user"]
    assert authors(analyze_object(post)) == {"nasa_moon"}
    other = copy.deepcopy(post)  # a link to someone else's post is not the author
    other["extended_tweet"]["entities"]["media"][0]["expanded_url"] = (
        "https://twitter.com/other/status/1/photo/1"
    )
    assert authors(analyze_object(other)) == set()


def test_early_v1_status_with_three_keys() -> None:
    ev = analyze_object(
        {"created_at": "Fri Jun 01 16:06:28 +0000 2007", "text": "addicted", "id": 86991742}
    )
    assert rules(ev) == {"json.v1_post"}


def test_flattened_exports() -> None:
    # pandas.json_normalize / rtweet-style flat rows
    flat = {
        "id": 887453193294282752,
        "id_str": "887453193294282752",
        "text": "hello",
        "created_at": "Tue Jul 18 23:25:04 +0000 2017",
        "user.screen_name": "FlatUser",
        "user.id_str": "42",
    }
    assert authors(analyze_object(flat)) == {"flatuser"}
    rtweet = {
        "status_id": "887453193294282752",
        "screen_name": "rtweet_user",
        "user_id": "42",
        "text": "RT @orig: words",
        "is_retweet": True,
        "retweet_screen_name": "orig",
        "favorite_count": 1,
        "retweet_count": 2,
    }
    ev = analyze_object(rtweet)
    assert rules(ev) == {"json.v1_post"} and authors(ev) == {"rtweet_user", "orig"}


def test_v2_envelope_resolves_authors_through_includes() -> None:
    ev = analyze_object(V2_ENVELOPE)
    assert rules(ev) == {"json.v2_envelope"}
    assert authors(ev) == {"sitirapiamat", "xtxxzinfo", "orig_author"}
    assert not unknown(ev)


def test_v2_retweet_without_includes_uses_rt_prefix() -> None:
    env = copy.deepcopy(V2_ENVELOPE)
    del env["includes"]["tweets"]
    assert authors(analyze_object(env), profiles=False) == {
        "sitirapiamat",
        "xtxxzinfo",
        "orig_author",
    }


def test_v2_item_without_includes_gives_numeric_author() -> None:
    ev = analyze_object(V2_ITEM_NO_INCLUDES)
    assert rules(ev) == {"json.v2_post"} and authors(ev) == {"19739122"}


def test_v2_default_fields_only() -> None:
    ev = analyze_object(V2_DEFAULT_FIELDS)
    assert rules(ev) == {"json.v2_post"} and unknown(ev)
    # before edit_history existed the default response was just {id, text}: a string
    # Snowflake id that decodes to a real time makes it a post, an int or small id does not.
    assert rules(analyze_object({"id": "1522929456142245888", "text": "Test"})) == {"json.v2_post"}


def test_twarc_flattened_post() -> None:
    ev = analyze_object(V2_FLAT)
    assert rules(ev) == {"json.v2_post"}
    assert authors(ev) == {"alexandravm12", "williamserafino"}


def test_twarc_flattened_reply_adds_quoted_but_not_replied_to_authors() -> None:
    ev = analyze_object(V2_FLAT_REPLY_AND_QUOTE)
    assert rules(ev) == {"json.v2_post"} and not unknown(ev)
    # Retweets and quotes carried inline add their authors; the replied-to post (and what it
    # quotes) is context, like a reply pointer, so its author is not the record's.
    assert authors(ev) == {"replier_1", "quoted_news"}


def test_twarc_flattened_retweet_of_a_quote_adds_both() -> None:
    ev = analyze_object(V2_FLAT_RETWEET_OF_QUOTE)
    assert authors(ev) == {"sharer_3", "rt_source", "quoted_news"}


def test_v2_item_retweet_names_the_retweeted_author_from_the_rt_prefix() -> None:
    ev = analyze_object(V2_ITEM_RETWEET)
    assert rules(ev) == {"json.v2_post"}
    # no includes: the poster stays a numeric id; the prefix names the retweeted author
    assert authors(ev) == {"4400000001", "river_watch"}
    quote = copy.deepcopy(V2_ITEM_RETWEET)
    quote["text"] = "RT @river_watch: not a retweet, just text"
    quote["referenced_tweets"] = [{"type": "quoted", "id": "1440000000000000202"}]
    assert authors(analyze_object(quote)) == {"4400000001"}  # only a retweet has the prefix


def test_twarc_csv_flat_columns() -> None:
    row = {
        "id": 1440716522796638212,  # CSV loaders turn the id into an integer
        "text": "hello",
        "author_id": 19739122,
        "conversation_id": 1440716522796638212,
        "public_metrics.like_count": 2,
        "author.username": "CsvAuthor",
        "label": 1,
    }
    ev = analyze_object(row)
    assert rules(ev) == {"json.v2_post"} and authors(ev) == {"csvauthor"}


def test_archive_file_text() -> None:
    ev = analyze_json_text(ARCHIVE_TEXT)
    assert ev is not None and rules(ev) == {"json.archive"}
    assert authors(ev) == set() and unknown(ev)  # the owner is not named in tweets.js
    assert analyze_json_text("window.YTD.tweet.part0 = []") is not None
    assert rules(analyze_json_text("window.YTD.tweets.part3 = [];")) == {"json.archive"}
    # the prefix alone identifies an archive file, even truncated
    assert rules(analyze_json_text(ARCHIVE_TEXT[:60])) == {"json.archive"}


def test_archive_account_names_owner() -> None:
    text = (
        'window.YTD.account.part0 = [{"account": {"email": "a@example.com", '
        '"createdVia": "web", "username": "ArchiveOwner", "accountId": "1234567", '
        '"createdAt": "2012-01-01T00:00:00.000Z", "accountDisplayName": "Owner"}}]'
    )
    ev = analyze_json_text(text)
    assert rules(ev) == {"json.archive"} and authors(ev) == {"archiveowner"}


def test_archive_items_without_prefix() -> None:
    assert rules(analyze_object([ARCHIVE_TWEET])) == {"json.archive"}
    like = {
        "like": {
            "tweetId": "887453193294282752",
            "fullText": "liked text",
            "expandedUrl": "https://twitter.com/i/web/status/887453193294282752",
        }
    }
    assert rules(analyze_object(like)) == {"json.archive"}
    # an archive tweet flattened out of its wrapper keeps its archive-only edit_info
    assert rules(analyze_object(ARCHIVE_TWEET["tweet"])) == {"json.archive"}


def test_activity_stream_post() -> None:
    ev = analyze_object(ACTIVITY_POST)
    assert rules(ev) == {"json.activity_stream"} and authors(ev) == {"robotprincessfi"}


def test_activity_stream_share_and_quote() -> None:
    assert authors(analyze_object(activity_share())) == {
        "robotprincessfi",
        "notfromshrek",
        "quotedperson",
    }


def test_arrow_struct_rows_with_none_filled_keys() -> None:
    # Arrow gives every row every schema key, with None where the key was missing.
    groups = [[ACTIVITY_POST, activity_share()], [V1_EXTENDED, V1_RETWEET, V1_QUOTE]]
    for rows in groups:
        for original, back in zip(rows, pa.array(rows).to_pylist(), strict=True):
            assert back != original  # keys of the other rows were added as None
            assert rules(analyze_object(back)) == rules(analyze_object(original))
            assert authors(analyze_object(back)) == authors(analyze_object(original))


def test_snscrape() -> None:
    ev = analyze_object(SNSCRAPE_TWEET)
    assert rules(ev) == {"json.snscrape"} and authors(ev) == {"someone_x", "friend_y"}
    ev = analyze_object(SNSCRAPE_NO_TYPE)
    assert rules(ev) == {"json.snscrape"} and authors(ev) == {"someone_x"}


def test_syndication() -> None:
    ev = analyze_object(SYNDICATION)
    assert rules(ev) == {"json.syndication"} and authors(ev) == {"twitterdev", "quoteddev"}
    reply = copy.deepcopy(SYNDICATION)
    reply["parent"] = {
        "id_str": "1228000000000000001",
        "text": "the post replied to",
        "user": {"id_str": "2", "screen_name": "ParentDev", "name": "P"},
    }
    # the parent's text is carried inline, so its author counts
    assert authors(analyze_object(reply)) == {"twitterdev", "quoteddev", "parentdev"}
    assert rules(analyze_object({"__typename": "TweetTombstone", "tombstone": {}})) == {
        "json.syndication"
    }


def test_graphql() -> None:
    ev = analyze_object(GRAPHQL)
    assert rules(ev) == {"json.graphql"} and authors(ev) == {"graphauthor", "retweeted1"}


def test_user_object_with_status() -> None:
    ev = analyze_object(V1_USER_WITH_STATUS)
    assert rules(ev) == {"json.user", "json.v1_post"}
    # the profile owner, and the author of the embedded status is the enclosing user
    assert authors(ev) == {"facebook"} and authors(ev, profiles=False) == {"facebook"}


def test_user_status_retweet_adds_the_retweeted_author() -> None:
    ev = analyze_object(V1_USER_WITH_RETWEET)
    assert rules(ev) == {"json.user", "json.v1_post"}
    assert authors(ev, profiles=False) == {"relay_account", "first_voice"}  # not @bystander


def test_detached_status_names_no_author_from_mentions_or_reply_fields() -> None:
    # A user.status saved without its user: the enclosing user is not in the record.
    status = v1_post(
        1585000000000000302,
        None,
        "@someone_else thanks, and hello @third_party",
        in_reply_to_screen_name="someone_else",
        in_reply_to_user_id_str="77",
        entities={"user_mentions": [{"screen_name": "third_party", "indices": [28, 40]}]},
    )
    ev = analyze_object(status)
    assert rules(ev) == {"json.v1_post"} and authors(ev) == set() and unknown(ev)
    retweet = v1_post(
        1585000000000000303,
        None,
        "RT @first_voice: said it first",
        retweeted_status=v1_post(1584000000000000304, None, "said it first"),
    )
    ev = analyze_object(retweet)
    assert authors(ev) == {"first_voice"} and unknown(ev)  # the retweeter stays unknown


def test_user_profiles_name_their_owners() -> None:
    ev = analyze_object(v1_user("ProfileOnly", 7))
    assert rules(ev) == {"json.user"} and authors(ev) == {"profileonly"}
    ev = analyze_object(V2_USERS)
    assert rules(ev) == {"json.user"} and authors(ev) == {"x", "xdevelopers"}
    ev = analyze_object(CURSORED_USERS)
    assert rules(ev) == {"json.user", "json.api_object"} and authors(ev) == {"alice_a", "bob_b"}


def test_oembed_names_the_post_author() -> None:
    ev = analyze_object(OEMBED)
    assert rules(ev) == {"json.api_object"} and authors(ev) == {"interior"}


@pytest.mark.parametrize("obj", OTHER_API_OBJECTS, ids=lambda o: json.dumps(o)[:40])
def test_other_api_objects(obj: Any) -> None:
    ev = analyze_object(obj)
    assert "json.api_object" in rules(ev)
    assert analyze_json_text(json.dumps(obj)) == ev


def details(ev: list[Evidence]) -> dict[str, str | None]:
    return {e.rule: e.detail for e in ev}


SHAPE_NAMES = {shape.name for shape in (*API_OBJECTS, *V2_ITEMS, OEMBED_SHAPE)}


@pytest.mark.parametrize("obj", OTHER_API_OBJECTS, ids=lambda o: json.dumps(o)[:40])
def test_every_api_object_says_which_shape_fired(obj: Any) -> None:
    detail = details(analyze_object(obj))["json.api_object"]
    assert detail is not None
    assert set(detail.split(", ")) <= SHAPE_NAMES | {"list", "cursored_page", "v2_meta"}


@pytest.mark.parametrize(
    ("obj", "shape"),
    [
        (DM_EVENT, "dm_event"),
        (V2_DM_EVENTS, "dm_event"),
        (DM_V1, "direct_message"),
        (V1_LIST, "list"),
        (TRENDS, "trend"),
        (PLACE, "place"),
        (OEMBED, "oembed"),
        (CURSORED_USERS, "cursored_page"),
        ({"resources": {"help": {"/help/languages": {"limit": 15}}}}, "rate_limit_status"),
        ({"screen_name": "a_b", "indices": [0, 4], "id": 1}, "entity"),
        ({"code": "fr", "name": "French", "local_name": "Français", "status": "production"},
         "language"),
        ({"delete": {"status": {"id": 1, "id_str": "1", "user_id": 3, "user_id_str": "3"}}},
         "delete_notice"),
        ({"scrub_geo": {"user_id": 14090452, "up_to_status_id_str": "23260136625"}},
         "scrub_geo_notice"),
    ],
)  # fmt: skip
def test_api_object_detail_names_the_shape(obj: Any, shape: str) -> None:
    assert details(analyze_object(obj)).get("json.api_object") == shape


def test_one_evidence_per_rule_names_every_shape_in_order() -> None:
    ev = analyze_object([DM_EVENT, PLACE, DM_V1, DM_EVENT])
    assert [(e.rule, e.detail) for e in ev] == [
        ("json.api_object", "dm_event, place, direct_message")
    ]


def test_post_and_user_evidence_names_the_shape() -> None:
    assert details(analyze_object(V1_EXTENDED)) == {"json.v1_post": "v1.1 post"}
    assert details(analyze_object(V2_ENVELOPE))["json.v2_envelope"] == "v2 post"
    assert details(analyze_object(V1_USER_WITH_STATUS)) == {
        "json.user": "v1.1 user",
        "json.v1_post": "v1.1 post",
    }
    assert details(analyze_object(SNSCRAPE_TWEET)) == {"json.snscrape": "snscrape post"}
    assert details(analyze_json_text(ARCHIVE_TEXT) or [])["json.archive"] == "archive tweet"
    assert details(analyze_json_text("window.YTD.tweets.part0 = [") or []) == {
        "json.archive": "archive file"
    }


def test_list_owner_and_dm_parties_are_not_authors() -> None:
    # Lists and DMs are X objects but carry no post: no author (policy: unknown author).
    for obj in (V1_LIST, DM_V1, DM_EVENT):
        ev = analyze_object(obj)
        assert authors(ev) == set() and unknown(ev)


@pytest.mark.parametrize("obj", NEGATIVES, ids=lambda o: json.dumps(o, ensure_ascii=True)[:40])
def test_negatives(obj: Any) -> None:
    assert analyze_object(obj) == []
    assert analyze_json_text(json.dumps(obj)) == []


def test_mastodon_and_bluesky_wrapped_in_lists() -> None:
    assert analyze_object([MASTODON_STATUS, {"wrapper": [BLUESKY_THREAD, OSTATUS_ACTIVITY]}]) == []


def test_mixed_record_finds_nested_post() -> None:
    row = {"meta": {"source": "crawl"}, "payload": {"items": [MASTODON_STATUS, V1_EXTENDED]}}
    assert authors(analyze_object(row)) == {"nasa_moon"}


def test_unknown_and_known_authors_are_both_reported() -> None:
    ev = analyze_object([V1_EXTENDED, v1_post(867833721579122688, None, "no user")])
    assert [e.rule for e in ev] == ["json.v1_post", "json.v1_post"]
    assert {e.authors for e in ev} == {("nasa_moon",), ()}


def test_a_carried_post_without_author_makes_the_author_unknown() -> None:
    quoted = {"_type": "snscrape.modules.twitter.Tweet", "id": 1598000000000000000,
              "rawContent": "a friend's words"}  # fmt: skip
    ev = analyze_object({**SNSCRAPE_TWEET, "quotedTweet": quoted})
    assert {e.authors for e in ev} == {("someone_x",), ()}


def test_analyze_json_text_none_for_non_json() -> None:
    not_json = ["", "   ", "hello world", "RT @jack: hi", '"{"', "{not json", "[1, 2,",
                "window.x = 1", "\x00{}", "{'a': }"]  # fmt: skip
    for text in not_json:
        assert analyze_json_text(text) is None, text
    assert analyze_json_text("{}") == []
    assert analyze_json_text("\ufeff" + json.dumps(V1_EXTENDED))
    assert analyze_json_text("  \n [1, 2, 3]") == []
    assert analyze_json_text(123) is None  # type: ignore[arg-type]


def test_python_literal_rows_are_understood() -> None:
    # str(dict) written into CSV columns is common in tweet datasets
    text = repr(V1_EXTENDED)
    assert rules(analyze_json_text(text)) == {"json.v1_post"}
    assert prefilter_matches([text], PREFILTER) == [True]


def test_deep_nesting_finds_the_post_at_any_depth() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert analyze_json_text(deep) is None  # beyond json's own limit: not parseable here
    nested: Any = V1_EXTENDED
    for _ in range(5_000):
        nested = {"wrap": [nested]}
    assert rules(analyze_object(nested)) == {"json.v1_post"}
    shallow: Any = V1_EXTENDED
    for _ in range(5):
        shallow = {"wrap": [shallow]}
    assert rules(analyze_object(shallow)) == {"json.v1_post"}


def test_cycles_do_not_hang() -> None:
    a: dict[str, Any] = {"x": 1}
    a["self"] = a
    b: list[Any] = []
    b.append(b)
    assert analyze_object(a) == [] and analyze_object(b) == []


def test_huge_arrays_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from xfilter.detect.posts import MAX_NODES
    from xfilter.detect.posts.fields import Collector

    big = {"ids": list(range(1_000_000)), "next_cursor_str": "0", "previous_cursor_str": "0"}
    junk = [[{"k": [i, str(i)]} for i in range(50)] for _ in range(5_000)]
    visits: list[int] = []
    tick = Collector.tick

    def counted(self: Collector) -> bool:
        visits.append(1)
        return tick(self)

    monkeypatch.setattr(Collector, "tick", counted)
    assert rules(analyze_object(big)) == {"json.api_object"}
    assert analyze_object(junk) == []
    # the walk stops after MAX_NODES visits per object instead of touching every element
    assert len(visits) <= 2 * MAX_NODES


def test_prefilter_matches_every_flagged_positive() -> None:
    texts = [json.dumps(o) for o in POSITIVES]
    texts += [json.dumps(o, indent=2) for o in POSITIVES]  # archive-style "key" : value
    texts += [ARCHIVE_TEXT, repr(V2_ENVELOPE)]
    for t in texts:
        assert analyze_json_text(t), t[:80]
    assert all(prefilter_matches(texts, PREFILTER))


def test_prefilter_does_not_match_prose() -> None:
    prose = [
        "Follow us on Twitter: twitter.com/somebody and x.com/somebody",
        "Wonderful game today pic.twitter.com/soxnfJGWwd — Jane Doe (@janedoe) Dec 27, 2014",
        "see https://x.com/jack/status/20 for the first post",
        "RT @jack: just setting up my twttr",
        "Posted Wed Oct 10 20:19:24 +0000 2018 by the screen_name owner",
        "Netflix.com and dropbox.com are not X; neither is https://t.co/abc in prose",
        "The user id is 887453193294282752 and the username is bob.",
    ]
    assert not any(prefilter_matches(prose, PREFILTER))
    # It may over-match JSON (a Mastodon status has a string id and a username), but not all
    # JSON: Bluesky and ActivityPub objects carry none of its anchors.
    others = [BLUESKY_POST, BLUESKY_THREAD, ACTIVITYPUB_CREATE, {"id": 1, "text": "hello"}]
    assert not any(prefilter_matches([json.dumps(o) for o in others], PREFILTER))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    for candidate in (text, "{" + text, "[" + text, "window.YTD.tweets.part0 = " + text):
        result = analyze_json_text(candidate)
        assert result is None or isinstance(result, list)


@pytest.mark.parametrize(
    "obj",
    [
        {"data": [{"event_type": ["MessageCreate"], "id": "1585823814956482567"}]},
        {"data": [{"id": "1ynKOZVRyOwxR", "state": {"live": True}}]},
    ],
    ids=lambda o: json.dumps(o)[:40],
)
def test_a_list_or_object_where_x_has_a_word_never_raises(obj: Obj) -> None:
    assert analyze_object(obj) == []
    assert analyze_json_text(json.dumps(obj)) == []


GENERIC_KEYS = st.sampled_from(
    ["id", "text", "name", "title", "body", "url", "created_at", "author", "user", "content",
     "type", "value", "items", "label", "score", "lang", "source", "date", "tags", "count"]
)  # fmt: skip
GENERIC_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.text(max_size=20),
    st.sampled_from(["2021-09-22T16:38:07.000Z", "en", "hello", "42", "https://example.com/a"]),
)
GENERIC_JSON = st.recursive(
    GENERIC_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(GENERIC_KEYS, children, max_size=6)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(GENERIC_JSON)
def test_generic_json_is_never_x(obj: Any) -> None:
    """Objects built only from everyday keys and values never look like X objects."""
    assert analyze_object(obj) == []


# ---------------------------------------------------------------------------------------------
# Schema-level decision for Arrow struct columns


def struct_of(rows: list[Any]) -> pa.DataType:
    return pa.array(rows).type


def test_struct_type_is_post() -> None:
    assert struct_type_is_post(struct_of([V1_EXTENDED, V1_RETWEET])) == "json.v1_post"
    assert struct_type_is_post(struct_of([V2_ITEM_NO_INCLUDES, V2_FLAT])) == "json.v2_post"
    assert struct_type_is_post(struct_of([ACTIVITY_POST])) == "json.activity_stream"
    assert struct_type_is_post(struct_of([SNSCRAPE_TWEET])) == "json.snscrape"
    assert struct_type_is_post(struct_of([v1_user("a_b", 1)])) == "json.user"
    assert struct_type_is_post(struct_of([ARCHIVE_TWEET])) == "json.archive"
    assert struct_type_is_post(pa.list_(struct_of([V1_EXTENDED]))) == "json.v1_post"


def test_struct_type_is_not_post() -> None:
    for rows in ([MASTODON_STATUS], [OSTATUS_ACTIVITY], [GITHUB_ISSUE], [WEIBO_STATUS],
                 [{"id": 1, "text": "x"}], [DISCORD_MESSAGE], [BLUESKY_POST]):  # fmt: skip
        assert struct_type_is_post(struct_of(rows)) is None
    assert struct_type_is_post(pa.int64()) is None
    assert struct_type_is_post(pa.string()) is None


def test_struct_author_fields_exist_in_schema() -> None:
    arr = pa.array([V1_EXTENDED, V1_RETWEET])
    rule = struct_type_is_post(arr.type)
    assert rule is not None
    handles = pc.struct_field(arr, list(STRUCT_AUTHOR_FIELDS[rule][0]))
    assert handles.to_pylist() == ["NASA_Moon", "deckhand_99"]


def _dict_positives() -> list[Obj]:
    return [o for o in POSITIVES if isinstance(o, dict)]


@pytest.mark.parametrize("obj", _dict_positives(), ids=lambda o: json.dumps(o)[:40])
def test_struct_candidates_cover_every_flagged_row(obj: Obj) -> None:
    arr = pa.array([None, obj])
    assert struct_candidates(arr).tolist() == [False, True]
    assert analyze_object(arr.to_pylist()[1])  # and the None-filled row is still flagged


def test_struct_candidates_lists_maps_chunks() -> None:
    rows = pa.array([[V1_EXTENDED], [], None, [V1_ORIGINAL, V1_QUOTE]])
    assert struct_candidates(rows).tolist() == [True, False, False, True]
    users = pa.array([{"a": {"b": [{"screen_name": "x"}]}}, {"a": None}, None, {"a": {"b": []}}])
    assert struct_candidates(users).tolist() == [True, False, False, False]
    maps = pa.array(
        [[("id_str", "1")], [("other", "1")], [("/statuses/show/:id", "x")]],
        pa.map_(pa.string(), pa.string()),
    )
    assert struct_candidates(maps).tolist() == [True, False, True]
    chunked = pa.chunked_array([pa.array([ACTIVITY_POST]), pa.array([ACTIVITY_POST])])
    assert struct_candidates(chunked).tolist() == [True, True]
    sliced = pa.array([{"id": "x1", "t": 1}, {"id": "887453193294282752", "t": 2}]).slice(1)
    assert struct_candidates(sliced).tolist() == [True]


def test_struct_candidates_skip_other_platforms() -> None:
    for obj in (BLUESKY_POST, BLUESKY_THREAD, ACTIVITYPUB_CREATE, {"id": 1, "text": "hello"}):
        assert struct_candidates(pa.array([obj])).tolist() == [False]


# A post trimmed to what a person pastes: text, date and the author's user object, no ids.
_TRIMMED = {
    "created_at": "October 3, 2017",
    "text": "Saddened by the passing of Paul Otellini.",
    "user": {"name": "Sundar Pichai", "screen_name": "sundarpichai"},
}


def test_a_post_trimmed_to_text_date_and_user_is_a_post() -> None:
    found = analyze_json_text(json.dumps(_TRIMMED))
    assert [(e.rule, e.authors) for e in found or []] == [("json.v1_post", ("sundarpichai",))]
    prose = f"Parse this and tell me who wrote it:\n```json\n{json.dumps(_TRIMMED)}\n```"
    inline = objects_in_text(prose)
    assert [(e.rule, e.authors) for e in inline] == [("json.v1_post", ("sundarpichai",))]
    start, end = inline[0].span or (0, 0)
    assert json.loads(prose[start:end]) == _TRIMMED


@pytest.mark.parametrize(
    "shape",
    [
        {k: v for k, v in _TRIMMED.items() if k != "created_at"},  # no date
        {k: v for k, v in _TRIMMED.items() if k != "user"},  # no author
        {**_TRIMMED, "user": {"name": "Sundar Pichai"}},  # no screen name
        {**_TRIMMED, "idstr": "3404567890", "mid": "3404567890"},  # Weibo's own keys
    ],
)
def test_trimmed_shapes_without_an_author_a_date_or_with_clone_keys_are_not(
    shape: dict[str, Any],
) -> None:
    assert not analyze_json_text(json.dumps(shape))
