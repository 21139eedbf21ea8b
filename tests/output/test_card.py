"""The dataset card of a real output: Hub YAML that round-trips, counts equal to the manifest,
the clean splits load from it, and an input's own card is merged in."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import DatasetCard, DatasetCardData

import xfilter
from tests.helpers import REPO
from xfilter.output.card import build_card

ACTIONS = ("input", "kept", "dropped", "quarantined", "redacted")
INPUT_CARD = """---
license: mit
language:
- en
task_categories:
- text-classification
pretty_name: Harbour news
tags:
- news
source_datasets:
- original
size_categories:
- 1M<n<10M
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*.parquet
dataset_info:
  features:
  - name: text
    dtype: string
  - name: url
    dtype: string
  splits:
  - name: train
    num_examples: 4
---
# Harbour news

Articles from the Port Calder harbour desk.

## Collection

```
# not a heading: a comment in a code block
```
"""
HARBOUR_ROWS = {
    "text": [
        "The harbour reopened on Monday after the storm.",
        "Ferry timetables change from June.",
        "Just setting up my account",
        "Tides and weather for the week ahead.",
    ],
    "url": [
        "https://news.example.com/harbour-reopens",
        "https://news.example.com/ferries",
        "https://x.com/jack/status/20",
        "https://news.example.com/tides",
    ],
}


def _manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("card") / "strict"
    xfilter.run(str(REPO / "configs/strict.yaml"), output=out)
    return out


@pytest.fixture(scope="module")
def local_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local parquet folder with its own card, filtered by the real job."""
    root = tmp_path_factory.mktemp("harbour")
    source = root / "harbour"
    (source / "data").mkdir(parents=True)
    pq.write_table(pa.table(HARBOUR_ROWS), source / "data/train-00000-of-00001.parquet")
    (source / "README.md").write_text(INPUT_CARD, encoding="utf-8")
    out = root / "out"
    xfilter.run(str(REPO / "configs/strict.yaml"), input=str(source), output=out)
    return out


def test_card_yaml_round_trips_with_the_manifest_counts(demo_out: Path) -> None:
    manifest = _manifest(demo_out)
    card = DatasetCard.load(demo_out / "README.md")
    data = card.data.to_dict()
    assert DatasetCardData(**data).to_dict() == data
    summary = data["xfilter"]
    assert summary["manifest_sha256"] == manifest["manifest_sha256"]
    assert summary["tool"] == manifest["tool"]
    assert (summary["mode"], summary["action"]) == (manifest["mode"], manifest["action"])
    assert summary["terms"] == manifest["terms"]
    assert summary["policy"] == manifest["policy"]
    for name, split in manifest["splits"].items():
        for key in (*ACTIONS, "by_category"):
            assert summary["splits"][name][key] == split[key], (name, key)
    for key in ACTIONS:
        assert summary["counts"][key] == sum(s[key] for s in manifest["splits"].values())
    assert "x-content-filtered" in data["tags"]
    assert data["configs"] == [
        {
            "config_name": "default",
            "data_files": [
                {"split": "train", "path": "clean/data/train-*.parquet"},
                {"split": "validation", "path": "clean/data/validation-*.parquet"},
            ],
        }
    ]
    assert "source_datasets" not in data  # the demo is not a Hub dataset


def test_card_says_what_was_removed_and_how_to_verify(demo_out: Path) -> None:
    manifest = _manifest(demo_out)
    card = DatasetCard(build_card(manifest, demo_out))
    removed = card.data.to_dict()["xfilter"]["removed_by_category"]
    for action in ("dropped", "quarantined", "redacted"):
        expected = sum(s[action] for s in manifest["splits"].values())
        assert sum(c.get(action, 0) for c in removed.values()) == expected
    body = card.text
    assert body.startswith("# demo (X content filtered, strict)")
    assert "## What was removed and why" in body
    assert "| `x_post` | is X content itself" in body
    assert "| `x_link` | points at specific X posts" in body
    assert "| quarantine |" in body
    assert "x-developer-agreement-2025-06-04" in body
    assert "xfilter verify <directory>" in body
    assert manifest["manifest_sha256"] in body


