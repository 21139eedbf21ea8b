"""``xfilter.Output``: every part of a real output read back, the typed manifest, the private X
index, the chain of versions a refresh leaves, and what the reprs say."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import xfilter
from tests.helpers import REPO
from xfilter.config import load_config
from xfilter.errors import OutputError, VerifyError
from xfilter.output.documents import bind_documents
from xfilter.output.manifest import dumps
from xfilter.output.manifest_types import Counts, Manifest
from xfilter.vocab import COUNTS

OPT_OUT = REPO / "configs" / "opt-out.example.csv"


def _collaborator(out: Path) -> Any:
    """The collaborator policy on the demo with the example opt-out list, quarantining."""
    config = load_config(REPO / "configs" / "strict.yaml")
    return config.with_overrides(
        {
            "mode": "collaborator",
            "action": "quarantine",
            "opt_out": {"path": str(OPT_OUT)},
            "output": {"dir": str(out)},
        }
    )


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A run and two refreshes of it: v1 ← v2 ← v3."""
    root = tmp_path_factory.mktemp("versions")
    xfilter.run(_collaborator(root / "v1"))
    listed = root / "opt-out.txt"
    listed.write_text("id\nnasa\n", encoding="utf-8")
    xfilter.refresh(root / "v1", output=root / "v2", opt_out=listed)
    listed.write_text("id\nnasa\ninterior\n", encoding="utf-8")
    xfilter.refresh(root / "v2", output=root / "v3", opt_out=listed)
    return root / "v1", root / "v2", root / "v3"


