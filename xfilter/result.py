"""``FilterResult``: the clean set, the quarantine set and the manifest of one filtering."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from xfilter.errors import XFilterError
from xfilter.kernel import ACTION, TAG_COLUMNS
from xfilter.manifest import build_manifest, now
from xfilter.outputs import SplitCounts
from xfilter.sources import InputInfo
from xfilter.transform import XFilter
from xfilter.write import SplitStream, write_output

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
        self.saved_to: Path | None = None
        self._saved_manifest: dict[str, Any] | None = None

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
        if source is None:
            source = InputInfo(
                source=xf.config.input.source,
                kind="in-memory",
                fingerprints={n: ds._fingerprint for n, ds in splits.items()},
                features=next(iter(splits.values())).features.to_dict() if splits else None,
                rows={n: ds.num_rows for n, ds in splits.items()},
            )
        return cls(xf, splits, single, source)

    @classmethod
    def from_output(
        cls,
        xf: XFilter,
        out_dir: str | os.PathLike[str],
        manifest: dict[str, Any],
        source: InputInfo,
    ) -> FilterResult:
        """A result whose sets are read back from a written output directory."""
        result = cls(xf, None, single=False, source=source, engine=manifest["engine"])
        result.saved_to = Path(out_dir)
        result._saved_manifest = manifest
        return result

    def _load_saved(self, name: str) -> Any:
        import datasets

        assert self.saved_to is not None and self._saved_manifest is not None
        outputs = self._saved_manifest["outputs"]
        files: dict[str, list[str]] = {}
        for entry in outputs["files"]:
            if entry["set"] == name:
                files.setdefault(entry["split"], []).append(str(self.saved_to / entry["path"]))
        builder = {"jsonl": "json"}.get(outputs["format"], outputs["format"])
        return datasets.load_dataset(builder, data_files=files)

    def _select(self, actions: tuple[str, ...], keep_tags: bool) -> Any:
        import datasets

        if self.tagged is None:
            return self._load_saved("quarantine" if keep_tags else "clean")
        out = datasets.DatasetDict()
        for name, ds in self.tagged.items():
            column = ds.with_format("arrow")[ACTION] if ds.num_rows else pa.array([], pa.string())
            values = pa.chunked_array([column]) if isinstance(column, pa.Array) else column
            mask = np.isin(values.to_numpy(), actions)
            picked = ds.select(np.flatnonzero(mask))
            out[name] = picked if keep_tags else picked.remove_columns(list(TAG_COLUMNS))
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
        if self.tagged is None:
            raise XFilterError("counts of a saved result are in result.manifest['splits']")
        counts = {}
        for name, ds in self.tagged.items():
            split = SplitCounts()
            for batch in _arrow_batches(ds.select_columns(list(TAG_COLUMNS))):
                split.update(batch)
            counts[name] = split
        return counts

    @property
    def manifest(self) -> dict[str, Any]:
        """The provenance manifest; output files and hashes appear once saved."""
        if self._saved_manifest is not None:
            return self._saved_manifest
        return build_manifest(self.xfilter, self.source, self.counts, self.engine, self.started)

    def save(self, out_dir: str | os.PathLike[str], overwrite: bool = False) -> Path:
        """Write the output directory (DESIGN layout) and return its path."""
        splits = [
            SplitStream(name, ds.features.arrow_schema, ds.features.to_dict(), _arrow_batches(ds))
            for name, ds in self.tagged.items()
        ]
        self._saved_manifest = write_output(
            self.xfilter, splits, self.source, out_dir, self.engine, self.started, overwrite
        )
        self.saved_to = Path(out_dir)
        return self.saved_to
