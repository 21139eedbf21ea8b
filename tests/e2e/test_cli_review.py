"""The reviewer's workflow from the command line: a run, an allowlist of false positives,
the run again and a refresh that keep them released, ``verify``; ``explain --from`` on stored
records; ``scan`` gating on what the policy does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.helpers import run_cli


def _config(tmp_path: Path, out: Path, allowlist: bool, mode: str = "strict") -> Path:
    path = tmp_path / f"{out.name}.yaml"
    text = f"mode: {mode}\ninput: {{source: demo}}\nledger: {{identity: [id]}}\n"
    text += f"output: {{dir: {out}}}\n"
    if allowlist:
        text += "allowlist: {path: reviewed.yaml}\n"
    path.write_text(text)
    return path


def _ledger(out: Path) -> list[dict[str, Any]]:
    return pq.read_table(out / "ledger.parquet").to_pylist()


def _clean_ids(out: Path) -> set[str]:
    ids: set[str] = set()
    for path in sorted((out / "clean" / "data").glob("*.parquet")):
        ids.update(pq.read_table(path, columns=["id"]).column("id").to_pylist())
    return ids


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A first run, and a run with an allowlist naming one quarantined record by hash, one by
    its ``id`` column, and one record that does not exist."""
    tmp = tmp_path_factory.mktemp("review")
    first = tmp / "first"
    run_cli("run", str(_config(tmp, first, allowlist=False)), check=True)
    quarantined = [r for r in _ledger(first) if r["action"] == "quarantine"]
    by_hash, by_id = quarantined[0], next(r for r in quarantined if r["row"] > 5)
    (tmp / "reviewed.yaml").write_text(
        "entries:\n"
        f"  - record_sha256: {by_hash['record_sha256']}\n"
        "    reason: false_positive\n    by: alice\n    date: 2026-05-01\n"
        f"  - id.id: {by_id['id.id']}\n    reason: false_positive\n    by: bob\n"
        "  - id.id: no-such-record\n    reason: false_positive\n    by: bob\n"
    )
    out = tmp / "released"
    done = run_cli("run", str(_config(tmp, out, allowlist=True)), check=True)
    return {"tmp": tmp, "first": first, "out": out, "run": done, "freed": [by_hash, by_id]}


def test_released_records_are_kept_counted_and_verified(reviewed: dict[str, Any]) -> None:
    out, freed = reviewed["out"], reviewed["freed"]
    assert "allowlist: 2 record(s) released (3 entries)" in reviewed["run"].stdout
    assert "1 allowlist entr(ies) named no record" in reviewed["run"].stderr
    assert {r["id.id"] for r in freed} <= _clean_ids(out)
    assert not {r["id.id"] for r in freed} & _clean_ids(reviewed["first"])
    ledger = {(r["split"], r["row"]): r for r in _ledger(out)}
    for record in freed:
        row = ledger[(record["split"], record["row"])]
        assert (row["action"], row["reason"]) == ("keep", "released")
        assert row["categories"] == record["categories"] and row["rules"] == record["rules"]
    manifest = json.loads((out / "manifest.json").read_text())
    section = manifest["allowlist"]
    assert section["entries"] == 3 and section["unmatched"] == 1
    assert section["by"] == ["alice", "bob"] and len(section["sha256"]) == 64
    assert sum(section["released"].values()) == 2 and section["against_terms"] == 0
    before = json.loads((reviewed["first"] / "manifest.json").read_text())["splits"]
    for name, split in manifest["splits"].items():
        assert split["kept"] == before[name]["kept"] + split["released"]
        assert split["input"] == split["kept"] + split["dropped"] + split["quarantined"]
    assert "## Released by review" in (out / "README.md").read_text()
    checked = run_cli("verify", str(out), check=True)
    assert "2 released record(s), each named by an entry" in checked.stdout
    assert "nothing rejected" in checked.stdout


def test_a_rerun_releases_them_again(reviewed: dict[str, Any]) -> None:
    out = reviewed["out"]
    config = _config(reviewed["tmp"], out, allowlist=True)
    before = _ledger(out)
    run_cli("run", str(config), "--overwrite", check=True)
    assert _ledger(out) == before
    run_cli("verify", str(out), "--quick", check=True)


def test_a_refresh_keeps_releases_until_x_deletes_the_post(reviewed: dict[str, Any]) -> None:
    tmp, out = reviewed["tmp"], reviewed["out"]
    carried = tmp / "carried"
    run_cli("refresh", str(out), "--output", str(carried), check=True)
    assert (
        sum(json.loads((carried / "manifest.json").read_text())["allowlist"]["released"].values())
        == 2
    )
    assert {r["id.id"] for r in reviewed["freed"]} <= _clean_ids(carried)
    run_cli("verify", str(carried), "--chain", str(out), check=True)
    # X says the post a released record carries is deleted: the release does not protect it.
    index = pq.read_table(out / "x_index.parquet").to_pylist()
    released = next(r for r in index if r["reason"] == "released" and r["post_ids"])
    deleted = tmp / "deleted.txt"
    deleted.write_text(released["post_ids"][0] + "\n")
    gone = tmp / "gone"
    done = run_cli("refresh", str(out), "--output", str(gone), "--deleted", f"posts:{deleted}")
    assert done.returncode == 0, done.stderr
    assert "had been released by the allowlist" in done.stdout
    manifest = json.loads((gone / "manifest.json").read_text())
    assert manifest["changes"]["released_removed"] == 1
    assert sum(manifest["allowlist"]["released"].values()) == 1
    assert manifest["allowlist"]["unmatched"] == 2
    row = next(
        r for r in _ledger(gone) if r["row"] == released["row"] and r["split"] == released["split"]
    )
    assert (row["action"], row["reason"]) == ("drop", "post_deleted")
    run_cli("verify", str(gone), "--chain", str(out), check=True)


