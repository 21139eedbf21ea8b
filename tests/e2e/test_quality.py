"""Detection quality on the labelled data in the repository and on the labelled third-party
corpus (the corpus tests skip when it is absent)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO
from xfilter import XFilter

_spec = importlib.util.spec_from_file_location("quality", REPO / "benchmarks" / "quality.py")
assert _spec and _spec.loader
quality = importlib.util.module_from_spec(_spec)
sys.modules["quality"] = quality  # dataclasses look their module up while it executes
_spec.loader.exec_module(quality)


def test_strict_mode_on_the_corpus(corpus: Path) -> None:
    xf = XFilter(mode="strict")
    total = quality.Score()
    scores = {}
    for path in sorted(corpus.glob("*.jsonl.gz")):
        scores[path.name] = quality.score_file(path, xf)
        total.add(scores[path.name])
    assert total.found / total.positives >= 0.99, total.misses[:10]
    assert total.false_rejects / total.negatives <= 0.005, total.misses[:10]
    cases = scores["url_cases.jsonl.gz"]
    assert cases.category_right == cases.rows  # every twitter-text URL case
    for name in ("web_html.jsonl.gz", "web_text.jsonl.gz", "activity_streams.jsonl.gz"):
        score = scores[name]
        assert score.authors_right / score.with_authors >= 0.95, name
    assert total.derivable_right / total.derivable >= 0.95, total.misses[:10]
    # Every author the record itself names is found, so an opt-out of any of them applies.
    assert total.derivable_covered / total.derivable >= 0.99, total.misses[:10]


def test_derivable_counts_only_places_that_name_an_author() -> None:
    post = {
        "id_str": "1390749691902636039",
        "text": "RT @carried: see #topic and @mentioned https://t.co/x",
        "entities": {
            "urls": [
                {"expanded_url": "https://www.sitename.com.ar/page", "title": "Site (@card)"},
                {"expanded_url": "https://twitter.com/linked/status/1390736698649231364"},
                {"expanded_url": "https://twitter.com/owner/status/1390749691902636039/photo/1"},
            ]
        },
    }
    row = {"raw": quality.json.dumps(post)}
    assert quality._derivable(row, ["carried", "owner"], "")  # RT prefix, the post's own link
    for handle in ("topic", "mentioned", "sitename", "card", "linked"):
        assert not quality._derivable(row, [handle], ""), handle
    assert not quality._derivable(row, ["owner"], "author taken from the enclosing user object")


LABELLED = REPO / "tests" / "data" / "labelled"


def test_labelled_files_load_and_carry_gold_labels() -> None:
    files = quality.labelled_files(LABELLED)
    assert {"chat_sft.jsonl", "forum_items.jsonl", "renditions.jsonl", "captions.jsonl"} <= {
        p.name for p in files
    }
    for path in files:
        ds = quality.datasets.load_dataset("json", data_files=str(path), split="train")
        labels = quality.label_columns(path, ds.column_names)
        assert {"gold_id", "gold_category", "gold_authors", "gold_source"} <= labels, path.name
        assert all(c.startswith("gold_") for c in labels), path.name  # record columns stay
        assert len(set(ds["gold_id"])) == ds.num_rows, path.name
        assert set(ds["gold_category"]) <= set(quality.CATEGORY_ORDER), path.name


def test_score_counts_each_gold_category(tmp_path: Path) -> None:
    rows = [
        {"text": "nothing here", "gold_id": "a", "gold_category": "none", "gold_authors": []},
        {
            "text": '<blockquote class="twitter-tweet"><p>hi</p>&mdash; Jack (@jack) '
            '<a href="https://twitter.com/jack/status/20">March 21, 2006</a></blockquote>',
            "gold_id": "b",
            "gold_category": "x_embed",
            "gold_authors": ["jack"],
        },
    ]
    path = tmp_path / "mini.jsonl"
    path.write_text("\n".join(quality.json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    score = quality.score_file(path, XFilter(mode="strict"))
    assert score.by_category == {"none": [1, 0], "x_embed": [1, 1]}
    assert score.rejected_share("x_embed") == 1.0
    assert score.rejected_share("x_post") is None
    assert (score.with_authors, score.authors_right) == (1, 1)


def test_benchmark_runs_without_the_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert quality.main(["--corpus", str(tmp_path / "absent"), "--misses", "0"]) == 0
    out = capsys.readouterr().out
    for name in ("chat_sft.jsonl", "forum_items.jsonl", "renditions.jsonl", "captions.jsonl"):
        assert name in out
    assert "authors    right" in out


def test_strict_mode_on_the_in_repo_labelled_data() -> None:
    total = quality.Score()
    for path in quality.labelled_files(LABELLED):
        total.add(quality.score_file(path, XFilter(mode="strict")))
    for category in ("x_dataset", "x_post", "x_embed"):
        share = total.rejected_share(category)
        assert share is not None and share >= 0.99, (category, total.misses[:10])
    for category in ("none", "x_mention"):
        share = total.rejected_share(category)
        assert share is None or share <= 0.005, (category, total.misses[:10])
    assert total.authors_right / total.with_authors >= 0.95, total.misses[:10]