def test_clean_splits_load_from_the_card(demo_out: Path, tmp_path: Path) -> None:
    manifest = _manifest(demo_out)
    loaded = datasets.load_dataset(str(demo_out), cache_dir=str(tmp_path))
    assert {name: ds.num_rows for name, ds in loaded.items()} == {
        name: split["kept"] for name, split in manifest["splits"].items()
    }
    assert not any(c.startswith("xfilter_") for c in loaded["train"].column_names)


def test_input_card_is_merged(local_out: Path) -> None:
    manifest = _manifest(local_out)
    assert manifest["splits"]["train"]["quarantined"] == 1  # the x.com status URL
    card = DatasetCard.load(local_out / "README.md")
    data = card.data.to_dict()
    assert data["license"] == "mit"
    assert data["language"] == ["en"]
    assert data["task_categories"] == ["text-classification"]
    assert data["tags"] == ["news", "x-content-filtered", "xfilter"]
    assert data["pretty_name"] == "Harbour news (X content filtered, strict)"
    assert data["size_categories"] == ["n<1K"]
    # What described the input's files would be false here, and "original" no longer holds.
    assert "dataset_info" not in data
    assert "source_datasets" not in data
    assert data["configs"][0]["data_files"] == [
        {"split": "train", "path": "clean/data/train-*.parquet"}
    ]
    assert data["xfilter"]["counts"]["kept"] == 3
    body = card.text
    ours, _, theirs = body.partition("## Original dataset card")
    assert ours.startswith("# Harbour news (X content filtered, strict)")
    assert "the local dataset `harbour`" in ours
    assert "## Harbour news" in theirs and "### Collection" in theirs
    assert "\n# not a heading: a comment in a code block\n" in theirs


def _with_input(manifest: dict[str, Any], **source: Any) -> dict[str, Any]:
    changed = copy.deepcopy(manifest)
    changed["input"].update(source)
    return changed


@pytest.mark.parametrize(
    ("verified", "phrase"),
    [(True, "checked against the Hub at run time"), (False, "unverified")],
)
def test_hub_input_names_its_revision(demo_out: Path, verified: bool, phrase: str) -> None:
    manifest = _with_input(
        _manifest(demo_out),
        source="cardiffnlp/tweet_eval",
        kind="hub",
        path=None,
        revision="b3a375baf0f409c77e6bc7aa35102b7b3534f8be",
        revision_verified=verified,
    )
    card = DatasetCard(build_card(manifest))
    data = card.data.to_dict()
    assert data["source_datasets"] == ["cardiffnlp/tweet_eval"]
    assert data["xfilter"]["input"] == {
        "source": "cardiffnlp/tweet_eval",
        "kind": "hub",
        "revision": "b3a375baf0f409c77e6bc7aa35102b7b3534f8be",
        "revision_verified": verified,
    }
    assert "revision `b3a375baf0f409c77e6bc7aa35102b7b3534f8be`" in card.text
    assert phrase in card.text


@pytest.mark.parametrize(
    "readme", [None, "---\nlicense: [mit\n---\nA header that is not YAML.\n", "No header.\n"]
)
def test_local_input_without_a_usable_card(
    demo_out: Path, tmp_path: Path, readme: str | None
) -> None:
    if readme is not None:
        (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    manifest = _with_input(
        _manifest(demo_out), source=str(tmp_path), kind="local", path=str(tmp_path)
    )
    card = DatasetCard(build_card(manifest))
    assert "license" not in card.data.to_dict()
    if readme is None:
        assert "## Original dataset card" not in card.text
    else:
        assert card.text.rstrip().endswith(readme.rstrip().splitlines()[-1])
