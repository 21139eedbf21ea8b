"""Detection quality on the labelled third-party corpus (skipped when it is absent)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

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
