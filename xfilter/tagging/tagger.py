"""The batch function: an Arrow table in, the four decision columns out.

Pure and engine-agnostic: it opens no files and knows nothing of ``datasets`` or Ray, so the
``datasets`` transform, the streaming job and the Ray engine all call the same code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pyarrow as pa

from xfilter.detect.datasets import DatasetRegistry
from xfilter.detect.evidence import Evidence
from xfilter.policy import Policy
from xfilter.tagging.scan import Roles, analyze_string, scan_table
from xfilter.vocab import (
    ACTION,
    AUTHORS_COLUMN,
    CARRIED,
    CATEGORIES,
    CATEGORIES_COLUMN,
    RULES_COLUMN,
    TAG_SCHEMA,
)

_RANK = {category: rank for rank, category in enumerate(CATEGORIES)}
# Rules under which a category does not always remove a record: "keep" never does, the others
# depend on its authors.
_NOT_ALWAYS_REMOVING = frozenset({"keep", "author-check", "opt-out"})
_BLANK_RUN = re.compile(r"\n{3,}")


@dataclass
class Tags:
    """Decisions for one batch; ``redacted`` maps a column to its rewritten rows."""

    action: list[str]
    categories: list[list[str]]
    rules: list[list[str]]
    authors: list[list[str]]
    redacted: dict[str, dict[int, str]] = field(default_factory=dict)
    # The rule hits behind each non-empty row, kept only when asked (``explain``).
    evidence: dict[int, list[Evidence]] = field(default_factory=dict)

    @classmethod
    def keep_all(cls, num_rows: int) -> Tags:
        empty: list[str] = []
        return cls(["keep"] * num_rows, [empty] * num_rows, [empty] * num_rows, [empty] * num_rows)

    def columns(self) -> dict[str, list]:  # type: ignore[type-arg]
        return {
            ACTION: self.action,
            CATEGORIES_COLUMN: self.categories,
            RULES_COLUMN: self.rules,
            AUTHORS_COLUMN: self.authors,
        }

    def table(self) -> pa.Table:
        return pa.Table.from_pydict(self.columns(), schema=TAG_SCHEMA)


def summarize(evidence: Sequence[Evidence]) -> tuple[list[str], list[str], list[str]]:
    """Categories (strongest first), rule ids and authors of a record's evidence."""
    categories = sorted({e.category for e in evidence}, key=_RANK.__getitem__)
    rules = sorted({e.rule for e in evidence}, key=lambda r: (_rule_rank(evidence, r), r))
    # Authors are those whose posts the record carries; a link or a profile mention names
    # someone without carrying their post.
    authors = sorted({a for e in evidence if e.category in CARRIED for a in e.authors})
    return categories, rules, authors


def _rule_rank(evidence: Sequence[Evidence], rule: str) -> int:
    return min(_RANK[e.category] for e in evidence if e.rule == rule)


def cut_spans(value: str, spans: Sequence[tuple[int, int]]) -> str:
    """``value`` without the given character ranges (overlaps merged)."""
    pieces, position = [], 0
    for start, end in sorted(spans):
        if end <= position:
            continue
        pieces.append(value[position : max(start, position)])
        position = end
    pieces.append(value[position:])
    return _BLANK_RUN.sub("\n\n", "".join(pieces))


@dataclass(frozen=True)
class Tagger:
    """Everything the batch function needs, resolved once per process."""

    policy: Policy
    registry: DatasetRegistry
    roles: Roles = field(default_factory=Roles)
    dataset_evidence: tuple[Evidence, ...] = ()

    def tag(self, table: pa.Table, actions_only: bool = False, keep_evidence: bool = False) -> Tags:
        """Decisions for ``table``; with ``actions_only`` only whether ``action`` is "keep"
        is exact (a filter needs no more). That skips mention analysis where the policy keeps
        mentions (a kept category never changes an action: the most removing one wins), and
        stops analysing a text at the first category the policy removes whoever the author."""
        mentions = not actions_only or self.policy.rules["x_mention"] != "keep"
        enough = self._decided if actions_only and self._removing else None
        found = scan_table(
            table, self.registry, self.roles, self.dataset_evidence, mentions, enough
        )
        tags = Tags.keep_all(table.num_rows)
        for row, evidence in found.rows():
            categories, rules, authors = summarize(evidence)
            named = found.column_authors.get(row, [])
            authors = sorted(set(authors) | set(named))
            action = self.policy.decide(categories, authors).action
            if action == "redact":
                action = self._redact(table, row, evidence, named, tags)
            tags.action[row] = action
            tags.categories[row] = categories
            tags.rules[row] = rules
            tags.authors[row] = authors
            if keep_evidence:
                tags.evidence[row] = evidence
        return tags

    @cached_property
    def _removing(self) -> frozenset[str]:
        """The categories whose rule removes a record whoever its authors."""
        rules = self.policy.rules
        return frozenset(c for c, r in rules.items() if r not in _NOT_ALWAYS_REMOVING)

    def _decided(self, evidence: list[Evidence]) -> bool:
        return any(e.category in self._removing for e in evidence)

    def _redact(
        self, table: pa.Table, row: int, evidence: list[Evidence], named: list[str], tags: Tags
    ) -> str:
        """Cut embedded posts out of top-level text columns; reject if X content remains.

        What remains is decided afresh: the cut posts' authors no longer count, only those of
        what is left and of the record's author column (``named``).
        """
        spans: dict[str, list[tuple[int, int]]] = {}
        for e in evidence:
            column = e.field
            if e.category != "x_embed" or not e.span or column not in table.column_names:
                continue
            if column is not None and pa.types.is_string(table.schema.field(column).type):
                spans.setdefault(column, []).append(e.span)
        remaining = [e for e in evidence if e.field not in spans]
        rewritten: dict[str, str] = {}
        for column, column_spans in spans.items():
            rewritten[column] = cut_spans(table.column(column)[row].as_py(), column_spans)
            remaining.extend(analyze_string(rewritten[column]))
        categories, _, remaining_authors = summarize(remaining)
        after = self.policy.decide(categories, set(named) | set(remaining_authors), False)
        if after.action != "keep":
            return after.action
        for column, value in rewritten.items():
            tags.redacted.setdefault(column, {})[row] = value
        return "redact"
