"""Detection quality on the labelled third-party corpus (skipped when it is absent)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.conftest import REPO
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