def test_explain_from_agrees_with_the_ledger(reviewed: dict[str, Any]) -> None:
    out = reviewed["out"]
    ledger = _ledger(out)
    quarantined = [r for r in ledger if r["action"] == "quarantine"][:2]
    released = [r for r in ledger if r["reason"] == "released"][:1]
    for listed in [*quarantined, *released]:
        done = run_cli(
            "explain",
            "--from",
            str(out),
            "--split",
            listed["split"],
            "--row",
            str(listed["row"]),
            "--as-json",
            check=True,
        )
        report = json.loads(done.stdout)
        assert report["categories"] == listed["categories"]
        assert report["rules"] == listed["rules"]
        assert report["stored"]["recorded"]["action"] == listed["action"]
        assert report["stored"]["recorded"]["reason"] == listed["reason"]
        assert report["stored"]["hash_matches"] is True
        assert report["stored"]["set"] == ("clean" if listed["action"] == "keep" else "quarantine")
    by_id = run_cli(
        "explain",
        "--from",
        str(out),
        "--split",
        released[0]["split"],
        "--id",
        released[0]["id.id"],
        check=True,
    )
    assert f"row {released[0]['row']} in clean" in by_id.stdout
    assert "recorded:   keep (released)" in by_id.stdout
    missing = run_cli("explain", "--from", str(out), "--split", "train", "--id", "nope")
    assert missing.returncode == 2 and "no record has 'nope'" in missing.stderr


def test_a_dropped_record_shows_its_ledger_row_only(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    config = _config(tmp_path, gone, allowlist=False)
    config.write_text(config.read_text() + "action: drop\n")
    run_cli("run", str(config), check=True)
    dropped = next(r for r in _ledger(gone) if r["action"] == "drop")
    done = run_cli(
        "explain",
        "--from",
        str(gone),
        "--split",
        dropped["split"],
        "--row",
        str(dropped["row"]),
        "--as-json",
        check=True,
    )
    report = json.loads(done.stdout)
    assert report["stored"]["text_kept"] is False
    assert "text is not kept" in report["notes"][0]


def test_releasing_for_another_reason_is_said_to_break_the_terms(tmp_path: Path) -> None:
    first = tmp_path / "first"
    run_cli("run", str(_config(tmp_path, first, allowlist=False)), check=True)
    target = next(r for r in _ledger(first) if r["action"] == "quarantine")
    (tmp_path / "reviewed.yaml").write_text(
        f"- {{id.id: {target['id.id']}, reason: needed for the eval set, by: carol}}\n"
    )
    out = tmp_path / "out"
    done = run_cli("run", str(_config(tmp_path, out, allowlist=True)), check=True)
    assert "kept against the terms of the strict policy" in done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["allowlist"]["against_terms"] == 1
    assert "kept against the terms" in (out / "README.md").read_text()
    run_cli("verify", str(out), "--quick", check=True)
    spark = run_cli("run", str(_config(tmp_path, out, allowlist=True)), "--engine", "spark")
    assert spark.returncode != 0 and "does not apply an allowlist" in spark.stderr


def test_an_id_entry_needs_an_identity_column(tmp_path: Path) -> None:
    (tmp_path / "reviewed.yaml").write_text("- {id.url: x, reason: false_positive, by: a}\n")
    done = run_cli("run", str(_config(tmp_path, tmp_path / "out", allowlist=True)))
    assert done.returncode == 2
    assert "reviewed.yaml: entry 1: id.url: 'url' is not in ledger.identity" in done.stderr
    assert not (tmp_path / "out").exists()


def test_scan_gates_by_action_and_rate(reviewed: dict[str, Any]) -> None:
    raw = run_cli("scan", "demo", "--fail-on-action", "quarantine,drop")
    assert raw.returncode == 1
    assert "failing as asked by --fail-on-action" in raw.stderr
    clean = run_cli(
        "scan",
        str(reviewed["first"] / "clean"),
        "--fail-on-action",
        "quarantine",
        "--fail-on-action",
        "drop",
        "--max-rate",
        "0",
    )
    assert clean.returncode == 0, clean.stderr
    as_json = run_cli("scan", "demo", "--json", "--max-rate", "0.2", "--id-column", "id")
    assert as_json.returncode == 1
    summary = json.loads(as_json.stdout)
    assert summary["failed"] == {"categories": [], "actions": [], "max_rate": True}
    assert summary["records"] == sum(summary["actions"].values())
    example = summary["examples"]["x_post"][0]
    assert example["id"]["id"].startswith(("train-", "validation-"))
    assert summary["exit_code"] == 1
    wrong = run_cli("scan", "demo", "--fail-on-action", "delete")
    assert wrong.returncode == 2 and "'delete' is not one of" in wrong.stderr
