"""``FilterResult``: the clean set, the quarantine set and the manifest of one filtering, in
memory; ``save`` writes it and returns the :class:`~xfilter.output.reader.Output` directory."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa

from xfilter.errors import XFilterError
from xfilter.output.manifest import InputInfo, build_manifest, now
from xfilter.output.reader import Output
from xfilter.output.write import SplitStream, write_output
from xfilter.output.writer import SplitCounts, check_identity
from xfilter.tagging.tagger import Tags, with_record_columns
from xfilter.transform import XFilter
from xfilter.vocab import (
    ACTION,
    AUTHORS_COLUMN,
    CATEGORIES_COLUMN,
    REASON_CATEGORY,
    REASON_COLUMN,
    REASON_KEPT,
    RECORD_COLUMNS,
    TAG_COLUMNS,
    TAG_SCHEMA,
)

BATCH_ROWS = 10_000


def _arrow_batches(dataset: Any) -> Iterator[pa.Table]:
    yield from dataset.with_format("arrow").iter(batch_size=BATCH_ROWS)


class FilterResult:
    """What ``xf.split(tagged)`` returns: ``.clean``, ``.quarantine``, ``.manifest``, ``.save``."""

    def __init__(
        self,
        xf: XFilter,
        tagged: Any,
        single: bool,
        source: InputInfo,
        engine: Mapping[str, Any] | None = None,
    ) -> None:
        self.xfilter = xf
        self.tagged = tagged
        self._single = single
        self.source = source
        self.engine = dict(engine or {"name": "local", "streaming": False})
        self.started = now()
        self.saved: Output | None = None

    @classmethod
    def from_tagged(cls, xf: XFilter, tagged: Any, source: InputInfo | None = None) -> FilterResult:
        import datasets

        if isinstance(tagged, (datasets.IterableDataset, datasets.IterableDatasetDict)):
            raise TypeError(
                "split() needs a map-style dataset; for streaming use "
                "xfilter.run(config, streaming=True), which writes outputs in one pass"
            )
        single = isinstance(tagged, datasets.Dataset)
        splits = datasets.DatasetDict({"train": tagged}) if single else tagged
        for name, ds in list(splits.items()):
            missing = [c for c in TAG_COLUMNS if c not in ds.column_names]
            if missing and ds.num_rows == 0:  # map() never calls the function on no rows
                splits[name] = datasets.Dataset(xf.tag_table(ds.data.table.slice(0, 0)))
            elif missing:
                raise XFilterError(
                    f"split {name!r} is not tagged (missing {missing}); "
                    "run ds.map(xf, batched=True) first"
                )
            else:
                check_tags(xf, name, ds)
            check_identity(name, ds.features.arrow_schema, xf.config.ledger.identity)
        if source is None:
            source = InputInfo(
                source=xf.config.input.source,
                kind="in-memory",
                fingerprints={n: ds._fingerprint for n, ds in splits.items()},
                features=next(iter(splits.values())).features.to_dict() if splits else None,
                rows={n: ds.num_rows for n, ds in splits.items()},
            )
        return cls(xf, splits, single, source)

    def _select(self, actions: tuple[str, ...], keep_tags: bool) -> Any:
        import datasets

        out = datasets.DatasetDict()
        for name, ds in self.tagged.items():
            column = ds.with_format("arrow")[ACTION] if ds.num_rows else pa.array([], pa.string())
            values = pa.chunked_array([column]) if isinstance(column, pa.Array) else column
            mask = np.isin(values.to_numpy(), actions)
            picked = ds.select(np.flatnonzero(mask))
            ours = [c for c in RECORD_COLUMNS if c in picked.column_names]
            ours += [] if keep_tags else list(TAG_COLUMNS)
            out[name] = picked.remove_columns(ours) if ours else picked
        return out["train"] if self._single else out

    @cached_property
    def clean(self) -> Any:
        """Records the policy keeps (redacted ones with the embedded posts cut out)."""
        return self._select(("keep", "redact"), keep_tags=False)

    @cached_property
    def quarantine(self) -> Any:
        """Rejected records with their ``xfilter_*`` reasons, for review."""
        return self._select(("quarantine",), keep_tags=True)

    @property
    def counts(self) -> dict[str, SplitCounts]:
        counts = {}
        for name, ds in self.tagged.items():
            split = SplitCounts()
            ours = [c for c in (*TAG_COLUMNS, *RECORD_COLUMNS) if c in ds.column_names]
            for batch in _arrow_batches(ds.select_columns(ours)):
                split.update(_with_reasons(self.xfilter, batch))
            counts[name] = split
        return counts

    @property
    def manifest(self) -> dict[str, Any]:
        """The provenance manifest; output files and hashes appear once saved."""
        if self.saved is not None:
            return self.saved.manifest
        return build_manifest(self.xfilter, self.source, self.counts, self.engine, self.started)

    def save(self, out_dir: str | os.PathLike[str], overwrite: bool = False) -> Output:
        """Write the output directory and return it, read back."""
        splits = [
            SplitStream(
                name,
                ds.features.arrow_schema,
                ds.features.to_dict(),
                (with_records(self.xfilter, batch) for batch in _arrow_batches(ds)),
            )
            for name, ds in self.tagged.items()
        ]
        manifest = write_output(
            self.xfilter, splits, self.source, out_dir, self.engine, self.started, overwrite
        )
        self.saved = Output.written(out_dir, manifest)
        return self.saved


def with_records(xf: XFilter, tagged: pa.Table) -> pa.Table:
    """``tagged`` with the record columns the writer needs, for a batch that lacks them (a
    dataset tagged by ``ds.map(xf)``, whose output holds the tag columns alone).

    The reason is the policy's for the row's categories and authors (``category`` for a
    redacted row). The post ids come from tagging again the rows the X index lists (those
    with a category other than x_mention, or an author), usually few: a redacted row's text
    is already rewritten, so its ids are those of what it still carries.
    """
    if all(c in tagged.column_names for c in RECORD_COLUMNS):
        return tagged
    categories = tagged.column(CATEGORIES_COLUMN).to_pylist()
    authors = tagged.column(AUTHORS_COLUMN).to_pylist()
    tags = Tags.keep_all(tagged.num_rows)
    tags.reason = _reasons(xf, tagged)
    rows = [
        i
        for i, (c, a) in enumerate(zip(categories, authors, strict=True))
        if set(c) - {"x_mention"} or a
    ]
    if rows:
        fresh = xf.tagger.tag(tagged.drop_columns(list(TAG_COLUMNS)).take(rows))
        for position, row in enumerate(rows):
            tags.post_ids[row] = fresh.post_ids[position]
            tags.linked_post_ids[row] = fresh.linked_post_ids[position]
    return with_record_columns(tagged, tags)


def _reasons(xf: XFilter, tagged: pa.Table) -> list[str]:
    """Each row's reason, as the policy gives it for the row's tag columns."""
    policy = xf.tagger.policy
    actions = tagged.column(ACTION).to_pylist()
    categories = tagged.column(CATEGORIES_COLUMN).to_pylist()
    authors = tagged.column(AUTHORS_COLUMN).to_pylist()
    reasons = [REASON_KEPT] * tagged.num_rows
    for row, (action, found, named) in enumerate(zip(actions, categories, authors, strict=True)):
        if found or named:
            decided = policy.decide(found, named).reason
            reasons[row] = REASON_CATEGORY if action == "redact" else decided
    return reasons


def _with_reasons(xf: XFilter, tagged: pa.Table) -> pa.Table:
    """``tagged`` with its reason column, computed from the tag columns when it has none."""
    if REASON_COLUMN in tagged.column_names:
        return tagged
    return tagged.append_column(REASON_COLUMN, pa.array(_reasons(xf, tagged), pa.string()))


def check_tags(xf: XFilter, name: str, ds: Any) -> None:
    """Refuse a dataset whose ``xfilter_*`` columns are not this filter's decisions.

    ``split`` writes what the columns say under this filter's name and policy, so columns
    written by another filter (another mode, another opt-out list) or edited by hand would
    publish its policy's claim over another's decisions. Each batch is tagged again (one more
    tag pass) and compared. A redacted row's text is already rewritten: what remains must be
    kept.
    """
    first_row = 0
    for batch in _arrow_batches(ds):
        ours = [*TAG_COLUMNS, *(c for c in RECORD_COLUMNS if c in batch.column_names)]
        fresh = xf.tagger.tag(batch.drop_columns(ours)).table()
        given = batch.select(list(TAG_COLUMNS))
        if not _same(given, fresh):
            _raise_first_difference(xf, name, first_row, given.to_pylist(), fresh.to_pylist())
        first_row += batch.num_rows


def _same(given: pa.Table, fresh: pa.Table) -> bool:
    try:
        return bool(given.cast(TAG_SCHEMA).equals(fresh))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return False


def _raise_first_difference(
    xf: XFilter, name: str, first_row: int, given: list[dict[str, Any]], fresh: list[dict[str, Any]]
) -> None:
    redacts = xf.tagger.policy.redacts
    for index, (old, new) in enumerate(zip(given, fresh, strict=True)):
        if old == new or (redacts and old[ACTION] == "redact" and new[ACTION] == "keep"):
            continue
        column = next(c for c in TAG_COLUMNS if old[c] != new[c])
        raise XFilterError(
            f"split {name!r} row {first_row + index}: {column} is {old[column]!r} but this "
            f"filter decides {new[column]!r} (tagged by another filter or edited); "
            "run ds.map(xf, batched=True) with this filter"
        )
