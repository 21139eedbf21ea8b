"""Assembling an output from parts written elsewhere: a local run's batches, cut into parts,
give the local run's ledger, X index and clean rows, and an output ``verify`` accepts; parts
that do not add up are refused and nothing appears."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from tests.helpers import REPO, run_cli
from xfilter.engines.inputs import demo_files
from xfilter.engines.local import make_filter, tag_for_output
from xfilter.engines.local import run as run_local
from xfilter.errors import OutputError, XFilterError
from xfilter.output.assemble import (
    SplitParts,
    assemble_output,
    merge_parts,
    read_part,
    write_part,
)
from xfilter.output.manifest import InputInfo, now
from xfilter.output.verify import load_manifest, verify
from xfilter.output.writer import SplitCounts
from xfilter.transform import XFilter


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # the configs name the opt-out list relative to the repo


@pytest.fixture(scope="module")
def demo_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's splits as parquet files, as ``datasets`` reads the demo."""
    import datasets

    folder = tmp_path_factory.mktemp("input")
    for split, path in demo_files().items():
        loaded = datasets.load_dataset("json", data_files=path, split="train")
        loaded.to_parquet(str(folder / f"{split}.parquet"))
    return folder


def _filter(config: str, source: Path, out: Path) -> XFilter:
    return make_filter(_config(config, out.parent), input=str(source), output=out)


def _config(config: str, folder: Path) -> Path:
    """``configs/<mode>.yaml`` with its opt-out list named by an absolute path."""
    loaded = yaml.safe_load((REPO / config).read_text(encoding="utf-8"))
    if loaded["opt_out"]["path"]:
        loaded["opt_out"]["path"] = str(REPO / "configs" / Path(loaded["opt_out"]["path"]).name)
    path = folder / Path(config).name
    path.write_text(yaml.safe_dump(loaded), encoding="utf-8")
    return path


def _source(folder: Path) -> InputInfo:
    info = InputInfo(source=str(folder), kind="local", path=str(folder))
    for split in ("train", "validation"):
        info.rows[split] = pq.ParquetFile(folder / f"{split}.parquet").metadata.num_rows
    return info


