"""Same input and config → byte-identical outputs; xfilter's own clean output passes clean."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest

import xfilter
from tests.helpers import REPO, run_cli
from xfilter import XFilter, demo_files

VOLATILE = {
    "created", "started", "manifest_sha256", "engine", "config", "config_sha256", "documents",
}  # fmt: skip


def _files(out: Path | xfilter.Output) -> dict[str, str]:
    manifest = json.loads((Path(out) / "manifest.json").read_text())
    return {f["path"]: f["sha256"] for f in manifest["outputs"]["files"]} | {
        "ledger": manifest["ledger"]["sha256"]
    }


def _stable(out: Path) -> dict:
    manifest = json.loads((out / "manifest.json").read_text())
    return {k: v for k, v in manifest.items() if k not in VOLATILE}


@pytest.fixture(scope="module")
def demo() -> datasets.DatasetDict:
    return datasets.load_dataset("json", data_files=demo_files())


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    for name in ("a", "b"):
        run_cli("run", "configs/collaborator.yaml", "--output", str(tmp_path / name), check=True)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _stable(tmp_path / "a") == _stable(tmp_path / "b")


def test_batch_size_and_num_proc_do_not_change_the_bytes(
    demo: datasets.DatasetDict, tmp_path: Path
) -> None:
    xf = XFilter(mode="strict", action="drop")
    outputs = []
    for name, kwargs in {
        "batch7": {"batch_size": 7},
        "batch1000": {"batch_size": 1000},
        "num_proc2": {"batch_size": 50, "num_proc": 2},
    }.items():
        result = xf.split(demo.map(xf, batched=True, **kwargs))
        outputs.append(result.save(tmp_path / name))
    first = _files(outputs[0])
    for out in outputs[1:]:
        assert _files(out) == first, out.path


def test_rerunning_on_its_own_clean_output_rejects_nothing(tmp_path: Path) -> None:
    for config in ("strict", "collaborator", "first-party"):
        first = tmp_path / f"{config}-1"
        run_cli("run", f"configs/{config}.yaml", "--output", str(first), check=True)
        second = tmp_path / f"{config}-2"
        run_cli(
            "run", f"configs/{config}.yaml", "--input", str(first / "clean"),
            "--output", str(second), check=True,
        )  # fmt: skip
        for split, counts in json.loads((second / "manifest.json").read_text())["splits"].items():
            assert counts["dropped"] == counts["quarantined"] == 0, (config, split, counts)


def test_manifest_and_ledger_hold_no_record_text(
    demo: datasets.DatasetDict, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run_cli("run", "configs/strict.yaml", "--output", str(out), check=True)
    manifest = (out / "manifest.json").read_text()
    ledger = (out / "ledger.parquet").read_bytes()
    for split in demo.values():
        for row in split:
            for value in (row["text"], row["html"], row["post"]):
                if value and len(value) > 24:
                    snippet = value[:24]
                    assert snippet not in manifest
                    assert snippet.encode() not in ledger


def test_the_job_opens_no_network_connection(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.helpers import REPO

    script = f"""
import sys
connections = []
def audit(event, args):
    if event == "socket.connect":
        connections.append(args[1])
sys.addaudithook(audit)
import xfilter
xfilter.run("configs/collaborator.yaml", output={str(tmp_path / "out")!r})
print("connections:", connections)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "HF_TOKEN": "hf_secretTOKEN123"},
    )
    assert done.returncode == 0, done.stderr
    assert "connections: []" in done.stdout
    assert "hf_secretTOKEN123" not in done.stdout + done.stderr


@pytest.mark.parametrize("categories", [{}, {"x_embed": "redact"}])
def test_job_paths_write_the_same_bytes(
    demo: datasets.DatasetDict, tmp_path: Path, categories: dict[str, str]
) -> None:
    """A job tags as it writes, from a stream or from a loaded dataset; with ``num_proc`` it
    maps the decision columns alone in worker processes and sets them beside the input (the
    whole table when the policy redacts); a tagged input has its old decisions replaced. All
    write what ``xf.split(ds.map(xf))`` writes."""
    xf = XFilter(mode="strict", categories=categories)
    expected = _files(xf.split(demo.map(xf, batched=True)).save(tmp_path / "split"))
    retagged = demo.map(XFilter(mode="first-party"), batched=True)  # stale xfilter columns
    retagged.save_to_disk(str(tmp_path / "tagged-input"))
    for source in (demo_files()["train"].rsplit("/", 1)[0], str(tmp_path / "tagged-input")):
        for streaming, num_proc in ((False, None), (False, 2), (True, None)):
            if streaming and "tagged-input" in source:
                continue  # a save_to_disk folder is read in memory
            out = tmp_path / f"{Path(source).name}-{streaming}-{num_proc}"
            xfilter.run(xf.config, input=source, output=out, streaming=streaming, num_proc=num_proc)
            assert _files(out) == expected, (source, streaming, num_proc)


def test_many_batches_and_row_groups_give_the_same_bytes_in_memory_and_streaming(
    tmp_path: Path,
) -> None:
    """Streaming tags 2,000-row batches, a loaded dataset 10,000-row ones, and with
    ``num_proc`` worker processes map it; all are written in 10,000-row groups on a thread
    of their own. Across several batches and row groups the files are the same bytes, in the
    same row order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 25_500
    filler = "Words that make a row long enough for several data pages per row group. " * 6
    text = [
        f"Post {i} https://twitter.com/user{i}/status/{1_500_000_000_000_000_000 + i}"
        if i % 7 == 0
        else f"An ordinary document number {i} about netflix.com and dropbox.com. " + filler
        for i in range(rows)
    ]
    source = tmp_path / "input"
    source.mkdir()
    table = pa.table({"id": list(range(rows)), "text": text})
    for part, start in enumerate(range(0, rows, 9_000)):  # shard edges off the batch edges
        pq.write_table(table.slice(start, 9_000), source / f"part-{part}.parquet")
    outputs = {}
    for streaming, num_proc in ((False, None), (True, None), (False, 2)):
        out = tmp_path / f"out-{streaming}-{num_proc}"
        config = REPO / "configs" / "strict.yaml"
        xfilter.run(config, input=str(source), output=out, streaming=streaming, num_proc=num_proc)
        outputs[streaming, num_proc] = _files(out)
        clean = datasets.load_dataset(str(out / "clean"), split="train")
        assert clean["id"] == [i for i in range(rows) if i % 7]  # every kept row, in order
    assert outputs[False, None] == outputs[True, None] == outputs[False, 2]
