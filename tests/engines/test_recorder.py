"""``Recorder``: a training loop that filters a real streaming ``IterableDataset`` leaves the
evidence a job leaves (counts, ledger, X index, quarantine, manifest), at the end and at a
checkpoint, and ``xfilter verify`` checks it."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import datasets
import pyarrow.parquet as pq
import pytest

import xfilter
from tests.helpers import REPO, run_cli
from xfilter.config import load_config
from xfilter.errors import ConfigError, OutputError, VerifyError
from xfilter.output.documents import bind_documents
from xfilter.output.manifest import dumps
from xfilter.output.writer import file_sha256
from xfilter.recorder import Recorder
from xfilter.transform import XFilter

SPLITS = ("train", "validation")
OPT_OUT = REPO / "configs" / "opt-out.example.csv"
# Policies to compare with a job: strict quarantines; collaborator drops and reads an opt-out.
POLICIES = {
    "strict": {"mode": "strict", "action": "quarantine"},
    "collaborator": {"mode": "collaborator", "action": "drop", "opt_out": {"path": str(OPT_OUT)}},
}


@pytest.fixture(scope="module")
def parquet_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo set as local parquet files in the Hub layout."""
    root = tmp_path_factory.mktemp("demo-parquet")
    (root / "data").mkdir()
    for split, path in xfilter.demo_files().items():
        table = datasets.load_dataset("json", data_files={split: path})[split].data.table
        pq.write_table(table, root / "data" / f"{split}-00000-of-00001.parquet")
    return root


def _config(policy: str, source: Path, out: Path) -> Any:
    base = load_config(REPO / "configs" / "strict.yaml")
    return base.with_overrides(
        {**POLICIES[policy], "input": {"source": str(source)}, "output": {"dir": str(out)}}
    )