def _cuts(rows: int, parts: int) -> Iterator[tuple[int, int]]:
    """``parts`` consecutive slices of ``rows`` rows, an empty one among them."""
    size = -(-rows // (parts - 1))
    starts = [0, 0, *(size * k for k in range(1, parts - 1)), rows]
    yield from itertools.pairwise(starts)


def _parts(xf: XFilter, folder: Path, work: Path, parts: int = 3) -> list[SplitParts]:
    """Each split tagged by the local engine's batch function in ``parts`` tasks, each task's
    rows written to a part directory of its own and merged in row order."""
    from datasets import Features

    splits = []
    for split in ("train", "validation"):
        table = pq.read_table(folder / f"{split}.parquet")
        features = Features.from_arrow_schema(table.schema)
        schema = features.arrow_schema
        written = []
        for number, (start, stop) in enumerate(_cuts(table.num_rows, parts)):
            tagged = tag_for_output(xf, table.slice(start, stop - start).cast(schema))
            directory = work / f"{split}-{number}"
            written.append(write_part(xf, split, schema, features.to_dict(), [tagged], directory))
        splits.append(merge_parts(split, schema, features.to_dict(), written))
    return splits


def _records(out: Path, name: str) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for entry in load_manifest(out)["outputs"]["files"]:
        if entry["set"] == name:
            rows.setdefault(entry["split"], []).extend(
                pq.read_table(out / entry["path"]).to_pylist()
            )
    return rows


@pytest.mark.parametrize("mode", ["strict", "collaborator", "first-party"])
def test_parts_of_a_local_run_give_its_output(
    demo_parquet: Path, tmp_path: Path, mode: str
) -> None:
    config = _config(f"configs/{mode}.yaml", tmp_path)
    run_local(config, input=str(demo_parquet), output=tmp_path / "local")
    xf = make_filter(config, input=str(demo_parquet), output=tmp_path / "assembled")
    splits = _parts(xf, demo_parquet, tmp_path / "parts")
    manifest = assemble_output(
        xf, splits, _source(demo_parquet), tmp_path / "assembled", {"name": "test"}, now()
    )
    local = load_manifest(tmp_path / "local")
    assert manifest["splits"] == local["splits"]
    for name in ("ledger.parquet", "x_index.parquet"):
        assert pq.read_table(tmp_path / "assembled" / name).equals(
            pq.read_table(tmp_path / "local" / name)
        ), name
    for name in ("clean", "quarantine"):
        assert _records(tmp_path / "assembled", name) == _records(tmp_path / "local", name)
    assert verify(tmp_path / "assembled")  # the full verify, re-scan of the clean set included
    # The parts were linked into place: the bytes a run writes for the same rows.
    entry = manifest["outputs"]["files"][0]
    assert (tmp_path / "assembled" / entry["path"]).stat().st_nlink == 2


def test_verify_on_the_command_line_accepts_it(demo_parquet: Path, tmp_path: Path) -> None:
    xf = _filter("configs/strict.yaml", demo_parquet, tmp_path / "o")
    splits = _parts(xf, demo_parquet, tmp_path / "parts")
    assemble_output(xf, splits, _source(demo_parquet), tmp_path / "o", {"name": "t"}, now())
    done = run_cli("verify", str(tmp_path / "o"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verified" in done.stdout


def test_counts_that_do_not_add_up_are_refused(demo_parquet: Path, tmp_path: Path) -> None:
    xf = _filter("configs/strict.yaml", demo_parquet, tmp_path / "o")
    splits = _parts(xf, demo_parquet, tmp_path / "parts")
    counts = splits[0].counts
    wrong = SplitCounts(**{**counts.__dict__, "input": counts.input + 1})
    splits[0] = replace(splits[0], counts=wrong)
    source = _source(demo_parquet)
    source.rows = {}  # only the counts themselves can disagree
    with pytest.raises(XFilterError, match=r"split 'train': input 305 != kept"):
        assemble_output(xf, splits, source, tmp_path / "o", {"name": "t"}, now())
    assert not (tmp_path / "o").exists()
    assert not [p.name for p in tmp_path.iterdir() if ".xfilter-" in p.name]  # no work dir


def test_counts_that_miss_the_input_size_are_refused(demo_parquet: Path, tmp_path: Path) -> None:
    xf = _filter("configs/strict.yaml", demo_parquet, tmp_path / "o")
    splits = _parts(xf, demo_parquet, tmp_path / "parts")
    source = _source(demo_parquet)
    source.rows["validation"] += 1  # a record the parts never saw
    with pytest.raises(XFilterError, match=r"split 'validation': input had 103 rows"):
        assemble_output(xf, splits, source, tmp_path / "o", {"name": "t"}, now())
    assert not (tmp_path / "o").exists()


def test_a_missing_part_is_refused(demo_parquet: Path, tmp_path: Path) -> None:
    xf = _filter("configs/strict.yaml", demo_parquet, tmp_path / "o")
    splits = _parts(xf, demo_parquet, tmp_path / "parts")
    splits[1] = replace(splits[1], clean_files=splits[1].clean_files[:-1])
    with pytest.raises(XFilterError, match=r"split 'validation': clean files hold \d+ rows"):
        assemble_output(xf, splits, _source(demo_parquet), tmp_path / "o", {"name": "t"}, now())
    assert not (tmp_path / "o").exists()


def test_a_ledger_that_misses_records_is_refused(demo_parquet: Path, tmp_path: Path) -> None:
    xf = _filter("configs/strict.yaml", demo_parquet, tmp_path / "o")
    splits = _parts(xf, demo_parquet, tmp_path / "parts")
    splits[0] = replace(splits[0], ledger=splits[0].ledger.slice(1))
    with pytest.raises(OutputError, match=r"'quarantine' rows, the counts say quarantined"):
        assemble_output(xf, splits, _source(demo_parquet), tmp_path / "o", {"name": "t"}, now())
    assert not (tmp_path / "o").exists()


def test_rows_numbered_per_part_are_refused(demo_parquet: Path, tmp_path: Path) -> None:
    """Parts' own row numbers, not renumbered within the split, repeat rows."""
    xf = _filter("configs/strict.yaml", demo_parquet, tmp_path / "o")
    splits = _parts(xf, demo_parquet, tmp_path / "parts")
    parts = [read_part(tmp_path / "parts" / f"train-{n}") for n in range(3)]
    ledger = pa.concat_tables([p.ledger for p in parts])
    splits[0] = replace(splits[0], ledger=ledger)
    with pytest.raises(OutputError, match=r"ledger has a row out of .* or a row twice"):
        assemble_output(xf, splits, _source(demo_parquet), tmp_path / "o", {"name": "t"}, now())


def test_parts_in_another_schema_or_format_are_rewritten(
    demo_parquet: Path, tmp_path: Path
) -> None:
    """Parts written by another writer (no ``datasets`` metadata) and a jsonl output: the
    rows are rewritten into the run's files, and the output verifies."""
    xf = _filter("configs/strict.yaml", demo_parquet, tmp_path / "o")
    xf = XFilter(config=xf.config, output={"dir": str(tmp_path / "o"), "format": "jsonl"})
    splits = _parts(xf, demo_parquet, tmp_path / "parts")
    plain = tmp_path / "plain.parquet"
    pq.write_table(pq.read_table(splits[0].clean_files[0]).replace_schema_metadata(None), plain)
    splits[0] = replace(splits[0], clean_files=[plain, *splits[0].clean_files[1:]])
    manifest = assemble_output(
        xf, splits, _source(demo_parquet), tmp_path / "o", {"name": "t"}, now()
    )
    assert {Path(e["path"]).suffix for e in manifest["outputs"]["files"]} == {".jsonl"}
    assert verify(tmp_path / "o")
    assert plain.exists()  # linked or rewritten, never taken without move=True


def test_move_takes_the_parts(demo_parquet: Path, tmp_path: Path) -> None:
    xf = _filter("configs/strict.yaml", demo_parquet, tmp_path / "o")
    splits = _parts(xf, demo_parquet, tmp_path / "parts")
    files = [f for s in splits for f in (*s.clean_files, *s.quarantine_files)]
    manifest = assemble_output(
        xf, splits, _source(demo_parquet), tmp_path / "o", {"name": "t"}, now(), move=True
    )
    assert not any(f.exists() for f in files)
    assert verify(tmp_path / "o")
    assert json.loads((tmp_path / "o" / "manifest.json").read_text())["engine"] == {"name": "t"}
    assert manifest["input"]["rows"] == {"train": 304, "validation": 102}


def test_a_part_of_a_column_less_schema_is_refused(demo_parquet: Path, tmp_path: Path) -> None:
    xf = _filter("configs/strict.yaml", demo_parquet, tmp_path / "o")
    splits = _parts(xf, demo_parquet, tmp_path / "parts")
    narrow = tmp_path / "narrow.parquet"
    pq.write_table(pq.read_table(splits[0].clean_files[0]).drop_columns(["text"]), narrow)
    splits[0] = replace(splits[0], clean_files=[narrow, *splits[0].clean_files[1:]])
    with pytest.raises(OutputError, match=r"narrow.parquet: a part of split 'train' lacks column"):
        assemble_output(xf, splits, _source(demo_parquet), tmp_path / "o", {"name": "t"}, now())
    assert not (tmp_path / "o").exists()
