"""The manifest names the input by a hash of its files' bytes, whatever their paths."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq

from xfilter.engines.inputs import content_sha256, demo_files, load_source


def _parquet_folder(folder: Path, texts: list[str]) -> Path:
    (folder / "data").mkdir(parents=True)
    pq.write_table(pa.table({"text": texts[:2]}), folder / "data" / "train-00000-of-00002.parquet")
    pq.write_table(pa.table({"text": texts[2:]}), folder / "data" / "train-00001-of-00002.parquet")
    pq.write_table(pa.table({"text": ["x"]}), folder / "data" / "test-00000-of-00001.parquet")
    return folder


def test_the_hash_is_of_each_file_in_reading_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_bytes(b"one")
    second.write_bytes(b"two")
    inner = [hashlib.sha256(b"one").hexdigest(), hashlib.sha256(b"two").hexdigest()]
    expected = hashlib.sha256("".join(f"{h}\n" for h in inner).encode()).hexdigest()
    assert content_sha256([str(first), str(second)]) == f"sha256:{expected}"
    assert content_sha256([str(second), str(first)]) != f"sha256:{expected}"
    assert content_sha256([f"file://{first}", str(second)]) == f"sha256:{expected}"


def test_a_folder_is_named_by_content_not_by_path(tmp_path: Path) -> None:
    folder = _parquet_folder(tmp_path / "one", ["a", "b", "c"])
    _, info = load_source(str(folder))
    assert set(info.content) == {"train", "test"}
    assert info.as_dict()["content_sha256"] == info.content
    moved = shutil.copytree(folder, tmp_path / "elsewhere")
    _, moved_info = load_source(str(moved))
    assert moved_info.content == info.content
    changed = _parquet_folder(tmp_path / "two", ["a", "b", "d"])
    _, changed_info = load_source(str(changed))
    assert changed_info.content["train"] != info.content["train"]
    assert changed_info.content["test"] == info.content["test"]


def test_streaming_and_in_memory_reads_record_the_same_hash(tmp_path: Path) -> None:
    folder = _parquet_folder(tmp_path / "in", ["a", "b", "c"])
    _, in_memory = load_source(str(folder))
    _, streamed = load_source(str(folder), streaming=True)
    assert streamed.content == in_memory.content


def test_demo_and_save_to_disk_inputs_are_hashed(tmp_path: Path) -> None:
    _, demo = load_source("demo")
    assert demo.content["train"] == content_sha256([demo_files()["train"]])
    saved = tmp_path / "saved"
    datasets.Dataset.from_dict({"text": ["a", "b"]}).save_to_disk(str(saved))
    _, info = load_source(str(saved))
    arrow = sorted(str(p) for p in saved.glob("*.arrow"))
    assert info.content == {"train": content_sha256(arrow)}


def test_a_folder_whose_card_names_its_files_is_hashed_by_those_files(tmp_path: Path) -> None:
    folder = tmp_path / "carded"
    folder.mkdir()
    pq.write_table(pa.table({"text": ["a"]}), folder / "first.parquet")
    pq.write_table(pa.table({"text": ["b"]}), folder / "second.parquet")
    (folder / "README.md").write_text(
        "---\nconfigs:\n- config_name: default\n  data_files:\n"
        "  - split: train\n    path: first.parquet\n"
        "  - split: extra\n    path: second.parquet\n---\n"
    )
    _, info = load_source(str(folder))
    assert info.content == {
        "train": content_sha256([str(folder / "first.parquet")]),
        "extra": content_sha256([str(folder / "second.parquet")]),
    }
