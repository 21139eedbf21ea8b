"""The output format table, the layout names and the one conservation check."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import xfilter
from tests.helpers import REPO
from xfilter.config import OutputFormat
from xfilter.output import formats
from xfilter.output.layout import shard_glob, shard_numbers, shard_path
from xfilter.output.manifest import conservation_fault

TABLE = pa.table(
    {
        "text": ["a quiet harbour", "ünïcode ✓", ""],
        "n": pa.array([1, 2, 3], pa.int64()),
        "tags": [["a"], [], ["b", "c"]],
    }
)


def test_every_config_format_has_one_entry() -> None:
    assert sorted(formats.FORMATS) == sorted(get_args(OutputFormat))
    for name, fmt in formats.FORMATS.items():
        assert fmt.name == name
        assert fmt.extension == name  # the shard names the card and Croissant file point at


@pytest.mark.parametrize("name", sorted(formats.FORMATS))
def test_a_written_file_reads_back_counted_and_typed(tmp_path: Path, name: str) -> None:
    fmt = formats.get(name)
    path = tmp_path / f"shard.{fmt.extension}"
    writer = fmt.open_writer(path, TABLE.schema, row_group_rows=2)
    writer.write(TABLE.slice(0, 2))
    writer.write(TABLE.slice(2))
    writer.close()
    assert fmt.count_rows(path) == 3
    assert fmt.read_table(path).select(TABLE.column_names).to_pylist() == TABLE.to_pylist()
    declared = fmt.read_schema(path)
    assert declared == (None if name == "jsonl" else TABLE.schema)


def _prose(rows: int) -> pa.Table:
    rng = np.random.default_rng(7)
    words = np.array(["a", "quiet", "harbour", "river", "stone", "lamp", "green", "field"])
    texts = [
        " ".join(words[rng.integers(0, len(words), size=int(rng.integers(20, 200)))]) + f" {i}"
        for i in range(rows)
    ]
    return pa.table({"text": texts, "n": pa.array(range(rows), pa.int64())})


def _written(table: pa.Table, path: Path, **options: object) -> bytes:
    writer = pq.ParquetWriter(path, table.schema, **options)
    writer.write_table(table, row_group_size=10_000)
    writer.close()
    return path.read_bytes()


def _shared(old: bytes, new: bytes, block: int = 1024) -> float:
    """The share of the new file's 1 KiB blocks found anywhere in the old file."""
    blocks = [new[i : i + block] for i in range(0, len(new) - block + 1, block)]
    return sum(b in old for b in blocks) / len(blocks)


@pytest.mark.skipif(not formats.CONTENT_DEFINED_CHUNKING, reason="needs pyarrow 21 or later")
def test_a_version_with_rows_removed_shares_most_of_its_bytes(tmp_path: Path) -> None:
    table = _prose(20_000)
    keep = np.ones(table.num_rows, dtype=bool)
    keep[[5, 12_000]] = False  # one row near the start of each row group
    smaller = table.filter(pa.array(keep))
    shared = {}
    for name, options in (("cdc", formats.parquet_options()), ("plain", {"compression": "zstd"})):
        old = _written(table, tmp_path / f"old-{name}.parquet", **options)
        new = _written(smaller, tmp_path / f"new-{name}.parquet", **options)
        shared[name] = _shared(old, new)
    # Fixed-size pages shift after the first removed row; content-defined ones re-align.
    assert shared["plain"] < 0.2
    assert shared["cdc"] > 0.6, shared


def test_parquet_output_is_byte_identical_for_the_same_rows(tmp_path: Path) -> None:
    fmt = formats.get("parquet")
    table = _prose(3_000)
    written = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.parquet"
        writer = fmt.open_writer(path, table.schema, row_group_rows=1_000)
        writer.write(table)
        writer.close()
        written.append(path.read_bytes())
        assert pq.ParquetFile(path).metadata.num_row_groups == 3  # row groups as asked
    assert written[0] == written[1]


@pytest.mark.parametrize("name", ["parquet", "arrow"])
def test_a_damaged_file_is_an_arrow_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"shard.{name}"
    path.write_bytes(b"not a data file")
    with pytest.raises(pa.ArrowException):
        formats.get(name).count_rows(path)


def test_shard_names_are_recognised_only_where_the_writer_puts_them() -> None:
    path = shard_path("clean", "train", 1, 3, "parquet")
    assert path == "clean/data/train-00001-of-00003.parquet"
    assert shard_numbers(path, "clean", "train", "parquet") == (1, 3)
    assert shard_glob("clean", "train", "parquet") == "clean/data/train-*.parquet"
    for wrong in (
        shard_numbers(path, "quarantine", "train", "parquet"),  # another set
        shard_numbers(path, "clean", "test", "parquet"),  # another split
        shard_numbers(path, "clean", "train", "jsonl"),  # another format
        shard_numbers("clean/data/train-1-of-3.parquet", "clean", "train", "parquet"),
        shard_numbers("clean/data/train-000001-of-00003.parquet", "clean", "train", "parquet"),
    ):
        assert wrong is None


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("conservation") / "strict"
    xfilter.run(str(REPO / "configs/strict.yaml"), output=out)
    written: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return written


def _edited(manifest: dict[str, Any], split: str, **counts: int) -> dict[str, Any]:
    edited = copy.deepcopy(manifest)
    for key, delta in counts.items():
        edited["splits"][split][key] += delta
    return edited


def test_a_written_output_conserves_its_records(manifest: dict[str, Any]) -> None:
    assert conservation_fault(manifest) is None


@pytest.mark.parametrize(
    ("counts", "message", "in_files"),
    [
        ({"input": 1}, r"input \d+ != kept \d+ \+ dropped \d+ \+ quarantined \d+", False),
        ({"redacted": 10_000}, r"redacted \d+ > kept \d+ \(redacted records are kept\)", False),
        ({"kept": 1, "dropped": -1}, r"clean files hold \d+ rows, kept is \d+", True),
        (
            {"quarantined": 1, "dropped": -1},
            r"quarantine files hold \d+ rows, quarantined is \d+",
            True,
        ),
    ],
)
def test_each_way_to_lose_a_record_is_named(
    manifest: dict[str, Any], counts: dict[str, int], message: str, in_files: bool
) -> None:
    fault = conservation_fault(_edited(manifest, "train", **counts))
    assert fault is not None
    assert fault.message.startswith("split 'train': ")
    assert re.search(message, fault.message), fault.message
    assert fault.in_files is in_files


def test_an_input_size_other_than_counted_is_named(manifest: dict[str, Any]) -> None:
    edited = copy.deepcopy(manifest)
    edited["input"]["rows"]["train"] += 1
    fault = conservation_fault(edited)
    assert fault is not None and not fault.in_files
    assert "input had" in fault.message and "were counted" in fault.message
