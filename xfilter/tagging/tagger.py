"""The batch function: an Arrow table in, the four decision columns out.

Pure and engine-agnostic: it opens no files and knows nothing of ``datasets`` or Ray, so the
``datasets`` transform, the streaming job and the Ray engine all call the same code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pyarrow as pa

from xfilter.detect.datasets import RULE_SOURCE_COLUMN, DatasetRegistry
from xfilter.detect.evidence import Evidence
from xfilter.policy import Decision, Policy
from xfilter.tagging.scan import Roles, analyze_string, scan_table
from xfilter.vocab import (
    ACTION,
    AUTHORS_COLUMN,
    CARRIED,
    CATEGORIES,
    CATEGORIES_COLUMN,
    LINKED_POST_IDS_COLUMN,
    POST_IDS_COLUMN,
    REASON_CATEGORY,
    REASON_COLUMN,
    REASON_KEPT,
    RECORD_COLUMNS,
    RECORD_SCHEMA,
    RULES_COLUMN,
    TAG_SCHEMA,
)

_RANK = {category: rank for rank, category in enumerate(CATEGORIES)}
# Rules under which a category does not always remove a record: "keep" never does, the others
# depend on its authors.
_NOT_ALWAYS_REMOVING = frozenset({"keep", "author-check", "opt-out"})
_BLANK_RUN = re.compile(r"\n{3,}")
_SOURCE_RULE = RULE_SOURCE_COLUMN.id


@dataclass
class Tags:
    """Decisions for one batch; ``redacted`` maps a column to its rewritten rows, each a
    Python value of the column's type (a string, or a whole rebuilt list or struct).

    Beside the four tag columns, each row's ``reason`` (why the policy chose its action, one of
    ``vocab.REASONS``) and the X post ids it carries (``post_ids``: in x_dataset, x_post and
    x_embed evidence) and links (``linked_post_ids``: in x_link evidence), for the ledger and
    the private X index; they are never added to a user's dataset (``record_table``).
    """

    action: list[str]
    categories: list[list[str]]
    rules: list[list[str]]
    authors: list[list[str]]
    redacted: dict[str, dict[int, Any]] = field(default_factory=dict)
    # The rule hits behind each non-empty row, kept only when asked (``explain``).
    evidence: dict[int, list[Evidence]] = field(default_factory=dict)
    reason: list[str] = field(default_factory=list)
    post_ids: list[list[str]] = field(default_factory=list)
    linked_post_ids: list[list[str]] = field(default_factory=list)

    @classmethod
    def keep_all(cls, num_rows: int) -> Tags:
        empty: list[str] = []
        return cls(
            ["keep"] * num_rows,
            [empty] * num_rows,
            [empty] * num_rows,
            [empty] * num_rows,
            reason=[REASON_KEPT] * num_rows,
            post_ids=[empty] * num_rows,
            linked_post_ids=[empty] * num_rows,
        )

    def columns(self) -> dict[str, list]:  # type: ignore[type-arg]
        return {
            ACTION: self.action,
            CATEGORIES_COLUMN: self.categories,
            RULES_COLUMN: self.rules,
            AUTHORS_COLUMN: self.authors,
        }

    def table(self) -> pa.Table:
        return pa.Table.from_pydict(self.columns(), schema=TAG_SCHEMA)

    def record_table(self) -> pa.Table:
        """The reason and post-id columns (``vocab.RECORD_COLUMNS``), for the output writer."""
        columns = {
            REASON_COLUMN: self.reason,
            POST_IDS_COLUMN: self.post_ids,
            LINKED_POST_IDS_COLUMN: self.linked_post_ids,
        }
        return pa.Table.from_pydict(columns, schema=RECORD_SCHEMA)


def with_record_columns(tagged: pa.Table, tags: Tags) -> pa.Table:
    """``tagged`` (a batch with its tag columns) with the record columns of ``tags`` appended,
    as the engines hand batches to the output writer."""
    tagged = tagged.drop_columns([c for c in RECORD_COLUMNS if c in tagged.column_names])
    records = tags.record_table()
    for name in RECORD_COLUMNS:
        tagged = tagged.append_column(records.schema.field(name), records.column(name))
    return tagged


def post_ids(evidence: Sequence[Evidence]) -> tuple[list[str], list[str]]:
    """The post ids a record's evidence carries (x_dataset, x_post, x_embed, and a status link
    inside an embedded post) and links (x_link), each sorted by number; an id carried is not
    listed again as linked."""
    embeds = [(e.field, e.span) for e in evidence if e.category == "x_embed" and e.span]
    carried = {
        p
        for e in evidence
        if e.category in CARRIED or _within(e, embeds)  # the status link of an embed
        for p in e.posts
    }
    linked = {p for e in evidence if e.category == "x_link" for p in e.posts} - carried
    return sorted(carried, key=_by_number), sorted(linked, key=_by_number)


def _within(hit: Evidence, embeds: list[tuple[str | None, tuple[int, int]]]) -> bool:
    """Whether ``hit`` lies inside one of the embedded posts' spans of its field."""
    span = hit.span
    return span is not None and any(
        field == hit.field and start <= span[0] and span[1] <= end for field, (start, end) in embeds
    )


