"""Chat and SFT rows: every turn's text is scanned, evidence names the nested path it was
found in, and a post object pasted into prose or a code fence inside a turn is found.

Shapes: ``messages: [{role, content}]`` (OpenAI chat format), ``conversations: [{from,
value}]`` (ShareGPT), ``turns``/``dialog`` lists of strings (multi-turn dialogue sets).
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest

from tests.detect.post_fixtures import v1_post
from xfilter import XFilter
from xfilter.detect.datasets import DatasetRegistry
from xfilter.tagging.scan import Roles, analyze_string, scan_table

POST = (
    "Sunsets don't get much better than this one over @GrandTetonNPS. #nature\n"
    "— US Department of the Interior (@Interior) May 5, 2014"
)
POST_OBJECT = json.dumps(
    v1_post(463440424141459456, "Interior", "Sunsets don't get much better than this one")
)


def evidence(rows: list[dict[str, Any]]) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """(rule, field, authors) of every hit in ``rows``."""
    found = scan_table(pa.Table.from_pylist(rows), DatasetRegistry.load(), Roles())
    return [(e.rule, e.field, e.authors) for _, hits in found.rows() for e in hits]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"messages": [{"role": "user", "content": POST}]}, "messages.content"),
        ({"conversations": [{"from": "human", "value": POST}]}, "conversations.value"),
        ({"turns": ["Hello!", POST]}, "turns"),
        ({"dialog": [{"speaker": "A", "text": "Look:\n\n" + POST}]}, "dialog.text"),
    ],
)
def test_a_post_in_a_turn_is_evidence_at_its_nested_path(row: dict[str, Any], field: str) -> None:
    found = evidence([row])
    assert ("text.attribution", field, ("interior",)) in found


def test_the_role_of_a_turn_is_not_evidence() -> None:
    """``role``/``from`` values ("user", "gpt") are text too, and say nothing of X."""
    rows = [
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "x"}]}
    ]
    assert evidence(rows) == []


def test_a_post_object_after_a_lead_in_is_an_x_post() -> None:
    found = analyze_string("Parse this: " + POST_OBJECT + " and give me the date.")
    posts = [e for e in found if e.category == "x_post"]
    assert posts and {a for e in posts for a in e.authors} == {"interior"}
    start = len("Parse this: ")
    assert {e.span for e in posts} == {(start, start + len(POST_OBJECT))}


def test_a_post_object_in_a_code_fence_inside_a_turn_rejects_the_row() -> None:
    turn = "Extract the author:\n```json\n" + POST_OBJECT + "\n```"
    rows = [
        {"messages": [{"role": "user", "content": turn}, {"role": "assistant", "content": "x"}]}
    ]
    assert any(field == "messages.content" for _, field, _ in evidence(rows))
    tagged = XFilter(mode="strict").tag_table(pa.Table.from_pylist(rows)).to_pylist()
    assert tagged[0]["xfilter_categories"][0] == "x_post"
    assert tagged[0]["xfilter_authors"] == ["interior"]
    assert tagged[0]["xfilter_action"] == "quarantine"


@pytest.mark.parametrize(
    "turn",
    [
        'Parse this: {"id": 1, "name": "Generation X", "text": "bird tweets at dawn"}',
        "```json\n" + json.dumps({"did": "did:plc:abc", "handle": "alice.bsky.social"}) + "\n```",
        'Config: {"theme": "twitter-bootstrap", "x11": true}',
        "@dave: ship it?\n@erin: {not json}",
    ],
)
def test_objects_that_are_not_x_posts_stay_clean(turn: str) -> None:
    rows = [{"messages": [{"role": "user", "content": turn}]}]
    tagged = XFilter(mode="strict").tag_table(pa.Table.from_pylist(rows)).to_pylist()
    assert tagged[0]["xfilter_action"] == "keep"
    assert not {"x_post", "x_embed", "x_link"} & set(tagged[0]["xfilter_categories"])
