"""The ``datasets`` glue: ``ds.map(xf, batched=True)``, ``ds.filter(xf.keep, batched=True)``.

``XFilter`` pickles as plain data (config, version, digests, opt-out hashes), so ``datasets``
fingerprints it by what decides, ``num_proc`` workers rebuild it, and nothing compiled crosses
a process boundary.

Without ``input.source``, ``ds.map(xf)`` reads the mapped dataset's own ``info`` (its name,
config, data files, description): a dataset the registry knows for sure is tagged ``x_dataset``
as ``input.source`` would tag it, and anything that looks X-derived raises one
``XDatasetWarning`` naming the dataset and what to set. ``xf.for_dataset(ds)`` does the same
explicitly, for any ``Dataset`` or ``IterableDataset``.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import cached_property
from types import FrameType
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from xfilter import __version__
from xfilter.config import Config, as_config, load_config
from xfilter.detect.datasets import (
    RULE_REGISTRY,
    DatasetInfoFields,
    DatasetRegistry,
    InfoMatch,
    dataset_level_evidence,
)
from xfilter.detect.evidence import Evidence, hit
from xfilter.detect.ruleset import ruleset_sha256
from xfilter.errors import ConfigError, InputError
from xfilter.policy import Policy
from xfilter.policy.optout import OptOutList
from xfilter.tagging.scan import Roles
from xfilter.tagging.tagger import Tagger, Tags
from xfilter.vocab import DEMO, TAG_COLUMNS

if TYPE_CHECKING:
    from xfilter.result import FilterResult


class XDatasetWarning(UserWarning):
    """The dataset handed to xfilter looks X-derived, and no ``input.source`` says which."""


class XFilter:
    """Tags records with the xfilter columns and decides their action under a policy mode.

    >>> xf = XFilter(mode="strict")                      # doctest: +SKIP
    >>> tagged = ds.map(xf, batched=True)                # doctest: +SKIP
    """

    def __init__(
        self,
        mode: str | None = None,
        *,
        config: Config | str | os.PathLike[str] | None = None,
        **overrides: Any,
    ):
        if mode is not None:
            overrides["mode"] = mode
        base = as_config(config)
        self.config = base.with_overrides(overrides) if overrides else base
        self.opt_out = OptOutList.from_config(self.config.opt_out)
        self.registry = DatasetRegistry.load(self.config.known_datasets)
        self.dataset_evidence = dataset_level_evidence(self.config.input.source, self.registry)
        self._bound = False
        self._info_evidence: dict[str, tuple[Evidence, ...]] = {}

    @classmethod
    def from_config(cls, path: str | os.PathLike[str], **overrides: Any) -> XFilter:
        return cls(config=load_config(path), **overrides)

    # -- pickling and fingerprints -------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = {
            "version": __version__,
            "ruleset_sha256": ruleset_sha256(),
            # Only what decides: moving the output directory must not invalidate the cache.
            "config": self.config.policy_dict(),
            "registry_sha256": self.registry.sha256,
            # Plain data without the key of keyed entries: unpickling reads it again.
            "opt_out": self.opt_out,
            "dataset_evidence": [
                [e.rule, e.category, e.field, *([e.detail] if e.detail else [])]
                for e in self.dataset_evidence
            ],
        }
        if self._bound:  # for_dataset has read the dataset's info: workers must not again
            state["bound_to_dataset"] = True
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.config = Config.model_validate(state["config"])
        self.opt_out = state["opt_out"]
        self.registry = DatasetRegistry.load(self.config.known_datasets)
        if self.registry.sha256 != state["registry_sha256"]:
            raise ConfigError(
                f"known_datasets {self.config.known_datasets}: registry changed since the "
                "filter was created"
            )
        self.dataset_evidence = tuple(
            Evidence(rule=r, category=c, field=f, detail=d[0] if d else None)
            for r, c, f, *d in state["dataset_evidence"]
        )
        self._bound = bool(state.get("bound_to_dataset", False))
        self._info_evidence = {}

    # -- the dataset's own info --------------------------------------------------------------

    def for_dataset(self, dataset: Any) -> XFilter:
        """This filter for ``dataset`` (a ``Dataset`` or ``IterableDataset``): when its
        ``info`` names a dataset the registry knows for sure, every record is tagged
        ``x_dataset`` as with ``input.source``; anything X-like in the info warns once.

        A filter with ``input.source`` set is returned unchanged: the source decides.
        """
        if self.config.input.source != DEMO:
            return self
        bound = XFilter.__new__(XFilter)
        bound.__setstate__(self.__getstate__())
        bound.dataset_evidence = (*self.dataset_evidence, *self._read_info(dataset))
        bound._bound = True
        return bound

    def _read_info(self, dataset: Any) -> tuple[Evidence, ...]:
        """Evidence from ``dataset.info`` (certain registry hits only), warning once when
        it looks X-derived."""
        match = self.registry.match_info(info_fields(dataset))
        if match is None:
            return ()
        warnings.warn(_info_warning(match), XDatasetWarning, stacklevel=3)
        if match.known is None:
            return ()
        return (hit(RULE_REGISTRY, detail=f"dataset info: {match.why}").in_field("<dataset>"),)

    def _caller_tagger(self) -> Tagger:
        """The tagger for the ``datasets`` map or filter calling now: with the evidence of the
        mapped dataset's info when no input source is set."""
        if self._bound or self.config.input.source != DEMO:
            return self.tagger
        dataset = _calling_dataset()
        if dataset is None:
            return self.tagger
        key = getattr(dataset, "_fingerprint", None) or str(id(dataset))
        if key not in self._info_evidence:
            self._info_evidence[key] = self._read_info(dataset)
        evidence = self._info_evidence[key]
        if not evidence:
            return self.tagger
        return replace(self.tagger, dataset_evidence=(*self.dataset_evidence, *evidence))

    @property
    def fingerprint(self) -> str:
        """Stable hash of everything that decides; equal filters decide equally."""
        from datasets.fingerprint import Hasher

        digest: str = Hasher.hash(self)
        return digest

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
        return self.tag_with_tags(_as_table(table))[1]

    def tag_with_tags(self, table: pa.Table, tagger: Tagger | None = None) -> tuple[Tags, pa.Table]:
        """The decisions for ``table`` (with each row's reason and post ids, for an output's
        ledger and index) and ``table`` with the xfilter columns added."""
        tags = (tagger or self.tagger).tag(table)
        return tags, _with_tags(table, tags)

    def __call__(self, batch: Any) -> Any:
        """The ``ds.map(xf)`` function for every ``datasets`` format, batched or not.

        A table (a ``Dataset.map`` batch or row, an Arrow-, pandas- or polars-format one) gets
        the whole tagged Arrow table back, so the new columns keep their types (a first batch
        of empty lists would otherwise fix them as list<null>) and no column is converted to
        Python. A dict batch (a streaming ``IterableDataset``, the numpy format) gets a dict of
        the new and rewritten columns; a dict row gets that row's values. How a dict is told
        from a batch: see :func:`reads_as_row`.
        """
        _refuse_as_filter("xf")
        row = reads_as_row(batch)
        tags, tagged = self.tag_with_tags(_as_table(batch, row), self._caller_tagger())
        if _is_table(batch):
            return tagged
        columns = (*TAG_COLUMNS, *tags.redacted)
        if row:
            return {c: tagged.column(c)[0].as_py() for c in columns}
        return {c: tagged.column(c).to_pylist() for c in columns}

    def tag_columns(self, batch: Any) -> pa.Table:
        """The four xfilter columns alone, for a ``map`` that should not rewrite the input
        (``remove_columns=ds.column_names``). Without redacted text: a policy that redacts
        needs the whole table, from ``xf`` itself."""
        _refuse_as_filter("xf.tag_columns")
        tags = self._caller_tagger().tag(_as_table(batch, reads_as_row(batch)))
        if tags.redacted:
            raise ValueError("this policy redacts text: map with the filter itself")
        return tags.table()

    def keep(self, batch: Any) -> bool | list[bool]:
        """For ``ds.filter(xf.keep)``: whether the policy keeps a record, one ``bool`` for a
        row and a list for a batch (``batched=True``).

        A record the policy would redact is not kept: a filter cannot rewrite its text.
        """
        row = reads_as_row(batch)
        tags = self._caller_tagger().tag(_as_table(batch, row), actions_only=True)
        answers = [action == "keep" for action in tags.action]
        return answers[0] if row else answers

    def split(self, tagged: Any) -> FilterResult:
        """Clean set, quarantine set and manifest from a dataset tagged by this filter."""
        from xfilter.result import FilterResult

        return FilterResult.from_tagged(self, tagged)