@pytest.fixture(scope="module")
def jobs(parquet_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A batch ``xfilter.run`` of each policy on the same files."""
    root = tmp_path_factory.mktemp("jobs")
    return {
        policy: xfilter.run(_config(policy, parquet_demo, root / policy)).path
        for policy in POLICIES
    }


def _stream(source: Path, split: str) -> datasets.IterableDataset:
    files = {split: str(source / "data" / f"{split}-00000-of-00001.parquet")}
    stream = datasets.load_dataset("parquet", data_files=files, streaming=True)[split]
    assert isinstance(stream, datasets.IterableDataset)
    return stream


def _train(stream: Any) -> Iterator[dict[str, Any]]:
    """What a training loop does with the records it is handed: consume them."""
    yield from stream


def _ledger(out: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(out / "ledger.parquet").to_pylist()
    return rows


# -- the same evidence as a job -------------------------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES)
def test_a_streaming_loop_records_what_a_job_records(
    policy: str, parquet_demo: Path, jobs: dict[str, Path], tmp_path: Path
) -> None:
    job = xfilter.Output(jobs[policy])
    xf = XFilter(config=_config(policy, parquet_demo, tmp_path / "unused"))
    rec = Recorder(xf, tmp_path / "evidence")
    seen = 0
    for split in SPLITS:
        stream = _stream(parquet_demo, split).filter(
            rec.for_split(split).keep, batched=True, batch_size=64
        )
        seen += sum(1 for _ in _train(stream))
    out = rec.save()

    assert seen == sum(job.counts[s]["kept"] for s in SPLITS)
    # per category, per rule, per action and per reason, split by split
    assert out.counts == job.counts
    assert out.provenance.totals.dropped + out.provenance.totals.quarantined > 0
    # the ledger, the X index and the quarantine set are the job's, byte for byte
    for key in ("ledger", "index"):
        assert out.manifest[key] == job.manifest[key]
    quarantined = [f for f in job.manifest["outputs"]["files"] if f["set"] == "quarantine"]
    assert out.manifest["outputs"]["files"] == quarantined
    assert out.manifest["recorded"] == {"clean": False, "quarantine": True, "complete": True}
    assert out.manifest["engine"]["name"] == "recorder"
    assert out.manifest["input"]["kind"] == "stream"
    assert not (out.path / "clean").exists()
    checked = out.verify()  # a full verify: hashes, conservation, ledger, index
    assert "no clean set was kept (a recorded loop consumed it): nothing to re-scan" in checked
    assert "input = kept + dropped + quarantined, per split" in checked
    reread = xfilter.Output(out.path)
    assert reread.provenance.recorded is not None and reread.provenance.recorded.complete
    assert reread.quarantine["train"].num_rows == job.counts["train"]["quarantined"]
    assert reread.index.num_rows == job.manifest["index"]["rows"]
    with pytest.raises(OutputError, match="keeps no clean set"):
        _ = reread.clean


def test_keep_answers_as_xf_keep(parquet_demo: Path, tmp_path: Path) -> None:
    xf = XFilter(config=_config("strict", parquet_demo, tmp_path / "unused"))
    rec = Recorder(xf, tmp_path / "evidence")
    batch = next(_stream(parquet_demo, "train").iter(batch_size=100))
    answers = rec.keep(batch)
    assert answers == xf.keep(batch) and False in answers and True in answers
    one = {name: values[3] for name, values in batch.items()}
    assert rec.keep(one) is xf.keep(one)
    assert rec.counts["train"]["input"] == 101


def test_a_checkpoint_holds_the_counts_so_far_and_is_replaced(
    parquet_demo: Path, jobs: dict[str, Path], tmp_path: Path
) -> None:
    job = xfilter.Output(jobs["strict"])
    xf = XFilter(config=_config("strict", parquet_demo, tmp_path / "unused"))
    rec = Recorder(xf, tmp_path / "evidence")
    stream = _train(_stream(parquet_demo, "train").filter(rec.keep, batched=True, batch_size=50))
    consumed = sum(1 for _ in itertools.islice(stream, 100))
    assert consumed == 100
    saved = rec.checkpoint()
    seen = saved.counts["train"]["input"]
    # keep has seen every record the loop was handed, and at most one filter batch more
    assert seen % 50 == 0 and 100 <= seen < job.counts["train"]["input"]
    assert saved.manifest["recorded"]["complete"] is False
    so_far = [r for r in _ledger(job.path) if r["split"] == "train" and r["row"] < seen]
    assert _ledger(saved.path) == so_far and so_far
    index = pq.read_table(saved.path / "x_index.parquet").to_pylist()
    job_index = pq.read_table(job.path / "x_index.parquet").to_pylist()
    assert index == [r for r in job_index if r["split"] == "train" and r["row"] < seen]
    assert "recorded from a filtering loop (a checkpoint: counts so far)" in " ".join(
        saved.verify()
    )
    first = saved.manifest["manifest_sha256"]

    consumed += sum(1 for _ in stream)  # the rest of the epoch
    final = rec.save()
    assert consumed == job.counts["train"]["kept"]
    assert final.path == saved.path and final.manifest["manifest_sha256"] != first
    assert xfilter.Output(final.path).counts["train"] == job.counts["train"]
    assert final.manifest["recorded"]["complete"] is True
    assert final.verify()
    assert [p.name for p in tmp_path.iterdir()] == ["evidence"]  # no work directory left


def test_without_quarantine_only_the_evidence_is_written(
    parquet_demo: Path, jobs: dict[str, Path], tmp_path: Path
) -> None:
    xf = XFilter(config=_config("strict", parquet_demo, tmp_path / "unused"))
    rec = Recorder(xf, tmp_path / "evidence", split="validation", quarantine=False)
    for _ in _stream(parquet_demo, "validation").filter(rec.keep, batched=True):
        pass
    out = rec.save()
    assert out.counts["validation"] == xfilter.Output(jobs["strict"]).counts["validation"]
    assert out.manifest["outputs"]["files"] == []
    assert sorted(p.name for p in out.path.iterdir()) == [
        "README.md",
        "ledger.parquet",
        "manifest.croissant.json",
        "manifest.json",
        "x_index.parquet",
    ]
    with pytest.raises(OutputError, match="keeps no quarantine set"):
        _ = out.quarantine
    done = run_cli("verify", str(out.path))  # the real command, in a subprocess
    assert done.returncode == 0, done.stderr
    assert "no clean or quarantine set was kept, by design" in done.stdout
    assert f"{out.path}: verified" in done.stdout


# -- verify still holds a recorded output to its manifest -------------------------------------


def _reseal(out: Path, edit: Any) -> None:
    """Edit the manifest and bind the card and Croissant file to it again, as the writer does."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    edit(manifest)
    sealed, texts = bind_documents(manifest, out)
    (out / "manifest.json").write_text(dumps(sealed), encoding="utf-8")
    for name, text in texts.items():
        (out / name).write_text(text, encoding="utf-8")


@pytest.fixture
def recorded(parquet_demo: Path, tmp_path: Path) -> Path:
    xf = XFilter(config=_config("strict", parquet_demo, tmp_path / "unused"))
    rec = Recorder(xf, tmp_path / "evidence")
    for _ in _stream(parquet_demo, "train").filter(rec.keep, batched=True):
        pass
    return rec.save().path


def test_verify_checks_hashes_of_a_recorded_output(recorded: Path) -> None:
    ledger = recorded / "ledger.parquet"
    table = pq.read_table(ledger)
    pq.write_table(table.slice(1), ledger, compression="zstd")
    with pytest.raises(VerifyError, match=r"ledger\.parquet: modified"):
        xfilter.verify(recorded, quick=True)


def test_verify_checks_conservation_of_a_recorded_output(recorded: Path) -> None:
    def more_kept(manifest: dict[str, Any]) -> None:
        manifest["splits"]["train"]["kept"] += 1

    _reseal(recorded, more_kept)
    with pytest.raises(VerifyError, match=r"input 304 != kept 197 \+ dropped 0 \+ quarantined"):
        xfilter.verify(recorded, quick=True)


def test_a_recorded_output_that_hides_its_quarantine_is_refused(recorded: Path) -> None:
    def no_quarantine(manifest: dict[str, Any]) -> None:
        manifest["recorded"]["quarantine"] = False

    _reseal(recorded, no_quarantine)
    with pytest.raises(VerifyError, match="a recorded output keeps no quarantine files"):
        xfilter.verify(recorded, quick=True)


def test_a_run_without_its_clean_set_is_no_recorded_output(recorded: Path) -> None:
    _reseal(recorded, lambda manifest: manifest.pop("recorded"))
    with pytest.raises(VerifyError, match="clean files hold 0 rows, kept is 196"):
        xfilter.verify(recorded, quick=True)

    def claims_a_clean_set(manifest: dict[str, Any]) -> None:
        manifest["recorded"] = {"clean": True, "quarantine": True, "complete": True}

    _reseal(recorded, claims_a_clean_set)
    with pytest.raises(VerifyError, match="recorded: expected"):
        xfilter.verify(recorded, quick=True)


# -- what the recorder refuses --------------------------------------------------------------------


def test_a_redacting_policy_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot rewrite text"):
        Recorder(XFilter(mode="strict", categories={"x_embed": "redact"}), tmp_path / "o")


def test_a_directory_that_is_no_output_is_refused_before_the_loop(tmp_path: Path) -> None:
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError, match="not an xfilter output"):
        Recorder(XFilter(mode="strict"), tmp_path / "o")
    with pytest.raises(OutputError, match="nothing recorded yet"):
        Recorder(XFilter(mode="strict"), tmp_path / "p").save()
    assert not (tmp_path / "p").exists()


