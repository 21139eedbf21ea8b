"""The datatrove step in real pipelines: the local engine's decisions, counts and output.

The input is the demo written as parquet in the Hub's layout, its train split in two files, so
two tasks each read part of a split and the merge must number rows across files.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.helpers import REPO, run_cli
from xfilter.engines.local import run as run_local
from xfilter.errors import InputError, OutputError
from xfilter.output.verify import load_manifest, verify
from xfilter.vocab import ACTION, CATEGORIES_COLUMN, REASON_COLUMN, RULES_COLUMN

# Skips only where the extra is not installed; CI installs it, so these tests run there.
datatrove = pytest.importorskip("datatrove")
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import ParquetReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from xfilter.integrations.datatrove import (  # noqa: E402
    XFilterStep,
    merge_output,
    record_adapter,
)

MODES = ("strict", "collaborator", "first-party")
EXAMPLE = REPO / "examples" / "datatrove_pipeline.py"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # the configs name the opt-out list relative to the repo


@pytest.fixture(scope="module")
def demo_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        from datatrove_pipeline import demo_as_parquet  # the example's own input
    finally:
        sys.path.remove(str(EXAMPLE.parent))
    folder: Path = demo_as_parquet(tmp_path_factory.mktemp("demo") / "input")
    return folder


# -- helpers ---------------------------------------------------------------------------------


def _pipeline(config: Any, input: Path, work: Path, tasks: int = 2) -> XFilterStep:
    """Run the filtering pipeline on ``tasks`` tasks in worker processes; return its step."""
    step = XFilterStep(
        config,
        input=str(input),
        parts_folder=work / "parts",
        exclusion_writer=JsonlWriter(str(work / "removed")),
    )
    LocalPipelineExecutor(
        [ParquetReader(str(input), adapter=record_adapter), step, JsonlWriter(str(work / "kept"))],
        tasks=tasks,
        logging_dir=str(work / "logs"),
    ).run()
    return step


def _documents(folder: Path) -> dict[str, dict[str, Any]]:
    """The documents a ``JsonlWriter`` wrote, by id."""
    found = {}
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                document = json.loads(line)
                found[document["id"]] = document
    return found


def _set_rows(out: Path, name: str) -> dict[str, list[dict[str, Any]]]:
    """Each split's rows of set ``name``, in the order of its files."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for entry in load_manifest(out)["outputs"]["files"]:
        if entry["set"] == name:
            table = pq.read_table(out / entry["path"])
            rows.setdefault(entry["split"], []).extend(table.to_pylist())
    return rows


def _assert_same_output(merged: Path, local: Path) -> None:
    """The same counts, input, clean and quarantined rows (in order), ledger and X index."""
    ours, theirs = load_manifest(merged), load_manifest(local)
    for key in ("splits", "mode", "policy", "terms"):
        assert ours[key] == theirs[key], key
    # The same config, but for where each output went.
    assert ours["config"]["output"].pop("dir") == str(merged)
    theirs["config"]["output"].pop("dir")
    assert ours["config"] == theirs["config"]
    for key in ("rows", "content_sha256", "features", "path"):
        assert ours["input"][key] == theirs["input"][key], key
    assert ours["engine"]["name"] == "datatrove"
    assert ours["engine"]["tasks"] == 2
    for name in ("clean", "quarantine"):
        assert _set_rows(merged, name) == _set_rows(local, name), name
    for name in ("ledger.parquet", "x_index.parquet"):
        assert pq.read_table(merged / name).equals(pq.read_table(local / name)), name


# -- the same output as xfilter run -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_the_pipeline_gives_the_output_of_xfilter_run(
    demo_parquet: Path, tmp_path: Path, mode: str
) -> None:
    config = f"configs/{mode}.yaml"
    step = _pipeline(config, demo_parquet, tmp_path / "work")
    merged = step.merge(tmp_path / "merged")
    local = run_local(config, input=str(demo_parquet), output=tmp_path / "local")
    _assert_same_output(merged.path, local.path)
    counts = local.manifest["splits"]
    assert sum(c["kept"] for c in counts.values()) < 406  # every mode removes something here

    # The documents the pipeline passes on are the clean rows; the removed ones carry xfilter's
    # decision, as the ledger records it.
    clean = {row["id"]: row for rows in _set_rows(local.path, "clean").values() for row in rows}
    kept = _documents(tmp_path / "work" / "kept")
    assert set(kept) == set(clean)
    assert all(kept[i].get("text", "") == (clean[i]["text"] or "") for i in clean)
    removed = _documents(tmp_path / "work" / "removed")
    assert len(removed) + len(kept) == 406
    actions = Counter(doc["metadata"][ACTION] for doc in removed.values())
    assert actions["drop"] == sum(c["dropped"] for c in counts.values())
    assert actions["quarantine"] == sum(c["quarantined"] for c in counts.values())
    ledger = pq.read_table(local.path / "ledger.parquet").to_pylist()
    assert Counter(doc["metadata"][REASON_COLUMN] for doc in removed.values()) == Counter(
        entry["reason"] for entry in ledger
    )
    quarantined = _set_rows(local.path, "quarantine")
    for row in (row for rows in quarantined.values() for row in rows):
        metadata = removed[row["id"]]["metadata"]
        for column in (CATEGORIES_COLUMN, RULES_COLUMN):
            assert metadata[column] == row[column]
        assert metadata["filter_reason"] == row[CATEGORIES_COLUMN][0]

    done = run_cli("verify", str(merged.path))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_redacted_text_goes_down_the_pipeline(demo_parquet: Path, tmp_path: Path) -> None:
    from xfilter.config import load_config

    config = load_config("configs/strict.yaml").with_overrides(
        {"action": "drop", "categories": {"x_embed": "redact"}}
    )
    step = _pipeline(config, demo_parquet, tmp_path / "work")
    merged = step.merge(tmp_path / "merged")
    local = run_local(config, input=str(demo_parquet), output=tmp_path / "local")
    _assert_same_output(merged.path, local.path)
    redacted = sum(c["redacted"] for c in local.manifest["splits"].values())
    assert redacted > 0
    clean = {row["id"]: row for rows in _set_rows(local.path, "clean").values() for row in rows}
    kept = _documents(tmp_path / "work" / "kept")
    originals = {row["id"]: row for row in pq.read_table(demo_parquet / "data").to_pylist()}
    rewritten = [i for i in clean if clean[i]["text"] != originals[i]["text"]]
    assert len(rewritten) > 0
    for row_id in rewritten:
        assert kept[row_id]["text"] == clean[row_id]["text"]
        assert kept[row_id]["metadata"].get("html") == clean[row_id]["html"]


