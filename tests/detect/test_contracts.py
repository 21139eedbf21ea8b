"""The contract every detector in DETECTORS keeps, checked for all of them alike: its rules are
its own and described, it fires nothing it did not declare, its prefilters compile in RE2 and
match every string it fires on, and its code is in the rule set hash.

Samples: the demo set, the fixtures of the detector tests, and the third-party corpus (its first
records per file) when present.
"""

from __future__ import annotations

import gzip
import importlib
import json
import pkgutil
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import tests.detect.post_fixtures as posts_fixtures
import tests.detect.test_text as text_fixtures
import tests.detect.test_urls as urls_fixtures
import xfilter
import xfilter.detect
from tests.helpers import CORPUS, prefilter_matches
from xfilter.detect import datasets, ids, mentions, posts, ruleset, text, urls
from xfilter.detect.datasets import DatasetRegistry
from xfilter.detect.evidence import CATEGORIES, Detector, Evidence, Rule
from xfilter.detect.ruleset import ALL_RULES, DETECTORS, ruleset_files

PACKAGE = Path(xfilter.__file__).parent
CORPUS_RECORDS = 150  # per corpus file: enough shapes, little time


# --------------------------------------------------------------------------- samples


def _walk(value: Any) -> Iterator[Any]:
    """``value`` and everything nested in it, without recursion."""
    stack = [value]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)


def _demo_records() -> list[dict[str, Any]]:
    records = []
    for path in sorted((PACKAGE / "data" / "demo").glob("*.jsonl")):
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return records


def _corpus_records() -> list[Any]:
    records: list[Any] = []
    for path in sorted(CORPUS.glob("*.jsonl.gz")) if CORPUS.is_dir() else ():
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                if number == CORPUS_RECORDS:
                    break
                records.append(json.loads(line))
    return records


@cache
def samples() -> tuple[Any, ...]:
    fixtures = [
        text_fixtures.OEMBED,
        text_fixtures.ATTRIBUTIONS,
        text_fixtures.MENTIONS,
        text_fixtures.NOT_X,
        urls_fixtures.STATUS_URLS,
        urls_fixtures.OTHER_LINKS,
        urls_fixtures.LOOKALIKES,
        urls_fixtures.OWN_URLS,
        posts_fixtures.POSITIVES,
        posts_fixtures.NEGATIVES,
    ]
    return (*_demo_records(), *_corpus_records(), *fixtures)


@cache
def sample_strings() -> tuple[str, ...]:
    found = {v for s in samples() for v in _walk(s) if isinstance(v, str)}
    found |= {k for s in samples() for v in _walk(s) if isinstance(v, dict) for k in v}
    found |= {json.dumps(s) for s in samples() if isinstance(s, (dict, list))}
    return tuple(sorted(found))


@cache
def sample_objects() -> tuple[Any, ...]:
    return tuple(v for s in samples() for v in _walk(s) if isinstance(v, (dict, list)))


@cache
def registry() -> DatasetRegistry:
    return DatasetRegistry.load()


# --------------------------------------------------------------------------- how each reads

# Each detector's analysis of one string, one parsed object or one input dataset. A detector
# added to DETECTORS must be added here too (test_every_detector_is_exercised).
StringAnalysis = Callable[[str], list[Evidence]]
ObjectAnalysis = Callable[[Any], list[Evidence]]

STRING_ANALYSIS: dict[str, StringAnalysis] = {
    "urls": urls.analyze_url,
    "text": lambda s: text.analyze_text(s) + text.analyze_mentions(s),
    "posts": lambda s: posts.analyze_json_text(s) or [],
}
OBJECT_ANALYSIS: dict[str, ObjectAnalysis] = {"posts": posts.analyze_object}


def _id_column_evidence() -> list[Evidence]:
    """What the batch scan finds in every post-id-named column of the samples, alone."""
    from xfilter.tagging.scan import scan_table

    columns: dict[str, list[Any]] = {}
    for record in samples():
        if isinstance(record, dict):
            for name, value in record.items():
                if ids.is_post_id_column(name) and isinstance(value, (int, str)):
                    columns.setdefault(name, []).append(value)
    found: list[Evidence] = []
    for name, values in columns.items():
        kind = pa.int64() if all(isinstance(v, int) for v in values) else pa.string()
        table = pa.table({name: pa.array([v if kind == pa.int64() else str(v) for v in values])})
        found += [e for _, row in scan_table(table, registry()).rows() for e in row]
    return found


