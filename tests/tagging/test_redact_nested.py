"""Redaction through nested paths: a post pasted into one turn of a chat is cut out of that
turn, the other turns and fields stay byte for byte, the column keeps its type; what cannot be
cut is rejected.

Row shapes follow public chat datasets: ``messages: [{role, content}]`` (OpenAI chat format),
``conversations: [{from, value}]`` (ShareGPT). The post is a public post by an official
account, as in the other tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import xfilter
from xfilter import XFilter
from xfilter.config import Config
from xfilter.tagging.tagger import Tags, json_container, reaches_string

POST = (
    "Sunsets don't get much better than this one over @GrandTetonNPS. #nature\n"
    "— US Department of the Interior (@Interior) May 5, 2014"
)
STATUS = "https://twitter.com/Interior/status/463440424141459456"
ASK = "Can you summarise this for me?\n\n"
CHAT = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": ASK + POST + "\n\nKeep it short."},
    {"role": "assistant", "content": "A sunset over the Tetons, praised as one of the best."},
]
SHAREGPT = [
    {"from": "human", "value": "Translate to French:\n\n" + POST},
    {"from": "gpt", "value": "Les couchers de soleil ne sont pas plus beaux que celui-ci."},
]
CLEAN_CHAT = [
    {"role": "user", "content": "How do I bake bread?"},
    {"role": "assistant", "content": "Flour, water, salt, yeast."},
]


def redacting() -> XFilter:
    return XFilter(mode="strict", categories={"x_embed": "redact"})


def tags_of(table: pa.Table) -> Tags:
    return redacting().tagger.tag(table)


def rebuilt(table: pa.Table, tags: Tags, column: str) -> pa.Array:
    """``column`` with the redacted rows put back, as an array of the column's own type."""
    values = table.column(column).to_pylist()
    for row, value in tags.redacted.get(column, {}).items():
        values[row] = value
    return pa.array(values, table.schema.field(column).type)


# -- the batch function ------------------------------------------------------------------------


def test_a_post_in_one_turn_is_cut_and_the_other_turns_stay() -> None:
    table = pa.Table.from_pylist([{"id": 7, "messages": CHAT}, {"id": 8, "messages": CLEAN_CHAT}])
    tags = tags_of(table)
    assert tags.action == ["redact", "keep"]
    assert tags.categories[0] == ["x_embed"]
    [turns] = tags.redacted["messages"].values()
    assert turns[1] == {"role": "user", "content": ASK + "Keep it short."}
    assert turns[0] == CHAT[0] and turns[2] == CHAT[2]
    assert rebuilt(table, tags, "messages").type == table.schema.field("messages").type


def test_sharegpt_conversations_are_cut_in_value() -> None:
    table = pa.Table.from_pylist([{"conversations": SHAREGPT, "source": "sharegpt"}])
    tags = tags_of(table)
    assert tags.action == ["redact"]
    [turns] = tags.redacted["conversations"].values()
    assert turns == [{"from": "human", "value": "Translate to French:\n\n"}, SHAREGPT[1]]


def test_a_struct_field_and_a_large_string_column_are_cut_in_place() -> None:
    schema = pa.schema(
        [
            ("doc", pa.struct([("title", pa.string()), ("body", pa.large_string())])),
            ("text", pa.large_string()),
        ]
    )
    row = {"doc": {"title": "Parks", "body": "Seen today:\n\n" + POST}, "text": POST + "\nBye."}
    table = pa.Table.from_pylist([row], schema=schema)
    tags = tags_of(table)
    assert tags.action == ["redact"]
    assert tags.redacted["doc"] == {0: {"title": "Parks", "body": "Seen today:\n\n"}}
    assert tags.redacted["text"] == {0: "\nBye."}
    for column in ("doc", "text"):
        assert rebuilt(table, tags, column).type == schema.field(column).type


def test_a_list_of_strings_is_cut_element_by_element() -> None:
    table = pa.Table.from_pylist([{"turns": ["Hi there.", ASK + POST, "Done."]}])
    tags = tags_of(table)
    assert tags.redacted["turns"] == {0: ["Hi there.", ASK, "Done."]}


@pytest.mark.parametrize("indent", [None, 2])
def test_a_json_string_of_turns_is_cut_inside_and_written_back_alike(indent: int | None) -> None:
    """An escaped em dash hides the attribution from the raw text: only its decoded strings
    show it, so the cut happens there and the JSON is encoded again as it was written."""
    encoded = json.dumps(CHAT, indent=indent)
    assert "\\u2014" in encoded
    tags = tags_of(pa.Table.from_pylist([{"messages": encoded}]))
    assert tags.action == ["redact"]
    turns = json.loads(tags.redacted["messages"][0])
    assert turns[1]["content"] == ASK + "Keep it short."
    assert [turns[0], turns[2]] == [CHAT[0], CHAT[2]]
    unchanged = json.dumps([CHAT[0], {**CHAT[1], "content": ASK + "Keep it short."}, CHAT[2]])
    assert tags.redacted["messages"][0] == (
        unchanged if indent is None else json.dumps(json.loads(unchanged), indent=indent)
    )


