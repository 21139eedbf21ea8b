"""Choosing the records to show and reading them back from an output's sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.report.conftest import run
from xfilter.report.build import gather
from xfilter.report.samples import Limits, SetReader, choose, first_items


def _ledger(rows: list[tuple[str, list[str], list[str]]]) -> pa.Table:
    return pa.table(
        {
            "split": ["train"] * len(rows),
            "row": list(range(len(rows))),
            "action": [a for a, _, _ in rows],
            "categories": [c for _, c, _ in rows],
            "rules": [r for _, _, r in rows],
        }
    )


def test_choose_spreads_over_each_group_and_caps_each_category() -> None:
    rows = [("quarantine", ["x_link"], ["link.pic"])] * 100
    rows += [("quarantine", ["x_link"], ["link.tco"])] * 3
    rows += [("drop", ["x_post"], ["json.v1_post", "url.own_post"])] * 10
    rows += [("drop", [], [])] * 2
    chosen = choose(_ledger(rows), Limits(per_rule=4, per_category=8))
    pic = [i for i in chosen if i < 100]
    assert pic == [0, 33, 66, 99]  # evenly spread, the first and the last included
    assert [i for i in chosen if 100 <= i < 103] == [100, 101, 102]
    assert len([i for i in chosen if 103 <= i < 113]) == 4
    assert [i for i in chosen if i >= 113] == [113, 114]  # no category: shown under (none)
    # Within a category and action, rule by rule in turn up to the cap.
    capped = choose(_ledger(rows), Limits(per_rule=4, per_category=5))
    assert [i for i in capped if i < 103] == [0, 33, 66, 100, 101]
    assert choose(_ledger([]), Limits()) == []


def test_first_items_of_empty_and_null_lists() -> None:
    lists = pa.chunked_array([pa.array([["a", "b"], [], None, ["c"]], pa.list_(pa.string()))])
    assert first_items(lists).to_pylist() == ["a", "(none)", "(none)", "c"]


def test_set_reader_reads_rows_across_shards_and_row_groups(tmp_path: Path) -> None:
    files = []
    for shard, (start, count) in enumerate([(0, 7), (7, 5)]):
        path = tmp_path / f"quarantine/data/train-{shard:05d}-of-00002.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.table({"n": list(range(start, start + count))})
        pq.write_table(table, path, row_group_size=3)
        files.append(
            {
                "path": str(path.relative_to(tmp_path)),
                "set": "quarantine",
                "split": "train",
                "rows": count,
                "sha256": "",
            }
        )
    manifest: dict[str, Any] = {"outputs": {"format": "parquet", "files": files}}
    reader = SetReader(tmp_path, manifest, "quarantine")
    wanted = [11, 0, 4, 6, 7, 8, 12]
    found = reader.rows("train", wanted)
    assert sorted(found) == [0, 4, 6, 7, 8, 11]  # 12 is past the end
    assert {p: t.column("n")[0].as_py() for p, t in found.items()} == {p: p for p in found}


@pytest.mark.parametrize("fmt", ["arrow", "jsonl"])
def test_records_read_back_from_every_format_hash_to_their_ledger_row(
    tmp_path: Path, fmt: str
) -> None:
    out = run(
        {
            "mode": "strict",
            "action": "quarantine",
            "input": {"source": "demo"},
            "output": {"dir": str(tmp_path / fmt), "format": fmt},
        }
    )
    shown = gather(out, verify_mode="none", limits=Limits(per_rule=1, per_category=2)).shown
    quarantined = [i for i in shown if i.sample.action == "quarantine"]
    assert quarantined and all(i.sample.hash_matches for i in quarantined)
    assert all(i.stored is not None and i.stored.fields for i in quarantined)