def _keep_in_child(rec: Recorder, answers: Any) -> None:
    try:
        rec.keep({"text": ["hello"]})
        answers.put("recorded")
    except OutputError as error:
        answers.put(str(error))


def test_a_copy_in_another_process_is_refused(tmp_path: Path) -> None:
    rec = Recorder(XFilter(mode="strict"), tmp_path / "o")
    with pytest.raises(TypeError, match="cannot be copied to another process"):
        pickle.dumps(rec.keep)
    # A forked worker (a DataLoader's on Linux) holds a copy without pickling: keep refuses.
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    child = context.Process(target=_keep_in_child, args=(rec, answers))
    child.start()
    child.join(timeout=120)
    assert "not the one that made it" in answers.get(timeout=10)
    assert rec.counts == {}


def test_a_saved_recorder_refuses_another_pass(tmp_path: Path) -> None:
    rec = Recorder(XFilter(mode="strict"), tmp_path / "o")
    assert rec.keep({"text": ["hello", "see https://x.com/jack/status/20"]}) == [True, False]
    out = rec.save()
    assert out.counts["train"]["input"] == 2 and out.ledger.num_rows == 1
    assert "saved" in repr(rec) and "train: 2 seen, 1 kept" in repr(rec)
    with pytest.raises(OutputError, match="already saved as complete"):
        rec.keep({"text": ["again"]})
    assert file_sha256(out.path / "manifest.json")  # still there, unchanged by the refusal
