"""The ``datasets`` glue: ``ds.map(xf, batched=True)``, ``ds.filter(xf.keep, batched=True)``.

``XFilter`` pickles as plain data (config, version, digests, opt-out hashes), so ``datasets``
fingerprints it by what decides, ``num_proc`` workers rebuild it, and nothing compiled crosses
a process boundary.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from xfilter import __version__
from xfilter.config import Config, load_config
from xfilter.detect.datasets import RULES as DATASET_RULES
from xfilter.detect.datasets import DatasetRegistry, read_card_yaml
from xfilter.detect.evidence import Evidence, hit
from xfilter.errors import ConfigError
from xfilter.kernel import TAG_COLUMNS, Tagger, Tags
from xfilter.optout import OptOutList
from xfilter.policy import Policy
from xfilter.rules import ruleset_sha256
from xfilter.scan import Roles

if TYPE_CHECKING:
    from xfilter.result import FilterResult

_RULE = {rule.id: rule for rule in DATASET_RULES}


def dataset_level_evidence(source: str, registry: DatasetRegistry) -> tuple[Evidence, ...]:
    """Evidence that holds for every record: the input itself is a known X-derived dataset."""
    if source == "demo":
        return ()
    found: list[Evidence] = []
    if registry.match_id(source) is not None:
        found.append(hit(_RULE["dataset.registry"]))
    card = Path(source) / "README.md"
    if card.is_file() and registry.match_card(read_card_yaml(card)) is not None:
        found.append(hit(_RULE["dataset.card"]))
    return tuple(e.in_field("<dataset>") for e in found)


class XFilter:
    """Tags records with the xfilter columns and decides their action under a policy mode.

    >>> xf = XFilter(mode="strict")                      # doctest: +SKIP
    >>> tagged = ds.map(xf, batched=True)                # doctest: +SKIP
    """

    def __init__(self, mode: str | None = None, *, config: Config | None = None, **overrides: Any):
        if mode is not None:
            overrides["mode"] = mode
        base = config or Config()
        self.config = base.with_overrides(overrides) if overrides else base
        opt_out_path = self.config.opt_out.path
        self.opt_out = OptOutList.load(opt_out_path) if opt_out_path else OptOutList.empty()
        self.registry = DatasetRegistry.load(self.config.known_datasets)
        self.dataset_evidence = dataset_level_evidence(self.config.input.source, self.registry)

    @classmethod
    def from_config(cls, path: str | os.PathLike[str], **overrides: Any) -> XFilter:
        return cls(config=load_config(path), **overrides)

    # -- pickling and fingerprints -------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {
            "version": __version__,
            "ruleset_sha256": ruleset_sha256(),
            # Only what decides: moving the output directory must not invalidate the cache.
            "config": self.config.policy_dict(),
            "registry_sha256": self.registry.sha256,
            "opt_out": {
                "sha256": self.opt_out.sha256,
                "count": self.opt_out.count,
                "keys": self.opt_out.keys.tobytes(),
            },
            "dataset_evidence": [[e.rule, e.category, e.field] for e in self.dataset_evidence],
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.config = Config.model_validate(state["config"])
        opt_out = state["opt_out"]
        self.opt_out = OptOutList(
            keys=np.frombuffer(opt_out["keys"], dtype=np.uint64).copy(),
            sha256=opt_out["sha256"],
            count=opt_out["count"],
        )
        self.registry = DatasetRegistry.load(self.config.known_datasets)
        if self.registry.sha256 != state["registry_sha256"]:
            raise ConfigError(
                f"known_datasets {self.config.known_datasets}: registry changed since the "
                "filter was created"
            )
        self.dataset_evidence = tuple(
            Evidence(rule=r, category=c, field=f) for r, c, f in state["dataset_evidence"]
        )

    @property
    def fingerprint(self) -> str:
        """Stable hash of everything that decides; equal filters decide equally."""
        from datasets.fingerprint import Hasher

        return Hasher.hash(self)

    # -- the batch function ----------------------------------------------------------------

    @cached_property
    def tagger(self) -> Tagger:
        fields = self.config.fields
        return Tagger(
            policy=Policy.from_config(self.config, self.opt_out),
            registry=self.registry,
            roles=Roles.from_names(fields.text, fields.url, fields.author),
            dataset_evidence=self.dataset_evidence,
        )

    def tag_table(self, table: pa.Table) -> pa.Table:
        """``table`` with the four xfilter columns added (and redacted text rewritten)."""
        return self._tagged(_as_table(table))[1]

    def _tagged(self, table: pa.Table) -> tuple[Tags, pa.Table]:
        tags = self.tagger.tag(table)
        return tags, _with_tags(table, tags)

    def __call__(self, batch: Any) -> Any:
        """The ``ds.map(xf, batched=True)`` function for every ``datasets`` format.

        A ``Dataset.map`` batch (or an Arrow-format one) gets the whole Arrow table back, so
        the new columns keep their types (a first batch of empty lists would otherwise fix them
        as list<null>) and no column is converted to Python. A plain dict batch (a streaming
        ``IterableDataset``) gets a dict of the new and rewritten columns.
        """
        tags, tagged = self._tagged(_as_table(batch))
        if isinstance(batch, pa.Table) or isinstance(getattr(batch, "pa_table", None), pa.Table):
            return tagged
        return {c: tagged.column(c).to_pylist() for c in (*TAG_COLUMNS, *tags.redacted)}

    def tag_columns(self, batch: Any) -> pa.Table:
        """The four xfilter columns alone, for a ``map`` that should not rewrite the input
        (``remove_columns=ds.column_names``). Without redacted text: a policy that redacts
        needs the whole table, from ``xf`` itself."""
        tags = self.tagger.tag(_as_table(batch))
        if tags.redacted:
            raise ValueError("this policy redacts text: map with the filter itself")
        return tags.table()

    def keep(self, batch: Any) -> list[bool]:
        """For ``ds.filter(xf.keep, batched=True)``: True for records the policy keeps.

        A record the policy would redact is not kept: a filter cannot rewrite its text.
        """
        tags = self.tagger.tag(_as_table(batch), actions_only=True)
        return [action == "keep" for action in tags.action]

    def split(self, tagged: Any) -> FilterResult:
        """Clean set, quarantine set and manifest from a dataset tagged by this filter."""
        from xfilter.result import FilterResult

        return FilterResult.from_tagged(self, tagged)


def _with_tags(table: pa.Table, tags: Tags) -> pa.Table:
    for column, rows in tags.redacted.items():
        values = table.column(column).to_pylist()
        for row, value in rows.items():
            values[row] = value
        index = table.column_names.index(column)
        table = table.set_column(index, table.field(column), pa.array(values, pa.string()))
    tag_table = tags.table()
    for name in TAG_COLUMNS:
        table = table.append_column(tag_table.schema.field(name), tag_table.column(name))
    return table


def _as_table(batch: Any) -> pa.Table:
    """The Arrow table behind a batch, without converting it to Python first.

    Earlier xfilter columns are left out: re-tagging replaces the old decision.
    """
    table = batch if isinstance(batch, pa.Table) else getattr(batch, "pa_table", None)
    if isinstance(table, pa.Table):
        return table.drop_columns([c for c in TAG_COLUMNS if c in table.column_names])
    if isinstance(batch, Mapping):
        columns = {k: v for k, v in batch.items() if k not in TAG_COLUMNS}
        return pa.Table.from_pydict({k: _as_array(v) for k, v in columns.items()})
    raise TypeError(
        f"XFilter expects a batch (dict of columns or pyarrow.Table), got {type(batch)}"
    )


def _as_array(values: Any) -> pa.Array:
    """A column of Python values; one Arrow cannot type (mixed types) is scanned as JSON text."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(
            [None if v is None else v if isinstance(v, str) else _json(v) for v in values],
            pa.string(),
        )


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


__all__ = ["XFilter"]
