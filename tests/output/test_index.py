"""The private X index: one row per record with X content or X authors, kept or not, written
identically by every local path, never published, and checked by verify."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import xfilter
from xfilter.config import build_config
from xfilter.detect.ids import post_ids_in
from xfilter.detect.posts import analyze_object
from xfilter.detect.urls import analyze_url, find_urls
from xfilter.errors import VerifyError
from xfilter.output.publish import commit_operations
from xfilter.output.verify import _check_index, _check_ledger, verify
from xfilter.output.writer import file_sha256, record_sha256
from xfilter.transform import XFilter

EXPECTED_SCHEMA = pa.schema(
    [
        pa.field("split", pa.string()),
        pa.field("row", pa.int64()),
        pa.field("clean_row", pa.int64()),
        pa.field("record_sha256", pa.string()),
        pa.field("action", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("categories", pa.list_(pa.string())),
        pa.field("post_ids", pa.list_(pa.string())),
        pa.field("linked_post_ids", pa.list_(pa.string())),
        pa.field("author_ids", pa.list_(pa.string())),
        pa.field("handles", pa.list_(pa.string())),
        pa.field("id.id", pa.string()),
    ]
)
PLAIN = "a plain sentence about gardening and tomatoes"
LINKED = "read https://x.com/jack/status/20 later"
OWN_POST = {
    "id_str": "1204084171334832128",
    "text": "hello",
    "user": {"screen_name": "A", "id_str": "12"},
    "created_at": "Mon Dec 09 17:17:28 +0000 2019",
}


def _config(source: Path | str, out: Path, **extra: Any) -> Any:
    return build_config(
        {
            "input": {"source": str(source)},
            "output": {"dir": str(out)},
            "ledger": {"identity": ["id"]},
            **extra,
        }
    )


def _folder(tmp_path: Path, name: str, texts: list[str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    table = pa.table({"id": [f"r{i}" for i in range(len(texts))], "text": texts})
    pq.write_table(table, folder / "train.parquet")
    return folder


def _index(out: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(out / "x_index.parquet").to_pylist()
    return rows


def test_evidence_carries_the_post_ids_it_names() -> None:
    assert find_urls(LINKED)[0].posts == ("20",)
    assert analyze_url("https://twitter.com/jack/status/20?s=20")[0].posts == ("20",)
    retweet = {**OWN_POST, "retweeted_status": {**OWN_POST, "id_str": "1204080000000000000"}}
    assert analyze_object(retweet)[0].posts == ("1204084171334832128", "1204080000000000000")
    v2 = {"data": [{"id": "1445880548472328192", "text": "hi", "author_id": "2244994945"}]}
    assert analyze_object(v2)[0].posts == ("1445880548472328192",)
    assert post_ids_in('["1445880548472328192", "7"]') == ("1445880548472328192",)
    assert post_ids_in("0123") == ()


def test_the_index_lists_x_records_kept_or_not_with_their_clean_rows(tmp_path: Path) -> None:
    texts = [PLAIN, LINKED, json.dumps(OWN_POST), PLAIN + " again", "follow us on twitter"]
    out = tmp_path / "out"
    xfilter.run(_config(_folder(tmp_path, "in", texts), out, mode="first-party"))
    schema = pq.read_schema(out / "x_index.parquet").remove_metadata()
    assert schema.equals(EXPECTED_SCHEMA)
    index = {r["row"]: r for r in _index(out)}
    assert sorted(index) == [1, 2]  # the mention-only and plain rows are not listed
    assert index[1]["linked_post_ids"] == ["20"] and index[1]["post_ids"] == []
    assert index[2]["post_ids"] == ["1204084171334832128"]
    assert index[2]["handles"] == ["a"] and index[2]["id.id"] == "r2"
    clean = pq.read_table(next((out / "clean" / "data").glob("train-*"))).to_pylist()
    for row in index.values():
        if row["clean_row"] is not None:  # the record sits at clean_row in the clean set
            assert record_sha256(clean[row["clean_row"]]) == row["record_sha256"]
    assert any(r["clean_row"] is not None for r in index.values())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["index"] == {
        "path": "x_index.parquet",
        "rows": 2,
        "sha256": file_sha256(out / "x_index.parquet"),
    }
    assert verify(out)


def test_the_index_grows_with_x_records_only(tmp_path: Path) -> None:
    few = [LINKED, json.dumps(OWN_POST)] + [PLAIN] * 10
    many = few + [PLAIN] * 3000
    small, large = tmp_path / "small", tmp_path / "large"
    xfilter.run(_config(_folder(tmp_path, "few", few), small))
    xfilter.run(_config(_folder(tmp_path, "many", many), large))
    assert len(_index(small)) == len(_index(large)) == 2
    assert file_sha256(small / "x_index.parquet") == file_sha256(large / "x_index.parquet")


def test_every_local_path_writes_the_same_index_and_ledger(tmp_path: Path) -> None:
    import datasets

    outs = {name: tmp_path / name for name in ("stream", "memory", "procs", "split")}
    xfilter.run(_config("demo", outs["stream"]), streaming=True)
    xfilter.run(_config("demo", outs["memory"]))
    xfilter.run(_config("demo", outs["procs"]), num_proc=2)
    xf = XFilter(config=_config("demo", outs["split"]))
    demo = datasets.load_dataset("json", data_files=xfilter.demo_files())
    xf.split(demo.map(xf, batched=True)).save(outs["split"])
    for name in ("x_index.parquet", "ledger.parquet"):
        hashes = {k: file_sha256(out / name) for k, out in outs.items()}
        assert len(set(hashes.values())) == 1, (name, hashes)


def test_the_index_is_never_published(tmp_path: Path) -> None:
    out = tmp_path / "out"
    xfilter.run(_config("demo", out))
    for quarantine in (False, True):
        paths = [op.path_in_repo for op in commit_operations(out, quarantine)]
        assert "x_index.parquet" not in paths
    assert "x_index.parquet" not in (out / "manifest.croissant.json").read_text()


def _rewrite_index(out: Path, change: Any) -> dict[str, Any]:
    """The index rewritten by ``change`` and its manifest entry updated (not resealed), for
    the checks after the file's hash."""
    table = pq.read_table(out / "x_index.parquet")
    pq.write_table(change(table), out / "x_index.parquet")
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text())
    manifest["index"]["sha256"] = file_sha256(out / "x_index.parquet")
    manifest["index"]["rows"] = pq.read_metadata(out / "x_index.parquet").num_rows
    return manifest


