"""Real output directories for the report tests, written once per session: the three demo
outputs of ``configs/``, a redacting run with identity columns, a refresh of the
collaborator output, and a run on records written to attack the page."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

import xfilter
from tests.helpers import REPO
from xfilter.config import build_config

MODES = ("strict", "collaborator", "first-party")
# Text a hostile record carries: it must stay text on the page, run nothing, load nothing.
HOSTILE = (
    '<script>window.__pwned = 1</script><img src="https://evil.example/x.png" '
    'onerror="window.__pwned = 2"> see https://twitter.com/jack/status/20 </pre><b>bold</b>'
)


def demo_config(mode: str, out: Path) -> dict[str, Any]:
    """``configs/<mode>.yaml`` with its opt-out list named by an absolute path and ``out`` as
    its output directory."""
    config: dict[str, Any] = yaml.safe_load((REPO / "configs" / f"{mode}.yaml").read_text())
    listed = config.get("opt_out", {}).get("path")
    if listed:
        name = Path(listed).name
        config["opt_out"]["path"] = str(REPO / "configs" / name)
    config["output"]["dir"] = str(out)
    return config


def run(config: dict[str, Any]) -> Path:
    return Path(xfilter.run(build_config(config)))


@pytest.fixture(scope="session")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three demo outputs, by mode."""
    base = tmp_path_factory.mktemp("report-demo")
    return {mode: run(demo_config(mode, base / mode)) for mode in MODES}


@pytest.fixture(scope="session")
def redacted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A strict run that redacts embeds, with the ledger carrying ``id`` and ``url``."""
    base = tmp_path_factory.mktemp("report-redact")
    return run(
        {
            "mode": "strict",
            "action": "drop",
            "input": {"source": "demo"},
            "categories": {"x_embed": "redact"},
            "ledger": {"identity": ["id", "url"]},
            "output": {"dir": str(base / "redact")},
        }
    )


@pytest.fixture(scope="session")
def refreshed(outputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The collaborator output after X reported one kept post deleted."""
    base = tmp_path_factory.mktemp("report-refresh")
    v1 = outputs["collaborator"]
    index = pq.read_table(v1 / "x_index.parquet").to_pylist()
    post = next(p for r in index if r["clean_row"] is not None for p in r["post_ids"])
    results = base / "tweets_compliance_1.json"
    results.write_text(json.dumps({"id": post, "action": "delete", "reason": "deleted"}) + "\n")
    return Path(xfilter.refresh(v1, output=base / "v2", deleted=[str(results)]))


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A strict run over records whose text, identity value and column name attack HTML."""
    base = tmp_path_factory.mktemp("report-hostile")
    source = base / "input"
    source.mkdir()
    rows = [
        {"id": f'"><script>window.__pwned = 3</script>{i}', "text": HOSTILE, "a<b>": "x"}
        for i in range(3)
    ]
    rows.append({"id": "plain", "text": "nothing to see here", "a<b>": "y"})
    (source / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return run(
        {
            "mode": "strict",
            "action": "quarantine",
            "input": {"source": str(source)},
            "ledger": {"identity": ["id"]},
            "output": {"dir": str(base / "out")},
        }
    )


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``$XFILTER_TEST_ARTIFACTS/report`` or a session temp folder."""
    given = os.environ.get("XFILTER_TEST_ARTIFACTS")
    folder = Path(given) / "report" if given else tmp_path_factory.mktemp("report-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
