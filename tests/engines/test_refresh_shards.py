"""A refresh rewrites only the data files that hold an affected record; every other file is
carried over byte-identical, under the same name, and the number of files stays the same."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import xfilter
from xfilter.config import DEFAULT_SHARD_MB, build_config
from xfilter.errors import ConfigError
from xfilter.output import writer as outputs
from xfilter.output.writer import file_sha256

ROWS = 120
FIRST_POST = 1445880548472328192
GROUP_ROWS = 5  # rows per row group; with a shard size of one byte, rows per file too


def _post(row: int) -> str:
    return str(FIRST_POST + row)


def _is_post(row: int) -> bool:
    return row % 2 == 0 or 60 <= row < 80


def _input(folder: Path) -> Path:
    """Even rows and rows 60 to 79 are X posts by ``user<row>`` (their own status URL), the
    others plain web pages; the opt-out list names every tenth row's author."""
    folder.mkdir(parents=True)
    records = [
        {"id": f"r{i}", "url": f"https://x.com/user{i}/status/{_post(i)}", "text": f"post {i}"}
        if _is_post(i)
        else {"id": f"r{i}", "url": f"https://example.com/{i}", "text": f"tomatoes {i}"}
        for i in range(ROWS)
    ]
    pq.write_table(pa.Table.from_pylist(records), folder / "train.parquet")
    return folder


def _opt_out(path: Path, *rows: int) -> Path:
    listed = [*range(0, ROWS, 10), *rows]
    path.write_text("handle\n" + "".join(f"user{row}\n" for row in listed))
    return path


@pytest.fixture(autouse=True)
def _small_files() -> Iterator[None]:
    """Files of GROUP_ROWS rows, so the small input spans many files (a run and a refresh
    cut files and row groups with the same constants)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outputs, "ROW_GROUP_ROWS", GROUP_ROWS)
        patch.setattr(outputs, "SHARD_BYTES", 1)
        yield


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shards")
    config = {
        "mode": "collaborator",
        "action": "quarantine",
        "input": {"source": str(_input(root / "in"))},
        "opt_out": {"path": str(_opt_out(root / "opt-out.csv"))},
        "output": {"dir": str(root / "v1")},
        "ledger": {"identity": ["id"]},
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outputs, "ROW_GROUP_ROWS", GROUP_ROWS)
        patch.setattr(outputs, "SHARD_BYTES", 1)
        xfilter.run(build_config(config))
    return root / "v1"


@pytest.fixture
def v1(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "v1"
    shutil.copytree(base, copy)
    return copy


def _files(out: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {entry["path"]: entry for entry in manifest["outputs"]["files"]}


def _changed(old: Path, new: Path) -> set[str]:
    """The data files of ``new`` whose bytes differ from ``old``'s file of the same name."""
    before, after = _files(old), _files(new)
    assert sorted(before) == sorted(after)  # the same names: no file added or lost
    return {path for path in after if after[path]["sha256"] != before[path]["sha256"]}


def _clean_file_of(out: Path, row: int) -> str:
    """The clean file that holds input row ``row``."""
    (listed,) = [r for r in pq.read_table(out / "x_index.parquet").to_pylist() if r["row"] == row]
    position = listed["clean_row"]
    for path, entry in sorted(_files(out).items()):
        if entry["set"] == "clean":
            if position < entry["rows"]:
                return path
            position -= entry["rows"]
    raise AssertionError(f"row {row} is not in the clean set")


def _deleted(path: Path, *rows: int) -> Path:
    lines = [{"id": _post(r), "action": "delete", "reason": "deleted"} for r in rows]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_an_opt_out_in_one_file_rewrites_that_file_and_one_quarantine_file(
    v1: Path, tmp_path: Path
) -> None:
    touched = _clean_file_of(v1, 52)
    new = xfilter.refresh(
        v1, output=tmp_path / "v2", opt_out=_opt_out(tmp_path / "opt-out.csv", 52)
    )
    changed = _changed(v1, new.path)
    quarantine = {p for p in changed if p.startswith("quarantine/")}
    assert changed - quarantine == {touched}
    # Row 52 goes into the quarantine file of its input region: the one holding row 50.
    assert quarantine == {"quarantine/data/train-00001-of-00003.parquet"}
    moved = pq.read_table(new.path / "quarantine/data/train-00001-of-00003.parquet")
    assert moved.column("id").to_pylist() == ["r50", "r52", "r60", "r70", "r80", "r90"]
    files = _files(new.path)
    for path, entry in files.items():  # the manifest's entries are the files on disk
        assert file_sha256(new.path / path) == entry["sha256"]
    assert new.manifest["refresh"]["shards"] == {"carried": len(files) - 2, "rewritten": 2}
    assert new.verify()
    assert xfilter.verify(new.path, chain=[v1])


def test_carried_files_are_the_same_bytes_linked_where_the_filesystem_allows(
    v1: Path, tmp_path: Path
) -> None:
    new = xfilter.refresh(v1, output=tmp_path / "v2", deleted=[_deleted(tmp_path / "p.jsonl", 2)])
    changed = _changed(v1, new.path)
    assert changed == {_clean_file_of(v1, 2)}
    for path in set(_files(v1)) - changed:
        assert (new.path / path).read_bytes() == (v1 / path).read_bytes()
        assert (new.path / path).stat().st_ino == (v1 / path).stat().st_ino  # one tmp_path fs


