"""The audit-grade ledger: a reason per row, ``by_reason`` counts that verify checks, and the
configured identity columns of the input."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import xfilter
from xfilter.config import Config, build_config
from xfilter.errors import ConfigError, VerifyError
from xfilter.output.verify import _check_ledger, verify
from xfilter.policy import Decision, Policy
from xfilter.policy.optout import OptOutList
from xfilter.vocab import REASONS, REFRESH_REASONS


def _run(tmp_path: Path, name: str, **config: Any) -> Path:
    out = tmp_path / name
    xfilter.run(build_config({"output": {"dir": str(out)}, **config}))
    return out


def _ledger(out: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(out / "ledger.parquet").to_pylist()
    return rows


def _manifest(out: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text())
    return manifest


def test_the_reason_vocabulary_holds_the_policy_and_refresh_reasons() -> None:
    assert {"category", "opted_out", "unknown_author", "kept"} <= set(REASONS)
    assert set(REFRESH_REASONS) <= set(REASONS)
    assert set(REFRESH_REASONS) == {
        "post_deleted",
        "account_deleted",
        "account_protected",
        "account_suspended",
        "account_deactivated",
        "scrub_geo",
    }


def test_the_policy_says_why_it_decides(tmp_path: Path) -> None:
    strict = Policy.from_config(Config(mode="strict"))
    assert strict.decide(["x_post", "x_link"], ["jack"]) == Decision(
        "quarantine", "x_post", "category"
    )
    assert strict.decide(["x_mention"], []) == Decision("keep", None, "kept")
    listed = tmp_path / "optout.txt"
    listed.write_text("optedout\n")
    collab_config = build_config({"mode": "collaborator", "opt_out": {"path": str(listed)}})
    collab = Policy.from_config(collab_config, OptOutList.from_config(collab_config.opt_out))
    assert collab.decide(["x_post"], ["jack"]) == Decision("keep", None, "kept")
    assert collab.decide(["x_post"], ["jack", "optedout"]) == Decision(
        "quarantine", "x_post", "opted_out"
    )
    assert collab.decide(["x_embed"], []) == Decision("quarantine", "x_embed", "unknown_author")


def test_a_strict_run_gives_every_ledger_row_a_reason_and_counts_them(tmp_path: Path) -> None:
    out = _run(tmp_path, "strict")
    ledger, manifest = _ledger(out), _manifest(out)
    assert manifest["schema"] == "xfilter.manifest/3"
    assert ledger and all(r["reason"] == "category" for r in ledger)
    for split, counts in manifest["splits"].items():
        reasons = Counter(r["reason"] for r in ledger if r["split"] == split)
        assert counts["by_reason"] == dict(reasons)
    assert verify(out, quick=True)


def test_collaborator_mode_names_opted_out_and_unknown_authors(tmp_path: Path) -> None:
    first = _run(tmp_path, "first", mode="collaborator")
    kept = [
        r for r in pq.read_table(first / "x_index.parquet").to_pylist() if r["action"] == "keep"
    ]
    author = next(r["handles"][0] for r in kept if r["handles"])
    listed = tmp_path / "optout.txt"
    listed.write_text(f"{author}\n")
    out = _run(tmp_path, "opted", mode="collaborator", opt_out={"path": str(listed)})
    reasons = Counter(r["reason"] for r in _ledger(out))
    assert reasons["opted_out"] >= 1
    assert reasons["unknown_author"] >= 1
    opted = [
        r for r in pq.read_table(out / "x_index.parquet").to_pylist() if author in r["handles"]
    ]
    assert opted and all(r["reason"] == "opted_out" and r["clean_row"] is None for r in opted)
    assert verify(out, quick=True)


def _parquet_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "input"
    folder.mkdir()
    table = pa.table(
        {
            "id": [101, 102, 103, 104],
            "meta": [{"url": f"https://example.com/{i}"} for i in range(4)],
            "text": [
                "plain text about gardening",
                "see https://x.com/jack/status/20 for the first post",
                "another plain record",
                '<blockquote class="twitter-tweet"><p>just setting up my twttr</p>&mdash; '
                'jack (@jack) <a href="https://twitter.com/jack/status/20">March 21, 2006</a>'
                "</blockquote>",
            ],
        }
    )
    pq.write_table(table, folder / "train.parquet")
    return folder


def test_identity_columns_are_carried_into_the_ledger_as_strings(tmp_path: Path) -> None:
    folder = _parquet_folder(tmp_path)
    out = tmp_path / "out"
    config = build_config(
        {
            "input": {"source": str(folder)},
            "output": {"dir": str(out)},
            "ledger": {"identity": ["id", "meta.url"]},
        }
    )
    xfilter.run(config)
    ledger = _ledger(out)
    assert [(r["row"], r["id.id"], r["id.meta.url"]) for r in ledger] == [
        (1, "102", "https://example.com/1"),
        (3, "104", "https://example.com/3"),
    ]
    index = pq.read_table(out / "x_index.parquet").to_pylist()
    assert [r["id.id"] for r in index] == ["102", "104"]
    assert verify(out)


def test_a_missing_identity_column_is_a_config_error_naming_it(tmp_path: Path) -> None:
    folder = _parquet_folder(tmp_path)
    config = build_config(
        {
            "input": {"source": str(folder)},
            "output": {"dir": str(tmp_path / "out")},
            "ledger": {"identity": ["id", "source_url"]},
        }
    )
    with pytest.raises(ConfigError, match=r"ledger\.identity: 'source_url'"):
        xfilter.run(config)
    assert not (tmp_path / "out").exists()


def test_identity_names_are_validated() -> None:
    with pytest.raises(ConfigError, match="named twice"):
        build_config({"ledger": {"identity": ["id", "id"]}})
    assert build_config({"ledger": {"identity": "id"}}).ledger.identity == ["id"]
    assert Config().ledger.identity == []


def test_verify_checks_the_ledger_reasons_against_by_reason(tmp_path: Path) -> None:
    out = _run(tmp_path, "strict")
    manifest = _manifest(out)
    _check_ledger(out, manifest, [])
    split = next(s for s in manifest["splits"].values() if s["by_reason"])
    split["by_reason"] = {"opted_out": sum(split["by_reason"].values())}
    with pytest.raises(VerifyError, match="by_reason"):
        _check_ledger(out, manifest, [])
