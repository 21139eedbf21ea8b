"""``Output``: a written output directory, read back through its manifest."""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any

from xfilter.errors import OutputError
from xfilter.output import formats
from xfilter.output.layout import LEDGER


class Output:
    """An xfilter output directory: what ``xfilter.run`` and ``FilterResult.save`` return.

    ``.manifest`` and ``.counts`` come from its manifest; ``.clean``, ``.quarantine`` (a
    ``DatasetDict`` each) and ``.ledger`` are loaded from its files on first use. It stands
    for its directory too: ``os.fspath(output)``, ``output / "clean"``.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        from xfilter.output.verify import load_manifest

        self.path = Path(path)
        self.manifest: dict[str, Any] = load_manifest(self.path)

    @classmethod
    def written(cls, path: str | os.PathLike[str], manifest: dict[str, Any]) -> Output:
        """The output this process has just written, with the manifest it wrote."""
        output = cls.__new__(cls)
        output.path, output.manifest = Path(path), manifest
        return output

    @property
    def saved_to(self) -> Path:
        """The directory; the name older code used for it."""
        return self.path

    def __fspath__(self) -> str:
        return str(self.path)

    def __truediv__(self, name: str | os.PathLike[str]) -> Path:
        return self.path / name

    def __repr__(self) -> str:
        splits = "; ".join(
            f"{name}: {c['input']} in, {c['kept']} kept, {c['dropped']} dropped, "
            f"{c['quarantined']} quarantined"
            for name, c in self.counts.items()
        )
        return f"Output({str(self.path)!r}, mode={self.manifest.get('mode')!r}, {splits})"

    @property
    def counts(self) -> dict[str, dict[str, Any]]:
        """Per split: ``input``, ``kept``, ``dropped``, ``quarantined``, ``redacted`` and the
        counts by category and rule, as the manifest records them."""
        splits: dict[str, dict[str, Any]] = self.manifest["splits"]
        return splits

    @cached_property
    def clean(self) -> Any:
        """The records the policy kept, per split."""
        return self._load_set("clean")

    @cached_property
    def quarantine(self) -> Any:
        """The quarantined records with their ``xfilter_*`` reasons, per split."""
        return self._load_set("quarantine")

    @cached_property
    def ledger(self) -> Any:
        """One row per record not kept: split, row, record hash, action, reasons."""
        import datasets
        import pyarrow.parquet as pq

        return datasets.Dataset(pq.read_table(self.path / LEDGER))

    def verify(self, quick: bool = False) -> list[str]:
        """``xfilter verify`` on this directory: raise ``VerifyError`` naming the first problem,
        return what was checked."""
        from xfilter.output.verify import verify

        return verify(self.path, quick=quick)

    def save(self, out_dir: str | os.PathLike[str]) -> Output:
        """A copy of this output in ``out_dir``, which must not exist; it appears whole or not
        at all. The manifest names files relative to the directory, so the copy verifies."""
        target = Path(os.path.expanduser(out_dir))
        if target.exists():
            raise OutputError(f"{target}: exists; copy the output to a new directory")
        source, resolved = self.path.resolve(), target.resolve()
        if resolved.is_relative_to(source) or source.is_relative_to(resolved):
            raise OutputError(f"{target}: overlaps the output {self.path}")
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.copy-", dir=target.parent))
        try:
            shutil.copytree(self.path, staging / "output")
            (staging / "output").rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return Output(target)

    def _load_set(self, name: str) -> Any:
        import datasets

        outputs = self.manifest["outputs"]
        files: dict[str, list[str]] = {}
        for entry in outputs["files"]:
            if entry["set"] == name:
                files.setdefault(entry["split"], []).append(str(self.path / entry["path"]))
        loaded = datasets.DatasetDict()
        if files:
            builder = formats.get(outputs["format"]).builder
            loaded.update(datasets.load_dataset(builder, data_files=files))
        for split in self.counts:
            if split not in loaded and self._features(name) is not None:
                loaded[split] = datasets.Dataset.from_dict({}, features=self._features(name))
        return loaded

    def _features(self, name: str) -> Any:
        """The features of an empty set: the input's, plus the tag columns in quarantine."""
        import datasets

        from xfilter.vocab import TAG_SCHEMA

        recorded = self.manifest.get("input", {}).get("features")
        if not recorded:
            return None
        features = datasets.Features.from_dict(recorded)
        if name == "quarantine":
            features.update(datasets.Features.from_arrow_schema(TAG_SCHEMA))
        return features


__all__ = ["Output"]
