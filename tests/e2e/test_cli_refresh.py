"""``xfilter refresh`` and ``xfilter verify --chain`` as a user runs them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from tests.helpers import REPO, run_cli


def _config(tmp_path: Path, out: Path) -> Path:
    """The shipped collaborator config, with its opt-out list beside it, writing ``out``."""
    shutil.copy(REPO / "configs" / "opt-out.example.csv", tmp_path)
    text = (REPO / "configs" / "collaborator.yaml").read_text()
    path = tmp_path / "collaborator.yaml"
    path.write_text(re.sub(r"(?m)^  dir: .*$", f"  dir: {out}", text))
    return path


def test_refresh_verify_chain_from_the_command_line(tmp_path: Path) -> None:
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    run_cli("run", str(_config(tmp_path, v1)), check=True)
    index = pq.read_table(v1 / "x_index.parquet").to_pylist()
    post = next(p for r in index if r["clean_row"] is not None for p in r["post_ids"])
    results = tmp_path / "tweets_compliance_1.json"
    line = {"id": post, "action": "delete", "created_at": "2019-10-29T17:02:47.000Z"}
    results.write_text(json.dumps({**line, "reason": "deleted"}) + "\n")
    done = run_cli("refresh", str(v1), "--output", str(v2), "--deleted", str(results), check=True)
    assert "removed since" in done.stdout and "post_deleted=" in done.stdout
    checked = run_cli("verify", str(v2), "--chain", str(v1), check=True)
    assert f"chain: {v2} is a refresh of {v1}" in checked.stdout
    wrong = run_cli("verify", str(v1), "--chain", str(v2))
    assert wrong.returncode == 1
    assert (
        wrong.stderr.strip()
        == f"xfilter: error: chain: {v1} names no previous version, yet {v2} follows it"
    )
    again = run_cli("refresh", str(v1), "--output", str(v2), "--deleted", str(results))
    assert again.returncode == 2 and "--overwrite" in again.stderr


def test_a_malformed_compliance_line_is_one_error(tmp_path: Path) -> None:
    v1 = tmp_path / "v1"
    run_cli("run", str(_config(tmp_path, v1)), check=True)
    bad = tmp_path / "posts.jsonl"
    bad.write_text('{"id":"20","action":"delete","reason":"deleted"}\n{"id":"20"}\n')
    done = run_cli(
        "refresh", str(v1), "--output", str(tmp_path / "v2"), "--deleted", f"posts:{bad}"
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip() == f"xfilter: error: {bad}: line 2: 'action' must be 'delete', got None"
    )
    assert not (tmp_path / "v2").exists()


def test_a_tampered_output_is_refused(tmp_path: Path) -> None:
    v1 = tmp_path / "v1"
    run_cli("run", str(_config(tmp_path, v1)), check=True)
    (v1 / "README.md").write_text("edited\n")
    done = run_cli("refresh", str(v1), "--output", str(tmp_path / "v2"))
    assert done.returncode == 1
    assert done.stderr.startswith(f"xfilter: error: refusing to refresh {v1}: it does not verify")
    assert "README.md" in done.stderr and len(done.stderr.strip().splitlines()) == 1
