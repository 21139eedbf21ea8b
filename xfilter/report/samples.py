"""Which rejected records the report shows, and what an output still holds of each.

The ledger lists every record not kept; the page shows a few of them per category, rule and
action (``choose``), chosen evenly through the ledger so that a reviewer sees the whole run,
not only its first rows. What can be shown of a record depends on its action:

- **quarantined**: the record itself, from ``quarantine/`` (the set is in input order, so a
  record's place in it is its rank among the split's quarantined ledger rows);
- **redacted**: the record after the cut, from ``clean/`` (the X index gives its ``clean_row``);
  the text before the cut is not kept by an output (see ``read_input_rows``);
- **dropped**: nothing but its ledger row and X index row: a drop keeps no text.

Each record read back is hashed again and compared with the ledger's ``record_sha256``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from xfilter.output import formats
from xfilter.output.layout import CLEAN, QUARANTINE
from xfilter.output.verify import confined
from xfilter.output.writer import IDENTITY_PREFIX, record_sha256
from xfilter.vocab import AUTHORS_COLUMN, CATEGORIES, RECORD_COLUMNS, TAG_COLUMNS

NONE = "(none)"
_CATEGORY_RANK = {c: i for i, c in enumerate(CATEGORIES)}
_ACTION_RANK = {"quarantine": 0, "drop": 1, "redact": 2}


@dataclass(frozen=True)
class Limits:
    """How many rejected records the page shows: at most ``per_rule`` for each category, rule
    and action, and at most ``per_category`` for each category and action."""

    per_rule: int = 5
    per_category: int = 20


@dataclass
class Sample:
    """One ledger row chosen for the page, and what the output still holds of its record."""

    split: str
    row: int
    action: str
    reason: str
    categories: list[str]
    rules: list[str]
    record_sha256: str
    identity: dict[str, str | None]
    category: str  # the strongest category, the section the record is shown under
    rule: str  # the first rule of that category
    authors: list[str] = field(default_factory=list)
    # The stored record (quarantine), the record after its cut (redacted), or None (dropped),
    # as a one-row table of its set's columns (for the tagger) and as Python values.
    table: pa.Table | None = None
    record: dict[str, Any] | None = None
    # Whether ``record`` hashes to the ledger's ``record_sha256`` (None: nothing to hash).
    hash_matches: bool | None = None
    # A redacted record as the input held it, when the input was read again and its
    # redaction gives the stored record again.
    before: dict[str, Any] | None = None
    before_note: str = ""


def choose(ledger: pa.Table, limits: Limits) -> list[int]:
    """Ledger row numbers to show: spread evenly over each (category, rule, action) group,
    and, within a category and action, rule by rule in turn up to ``per_category``."""
    if ledger.num_rows == 0:
        return []
    keys = pa.table(
        {
            "category": first_items(ledger.column("categories")),
            "rule": first_items(ledger.column("rules")),
            "action": ledger.column("action"),
            "at": pa.array(np.arange(ledger.num_rows, dtype=np.int64)),
        }
    )
    grouped = keys.group_by(["category", "rule", "action"]).aggregate([("at", "list")])
    groups: dict[tuple[str, str], list[list[int]]] = {}
    for category, _rule, action, rows in sorted(
        zip(
            *(grouped.column(c).to_pylist() for c in ("category", "rule", "action")),
            grouped.column("at_list").to_pylist(),
            strict=True,
        ),
        key=lambda g: (g[0], g[2], g[1]),
    ):
        groups.setdefault((category, action), []).append(_spread(sorted(rows), limits.per_rule))
    chosen: list[int] = []
    for picks in groups.values():
        taken = 0
        for turn in range(limits.per_rule):
            for rule_picks in picks:
                if turn < len(rule_picks) and taken < limits.per_category:
                    chosen.append(rule_picks[turn])
                    taken += 1
    return sorted(chosen)


def _spread(rows: list[int], count: int) -> list[int]:
    """``count`` of ``rows`` evenly spaced from the first to the last (all when fewer)."""
    if len(rows) <= count:
        return rows
    positions = np.linspace(0, len(rows) - 1, count).round().astype(int)
    return [rows[i] for i in dict.fromkeys(positions.tolist())]


def first_items(lists: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Each list's first item, ``(none)`` for an empty or null list."""
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    heads = pc.list_slice(lists, 0, 1)
    values = np.full(len(lists), NONE, dtype=object)
    values[pc.list_parent_indices(heads).to_numpy()] = pc.list_flatten(heads).to_numpy(
        zero_copy_only=False
    )
    return pa.array(values, pa.string())


