"""``xf.keep`` decides exactly as the full tagging does.

``keep`` takes shortcuts the tagging cannot: it scans text for the strong prefilter alone when
the policy keeps mentions, and it stops reading a record at the first evidence that decides
it (``text.cheap_evidence``, ``urls.plain_links``). Whatever the shortcut, its answer must be
``action == "keep"`` of the full tagging, row for row: under every mode and some overrides, on
both scan engines, over the labelled records, the demo and generated web text.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pytest

import xfilter
from xfilter.tagging import prefilter as engines
from xfilter.vocab import ACTION

REPO = Path(__file__).resolve().parents[2]
LABELLED = REPO / "tests" / "data" / "labelled"
DEMO = Path(xfilter.__file__).parent / "data" / "demo"

_spec = importlib.util.spec_from_file_location("generate", REPO / "benchmarks" / "generate.py")
assert _spec is not None and _spec.loader is not None
generate = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("generate", generate)
_spec.loader.exec_module(generate)

POLICIES: dict[str, dict[str, Any]] = {
    "strict": {"mode": "strict"},
    "collaborator": {"mode": "collaborator"},
    "first-party": {"mode": "first-party"},
    # Overrides that move what keep may skip: redaction, kept links, removed mentions.
    "strict, x_embed redact": {"mode": "strict", "categories": {"x_embed": "redact"}},
    "strict, x_link keep": {"mode": "strict", "categories": {"x_link": "keep"}},
    "collaborator, x_mention quarantine": {
        "mode": "collaborator",
        "categories": {"x_mention": "quarantine"},
    },
    # Every other author of the labelled records opted out (opt_out.path is set below).
    "first-party, opt-outs": {"mode": "first-party"},
    "collaborator, opt-outs": {"mode": "collaborator"},
}
# Nothing removes a record under first-party unless its author opted out.
KEEPS_ALL = {"first-party"}
ENGINES = [
    "re2",
    pytest.param(
        "hyperscan",
        marks=pytest.mark.skipif(
            not engines.hyperscan_available(), reason="hyperscan is not installed"
        ),
    ),
]


def _labelled() -> Iterator[tuple[str, pa.Table]]:
    """Each labelled file without its label columns (``gold_*``): the records as they are."""
    for path in sorted(LABELLED.glob("*.jsonl")):
        table = datasets.load_dataset("json", data_files=str(path), split="train").data.table
        yield (
            path.name,
            table.drop_columns([c for c in table.column_names if c.startswith("gold_")]),
        )


def _demo() -> Iterator[tuple[str, pa.Table]]:
    for path in sorted(DEMO.glob("*.jsonl")):
        yield (
            path.name,
            datasets.load_dataset("json", data_files=str(path), split="train").data.table,
        )


def _web_text(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, pa.Table]]:
    """The benchmark's web text as generated, and again with far more X content and mentions
    (every form of it, in many more rows)."""
    yield "web text, seed 3", generate.generate_table(1_500_000, seed=3)
    monkeypatch.setattr(generate, "X_CONTENT_RATE", 0.3)
    monkeypatch.setattr(generate, "X_MENTION_RATE", 0.3)
    yield "web text, 30 % X content, seed 5", generate.generate_table(1_500_000, seed=5)


def _disagreements(xf: xfilter.XFilter, table: pa.Table) -> list[tuple[int, str, bool]]:
    """(row, the tagging's action, keep's answer) wherever they disagree, batch by batch."""
    out = []
    start = 0
    for batch in table.to_batches(max_chunksize=300):
        part = pa.Table.from_batches([batch])
        actions = xf.tag_table(part).column(ACTION).to_pylist()
        kept = xf.keep(part)
        assert isinstance(kept, list) and len(kept) == len(actions)
        out += [
            (start + i, action, answer)
            for i, (action, answer) in enumerate(zip(actions, kept, strict=True))
            if (action == "keep") != answer
        ]
        start += part.num_rows
    return out


@pytest.fixture(scope="module")
def opt_outs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every other author named in the labelled records, one handle a line."""
    handles = set()
    for path in sorted(LABELLED.glob("*.jsonl")):
        ds = datasets.load_dataset("json", data_files=str(path), split="train")
        if "gold_authors" in ds.column_names:
            handles.update(h for row in ds["gold_authors"] for h in row or [])
    path = tmp_path_factory.mktemp("opt-out") / "opted_out.txt"
    path.write_text("".join(f"{h}\n" for h in sorted(handles)[::2]))
    return path


