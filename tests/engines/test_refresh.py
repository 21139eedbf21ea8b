"""``xfilter.refresh``: an output brought up to date from its X index, on real runs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import xfilter
from xfilter.config import build_config, load_config
from xfilter.errors import InputError, VerifyError
from xfilter.output.writer import record_sha256

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_LIST = REPO / "configs" / "opt-out.example.csv"


def _collaborator(out: Path) -> Any:
    """configs/collaborator.yaml on the demo, quarantining what it rejects."""
    config = load_config(REPO / "configs" / "collaborator.yaml")
    return config.with_overrides(
        {
            "action": "quarantine",
            "opt_out": {"path": str(EXAMPLE_LIST)},
            "output": {"dir": str(out)},
        }
    )


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("refresh") / "v1"
    xfilter.run(_collaborator(out))
    return out


@pytest.fixture
def v1(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "v1"
    shutil.copytree(base, copy)
    return copy


def _index(out: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(out / "x_index.parquet").to_pylist()
    return rows


def _ledger(out: Path) -> dict[tuple[str, int], dict[str, Any]]:
    return {(r["split"], r["row"]): r for r in pq.read_table(out / "ledger.parquet").to_pylist()}


def _hashes(out: Path, name: str) -> set[str]:
    found = set()
    for path in sorted((out / name / "data").glob("*.parquet")):
        table = pq.read_table(path)
        found |= {record_sha256(row) for row in table.to_pylist()}
    return found


def _opt_out_list(tmp_path: Path, *handles: str) -> Path:
    path = tmp_path / "opt-out.csv"
    extra = "".join(f",{handle}\n" for handle in handles)
    path.write_text(EXAMPLE_LIST.read_text() + extra)
    return path


def _results(path: Path, *lines: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps({"action": "delete", **line}) + "\n" for line in lines))
    return path


def _kept_handle(out: Path) -> tuple[str, list[dict[str, Any]]]:
    """A handle of a clean record, and every kept record that names it."""
    kept = [r for r in _index(out) if r["clean_row"] is not None and r["handles"]]
    handle = kept[0]["handles"][0]
    return handle, [r for r in kept if handle in r["handles"]]


def test_an_opted_out_author_moves_from_clean_to_quarantine(v1: Path, tmp_path: Path) -> None:
    handle, affected = _kept_handle(v1)
    new = xfilter.refresh(v1, output=tmp_path / "v2", opt_out=_opt_out_list(tmp_path, handle))
    old, ledger = json.loads((v1 / "manifest.json").read_text()), _ledger(new.path)
    moved = {r["record_sha256"] for r in affected}
    assert moved and not moved & _hashes(new.path, "clean")
    assert moved <= _hashes(new.path, "quarantine")
    for row in affected:
        assert ledger[(row["split"], row["row"])]["action"] == "quarantine"
        assert ledger[(row["split"], row["row"])]["reason"] == "opted_out"
    for split, counts in new.counts.items():
        gone = sum(r["split"] == split for r in affected)
        assert counts["kept"] == old["splits"][split]["kept"] - gone
        assert counts["quarantined"] == old["splits"][split]["quarantined"] + gone
        assert counts["input"] == counts["kept"] + counts["dropped"] + counts["quarantined"]
    assert new.manifest["changes"]["removed"] == len(affected)
    assert new.manifest["changes"]["by_reason"] == {"opted_out": len(affected)}
    assert new.manifest["refresh"]["opt_out"]["entries"] == 5
    assert new.verify()  # the clean set re-scanned under the new list rejects nothing
    assert xfilter.verify(new.path, chain=[v1])


def test_a_deleted_post_leaves_clean_and_quarantine(v1: Path, tmp_path: Path) -> None:
    index = _index(v1)
    kept = {p for r in index if r["clean_row"] is not None for p in r["post_ids"]}
    held = {p for r in index if r["action"] == "quarantine" for p in r["post_ids"]}
    post = sorted(kept & held)[0]  # a post both a kept and a quarantined record carry
    carrying = [r for r in index if post in r["post_ids"] and r["action"] != "drop"]
    results = _results(
        tmp_path / "tweets_compliance_1.json",
        {"id": post, "reason": "deleted"},
        {"id": "1999999999999999999", "reason": "deleted"},
    )
    new = xfilter.refresh(v1, output=tmp_path / "v2", deleted=[results])
    gone = {r["record_sha256"] for r in carrying}
    assert not gone & (_hashes(new.path, "clean") | _hashes(new.path, "quarantine"))
    ledger = _ledger(new.path)
    for row in carrying:
        assert ledger[(row["split"], row["row"])]["action"] == "drop"
        assert ledger[(row["split"], row["row"])]["reason"] == "post_deleted"
    assert not any(post in r["post_ids"] for r in _index(new.path))  # ids forgotten
    refresh = new.manifest["refresh"]
    assert refresh["unknown_ids"] == 1
    assert refresh["deleted"]["files"][0]["kind"] == "posts"
    assert refresh["deleted"]["files"][0]["lines"] == 2
    assert f'"{post}"' not in json.dumps(new.manifest)  # hashes and counts, never ids
    assert new.verify()


def test_a_link_to_a_deleted_post_stays(v1: Path, tmp_path: Path) -> None:
    index = _index(v1)
    carried = {p for r in index for p in r["post_ids"]}
    linking = [
        r for r in index if r["clean_row"] is not None and set(r["linked_post_ids"]) - carried
    ]
    post = sorted(set(linking[0]["linked_post_ids"]) - carried)[0]
    results = _results(tmp_path / "posts.jsonl", {"id": post, "reason": "deleted"})
    new = xfilter.refresh(v1, output=tmp_path / "v2", deleted=[f"posts:{results}"])
    assert linking[0]["record_sha256"] in _hashes(new.path, "clean")
    assert new.manifest["refresh"]["linked_only_ids"] == 1
    assert new.manifest["changes"]["removed"] == 0


# An API v2 post names its author by id only.
OWN_POST = {"data": {"id": "1445880548472328192", "text": "hi", "author_id": "2244994945"}}
POST_ID, AUTHOR_ID = "1445880548472328192", "2244994945"


def _first_party(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    texts = ["plain words about tomatoes", json.dumps(OWN_POST), "more plain words"]
    pq.write_table(pa.table({"id": ["a", "b", "c"], "text": texts}), folder / "train.parquet")
    out = tmp_path / "fp"
    config = {
        "mode": "first-party",
        "input": {"source": str(folder)},
        "output": {"dir": str(out)},
        "ledger": {"identity": ["id"]},
    }
    xfilter.run(build_config(config))
    return out


def test_a_protected_account_is_removed(tmp_path: Path) -> None:
    out = _first_party(tmp_path)
    assert [r["author_ids"] for r in _index(out)] == [[AUTHOR_ID]]
    users = _results(tmp_path / "users.jsonl", {"id": AUTHOR_ID, "reason": "protected"})
    new = xfilter.refresh(out, output=tmp_path / "v2", deleted=[f"users:{users}"])
    (row,) = _ledger(new.path).values()
    assert (row["action"], row["reason"], row["id.id"]) == ("drop", "account_protected", "b")
    assert new.counts["train"]["kept"] == 2
    assert new.verify()


def test_scrub_geo_keeps_a_record_without_location(tmp_path: Path) -> None:
    out = _first_party(tmp_path)
    posts = _results(tmp_path / "posts.jsonl", {"id": POST_ID, "reason": "scrub_geo"})
    new = xfilter.refresh(out, output=tmp_path / "v2", deleted=[f"posts:{posts}"])
    assert new.counts["train"]["kept"] == 3
    assert new.manifest["changes"]["scrub_geo_kept"] == 1


def test_a_malformed_line_names_the_file_and_line(v1: Path, tmp_path: Path) -> None:
    bad = tmp_path / "posts.jsonl"
    bad.write_text('{"id":"20","action":"delete","reason":"deleted"}\nnot json\n')
    with pytest.raises(InputError, match=r"posts\.jsonl: line 2: not valid JSON"):
        xfilter.refresh(v1, output=tmp_path / "v2", deleted=[f"posts:{bad}"])
    assert not (tmp_path / "v2").exists()


def _tamper_clean(out: Path) -> None:
    shard = sorted((out / "clean" / "data").glob("*.parquet"))[0]
    table = pq.read_table(shard)
    pq.write_table(table.slice(1), shard)


def _tamper_ledger(out: Path) -> None:
    with (out / "ledger.parquet").open("ab") as handle:
        handle.write(b"\0")


@pytest.mark.parametrize("tamper", [_tamper_clean, _tamper_ledger])
def test_a_tampered_output_is_refused(
    v1: Path, tmp_path: Path, tamper: Callable[[Path], None]
) -> None:
    tamper(v1)
    with pytest.raises(
        VerifyError, match=rf"refusing to refresh {v1}: .*(modified|the manifest says)"
    ):
        xfilter.refresh(v1, output=tmp_path / "v2")
    assert not (tmp_path / "v2").exists()


def test_an_older_schema_is_refused(v1: Path, tmp_path: Path) -> None:
    manifest = json.loads((v1 / "manifest.json").read_text())
    manifest["schema"] = "xfilter.manifest/2"
    (v1 / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(VerifyError, match=r"refusing to refresh .*older xfilter"):
        xfilter.refresh(v1, output=tmp_path / "v2")


def test_a_chain_of_three_verifies_and_a_wrong_link_is_named(v1: Path, tmp_path: Path) -> None:
    handle, _ = _kept_handle(v1)
    v2 = xfilter.refresh(v1, output=tmp_path / "v2", opt_out=_opt_out_list(tmp_path, handle))
    index = _index(v2.path)
    post = next(p for r in index if r["clean_row"] is not None for p in r["post_ids"])
    results = _results(tmp_path / "posts.jsonl", {"id": post, "reason": "deleted"})
    v3 = xfilter.refresh(v2, output=tmp_path / "v3", deleted=[f"posts:{results}"])
    assert v3.manifest["previous"]["manifest_sha256"] == v2.manifest["manifest_sha256"]
    assert v3.manifest["changes"]["by_reason"].get("post_deleted", 0) >= 1
    checked = xfilter.verify(v3.path, chain=[v2.path, v1])
    assert sum(line.startswith("chain:") for line in checked) == 2
    with pytest.raises(VerifyError, match=rf"chain: {v1} is not the previous version of"):
        xfilter.verify(v3.path, chain=[v1])
    with pytest.raises(VerifyError, match=rf"chain: {v1} names no previous version"):
        xfilter.verify(v3.path, chain=[v2.path, v1, v1])


def test_the_card_and_croissant_link_the_previous_version(v1: Path, tmp_path: Path) -> None:
    handle, _ = _kept_handle(v1)
    new = xfilter.refresh(v1, output=tmp_path / "v2", opt_out=_opt_out_list(tmp_path, handle))
    previous = json.loads((v1 / "manifest.json").read_text())["manifest_sha256"]
    croissant = json.loads((new.path / "manifest.croissant.json").read_text())
    assert croissant["prov:wasRevisionOf"]["@id"].endswith(previous)
    assert {"@id": croissant["prov:wasRevisionOf"]["@id"]} in croissant["prov:wasDerivedFrom"]
    card = (new.path / "README.md").read_text()
    assert "## Changes since the previous version" in card and previous in card


def test_scrub_geo_removes_a_record_with_location(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    located = {"data": {**OWN_POST["data"], "geo": {"place_id": "01a9a39529b27f36"}}}
    pq.write_table(pa.table({"text": [json.dumps(located), "plain"]}), folder / "train.parquet")
    config = {
        "mode": "first-party",
        "input": {"source": str(folder)},
        "output": {"dir": str(tmp_path / "fp")},
    }
    xfilter.run(build_config(config))
    posts = _results(tmp_path / "posts.jsonl", {"id": POST_ID, "reason": "scrub_geo"})
    new = xfilter.refresh(tmp_path / "fp", output=tmp_path / "v2", deleted=[f"posts:{posts}"])
    assert new.counts["train"]["kept"] == 1
    assert new.manifest["changes"]["by_reason"] == {"scrub_geo": 1}
    assert new.verify()


@pytest.mark.usefixtures("no_network")
def test_publishing_a_refresh_is_one_commit_on_the_previous_push(
    v1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    from tests.output.test_publish import FakeHub
    from xfilter.output import publish as publishing

    handle, _ = _kept_handle(v1)
    v2 = xfilter.refresh(v1, output=tmp_path / "v2", opt_out=_opt_out_list(tmp_path, handle))
    hub = FakeHub(tmp_path / "downloads")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(publishing, "HfApi", lambda token=None: hub)
    publishing.publish(v1, "me/clean", token="hf_test")
    hub.files = [op.path_in_repo for op in hub.commits[0]["operations"]]
    hub.branches["main"] = "c1"  # the first push is the head now
    publishing.publish(v2.path, "me/clean", token="hf_test")
    second = hub.commits[1]
    assert second["parent_commit"] == "c1"
    previous = json.loads((v1 / "manifest.json").read_text())["manifest_sha256"]
    assert f"refresh of manifest_sha256: {previous}" in second["commit_description"]
    pushed = {op.path_in_repo for op in second["operations"]}
    assert "x_index.parquet" not in pushed and "manifest.json" in pushed


def test_a_data_file_rewritten_with_the_same_rows_is_refused(v1: Path, tmp_path: Path) -> None:
    """Its rows still count right, so only its hash (checked while the refresh works) can
    tell: nothing is committed before that check passes."""
    shard = sorted((v1 / "clean" / "data").glob("*.parquet"))[0]
    pq.write_table(pq.read_table(shard), shard, compression="snappy")
    with pytest.raises(VerifyError, match=rf"refusing to refresh {v1}: .*modified"):
        xfilter.refresh(v1, output=tmp_path / "v2")
    assert not (tmp_path / "v2").exists()


@pytest.mark.usefixtures("no_network")
def test_a_refresh_is_not_published_over_another_version(
    v1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """v3 refreshes v2, which was never pushed: on top of v1 it would hide a link."""
    from huggingface_hub import constants

    from tests.output.test_publish import FakeHub
    from xfilter.output import publish as publishing

    handle, _ = _kept_handle(v1)
    v2 = xfilter.refresh(v1, output=tmp_path / "v2", opt_out=_opt_out_list(tmp_path, handle))
    v3 = xfilter.refresh(v2.path, output=tmp_path / "v3")
    hub = FakeHub(tmp_path / "downloads")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(publishing, "HfApi", lambda token=None: hub)
    publishing.publish(v1, "me/clean", token="hf_test")
    hub.files = [op.path_in_repo for op in hub.commits[0]["operations"]]
    with pytest.raises(publishing.PublishError, match="publish the versions in order"):
        publishing.publish(v3.path, "me/clean", token="hf_test")
    assert len(hub.commits) == 1
    publishing.publish(v2.path, "me/clean", token="hf_test")
    hub.files = [op.path_in_repo for op in hub.commits[1]["operations"]]
    publishing.publish(v3.path, "me/clean", token="hf_test")
    assert len(hub.commits) == 3


def test_a_chain_link_names_clean_records_the_previous_version_did_not_hold(
    v1: Path, tmp_path: Path
) -> None:
    """The link check hashes only the clean files a refresh rewrote; a record slipped into one
    is found (against the file of the same name, then the whole previous set)."""
    from xfilter.output.verify import _check_link

    handle, _ = _kept_handle(v1)
    v2 = xfilter.refresh(v1, output=tmp_path / "v2", opt_out=_opt_out_list(tmp_path, handle))
    _check_link(v2.path, v1)  # as written: a subset
    before = {e["path"]: e["sha256"] for e in v1_files(v1)}
    rewritten = next(e for e in v1_files(v2.path) if before.get(e["path"]) != e["sha256"])
    shard = v2.path / rewritten["path"]
    table = pq.read_table(shard)
    extra = table.slice(0, 1).to_pylist()[0]
    extra["text"] = "A record no earlier version held."
    pq.write_table(pa.concat_tables([table, pa.Table.from_pylist([extra], table.schema)]), shard)
    with pytest.raises(VerifyError, match=r"1 clean record\(s\) are not clean records of"):
        _check_link(v2.path, v1)


def v1_files(out: Path) -> list[dict[str, Any]]:
    manifest = json.loads((out / "manifest.json").read_text())
    return [e for e in manifest["outputs"]["files"] if e["set"] == "clean"]


def test_a_refresh_reads_back_with_its_previous_version(v1: Path, tmp_path: Path) -> None:
    handle, _ = _kept_handle(v1)
    v2 = xfilter.refresh(v1, output=tmp_path / "v2", opt_out=_opt_out_list(tmp_path, handle))
    again = xfilter.Output(v2.path)
    assert again.manifest["previous"]["path"] == "v1"
    assert again.previous is not None and again.previous.path.resolve() == v1.resolve()
    assert [o.path.resolve() for o in again.chain] == [v1.resolve()]