def _dataset_evidence(tmp: Path) -> list[Evidence]:
    """Dataset-level evidence for every registry id, every sample source value and a local
    copy whose card names X."""
    card_dir = tmp / "local_copy"
    card_dir.mkdir()
    (card_dir / "README.md").write_text("---\ntags:\n- twitter\n---\n# A copy\n", encoding="utf-8")
    sources = [entry.id for entry in registry().entries] + [str(card_dir)]
    sources += [
        r["source"] for r in samples() if isinstance(r, dict) and isinstance(r.get("source"), str)
    ]
    return [e for s in sources for e in datasets.dataset_level_evidence(s, registry())]


@cache
def flagged_strings(name: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each sample string on which detector ``name`` fires, with the rule ids it fires."""
    analyse = STRING_ANALYSIS[name]
    found = ((s, frozenset(e.rule for e in analyse(s))) for s in sample_strings())
    return tuple((s, fired) for s, fired in found if fired)


def _fired(detector: Detector, tmp: Path) -> set[str]:
    found: list[Evidence] = []
    fired: set[str] = set()
    if detector.name in STRING_ANALYSIS:
        fired.update(*(rules for _, rules in flagged_strings(detector.name)))
    if detector.name in OBJECT_ANALYSIS:
        found += [e for o in sample_objects() for e in OBJECT_ANALYSIS[detector.name](o)]
    if "id" in detector.reads:
        found += _id_column_evidence()
    if "dataset" in detector.reads:
        found += _dataset_evidence(tmp)
    return fired | {e.rule for e in found}


# --------------------------------------------------------------------------- the rules


def _rules_defined_in_detect() -> dict[str, Rule]:
    """Every Rule object any module under xfilter.detect holds at module level."""
    found: dict[str, Rule] = {}
    prefix = xfilter.detect.__name__ + "."
    for info in pkgutil.walk_packages(xfilter.detect.__path__, prefix):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, Rule):
                found[value.id] = value
            elif isinstance(value, tuple) and value and all(isinstance(r, Rule) for r in value):
                found.update((r.id, r) for r in value)
    return found


def test_every_rule_in_the_detectors_is_declared_by_exactly_one_detector() -> None:
    declared = [rule.id for d in DETECTORS for rule in d.rules]
    assert len(declared) == len(set(declared)) == len(ALL_RULES)
    assert set(_rules_defined_in_detect()) == set(ALL_RULES)


def test_each_detector_module_is_listed_once() -> None:
    names = [d.name for d in DETECTORS]
    assert len(names) == len(set(names))
    assert set(names) == {"urls", "text", "posts", "ids", "datasets"}


def test_a_rule_id_declared_twice_is_an_error() -> None:
    twice = Detector("twice", (ids.POST_ID_COLUMN,), reads=("id",))
    with pytest.raises(ValueError, match=r"'id\.post_column' is declared by detector 'ids'"):
        ruleset.rules_by_id((*DETECTORS, twice))


def test_a_detector_must_read_known_roles_and_declare_rules() -> None:
    with pytest.raises(ValueError, match="unknown column roles"):
        Detector("odd", (ids.POST_ID_COLUMN,), reads=("pixels",))
    with pytest.raises(ValueError, match="no rules"):
        Detector("empty", (), reads=("text",))


@pytest.mark.parametrize("detector", DETECTORS, ids=lambda d: d.name)
def test_every_rule_has_a_description_and_a_known_category(detector: Detector) -> None:
    for rule in detector.rules:
        assert rule.description.strip(), rule.id
        assert rule.category in CATEGORIES, rule.id


def test_every_detector_is_exercised() -> None:
    for detector in DETECTORS:
        by_kind = (
            detector.name in STRING_ANALYSIS,
            detector.name in OBJECT_ANALYSIS,
            "id" in detector.reads,
            "dataset" in detector.reads,
        )
        assert any(by_kind), detector.name
    assert set(STRING_ANALYSIS) | set(OBJECT_ANALYSIS) <= {d.name for d in DETECTORS}


@pytest.mark.parametrize("detector", DETECTORS, ids=lambda d: d.name)
def test_a_detector_fires_only_rules_it_declares(detector: Detector, tmp_path: Path) -> None:
    fired = _fired(detector, tmp_path)
    assert fired, f"{detector.name}: the samples exercise nothing"
    assert fired <= {rule.id for rule in detector.rules}


def test_the_batch_scan_fires_only_declared_rules() -> None:
    from xfilter.tagging.scan import scan_table

    table = pa.Table.from_pylist(_demo_records())
    found = scan_table(table, registry())
    fired = {e.rule for _, row in found.rows() for e in row}
    assert fired and fired <= set(ALL_RULES)


# --------------------------------------------------------------------------- prefilters


def _prefilters() -> list[tuple[str, str]]:
    named = [(f"{d.name}.prefilter", d.prefilter) for d in DETECTORS if d.prefilter]
    named += [(f"{d.name}.strong", d.strong_prefilter) for d in DETECTORS if d.strong_prefilter]
    named += [("text_prefilter()", ruleset.text_prefilter())]
    named += [("strong_text_prefilter()", ruleset.strong_text_prefilter())]
    return [(name, pattern) for name, pattern in named if pattern is not None]


@pytest.mark.parametrize(("name", "pattern"), _prefilters(), ids=[n for n, _ in _prefilters()])
def test_every_prefilter_compiles_in_re2(name: str, pattern: str) -> None:
    texts = pa.array(["https://twitter.com/jack/status/20", "nothing here"])
    matched = pc.match_substring_regex(texts, pattern, ignore_case=True).to_pylist()
    assert matched[1] is False, name


@pytest.mark.parametrize(
    "detector", [d for d in DETECTORS if d.name in STRING_ANALYSIS], ids=lambda d: d.name
)
def test_a_prefilter_matches_every_string_its_detector_fires_on(detector: Detector) -> None:
    """The scan analyses only what the prefilter matches: a miss would keep X content."""
    assert detector.prefilter is not None
    flagged = [s for s, _ in flagged_strings(detector.name)]
    assert flagged
    matched = prefilter_matches(flagged, detector.prefilter)
    assert all(matched), [s[:80] for s, m in zip(flagged, matched, strict=True) if not m]


# Rules a string can fire without the strong prefilter: the scan still runs these on every
# candidate the weak prefilter matches (analyze_mentions).
MENTION_ONLY = {rule.id for rule in vars(mentions).values() if isinstance(rule, Rule)}


@pytest.mark.parametrize(
    "detector", [d for d in DETECTORS if d.strong_prefilter], ids=lambda d: d.name
)
def test_a_strong_prefilter_matches_every_string_with_more_than_mentions(
    detector: Detector,
) -> None:
    assert detector.strong_prefilter is not None
    strong = [s for s, rules in flagged_strings(detector.name) if rules - MENTION_ONLY]
    assert strong
    matched = prefilter_matches(strong, detector.strong_prefilter)
    assert all(matched), [s[:80] for s, m in zip(strong, matched, strict=True) if not m]


def test_the_text_prefilter_also_matches_every_url_the_url_detector_flags() -> None:
    """URL columns go through the one text prefilter pass."""
    flagged = [s for s, _ in flagged_strings("urls")]
    assert flagged
    assert all(prefilter_matches(flagged, ruleset.text_prefilter()))


def test_the_composed_prefilters_are_the_ones_the_batch_scan_uses() -> None:
    from xfilter.tagging import scan

    assert ruleset.text_prefilter() == f"(?:{text.PREFILTER})|(?:{posts.PREFILTER})"
    assert ruleset.strong_text_prefilter() == (f"(?:{text.STRONG_PREFILTER})|(?:{posts.PREFILTER})")
    assert ruleset.text_prefilter() == scan.TEXT_PREFILTER
    assert ruleset.strong_text_prefilter() == scan.STRONG_TEXT_PREFILTER


# --------------------------------------------------------------------------- the hash


def test_every_detection_module_is_in_the_rule_set_hash() -> None:
    modules = {p.relative_to(PACKAGE).as_posix() for p in (PACKAGE / "detect").rglob("*.py")}
    assert "detect/ruleset.py" in modules
    assert modules <= set(ruleset_files())


def test_in_field_keeps_every_other_attribute() -> None:
    from dataclasses import fields, replace

    from xfilter.detect.evidence import Evidence

    full = Evidence("r", "x_link", (1, 5), ("a", "b"), "old", "detail", ("12",))
    assert full.in_field("text") == replace(full, field="text")
    # A new attribute must be carried over by in_field too: this list is in_field's.
    assert [f.name for f in fields(Evidence)] == [
        "rule", "category", "span", "authors", "field", "detail", "posts"
    ]  # fmt: skip