def _filter(policy: str, opt_outs: Path) -> xfilter.XFilter:
    config = dict(POLICIES[policy])
    if "opt-outs" in policy:
        config["opt_out"] = {"path": str(opt_outs)}
    return xfilter.XFilter(**config)


def _check(tables: Iterator[tuple[str, pa.Table]], xf: xfilter.XFilter, policy: str) -> int:
    rejected = 0
    for name, table in tables:
        assert not _disagreements(xf, table), f"{name} under {policy}"
        rejected += table.num_rows - sum(xf.keep(table))  # type: ignore[arg-type]
    return rejected


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("policy", list(POLICIES))
def test_keep_agrees_on_the_labelled_records(
    engine: str, policy: str, opt_outs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(engines.ENV_VAR, engine)
    rejected = _check(_labelled(), _filter(policy, opt_outs), policy)
    # Something is rejected under the policies that can: the comparison decided real cases.
    assert (rejected > 0) == (policy not in KEEPS_ALL)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("policy", list(POLICIES))
def test_keep_agrees_on_generated_web_text(
    engine: str, policy: str, opt_outs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(engines.ENV_VAR, engine)
    rejected = _check(_web_text(monkeypatch), _filter(policy, opt_outs), policy)
    # Strict removes every form of X content generated here; the other modes keep posts whose
    # authors are known and did not opt out, as every generated post's are.
    assert (rejected > 0) == (policy.startswith("strict") or "x_mention" in policy)


@pytest.mark.parametrize("engine", ENGINES)
def test_keep_agrees_on_the_demo(
    engine: str, opt_outs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(engines.ENV_VAR, engine)
    for policy in POLICIES:
        _check(_demo(), _filter(policy, opt_outs), policy)


def test_ds_filter_keeps_what_ds_map_keeps() -> None:
    """Through ``datasets`` itself: ``ds.filter(xf.keep)`` keeps the rows ``ds.map(xf)`` tags
    ``keep``, in order."""
    xf = xfilter.XFilter(mode="strict")
    ds = datasets.Dataset(generate.generate_table(400_000, seed=11))
    tagged = ds.map(xf, batched=True, batch_size=97)
    expected = [i for i, a in enumerate(tagged[ACTION]) if a == "keep"]
    kept = ds.add_column("row", list(range(len(ds)))).filter(xf.keep, batched=True, batch_size=89)
    assert kept["row"] == expected
    assert len(expected) < len(ds)


def test_every_shortcut_of_keep_is_taken() -> None:
    """The web text's X forms are decided by the shortcuts (plain links, embed markup,
    publisher wrappers), so the comparisons above exercise them."""
    from xfilter.detect import text

    def strict_enough(evidence: list[Any]) -> bool:
        return any(e.category != "x_mention" for e in evidence)

    samples = {
        "link": "see https://twitter.com/jack/status/20 now",
        "embed": '<blockquote class="twitter-tweet"><p>hi</p></blockquote>',
        "wrapper": "Skip Twitter post by @jack\nhello\nEnd of Twitter post by @jack",
    }
    rules = {
        name: {e.rule for e in text.cheap_evidence(s, strict_enough)} for name, s in samples.items()
    }
    assert rules == {
        "link": {"link.status"},
        "embed": {"embed.blockquote"},
        "wrapper": {"text.publisher_wrapper"},
    }