def samples_of(ledger: pa.Table, rows: Sequence[int]) -> list[Sample]:
    """The chosen ledger rows as ``Sample``s, strongest category first."""
    picked = ledger.take(pa.array(rows, pa.int64())).to_pylist()
    found = []
    for entry in picked:
        categories = list(entry["categories"] or [])
        rules = list(entry["rules"] or [])
        found.append(
            Sample(
                split=entry["split"],
                row=entry["row"],
                action=entry["action"],
                reason=entry["reason"],
                categories=categories,
                rules=rules,
                record_sha256=entry["record_sha256"],
                identity={
                    k.removeprefix(IDENTITY_PREFIX): v
                    for k, v in entry.items()
                    if k.startswith(IDENTITY_PREFIX)
                },
                category=categories[0] if categories else NONE,
                rule=rules[0] if rules else NONE,
            )
        )
    found.sort(
        key=lambda s: (
            _CATEGORY_RANK.get(s.category, len(CATEGORIES)),
            s.category,
            s.rule,
            _ACTION_RANK.get(s.action, 9),
            s.split,
            s.row,
        )
    )
    return found


def attach_records(
    root: Path, manifest: Mapping[str, Any], ledger: pa.Table, index: pa.Table, chosen: list[Sample]
) -> None:
    """Fill each sample's authors (from the X index) and the record the output holds: the
    quarantined record, or a redacted record after its cut."""
    by_key = _index_rows(index, chosen)
    quarantine, clean = SetReader(root, manifest, QUARANTINE), SetReader(root, manifest, CLEAN)
    positions = _quarantine_positions(ledger, chosen)
    wanted_q: dict[str, list[int]] = {}
    wanted_c: dict[str, list[int]] = {}
    for sample in chosen:
        listed = by_key.get((sample.split, sample.row), {})
        sample.authors = [*(listed.get("author_ids") or []), *(listed.get("handles") or [])]
        if sample.action == "quarantine":
            wanted_q.setdefault(sample.split, []).append(positions[(sample.split, sample.row)])
        elif sample.action in ("redact", "keep") and listed.get("clean_row") is not None:
            wanted_c.setdefault(sample.split, []).append(listed["clean_row"])
    stored_q = {s: quarantine.rows(s, p) for s, p in wanted_q.items()}
    stored_c = {s: clean.rows(s, p) for s, p in wanted_c.items()}
    for sample in chosen:
        listed = by_key.get((sample.split, sample.row), {})
        if sample.action == "quarantine":
            stored = stored_q[sample.split].get(positions[(sample.split, sample.row)])
        elif sample.action in ("redact", "keep") and listed.get("clean_row") is not None:
            stored = stored_c[sample.split].get(listed["clean_row"])
        else:
            continue
        if stored is None:
            continue
        row = stored.to_pylist()[0]
        if not sample.authors and row.get(AUTHORS_COLUMN):
            sample.authors = list(row[AUTHORS_COLUMN])
        sample.table = stored.drop_columns([c for c in TAG_COLUMNS if c in stored.column_names])
        record = sample.table.to_pylist()[0]
        sample.record = record
        sample.hash_matches = record_sha256(record) == sample.record_sha256


def _index_rows(index: pa.Table, chosen: Sequence[Sample]) -> dict[tuple[str, int], dict[str, Any]]:
    """The X index rows of the chosen records, found with Arrow filters, not a Python scan."""
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for split in sorted({s.split for s in chosen}):
        rows = pa.array(sorted({s.row for s in chosen if s.split == split}), pa.int64())
        mask = pc.and_(pc.equal(index.column("split"), split), pc.is_in(index.column("row"), rows))
        picked = index.filter(mask).select(["split", "row", "clean_row", "author_ids", "handles"])
        for entry in picked.to_pylist():
            found[(entry["split"], entry["row"])] = entry
    return found


