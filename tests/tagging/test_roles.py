"""Column roles in flat rows: handle columns as authors, image URLs as own URLs, and the
columns of other platforms' rows that must not be read as X's.

Row shapes follow public datasets: LAION-400M's ``URL``/``TEXT`` parquet columns, conceptual
captions' ``image_url``/``caption``, tweet exports with a post-ID column beside a handle
column. The X posts are public posts by official accounts, as in the other tests.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from xfilter import XFilter
from xfilter.detect.datasets import DatasetRegistry
from xfilter.tagging.scan import Roles, handle_of, scan_table

ATTRIBUTED = (
    "Sunsets don't get much better than this one over @GrandTetonNPS. #nature\n"
    "— US Department of the Interior (@Interior) May 5, 2014"
)
STATUS = "https://twitter.com/Interior/status/463440424141459456"
POST_ID = "463440424141459456"


def tag(rows: list[dict[str, Any]], mode: str = "strict") -> list[dict[str, Any]]:
    """The four tag columns of ``rows`` as dicts."""
    tagged = XFilter(mode=mode).tag_table(pa.Table.from_pylist(rows))
    return tagged.select(["xfilter_action", "xfilter_categories", "xfilter_authors"]).to_pylist()


def evidence_fields(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Rule id → the fields it fired in, over all rows."""
    found = scan_table(pa.Table.from_pylist(rows), DatasetRegistry.load(), Roles())
    fields: dict[str, set[str]] = {}
    for _, evidence in found.rows():
        for e in evidence:
            fields.setdefault(e.rule, set()).add(e.field or "")
    return fields


# -- handle values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "handle"),
    [
        ("TwitterDev", "twitterdev"),
        ("@TwitterDev", "twitterdev"),
        ("  @TwitterDev \n", "twitterdev"),
        ("https://twitter.com/TwitterDev", "twitterdev"),
        ("https://x.com/TwitterDev/", "twitterdev"),
        ("twitter.com/@TwitterDev", "twitterdev"),
        ("2244994945", "2244994945"),  # a numeric user id stands for its user
        ("", None),
        ("Twitter Dev", None),  # a display name, not a handle
        ("alice.bsky.social", None),  # a Bluesky handle
        ("@alice@mastodon.social", None),  # a Mastodon account
        ("https://mastodon.social/@alice", None),
        ("https://twitter.com/search?q=x", None),  # an X page, but nobody's profile
    ],
)
def test_handle_of_normalises_a_handle_column_value(value: str, handle: str | None) -> None:
    assert handle_of(value) == handle


# -- handle columns ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column",
    [
        "handle",
        "user_handle",
        "screen_name",
        "username",
        "user_name",
        "twitter_handle",
        "user_screen_name",
        "author_handle",
        "Screen_Name",
    ],
)
def test_a_handle_column_names_the_author_of_a_tweet_export_row(column: str) -> None:
    row = {"tweet_id": POST_ID, "tweet_text": "Sunsets over the Tetons", column: " @Interior"}
    [tags] = tag([row])
    assert tags["xfilter_categories"] == ["x_post"]
    assert tags["xfilter_authors"] == ["interior"]


def test_a_handle_in_a_user_struct_names_the_author() -> None:
    row = {
        "tweet_id": POST_ID,
        "user": {"username": "https://twitter.com/Interior", "id": 76348185},
    }
    [tags] = tag([row])
    assert tags["xfilter_authors"] == ["interior"]


def test_handles_in_a_list_are_not_the_rows_authors() -> None:
    """``mentions[].username`` names people the post mentions, not whose post it is."""
    row = {"tweet_id": POST_ID, "username": "Interior", "mentions": [{"username": "GrandTetonNPS"}]}
    [tags] = tag([row])
    assert tags["xfilter_authors"] == ["interior"]