def _by_number(post_id: str) -> tuple[int, str]:
    return len(post_id), post_id


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
        stops analysing a text at the first category the policy removes whoever the author,
        looking where that is cheapest first (plain X links, embed markup, wrappers)."""
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
            decision = self.policy.decide(categories, authors)
            if decision.action == "redact":
                decision = self._redact(table, row, evidence, named, tags)
            tags.action[row] = decision.action
            tags.reason[row] = decision.reason
            tags.categories[row] = categories
            tags.rules[row] = rules
            tags.authors[row] = authors
            tags.post_ids[row], tags.linked_post_ids[row] = post_ids(evidence)
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
    ) -> Decision:
        """Cut embedded posts out of the row's text, at any depth; reject if X content remains.

        A column holding a cut string gets its whole value rebuilt with the same type: a
        top-level string, or a struct or list (``messages[].content``) with every other field
        as it was. What remains is decided afresh: the cut posts' authors no longer count, only
        those of what is left and of the record's author column (``named``).
        """
        cut = Redaction(_cut_fields(table.schema, evidence))
        rewritten = {
            column: cut.rebuilt(table.column(column)[row].as_py(), column, table.schema)
            for column in cut.columns(table.schema)
        }
        # A cut field's text is analysed again as rewritten; only a source column's registry
        # match there is not the text's.
        remaining = [e for e in evidence if e.field not in cut.fields or e.rule == _SOURCE_RULE]
        remaining.extend(cut.remaining)
        categories, _, remaining_authors = summarize(remaining)
        after = self.policy.decide(categories, set(named) | set(remaining_authors), False)
        if after.action != "keep":
            return after
        for column, value in rewritten.items():
            tags.redacted.setdefault(column, {})[row] = value
        return Decision("redact", "x_embed", REASON_CATEGORY)


def _cut_fields(schema: pa.Schema, evidence: Sequence[Evidence]) -> frozenset[str]:
    """The fields whose embedded posts a redaction may cut: those of x_embed hits in strings
    it can rewrite. A hit without a span (in a JSON string's decoded text) is cut only if the
    string is JSON that can be written back; else the analysis after the cut finds it again."""
    return frozenset(
        e.field
        for e in evidence
        if e.category == "x_embed" and e.field and reaches_string(schema, e.field)
    )


class Redaction:
    """Cuts the embedded posts out of every string at ``fields`` (column paths as evidence
    names them) of one row, and collects the evidence of what is left (``remaining``).

    Each string is analysed again rather than cut by the spans of its evidence, because a
    path inside a list names every element's string at once. A string holding a JSON array or
    object is cut inside its decoded strings and encoded again as it was written; one whose
    encoding xfilter cannot reproduce byte for byte is left as it is (and so rejected).
    """

    def __init__(self, fields: frozenset[str]) -> None:
        self.fields = fields
        self.remaining: list[Evidence] = []

    def columns(self, schema: pa.Schema) -> list[str]:
        """The top-level columns that hold the fields, in schema order."""
        held = {column_of(schema, path) for path in self.fields}
        return [name for name in schema.names if name in held]

    def rebuilt(self, value: Any, column: str, schema: pa.Schema) -> Any:
        """``value`` of ``column`` with the posts cut out, as Python of the column's type."""
        return self._rebuilt(value, schema.field(column).type, column)

    def _rebuilt(self, value: Any, kind: pa.DataType, path: str) -> Any:
        if value is None:
            return None
        if _is_text(kind):
            return self._cut(value) if path in self.fields else value
        if pa.types.is_struct(kind):
            return {
                f.name: self._rebuilt(value.get(f.name), f.type, f"{path}.{f.name}") for f in kind
            }
        if _is_list(kind):
            return [self._rebuilt(item, kind.value_type, path) for item in value]
        if pa.types.is_map(kind):
            item = kind.item_type
            return [(k, self._rebuilt(v, item, self._map_path(path, k))) for k, v in value]
        return value

    def _map_path(self, path: str, key: Any) -> str:
        """A map's value is named by its key when the scan did so (few distinct keys)."""
        named = f"{path}.{key}"
        return named if any(f == named or f.startswith(named + ".") for f in self.fields) else path

    def _cut(self, text: str) -> str:
        encoded = json_container(text)
        if encoded is None:
            rewritten = cut_posts(text)
        else:
            decoded, style = encoded
            rewritten = json.dumps(_map_strings(decoded, cut_posts), **style)
        self.remaining.extend(analyze_string(rewritten))
        return rewritten


def cut_posts(text: str) -> str:
    """``text`` without the embedded posts its analysis finds spans for."""
    spans = [e.span for e in analyze_string(text) if e.category == "x_embed" and e.span]
    return cut_spans(text, spans) if spans else text


# The ways JSON text is commonly written: Python's default, compact, and indented by 2 or 4.
_JSON_STYLES: tuple[dict[str, Any], ...] = tuple(
    {"ensure_ascii": ascii_only, **layout}
    for ascii_only in (False, True)
    for layout in (
        {},
        {"separators": (",", ":")},
        {"indent": 2},
        {"indent": 4},
    )
)


def json_container(text: str) -> tuple[Any, dict[str, Any]] | None:
    """A JSON array or object and the ``json.dumps`` options that write it back exactly;
    ``None`` for any other text."""
    if text.lstrip()[:1] not in ("[", "{"):
        return None
    try:
        decoded = json.loads(text)
    except (ValueError, RecursionError):
        return None
    for style in _JSON_STYLES:
        if json.dumps(decoded, **style) == text:
            return decoded, style
    return None


def _map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """A decoded JSON value with ``change`` applied to every string that is not a key."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_map_strings(item, change) for item in value]
    if isinstance(value, dict):
        return {key: _map_strings(item, change) for key, item in value.items()}
    return value


def column_of(schema: pa.Schema, path: str) -> str | None:
    """The top-level column a field path starts in (the longest name that fits)."""
    fits = [name for name in schema.names if path == name or path.startswith(name + ".")]
    return max(fits, key=len) if fits else None


def reaches_string(schema: pa.Schema, path: str) -> bool:
    """Whether ``path`` names strings that a redaction can rewrite: through structs, lists and
    maps whose every member type it can rebuild from Python."""
    column = column_of(schema, path)
    if column is None:
        return False
    kind = schema.field(column).type
    rest = path[len(column) + 1 :].split(".") if path != column else []
    return _rebuildable(kind) and _names_text(kind, rest)


def _names_text(kind: pa.DataType, parts: list[str]) -> bool:
    if _is_list(kind):
        return _names_text(kind.value_type, parts)
    if pa.types.is_map(kind):  # a value is named by its key, or by the map's path alone
        return _names_text(kind.item_type, parts) or (
            bool(parts) and _names_text(kind.item_type, parts[1:])
        )
    if not parts:
        return _is_text(kind)
    if pa.types.is_struct(kind):
        index = kind.get_field_index(parts[0])
        return index >= 0 and _names_text(kind.field(index).type, parts[1:])
    return False


def _rebuildable(kind: pa.DataType) -> bool:
    """Types whose values go to Python and back unchanged; others make a row unredactable."""
    if pa.types.is_struct(kind):
        return all(_rebuildable(f.type) for f in kind)
    if _is_list(kind):
        return _rebuildable(kind.value_type)
    if pa.types.is_map(kind):
        return _rebuildable(kind.key_type) and _rebuildable(kind.item_type)
    return not (
        pa.types.is_nested(kind)
        or pa.types.is_dictionary(kind)
        or pa.types.is_run_end_encoded(kind)
        or pa.types.is_string_view(kind)
        or pa.types.is_binary_view(kind)
        or isinstance(kind, pa.BaseExtensionType)
    )


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _is_list(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind)
    )
