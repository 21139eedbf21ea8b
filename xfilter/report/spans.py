"""Where in a record the rules fired: detection run again on the few records the page shows.

An output keeps no spans (the ledger and the quarantine set hold categories, rules and
authors), so the report tags the sampled records again with the run's recorded config, as
``xfilter explain`` tags one record, and keeps the evidence. Spans do not depend on the
opt-out list, so a list that is no longer at hand (or whose key is not) is left out, and
the page says so.

A field's text becomes *pieces*: plain text, marked stretches (each with the strongest
category and the rules covering it; overlapping hits are cut at every boundary) and gaps
where a long text was shortened to the context around its marks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

import pyarrow as pa

from xfilter.config import Config
from xfilter.detect.evidence import Evidence
from xfilter.errors import XFilterError
from xfilter.tagging.tagger import Tags
from xfilter.transform import XFilter
from xfilter.vocab import CATEGORIES

SHOWN_CHARS = 1500  # a text longer than this is shown as the context around its marks
CONTEXT = 160  # characters shown on each side of a mark
MAX_CHARS = 4000  # characters of one field shown at most
_RANK = {c: i for i, c in enumerate(CATEGORIES)}


@dataclass(frozen=True)
class Piece:
    """A stretch of a field's text: plain (``rules`` empty), marked, or a gap (``gap``)."""

    text: str
    category: str | None = None
    rules: tuple[str, ...] = ()
    gap: bool = False


@dataclass
class FieldView:
    """One field of a record as the page shows it: its pieces, and the rules that fired on
    the field as a whole (a record's own URL, a post object, a source column)."""

    name: str
    pieces: list[Piece]
    whole: list[Evidence] = field(default_factory=list)
    structured: bool = False  # a struct or list value, shown as JSON


@dataclass
class Findings:
    """A record's fields with their marks, and the hits that name no field shown (the whole
    record, the input dataset)."""

    fields: list[FieldView]
    elsewhere: list[Evidence]


class SpanFinder:
    """The run's detection, rebuilt from its recorded config."""

    def __init__(self, config: Config) -> None:
        self.notes: list[str] = []
        attempts: list[tuple[Config, str]] = [(config, "")]
        if config.opt_out.path:
            attempts.append(
                (
                    config.with_overrides(
                        {"opt_out": {"path": None, "key_file": None, "key_env": None}}
                    ),
                    "the run's opt-out list could not be read here; spans were found without "
                    "it (they do not depend on it)",
                )
            )
        if config.known_datasets:
            attempts.append(
                (
                    config.with_overrides(
                        {
                            "opt_out": {"path": None, "key_file": None, "key_env": None},
                            "known_datasets": [],
                        }
                    ),
                    "the run's own registry files could not be read here; spans were found "
                    "with the built-in registry only",
                )
            )
        problem: XFilterError | None = None
        for attempt, note in attempts:
            try:
                self.xf = XFilter(config=attempt)
            except XFilterError as exc:
                problem = exc
                continue
            if note:
                self.notes.append(f"{note} ({problem})")
            return
        assert problem is not None
        raise problem

    def tag(self, table: pa.Table) -> Tags:
        """The decisions for ``table`` with each row's evidence kept."""
        return self.xf.tagger.tag(table, keep_evidence=True)