def test_a_generic_handle_column_is_not_an_x_author_of_quoted_content() -> None:
    """A forum or chat row whose text quotes a post: ``username`` names the forum's user."""
    row = {"body": "Saw this today:\n\n" + ATTRIBUTED, "username": "redditor_1"}
    [tags] = tag([row])
    assert tags["xfilter_categories"] == ["x_embed"]
    assert tags["xfilter_authors"] == ["interior"]


def test_an_x_named_handle_column_names_the_author_of_quoted_content() -> None:
    row = {"text": ATTRIBUTED, "twitter_handle": "@Interior"}
    [tags] = tag([row], mode="collaborator")
    assert tags["xfilter_authors"] == ["interior"]


def test_a_handle_column_never_makes_a_row_x_content() -> None:
    rows = [{"text": "Lunch at noon?", "twitter_handle": "Interior", "username": "Interior"}]
    assert tag(rows) == [
        {"xfilter_action": "keep", "xfilter_categories": [], "xfilter_authors": []}
    ]


def test_configured_author_column_is_always_the_author() -> None:
    xf = XFilter(mode="strict", fields={"author": "poster"})
    row = {"text": ATTRIBUTED, "poster": "Interior_Copy"}
    [authors] = xf.tag_table(pa.Table.from_pylist([row])).column("xfilter_authors").to_pylist()
    assert authors == ["interior", "interior_copy"]


# -- image-caption rows ------------------------------------------------------------------------


MEDIA = "https://pbs.twimg.com/media/BmzKJxNCQAA0Bp5.jpg"


@pytest.mark.parametrize("column", ["URL", "url", "image_url", "img_url", "IMAGE_URL", "image"])
def test_an_image_url_column_is_the_records_own_url(column: str) -> None:
    rows = [{column: MEDIA, "TEXT": "sunset over mountains"}]
    fields = evidence_fields(rows)
    assert column in fields.get("url.own_page", set())
    [tags] = tag(rows)
    assert tags["xfilter_categories"] == ["x_post"]


@pytest.mark.parametrize(
    "row",
    [
        {"URL": "https://cdn.jsdelivr.net/gh/twitter/twemoji@14.0.2/assets/72x72/1f600.png"},
        {"image_url": "https://bsky.app/profile/alice.bsky.social/post/3k2a"},
        {"url": "https://example.com/x.com.jpg", "caption": "Generation X at a SpaceX launch"},
        {"image": "images/00001.jpg", "alt_text": "the letter X on a SpaceX rocket"},
    ],
)
def test_image_caption_rows_off_x_stay_clean(row: dict[str, Any]) -> None:
    [tags] = tag([{**row, "TEXT": "a photo"}])
    assert tags["xfilter_action"] == "keep"
    assert tags["xfilter_categories"] == []


# -- hard negatives ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "row",
    [
        # Weibo: screen_name and idstr like X's, another platform.
        {"idstr": "4987459263578234", "screen_name": "人民日报", "text": "今天天气很好"},
        # Bluesky and Mastodon handles in handle columns.
        {"handle": "alice.bsky.social", "text": "posted on bluesky", "uri": "at://did:plc:x"},
        {"username": "alice", "url": "https://mastodon.social/@alice/111", "content": "toot"},
        # Slack-style chat: "@user:" lines.
        {"messages": [{"role": "user", "content": "@dave: ship it?\n@erin: yes"}]},
    ],
)
def test_other_platforms_rows_stay_clean(row: dict[str, Any]) -> None:
    [tags] = tag([row])
    assert tags == {"xfilter_action": "keep", "xfilter_categories": [], "xfilter_authors": []}


def test_handles_of_other_people_in_the_row_are_not_its_authors() -> None:
    """A reply target or a quoted post's user is named in a struct of its own."""
    row = {
        "tweet_id": POST_ID,
        "user": {"username": "Interior"},
        "inReplyToUser": {"username": "GrandTetonNPS"},
        "quoted": {"user": {"screen_name": "NatlParkService"}},
    }
    [tags] = tag([row])
    assert tags["xfilter_authors"] == ["interior"]