def test_a_rewritten_file_is_what_a_run_writes_for_its_rows(v1: Path, tmp_path: Path) -> None:
    path = _clean_file_of(v1, 44)
    old = pq.read_table(v1 / path)
    new = xfilter.refresh(v1, output=tmp_path / "v2", deleted=[_deleted(tmp_path / "p.jsonl", 44)])
    rewritten = pq.ParquetFile(new.path / path)
    assert rewritten.metadata.num_rows == old.num_rows - 1
    assert rewritten.schema_arrow.metadata == old.schema.metadata  # `datasets` features kept
    kept = old.filter(pa.array([i != "r44" for i in old.column("id").to_pylist()]))
    expected = tmp_path / "expected.parquet"
    writer = outputs.formats.get("parquet").open_writer(expected, old.schema, GROUP_ROWS)
    writer.write(kept)
    writer.close()
    assert file_sha256(expected) == file_sha256(new.path / path)


def test_a_deletion_in_every_file_rewrites_every_clean_file_and_keeps_the_names(
    v1: Path, tmp_path: Path
) -> None:
    clean = sorted(p for p, e in _files(v1).items() if e["set"] == "clean")
    # The first X post kept in each clean file.
    rows = []
    for path in clean:
        ids = pq.read_table(v1 / path).column("id").to_pylist()
        rows.append(next(int(i[1:]) for i in ids if _is_post(int(i[1:]))))
    new = xfilter.refresh(
        v1, output=tmp_path / "v2", deleted=[_deleted(tmp_path / "p.jsonl", *rows)]
    )
    assert _changed(v1, new.path) == set(clean)
    assert new.manifest["changes"]["removed_from_clean"] == len(clean)
    assert new.verify()


def test_a_file_whose_rows_all_leave_stays_as_an_empty_file(v1: Path, tmp_path: Path) -> None:
    path = _clean_file_of(v1, 66)
    rows = [int(i[1:]) for i in pq.read_table(v1 / path).column("id").to_pylist()]
    assert all(_is_post(r) for r in rows)  # a file of posts only: all of them can leave
    deleted = _deleted(tmp_path / "p.jsonl", *rows)
    new = xfilter.refresh(v1, output=tmp_path / "v2", deleted=[deleted])
    assert _changed(v1, new.path) == {path}
    emptied = pq.ParquetFile(new.path / path)
    assert (emptied.metadata.num_rows, emptied.metadata.num_row_groups) == (0, 0)
    assert _files(new.path)[path]["rows"] == 0
    assert new.verify()


def test_an_emptied_file_has_the_schema_and_no_row_group(tmp_path: Path) -> None:
    """A file a refresh empties: ``datasets`` loads a split holding one."""
    from datasets import load_dataset

    table = pa.table({"text": ["a", "b"]})
    data = tmp_path / "data"
    data.mkdir()
    pq.write_table(table, data / "train-00000-of-00002.parquet")
    writer = outputs.OutputWriter(tmp_path / "out", "parquet")
    writer.write_shard(
        "clean/data/train-00001-of-00002.parquet", "clean", "train", table.schema, []
    )
    empty = writer.tmp / "clean/data/train-00001-of-00002.parquet"
    shutil.copyfile(empty, data / "train-00001-of-00002.parquet")
    writer.abort()
    assert pq.ParquetFile(data / "train-00001-of-00002.parquet").metadata.num_row_groups == 0
    loaded = load_dataset("parquet", data_files={"train": str(data / "train-*.parquet")})
    assert loaded["train"]["text"] == ["a", "b"]


def test_a_split_without_quarantine_files_gets_one(tmp_path: Path) -> None:
    source = _input(tmp_path / "in")
    out = tmp_path / "v1"
    config = {
        "mode": "collaborator",
        "action": "quarantine",
        "input": {"source": str(source)},
        "output": {"dir": str(out)},
    }
    xfilter.run(build_config(config))
    assert not any(e["set"] == "quarantine" for e in _files(out).values())
    new = xfilter.refresh(out, output=tmp_path / "v2", opt_out=_opt_out(tmp_path / "o.csv"))
    quarantine = [p for p, e in _files(new.path).items() if e["set"] == "quarantine"]
    assert quarantine == ["quarantine/data/train-00000-of-00001.parquet"]
    held = pq.read_table(new.path / quarantine[0])
    assert held.column("id").to_pylist() == [f"r{r}" for r in range(0, ROWS, 10)]
    assert set(held.column("xfilter_action").to_pylist()) == {"quarantine"}
    assert new.verify()


def test_the_shard_size_is_configurable_and_not_part_of_the_policy() -> None:
    default = build_config({})
    assert default.output.shard_mb == DEFAULT_SHARD_MB
    small = build_config({"output": {"shard_mb": 32}})
    assert small.as_dict()["output"]["shard_mb"] == 32  # recorded in the config
    assert small.policy_dict() == default.policy_dict()
    for bad in (0, -1, "32", 1.5):
        with pytest.raises(ConfigError, match=r"output\.shard_mb"):
            build_config({"output": {"shard_mb": bad}})


def test_a_run_cuts_files_at_the_configured_size(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    texts = [f"{i:06d} " + "tomato " * 40_000 for i in range(12)]  # ~280 KB each
    pq.write_table(pa.table({"text": texts}), source / "train.parquet")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outputs, "ROW_GROUP_ROWS", 2)
        config = {"input": {"source": str(source)}, "output": {"dir": str(tmp_path / "o")}}
        xfilter.run(build_config({**config, "output": {**config["output"], "shard_mb": 1}}))
    rows = [e["rows"] for e in _files(tmp_path / "o").values()]
    assert rows == [4, 4, 4]  # a new file once a file holds 1 MiB (two row groups here)