def _quarantine_positions(ledger: pa.Table, chosen: Sequence[Sample]) -> dict[tuple[str, int], int]:
    """Each chosen quarantined record's place in its split's quarantine set: its rank among
    the split's quarantined ledger rows, in input order."""
    out: dict[tuple[str, int], int] = {}
    wanted = [s for s in chosen if s.action == "quarantine"]
    for split in sorted({s.split for s in wanted}):
        mask = pc.and_(
            pc.equal(ledger.column("split"), split), pc.equal(ledger.column("action"), "quarantine")
        )
        rows = np.sort(ledger.filter(mask).column("row").to_numpy())
        for sample in wanted:
            if sample.split == split:
                out[(split, sample.row)] = int(np.searchsorted(rows, sample.row))
    return out


class SetReader:
    """Reads chosen rows of one set (clean or quarantine) of an output: it finds each row's
    shard from the manifest's row counts and, in parquet, reads only the row groups that hold
    the rows, so a report of a large output reads a few megabytes, not the set."""

    def __init__(self, root: Path, manifest: Mapping[str, Any], name: str) -> None:
        self.root = root
        self.format = formats.get(manifest["outputs"]["format"])
        self.shards: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for entry in manifest["outputs"]["files"]:
            if entry["set"] == name:
                self.shards.setdefault(entry["split"], []).append((0, entry))
        for split, entries in self.shards.items():
            entries.sort(key=lambda e: e[1]["path"])  # shard names number them in order
            start, placed = 0, []
            for _, entry in entries:
                placed.append((start, entry))
                start += int(entry["rows"])
            self.shards[split] = placed

    def rows(self, split: str, positions: Sequence[int]) -> dict[int, pa.Table]:
        """The records at ``positions`` of the split's set, a one-row table each."""
        found: dict[int, pa.Table] = {}
        shards = self.shards.get(split, [])
        starts = [start for start, _ in shards]
        by_shard: dict[int, list[int]] = {}
        for position in sorted(set(positions)):
            at = int(np.searchsorted(starts, position, side="right")) - 1
            if at >= 0 and position - shards[at][0] < int(shards[at][1]["rows"]):
                by_shard.setdefault(at, []).append(position)
        for at, wanted in by_shard.items():
            start, entry = shards[at]
            table = self._read(confined(self.root, entry["path"]), [p - start for p in wanted])
            table = table.drop_columns([c for c in RECORD_COLUMNS if c in table.column_names])
            for i, position in enumerate(wanted):
                found[position] = table.slice(i, 1)
        return found

    def _read(self, path: Path, local: list[int]) -> pa.Table:
        if self.format.name != "parquet":
            return self.format.read_table(path).take(pa.array(local, pa.int64()))
        parquet = pq.ParquetFile(path)
        sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)]
        bounds = np.cumsum([0, *sizes])
        groups = sorted({int(np.searchsorted(bounds, p, side="right")) - 1 for p in local})
        table = parquet.read_row_groups(groups)
        offsets = {g: int(sum(sizes[i] for i in groups if i < g)) for g in groups}
        take = []
        for p in local:
            group = int(np.searchsorted(bounds, p, side="right")) - 1
            take.append(offsets[group] + p - int(bounds[group]))
        return table.take(pa.array(take, pa.int64()))


def read_input_rows(
    source: str, wanted: Mapping[str, Sequence[int]]
) -> dict[tuple[str, int], pa.Table]:
    """The input's records at ``wanted`` rows of each split, one one-row table each, read
    again from ``source`` (as ``xfilter run --input`` names it). An output never keeps a
    redacted record's text before its cut; the input does, if it is still there."""
    from xfilter.engines.inputs import load_source

    found: dict[tuple[str, int], pa.Table] = {}
    for split, rows in wanted.items():
        data, _ = load_source(source, split)
        ds = data[split]
        present = sorted(r for r in set(rows) if 0 <= r < ds.num_rows)
        if not present:
            continue
        table = ds.select(present).with_format("arrow")[:]
        for i, row in enumerate(present):
            found[(split, row)] = table.slice(i, 1)
    return found


__all__ = [
    "Limits",
    "Sample",
    "SetReader",
    "attach_records",
    "choose",
    "first_items",
    "read_input_rows",
    "samples_of",
]