def _set_column(name: str, values: Any) -> Any:
    def change(table: pa.Table) -> pa.Table:
        index = table.schema.get_field_index(name)
        return table.set_column(index, table.schema.field(name), values(table))

    return change


def test_verify_fails_when_the_index_is_edited(tmp_path: Path) -> None:
    out = tmp_path / "out"
    xfilter.run(_config("demo", out, mode="collaborator"))
    assert verify(out, quick=True)
    edited = tmp_path / "edited"
    shutil.copytree(out, edited)
    with (edited / "x_index.parquet").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(VerifyError, match=r"x_index\.parquet: modified"):
        verify(edited, quick=True)

    def check(change: Any, message: str) -> None:
        shutil.rmtree(edited)
        shutil.copytree(out, edited)
        manifest = _rewrite_index(edited, change)
        ledger = _check_ledger(edited, manifest, ["id"])
        with pytest.raises(VerifyError, match=message):
            _check_index(edited, manifest, ["id"], ledger)

    def clean_rows(value: int) -> Any:
        def values(table: pa.Table) -> pa.Array:
            rows = table.column("clean_row").to_pylist()
            return pa.array([None if v is None else value for v in rows], pa.int64())

        return _set_column("clean_row", values)

    def kept_only(table: pa.Table) -> pa.Table:
        return table.filter(pa.array([a == "keep" for a in table.column("action").to_pylist()]))

    check(clean_rows(0), "clean_row 0 is outside the clean set or repeated")
    check(clean_rows(10**9), "outside the clean set")
    check(_set_column("reason", lambda t: pa.array(["kept"] * t.num_rows)), "not as the ledger")
    check(kept_only, "missing from the X index")
    check(lambda t: t.drop_columns(["handles"]), "not the X index's columns")
