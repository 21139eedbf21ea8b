"""The reviewer's allowlist: reading and checking it, its hash, and what it releases."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from xfilter.errors import ConfigError
from xfilter.output.manifest import allowlist_facts, allowlist_section
from xfilter.output.writer import ledger_schema, record_sha256, release
from xfilter.policy.allowlist import REASON_RELEASED, from_entries, load_allowlist
from xfilter.vocab import RECORD_SCHEMA, TAG_SCHEMA

SHA = "a" * 64


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reviewed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_entries_by_hash_and_identity(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"entries:\n  - record_sha256: {SHA}\n    reason: false_positive\n    by: alice\n"
        "    date: 2026-05-01\n  - id.post_id: 1790000000000000000\n    reason: kept by legal\n"
        "    by: bob\n",
    )
    allowlist = load_allowlist(path)
    assert len(allowlist) == 2
    assert allowlist.reviewers == ["alice", "bob"]
    assert allowlist.id_columns == ["post_id"]
    # An unquoted id is read as its decimal text; a YAML date as ISO text.
    assert allowlist.as_list()[1]["id.post_id"] == "1790000000000000000"
    assert allowlist.as_list()[0]["date"] == "2026-05-01"
    assert allowlist.match(SHA, {}) == 0
    assert allowlist.match(None, {"id.post_id": "1790000000000000000"}) == 1
    assert allowlist.match("b" * 64, {"id.post_id": "1"}) is None
    assert allowlist.entries[0].within_terms and not allowlist.entries[1].within_terms


def test_hash_is_of_the_entries_not_the_file_layout(tmp_path: Path) -> None:
    one = load_allowlist(_write(tmp_path, f"- {{record_sha256: {SHA}, reason: x, by: a}}\n"))
    two = from_entries([{"by": "a", "reason": "x", "record_sha256": SHA}], "copy")
    assert one.sha256 == two.sha256
    three = from_entries([{"by": "b", "reason": "x", "record_sha256": SHA}], "copy")
    assert three.sha256 != one.sha256


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- {reason: x, by: a}\n", "entry 1: name the record by exactly one"),
        (f"- {{record_sha256: {SHA}, by: a}}\n", "entry 1: reason: missing"),
        (f"- {{record_sha256: {SHA}, reason: x}}\n", "entry 1: by: missing"),
        ("- {record_sha256: abc, reason: x, by: a}\n", "record_sha256: expected 64"),
        (f"- {{record_sha256: {SHA}, reason: x, by: a, note: y}}\n", "unknown key 'note'"),
        (f"- {{record_sha256: {SHA}, id.a: '1', reason: x, by: a}}\n", "got 2"),
        (
            f"- {{record_sha256: {SHA}, reason: x, by: a}}\n"
            f"- {{record_sha256: {SHA}, reason: y, by: b}}\n",
            "entry 2: record_sha256 'aaaa",
        ),
        ("entries: {a: 1}\n", "entries: expected a list"),
        ("listed: []\n", "unknown key 'listed'"),
        ("- 3\n", "entry 1: expected a mapping"),
    ],
)
def test_bad_lists_name_file_entry_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_allowlist(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_missing_file_and_identity_not_in_the_ledger(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="allowlist not found"):
        load_allowlist(tmp_path / "absent.yaml")
    allowlist = from_entries([{"id.post_id": "1", "reason": "x", "by": "a"}], "list.yaml")
    with pytest.raises(ConfigError, match=r"list.yaml: entry 1: id.post_id: 'post_id' is not in"):
        allowlist.check_identity(["id"])
    allowlist.check_identity(["post_id"])


def _tagged(records: list[dict[str, object]], actions: list[str]) -> pa.Table:
    n = len(records)
    columns = {
        "xfilter_action": actions,
        "xfilter_categories": [["x_post"]] * n,
        "xfilter_rules": [["url.own_post"]] * n,
        "xfilter_authors": [[]] * n,
        "xfilter_reason": ["category" if a != "keep" else "kept" for a in actions],
        "xfilter_post_ids": [[]] * n,
        "xfilter_linked_post_ids": [[]] * n,
    }
    base = pa.Table.from_pylist(records)
    for field in [*TAG_SCHEMA, *RECORD_SCHEMA]:
        base = base.append_column(field, pa.array(columns[field.name], field.type))
    return base


def test_release_keeps_only_rejected_records_named_by_an_entry() -> None:
    records = [{"id": "a", "text": "one"}, {"id": "b", "text": "two"}, {"id": "c", "text": "3"}]
    tagged = _tagged(records, ["quarantine", "drop", "keep"])
    allowlist = from_entries(
        [
            {"record_sha256": record_sha256(records[0]), "reason": "false_positive", "by": "a"},
            {"id.id": "b", "reason": "false_positive", "by": "b"},
            {"id.id": "c", "reason": "false_positive", "by": "b"},  # kept anyway: no release
        ],
        "list",
    )
    released = release(allowlist, ["id"], tagged)
    assert released.column("xfilter_action").to_pylist() == ["keep", "keep", "keep"]
    assert released.column("xfilter_reason").to_pylist() == [
        REASON_RELEASED,
        REASON_RELEASED,
        "kept",
    ]
    # What fired stays, for the reviewer's decision to be auditable.
    assert released.column("xfilter_categories").to_pylist() == [["x_post"]] * 3


def test_facts_count_released_unmatched_against_terms_and_orphans() -> None:
    allowlist = from_entries(
        [
            {"record_sha256": SHA, "reason": "false_positive", "by": "a"},
            {"id.id": "b", "reason": "business decision", "by": "b"},
            {"id.id": "z", "reason": "false_positive", "by": "b"},
        ],
        "list",
    )
    section = allowlist_section(allowlist, "list")
    rows = [
        ("train", 1, SHA, "x"),
        ("train", 2, "c" * 64, "b"),
        ("test", 0, "d" * 64, "nobody-listed"),
    ]
    ledger = pa.Table.from_pylist(
        [
            {
                "split": split,
                "row": row,
                "record_sha256": sha,
                "action": "keep",
                "reason": REASON_RELEASED,
                "categories": ["x_post"],
                "rules": ["url.own_post"],
                "id.id": ident,
            }
            for split, row, sha, ident in rows
        ],
        schema=ledger_schema(["id"]),
    )
    facts, orphans = allowlist_facts(section, ledger, ["train", "test"], "strict", "here")
    assert facts["released"] == {"train": 2, "test": 0}
    assert facts["unmatched"] == 1
    assert facts["against_terms"] == 1
    assert "against the terms of the strict policy" in facts["terms"]
    assert orphans == [("test", 0)]
    assert section["by"] == ["a", "b"]


def test_an_engine_that_does_not_apply_the_list_refuses_it(tmp_path: Path) -> None:
    """Parts written without the list (the datatrove step, Spark) are not assembled into an
    output that would seem to honour it."""
    from xfilter import XFilterError
    from xfilter.output.assemble import SplitParts, assemble_output
    from xfilter.output.manifest import InputInfo, now
    from xfilter.output.writer import SplitCounts, index_schema
    from xfilter.transform import XFilter

    listed = _write(tmp_path, f"- {{record_sha256: {SHA}, reason: false_positive, by: a}}\n")
    xf = XFilter(config={"allowlist": {"path": str(listed)}})
    schema = pa.schema([("text", pa.string())])
    parts = SplitParts(
        "train",
        schema,
        None,
        [],
        [],
        SplitCounts(),
        ledger_schema().empty_table(),
        index_schema().empty_table(),
    )
    out = tmp_path / "out"
    with pytest.raises(XFilterError, match="datatrove engine does not apply an allowlist"):
        assemble_output(xf, [parts], InputInfo("x", "files"), out, {"name": "datatrove"}, now())
    assert not out.exists()