def test_json_that_cannot_be_written_back_alike_is_rejected() -> None:
    """Odd spacing: re-encoding would change bytes outside the post, so nothing is cut."""
    encoded = json.dumps(CHAT).replace('": "', '":  "')
    assert json_container(encoded) is None
    table = pa.Table.from_pylist([{"messages": encoded}])
    tags = tags_of(table)
    assert tags.action == ["quarantine"] and tags.redacted == {}


def test_remaining_x_content_in_another_turn_rejects_the_record() -> None:
    turns = [*CHAT, {"role": "user", "content": f"And this one? {STATUS}"}]
    tags = tags_of(pa.Table.from_pylist([{"messages": turns}]))
    assert tags.action == ["quarantine"] and tags.redacted == {}


def test_a_post_in_bytes_or_a_union_is_rejected_not_cut() -> None:
    binary = pa.table({"messages": pa.array([[(ASK + POST).encode()]], pa.list_(pa.binary()))})
    assert tags_of(binary).action == ["quarantine"]
    dense = pa.UnionArray.from_dense(
        pa.array([0], pa.int8()), pa.array([0], pa.int32()), [pa.array([ASK + POST])]
    )
    union = pa.table({"turn": dense})
    assert tags_of(union).action == ["quarantine"]


def test_reaches_string_follows_structs_lists_and_maps() -> None:
    schema = pa.schema(
        [
            ("messages", pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))),
            ("meta", pa.map_(pa.string(), pa.string())),
            ("blob", pa.binary()),
            ("tags", pa.list_(pa.dictionary(pa.int32(), pa.string()))),
        ]
    )
    assert reaches_string(schema, "messages.content")
    assert reaches_string(schema, "meta.text") and reaches_string(schema, "meta")
    assert not reaches_string(schema, "messages")
    assert not reaches_string(schema, "messages.missing")
    assert not reaches_string(schema, "blob")
    assert not reaches_string(schema, "tags")
    assert not reaches_string(schema, "absent.content")


def test_a_map_value_named_by_its_key_is_cut() -> None:
    kind = pa.map_(pa.string(), pa.string())
    value = [("lang", "en"), ("text", ASK + POST)]
    table = pa.table({"meta": pa.array([value], kind)})
    tags = tags_of(table)
    assert tags.action == ["redact"]
    assert tags.redacted["meta"] == {0: [("lang", "en"), ("text", ASK)]}
    assert rebuilt(table, tags, "meta").type == kind


# -- datasets and the local job ----------------------------------------------------------------


ROWS: list[dict[str, Any]] = [
    {"id": 1, "messages": CHAT},
    {"id": 2, "messages": CLEAN_CHAT},
    {"id": 3, "messages": [{"role": "user", "content": f"What does {STATUS} say?"}]},
]


def test_ds_map_redacts_messages_and_keeps_the_features() -> None:
    ds = datasets.Dataset.from_list(ROWS)
    tagged = ds.map(redacting(), batched=True)
    assert tagged["xfilter_action"] == ["redact", "keep", "quarantine"]
    assert tagged.features["messages"] == ds.features["messages"]
    turns = tagged[0]["messages"]
    assert turns[1]["content"] == ASK + "Keep it short."
    assert turns[0] == CHAT[0] and turns[2] == CHAT[2]
    assert tagged[1]["messages"] == CLEAN_CHAT
    assert tagged[2]["messages"] == ROWS[2]["messages"]


def test_local_run_on_parquet_writes_redacted_chats_with_their_schema(tmp_path: Path) -> None:
    source = tmp_path / "chats.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), source)
    config = Config(
        mode="strict",
        categories={"x_embed": "redact"},
        input={"source": str(source)},
        output={"dir": str(tmp_path / "out"), "format": "parquet"},
    )
    out = xfilter.run(config)
    assert out.manifest["splits"]["train"]["redacted"] == 1
    clean = datasets.load_dataset(str(out.path / "clean"), split="train")
    assert clean.features["messages"] == datasets.Dataset.from_list(ROWS).features["messages"]
    assert clean["id"] == [1, 2]
    assert clean[0]["messages"][1]["content"] == ASK + "Keep it short."
    assert clean[0]["messages"][0] == CHAT[0] and clean[0]["messages"][2] == CHAT[2]
    assert clean[1]["messages"] == CLEAN_CHAT
    assert out.manifest["splits"]["train"]["quarantined"] == 1