# -- refusing what would break the numbering -------------------------------------------------


def _run_in_process(step: XFilterStep, documents: Any, rank: int = 0, tasks: int = 1) -> None:
    for _ in step.run(documents, rank, tasks):
        pass


def test_a_reader_without_the_adapter_is_refused(demo_parquet: Path, tmp_path: Path) -> None:
    step = XFilterStep("configs/strict.yaml", input=str(demo_parquet), parts_folder=tmp_path)
    reader = ParquetReader(str(demo_parquet))
    with pytest.raises(InputError, match="adapter=record_adapter"):
        _run_in_process(step, reader.run())


def test_a_filter_before_the_step_is_refused(demo_parquet: Path, tmp_path: Path) -> None:
    step = XFilterStep("configs/strict.yaml", input=str(demo_parquet), parts_folder=tmp_path)
    reader = ParquetReader(str(demo_parquet), adapter=record_adapter)
    gap = (doc for doc in reader.run() if doc.metadata["xfilter_origin"]["row"] != 3)
    with pytest.raises(InputError, match="saw row 4 after row 2"):
        _run_in_process(step, gap)
    # The failed task leaves neither a part nor a work directory behind.
    assert [p.name for p in tmp_path.iterdir()] == []


def test_the_merge_refuses_an_unfinished_run(demo_parquet: Path, tmp_path: Path) -> None:
    step = XFilterStep("configs/strict.yaml", input=str(demo_parquet), parts_folder=tmp_path / "p")
    reader = ParquetReader(str(demo_parquet), adapter=record_adapter)
    _run_in_process(step, reader.run(rank=0, world_size=2), rank=0, tasks=2)
    with pytest.raises(InputError, match="task 1 of 2 has not finished"):
        step.merge(tmp_path / "out")
    # A task record alone does not stand for the files the task had to read.
    (tmp_path / "p" / "tasks" / "00001.json").write_text(
        json.dumps({"rank": 1, "tasks": 2, "started": "2026-01-01T00:00:00+00:00", "files": []})
    )
    with pytest.raises(InputError, match=r"train-00001-of-00002\.parquet: no part for it"):
        step.merge(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_merge_refuses_parts_of_another_input(demo_parquet: Path, tmp_path: Path) -> None:
    step = XFilterStep("configs/strict.yaml", input=str(demo_parquet), parts_folder=tmp_path / "p")
    reader = ParquetReader(str(demo_parquet), adapter=record_adapter)
    _run_in_process(step, reader.run())
    only_train = str(demo_parquet / "data" / "train-*.parquet")
    other = XFilterStep("configs/strict.yaml", input=only_train, parts_folder=tmp_path / "p")
    with pytest.raises(InputError, match="not in the input"):
        merge_output(other.xf, tmp_path / "p", tmp_path / "out")


def test_a_retried_task_replaces_its_parts(demo_parquet: Path, tmp_path: Path) -> None:
    step = XFilterStep("configs/strict.yaml", input=str(demo_parquet), parts_folder=tmp_path / "p")
    for _ in range(2):
        reader = ParquetReader(str(demo_parquet), adapter=record_adapter)
        _run_in_process(step, reader.run())
    out = step.merge(tmp_path / "out")
    assert {s: c["input"] for s, c in out.counts.items()} == {"train": 304, "validation": 102}
    with pytest.raises(OutputError, match="already there"):
        step.merge(tmp_path / "out")


def test_a_flat_folder_is_split_by_file_name(demo_parquet: Path, tmp_path: Path) -> None:
    """Files named ``<split>-NNNNN-of-NNNNN.parquet`` directly in the input folder."""
    flat = tmp_path / "flat"
    shutil.copytree(demo_parquet / "data", flat)
    step = XFilterStep("configs/strict.yaml", input=str(flat), parts_folder=tmp_path / "p")
    _run_in_process(step, ParquetReader(str(flat), adapter=record_adapter).run())
    out = step.merge(tmp_path / "out")
    assert out.manifest["input"]["rows"] == {"train": 304, "validation": 102}
    assert verify(out, quick=True)


# -- the extra and the example -------------------------------------------------------------------


def test_a_missing_extra_is_one_line_naming_it() -> None:
    code = (
        "import sys; sys.modules['datatrove'] = None\n"
        "from xfilter.errors import XFilterError\n"
        "try:\n    import xfilter.integrations.datatrove\n"
        "except XFilterError as error:\n    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout == "the datatrove step needs `pip install 'xfilter[datatrove]'`\n"


@pytest.mark.slow
def test_the_example_pipeline_runs_and_verifies(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), "--work", str(tmp_path / "work")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("output: verified")
    assert run_cli("verify", str(tmp_path / "work" / "output")).returncode == 0
    assert load_manifest(tmp_path / "work" / "output")["engine"]["name"] == "datatrove"