def as_table(records: Sequence[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """Records read back from a set, as one table of the set's columns for the tagger."""
    return pa.Table.from_pylist([dict(r) for r in records], schema=schema)


def findings(record: Mapping[str, Any], evidence: Sequence[Evidence]) -> Findings:
    """The fields of ``record`` with their evidence placed: spans in a string column or in a
    string reached through structs, whole-field hits on the field they name."""
    by_field: dict[str | None, list[Evidence]] = {}
    for hit in evidence:
        by_field.setdefault(hit.field, []).append(hit)
    placed: set[int] = set()
    views = []
    for name, value in record.items():
        own = by_field.get(name, [])
        nested = [
            (path, hits) for path, hits in by_field.items() if path and path.startswith(name + ".")
        ]
        if (value is None or value == "") and not own:
            continue
        if isinstance(value, str):
            views.append(_text_view(name, value, own))
            placed.update(id(h) for h in own)
        else:
            text = json.dumps(value, ensure_ascii=False, default=str)
            views.append(FieldView(name, _plain(text), list(own), structured=True))
            placed.update(id(h) for h in own)
        for path, hits in nested:
            inner = _at_path(value, path[len(name) + 1 :].split("."))
            if isinstance(inner, str):
                views.append(_text_view(path, inner, hits))
                placed.update(id(h) for h in hits)
    elsewhere = [h for h in evidence if id(h) not in placed]
    return Findings(views, elsewhere)


def _at_path(value: Any, parts: list[str]) -> Any:
    """The value at a dotted path through structs; None through a list (a path there names
    every element's value at once, and no one string)."""
    for part in parts:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _text_view(name: str, text: str, hits: Sequence[Evidence]) -> FieldView:
    """A string field; a hit on the field as a whole (its own URL, a source column, a post
    object written as JSON) marks all of it."""
    spans = [h for h in hits if h.span is not None and h.span[0] < h.span[1] <= len(text)]
    if text:
        spans += [replace(h, span=(0, len(text))) for h in hits if h.span is None]
    return FieldView(name, pieces(text, spans))


def _plain(text: str) -> list[Piece]:
    if len(text) <= SHOWN_CHARS:
        return [Piece(text)]
    return [Piece(text[:SHOWN_CHARS]), Piece(f"… {len(text) - SHOWN_CHARS:,} more", gap=True)]


def pieces(text: str, hits: Sequence[Evidence]) -> list[Piece]:
    """``text`` cut into plain and marked pieces; a long text keeps only the context around
    its marks (at most ``MAX_CHARS`` characters), with gaps saying what was left out."""
    if not hits:
        return _plain(text)
    windows = _windows(text, hits)
    out: list[Piece] = []
    position = 0
    for start, end in windows:
        if start > position:
            out.append(Piece(f"… {start - position:,} characters …", gap=True))
        out.extend(_marked(text, start, end, hits))
        position = end
    if position < len(text):
        out.append(Piece(f"… {len(text) - position:,} characters", gap=True))
    return out


def _windows(text: str, hits: Sequence[Evidence]) -> list[tuple[int, int]]:
    """The stretches of ``text`` to show: all of it when short, else each mark with its
    context, merged, a long mark cut, up to ``MAX_CHARS`` in all."""
    if len(text) <= SHOWN_CHARS:
        return [(0, len(text))]
    wanted = []
    for hit in sorted(hits, key=lambda h: h.span or (0, 0)):
        assert hit.span is not None
        start, end = hit.span
        wanted.append((max(0, start - CONTEXT), min(len(text), end + CONTEXT, start + SHOWN_CHARS)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(wanted):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    shown, total = [], 0
    for start, end in merged:
        if total >= MAX_CHARS:
            break
        end = min(end, start + MAX_CHARS - total)
        shown.append((start, end))
        total += end - start
    return shown


def _marked(text: str, start: int, end: int, hits: Sequence[Evidence]) -> list[Piece]:
    """``text[start:end]`` cut at every span boundary inside it; each stretch carries the
    hits that cover it."""
    cuts = {start, end}
    for hit in hits:
        assert hit.span is not None
        cuts.update(c for c in hit.span if start < c < end)
    bounds = sorted(cuts)
    out: list[Piece] = []
    for left, right in pairwise(bounds):
        covering = [h for h in hits if h.span and h.span[0] <= left and right <= h.span[1]]
        if not covering:
            out.append(Piece(text[left:right]))
            continue
        category = min((h.category for h in covering), key=lambda c: _RANK.get(c, 99))
        rules = tuple(sorted({h.rule for h in covering}))
        if out and out[-1].rules == rules and out[-1].category == category:
            out[-1] = Piece(out[-1].text + text[left:right], category, rules)
        else:
            out.append(Piece(text[left:right], category, rules))
    return out


__all__ = ["FieldView", "Findings", "Piece", "SpanFinder", "as_table", "findings", "pieces"]