# The functions of ``datasets`` that call a filter's function and read its answer as a mask.
_FILTER_CALLERS = frozenset({"get_indices_from_mask_function", "add_mask"})


def _refuse_as_filter(name: str) -> None:
    """A map function handed to ``filter`` returns a table or dict, which the filter reads as
    truthy: every record would pass. Refuse when the caller two frames up is a filter's."""
    if sys._getframe(2).f_code.co_name in _FILTER_CALLERS:
        raise InputError(
            f"ds.filter({name}) would keep every record: filter with xf.keep, "
            "ds.filter(xf.keep, batched=True)"
        )


def _with_tags(table: pa.Table, tags: Tags) -> pa.Table:
    for column, rows in tags.redacted.items():
        values = table.column(column).to_pylist()
        for row, value in rows.items():
            values[row] = value
        index = table.column_names.index(column)
        field = table.field(column)
        table = table.set_column(index, field, pa.array(values, field.type))
    tag_table = tags.table()
    for name in TAG_COLUMNS:
        table = table.append_column(tag_table.schema.field(name), tag_table.column(name))
    return table


def reads_as_row(batch: Any) -> bool:
    """Whether ``batch`` is one record rather than a batch of them.

    ``datasets`` says so by type where it can (``LazyRow``, ``LazyBatch``); a table or a
    DataFrame is a batch. A plain dict is one record when a value is not a column (a string,
    number, dict or None: ``xf({"text": ...})``) or when its lists differ in length. A dict
    whose every value is a list of one length is either a batch or a record whose features
    are all lists (``{"messages": [...]}``): there the ``batched`` flag of the ``datasets``
    call that passed it decides, and a direct call is a batch.
    """
    lazy = sys.modules.get("datasets.formatting.formatting")
    if lazy is not None and isinstance(batch, lazy.LazyRow):
        return True
    if _is_table(batch) or not isinstance(batch, Mapping):
        return False
    values = list(batch.values())
    if (lazy is not None and isinstance(batch, lazy.LazyBatch)) or not values:
        return False
    if not all(_is_column(v) for v in values) or len({len(v) for v in values}) > 1:
        return True
    return _caller_batched() is False