@pytest.fixture
def moved(versions: tuple[Path, Path, Path], tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of the three versions, free to edit."""
    copies = tuple(tmp_path / p.name for p in versions)
    for source, target in zip(versions, copies, strict=True):
        shutil.copytree(source, target)
    return copies  # type: ignore[return-value]


def _record_previous_path(out: Path, path: str | None) -> None:
    """The manifest of ``out`` with another ``previous.path`` (None: none recorded, as an
    earlier version of xfilter wrote it), resealed with its card and Croissant file bound
    again."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    if path is None:
        manifest["previous"].pop("path", None)
    else:
        manifest["previous"]["path"] = path
    sealed, texts = bind_documents(manifest, out)
    (out / "manifest.json").write_text(dumps(sealed), encoding="utf-8")
    for name, text in texts.items():
        (out / name).write_text(text, encoding="utf-8")


# -- every part of an output -------------------------------------------------------------------


def test_output_reads_every_part_of_a_run(versions: tuple[Path, Path, Path]) -> None:
    out = xfilter.Output(versions[0])
    counts = out.counts
    for split, c in counts.items():
        assert out.clean[split].num_rows == c["kept"]
        assert out.quarantine[split].num_rows == c["quarantined"]
        assert "xfilter_action" in out.quarantine[split].column_names
    assert (
        out.ledger.num_rows
        == out.manifest["ledger"]["rows"]
        == sum(c["dropped"] + c["quarantined"] + c["redacted"] for c in counts.values())
    )
    index = pq.read_table(versions[0] / "x_index.parquet")
    assert out.index.num_rows == out.manifest["index"]["rows"] == index.num_rows > 0
    assert out.index.column_names == index.column_names
    assert out.index["record_sha256"] == index.column("record_sha256").to_pylist()
    assert out.previous is None and out.chain == []
    assert out.verify(quick=True)


def test_the_typed_manifest_holds_what_the_dict_holds(versions: tuple[Path, Path, Path]) -> None:
    out = xfilter.Output(versions[0])
    raw, typed = out.manifest, out.provenance
    assert isinstance(typed, Manifest)
    assert (typed.mode, typed.action, typed.schema) == ("collaborator", "quarantine", raw["schema"])
    assert dict(typed.policy) == raw["policy"]
    assert [t.id for t in typed.terms] == [t["id"] for t in raw["terms"]]
    assert typed.implements == ("x-privacy-policy-2024-11-15",)
    assert typed.terms[0].effective == "2024-11-15" and typed.terms[0].url.startswith("https://")
    assert typed.input.source == raw["input"]["source"] and typed.input.kind == "demo"
    assert dict(typed.input.rows) == raw["input"]["rows"]
    assert typed.opt_out is not None and typed.opt_out.entries == raw["opt_out"]["entries"]
    for name, split in raw["splits"].items():
        assert {k: getattr(typed.splits[name], k) for k in COUNTS} == {k: split[k] for k in COUNTS}
        assert dict(typed.splits[name].by_reason) == split["by_reason"]
        assert dict(typed.splits[name].by_category) == split["by_category"]
    assert [dataclasses.asdict(f) for f in typed.files] == raw["outputs"]["files"]
    assert typed.format == "parquet"
    assert dataclasses.asdict(typed.ledger) == raw["ledger"]
    assert dataclasses.asdict(typed.index) == raw["index"]
    assert typed.previous is None and typed.changes is None and typed.recorded is None
    assert typed.manifest_sha256 == raw["manifest_sha256"]
    totals = typed.totals
    assert totals.input == sum(s["input"] for s in raw["splits"].values())
    assert dict(typed.by_reason) == dict(totals.by_reason)
    assert totals.by_reason["opted_out"] == sum(
        s["by_reason"].get("opted_out", 0) for s in raw["splits"].values()
    )


def test_the_typed_manifest_is_read_only(versions: tuple[Path, Path, Path]) -> None:
    typed = xfilter.Output(versions[0]).provenance
    with pytest.raises(dataclasses.FrozenInstanceError):
        typed.mode = "first-party"  # type: ignore[misc]
    with pytest.raises(TypeError):
        typed.policy["x_post"] = "keep"  # type: ignore[index]
    with pytest.raises(TypeError):
        typed.splits["train"].by_category["x_post"] = 0  # type: ignore[index]


def test_reprs_say_what_is_held(versions: tuple[Path, Path, Path]) -> None:
    v1, v2 = xfilter.Output(versions[0]), xfilter.Output(versions[1])
    text = repr(v1)
    assert str(versions[0]) in text and "policy collaborator (reject = quarantine)" in text
    for name, c in v1.counts.items():
        assert f"{name}: {c['input']} in → {c['kept']} kept" in text
    assert "refresh" not in text
    refreshed = repr(v2)
    previous = v1.manifest["manifest_sha256"][:12]
    removed = v2.manifest["changes"]["removed"]
    assert f"refresh of manifest {previous}…" in refreshed and f"{removed} removed" in refreshed
    assert repr(v2.provenance).startswith(f"Manifest({v2.manifest['manifest_sha256'][:12]}…")
    assert f"refresh of manifest {previous}…" in repr(v2.provenance)


def test_counts_summary_names_redactions() -> None:
    counts = Counts.from_dict(
        {"input": 5, "kept": 4, "dropped": 1, "quarantined": 0, "redacted": 2}
        | {"by_category": {}, "by_rule": {}, "by_reason": {}}
    )
    assert counts.summary() == "5 in → 4 kept (2 redacted), 1 dropped, 0 quarantined"


# -- the chain of versions ------------------------------------------------------------------------


def test_a_refresh_records_where_its_previous_version_is(
    versions: tuple[Path, Path, Path],
) -> None:
    _, v2, v3 = versions
    out = xfilter.Output(v3)
    assert out.provenance.previous is not None
    assert out.provenance.previous.manifest_sha256 == xfilter.Output(v2).manifest["manifest_sha256"]
    assert out.provenance.previous.path == "v2"  # beside it
    assert [version.path for version in out.chain] == [v3.parent / "v2", v3.parent / "v1"]


def test_a_refresh_whose_previous_directory_is_unrecorded_says_so(
    moved: tuple[Path, Path, Path],
) -> None:
    _, v2, _ = moved
    _record_previous_path(v2, None)
    with pytest.raises(OutputError, match="does not record where that version is: name it"):
        _ = xfilter.Output(v2).previous


def test_the_chain_given_is_followed_and_checked(versions: tuple[Path, Path, Path]) -> None:
    v1, v2, v3 = versions
    out = xfilter.Output(v3, chain=[v2, v1])
    previous = out.previous
    assert previous is not None and previous.path == v2
    assert [version.path for version in out.chain] == [v2, v1]
    assert out.chain[-1].previous is None
    checked = out.verify(quick=True, chain=True)
    assert f"chain: {v3} is a refresh of {v2}, its clean records a subset" in checked
    assert f"chain: {v2} is a refresh of {v1}, its clean records a subset" in checked


def test_a_wrong_or_missing_earlier_version_is_named(
    versions: tuple[Path, Path, Path], moved: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    v1, _, v3 = versions
    at_v1 = re.escape(str(v1))
    with pytest.raises(OutputError, match=f"chain given says it is at {at_v1}, which holds"):
        _ = xfilter.Output(v3, chain=[v1]).previous  # v1 is v2's previous, not v3's
    with pytest.raises(OutputError, match=r"missing; .* is not a finished xfilter output"):
        _ = xfilter.Output(v3, chain=[tmp_path / "gone"]).previous
    # the second link's recorded directory is gone: the chain stops there, naming it
    m1, m2, m3 = moved
    shutil.rmtree(m1)
    at_m2 = re.escape(str(m2))
    with pytest.raises(OutputError, match=f"{at_m2} is a refresh of manifest .* says it is at"):
        _ = xfilter.Output(m3).chain
    with pytest.raises(OutputError):
        xfilter.Output(m3).verify(quick=True, chain=True)


def test_a_previous_path_in_the_manifest_is_followed(moved: tuple[Path, Path, Path]) -> None:
    v1, v2, _ = moved
    _record_previous_path(v2, v1.name)  # relative to v2's parent: its sibling
    out = xfilter.Output(v2)
    assert out.verify(quick=True)  # still a sealed, consistent output
    previous = out.previous
    assert previous is not None and previous.path == v2.parent / v1.name
    assert out.verify(quick=True, chain=True)[-1].startswith(f"chain: {v2} is a refresh of")
    shutil.rmtree(v1)
    where = re.escape(str(v2.parent / v1.name))
    with pytest.raises(OutputError, match=f"its manifest says it is at {where}"):
        _ = xfilter.Output(v2).previous


def test_verify_through_output_raises_on_a_changed_file(moved: tuple[Path, Path, Path]) -> None:
    out = xfilter.Output(moved[0])
    (moved[0] / "x_index.parquet").write_bytes(b"not parquet")
    with pytest.raises(VerifyError, match=r"x_index\.parquet"):
        out.verify(quick=True)


# -- the Ray engine returns an Output -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.filterwarnings("ignore::DeprecationWarning:ray")
def test_the_ray_engine_returns_an_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ray = pytest.importorskip("ray")
    import xfilter.ray

    monkeypatch.chdir(REPO)
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    try:
        out = xfilter.ray.run("configs/strict.yaml", output=tmp_path / "ray", num_actors=1)
    finally:
        ray.shutdown()
    assert isinstance(out, xfilter.Output) and out.path == tmp_path / "ray"
    assert out.manifest == xfilter.Output(tmp_path / "ray").manifest
    assert out.provenance.engine["name"] == "ray"
    assert out.verify(quick=True)
    with pytest.warns(DeprecationWarning, match=r"output.manifest\['splits'\]"):
        assert out["splits"] == out.manifest["splits"]  # what the Ray run used to return
