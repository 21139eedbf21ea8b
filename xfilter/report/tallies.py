"""The report's numbers: counts per split from the manifest, and the ledger's rows counted by
category, rule and reason with pyarrow's group-by, so a ledger of millions of rows is counted
in Arrow, never row by row in Python, and only the counts reach the page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from xfilter.report.charts import Bar
from xfilter.vocab import ACTION_COUNTS, CATEGORIES, REASONS

# An action as the charts' series name it (the manifest's count names).
SERIES_OF = {"keep": "kept", **ACTION_COUNTS}
NONE = "(none)"


@dataclass
class Tallies:
    """Everything the charts draw, as bars ready for ``charts.bar_chart``."""

    by_split: list[Bar]
    rates: list[Bar]
    by_category: list[Bar]
    by_rule: list[Bar]
    by_reason: list[Bar]
    reasons: list[str]
    # The ledger's rows per reason and action, for the table beside the reason chart.
    reason_rows: dict[str, dict[str, int]] = field(default_factory=dict)


def tally(manifest: Mapping[str, Any], ledger: pa.Table) -> Tallies:
    """Counts from the manifest (per split, exact) and the ledger (per category, rule and
    reason of the records not kept)."""
    splits: Mapping[str, Mapping[str, Any]] = manifest["splits"]
    actions = ledger.column("action")
    by_category = _found_versus_removed(
        splits, "by_category", _exploded(ledger.column("categories"), actions)
    )
    by_rule = _found_versus_removed(splits, "by_rule", _exploded(ledger.column("rules"), actions))
    reason_rows = crosstab(ledger.column("reason"), actions)
    category_rank = {c: i for i, c in enumerate(CATEGORIES)}
    reason_rank = {r: i for i, r in enumerate(REASONS)}
    reasons = sorted(reason_rows, key=lambda r: (reason_rank.get(r, len(REASONS)), r))
    return Tallies(
        by_split=[_split_bar(name, counts) for name, counts in splits.items()],
        rates=[_rate_bar(name, counts) for name, counts in splits.items()],
        by_category=[
            Bar(c, by_category[c])
            for c in sorted(by_category, key=lambda c: (category_rank.get(c, 99), c))
        ],
        by_rule=[
            Bar(r, by_rule[r]) for r in sorted(by_rule, key=lambda r: (-_total(by_rule[r]), r))
        ],
        by_reason=[Bar(r, {SERIES_OF[a]: n for a, n in reason_rows[r].items()}) for r in reasons],
        reasons=reasons,
        reason_rows=reason_rows,
    )


def crosstab(
    keys: pa.Array | pa.ChunkedArray, actions: pa.Array | pa.ChunkedArray
) -> dict[str, dict[str, int]]:
    """How many rows have each (key, action); a null key counts as ``(none)``."""
    table = pa.table({"key": pc.fill_null(keys, NONE), "action": actions})
    counted = table.group_by(["key", "action"]).aggregate([("action", "count")])
    found: dict[str, dict[str, int]] = {}
    for key, action, count in zip(
        counted.column("key").to_pylist(),
        counted.column("action").to_pylist(),
        counted.column("action_count").to_pylist(),
        strict=True,
    ):
        found.setdefault(key, {})[action] = count
    return found


def _exploded(lists: pa.ChunkedArray, actions: pa.ChunkedArray) -> dict[str, dict[str, int]]:
    """Per list item (a category, a rule) and action: the ledger rows holding it."""
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    if len(lists) == 0:
        return {}
    items = pc.list_flatten(lists)
    owners = pc.list_parent_indices(lists)
    return crosstab(items, pc.take(actions, owners))


def _found_versus_removed(
    splits: Mapping[str, Mapping[str, Any]], key: str, removed: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, float]]:
    """Per category (or rule): the records found with it in every split (the manifest's
    ``by_category``/``by_rule``) cut into the ledger's actions and the rest, kept as they were."""
    found: dict[str, int] = {}
    for counts in splits.values():
        for name, n in counts.get(key, {}).items():
            found[name] = found.get(name, 0) + n
    out: dict[str, dict[str, float]] = {}
    for name in set(found) | set(removed):
        by_action: dict[str, float] = {SERIES_OF[a]: n for a, n in removed.get(name, {}).items()}
        # Redacted records are kept: the manifest counts them among the records found.
        # Released records (action keep in the ledger) are kept too.
        not_kept = sum(n for a, n in removed.get(name, {}).items() if a not in ("redact", "keep"))
        by_action["kept"] = max(0, found.get(name, 0) - not_kept - by_action.get("redacted", 0))
        out[name] = by_action
    return out


def _split_bar(name: str, counts: Mapping[str, Any]) -> Bar:
    return Bar(
        name,
        {
            "kept": counts["kept"] - counts["redacted"],
            "redacted": counts["redacted"],
            "quarantined": counts["quarantined"],
            "dropped": counts["dropped"],
        },
    )


def _rate_bar(name: str, counts: Mapping[str, Any]) -> Bar:
    """The share of a split's input each removing action took, in percent."""
    total = counts["input"] or 1
    return Bar(
        name,
        {key: 100.0 * counts[key] / total for key in ("redacted", "quarantined", "dropped")},
    )


def _total(values: Mapping[str, float]) -> float:
    return sum(values.values())


__all__ = ["SERIES_OF", "Tallies", "crosstab", "tally"]