def _is_column(value: Any) -> bool:
    if isinstance(value, (str, bytes, Mapping)):
        return False
    if isinstance(value, (list, tuple, pa.Array, pa.ChunkedArray)):
        return True
    # numpy arrays, pandas Series, tensors; a 0-d array is a scalar
    return bool(getattr(value, "ndim", 0)) and hasattr(value, "__len__")


# How many frames up to look for the ``datasets`` call; its own helpers sit within a few.
_CALLER_FRAMES = 16


def _datasets_frames() -> Iterator[FrameType]:
    """The frames of ``datasets`` code among the nearest callers, nearest first."""
    frame: FrameType | None = sys._getframe(2)
    for _ in range(_CALLER_FRAMES):
        if frame is None:
            return
        if frame.f_globals.get("__name__", "").startswith("datasets."):
            yield frame
        frame = frame.f_back


def _caller_batched() -> bool | None:
    """The ``batched`` flag of the ``datasets`` map or filter that called the filter, if any.

    The nearest ``datasets`` frame holding one decides: a non-batched ``Dataset.filter`` runs
    a non-batched mask function inside a batched ``map``.
    """
    for frame in _datasets_frames():
        local = frame.f_locals
        for flag in (local.get("batched"), getattr(local.get("self"), "batched", None)):
            if isinstance(flag, bool):
                return flag
    return None


def _calling_dataset() -> Any:
    """The ``datasets.Dataset`` whose ``map`` or ``filter`` is calling the filter, if any
    (``_map_single`` holds it as ``shard``, ``map`` as ``self``)."""
    module = sys.modules.get("datasets.arrow_dataset")
    if module is None:
        return None
    for frame in _datasets_frames():
        for name in ("shard", "self"):
            value = frame.f_locals.get(name)
            if isinstance(value, module.Dataset):
                return value
    return None


def info_fields(dataset: Any) -> DatasetInfoFields:
    """What a dataset's ``info`` and files say of its identity, as plain strings."""
    info = getattr(dataset, "info", None)
    files = [str(k) for k in (getattr(info, "download_checksums", None) or {})]
    files += [str(f.get("filename", "")) for f in getattr(dataset, "cache_files", None) or ()]
    return DatasetInfoFields(
        dataset_name=_text_attr(info, "dataset_name"),
        config_name=_text_attr(info, "config_name"),
        builder_name=_text_attr(info, "builder_name"),
        description=_text_attr(info, "description"),
        citation=_text_attr(info, "citation"),
        homepage=_text_attr(info, "homepage"),
        files=tuple(f for f in files if f),
    )


def _text_attr(info: Any, name: str) -> str | None:
    value = getattr(info, name, None)
    return value if isinstance(value, str) and value.strip() else None


def _info_warning(match: InfoMatch) -> str:
    """What the user reads: which dataset, why, what xfilter did and what to set."""
    if match.known is not None:
        return (
            f"xfilter: the dataset being filtered is the X-derived dataset {match.known.id}: "
            f"{match.why}. Every record is tagged x_dataset. Set input.source="
            f"{match.known.id!r} (XFilter(..., input={{'source': {match.known.id!r}}})) "
            "to say so explicitly."
        )
    return (
        f"xfilter: the dataset being filtered looks X-derived: {match.why}. Its records are "
        "not tagged x_dataset on this alone. If it is X-derived, set input.source to its Hub "
        "id (XFilter(..., input={'source': 'namespace/name'})) or list it in known_datasets."
    )


def _is_table(batch: Any) -> bool:
    """A ``pa.Table``, a ``datasets`` lazy batch or row over one, or a DataFrame."""
    return (
        isinstance(batch, pa.Table)
        or isinstance(getattr(batch, "pa_table", None), pa.Table)
        or _dataframe_kind(batch) is not None
    )


def _dataframe_kind(batch: Any) -> str | None:
    """Which library (pandas or polars) a DataFrame comes from; None for anything else.
    Checked without importing either."""
    for kind in ("pandas", "polars"):
        module = sys.modules.get(kind)
        if module is not None and isinstance(batch, module.DataFrame):
            return kind
    return None


def _dataframe_table(batch: Any, kind: str) -> pa.Table:
    if kind == "polars":
        table: pa.Table = batch.to_arrow()
        return table
    try:
        return pa.Table.from_pandas(batch, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pa.table({str(c): _as_array(batch[c].tolist()) for c in batch.columns})


def _as_table(batch: Any, row: bool = False) -> pa.Table:
    """The Arrow table behind a batch (or a one-row table for a record), without converting
    it to Python first where it is already Arrow.

    Earlier xfilter columns are left out: re-tagging replaces the old decision.
    """
    table = batch if isinstance(batch, pa.Table) else getattr(batch, "pa_table", None)
    dataframe = _dataframe_kind(batch)
    if dataframe is not None:
        table = _dataframe_table(batch, dataframe)
    if isinstance(table, pa.Table):
        return table.drop_columns([c for c in TAG_COLUMNS if c in table.column_names])
    if isinstance(batch, Mapping):
        columns = {str(k): v for k, v in batch.items() if k not in TAG_COLUMNS}
        if row:
            return pa.Table.from_pydict({k: _as_array([_python(v)]) for k, v in columns.items()})
        return pa.Table.from_pydict({k: _as_array(v) for k, v in columns.items()})
    raise InputError(
        f"XFilter expects a record or a batch (a dict of columns, a pyarrow.Table or a "
        f"DataFrame), got {type(batch).__name__}; use ds.map(xf, batched=True) or "
        "ds.filter(xf.keep, batched=True) without input_columns"
    )


def _as_array(values: Any) -> pa.Array | pa.ChunkedArray:
    """A column of values: Arrow as it is; numpy, pandas and tensor values as Python; one
    Arrow cannot type (mixed types) is scanned as JSON text."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        pass
    values = _python(values)
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pa.array(
            [None if v is None else v if isinstance(v, str) else _json(v) for v in values],
            pa.string(),
        )


def _python(value: Any) -> Any:
    """``value`` with numpy arrays and scalars, pandas Series and tensors made Python."""
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, np.ndarray):
        return [_python(v) for v in value] if value.dtype == object else value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {k: _python(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_python(v) for v in value]
    if hasattr(value, "__array__"):  # pandas Series, torch / tf / jax tensors
        return _python(np.asarray(value))
    return value


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


__all__ = ["XDatasetWarning", "XFilter"]
