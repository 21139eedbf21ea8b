"""``Output``: a written output directory, read back through its manifest."""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from xfilter.errors import OutputError, VerifyError
from xfilter.output import formats
from xfilter.output.layout import CLEAN, INDEX, LEDGER, QUARANTINE
from xfilter.output.manifest_types import Manifest

PathLike = str | os.PathLike[str]


class Output:
    """An xfilter output directory: what ``xfilter.run``, the Ray engine, ``xfilter.refresh``,
    ``FilterResult.save`` and ``Recorder.save`` return.

    ``.manifest`` (the dict) and ``.provenance`` (the same, typed) come from its manifest;
    ``.clean``, ``.quarantine`` (a ``DatasetDict`` each), ``.ledger`` and the private
    ``.index`` (a ``Dataset`` each) are loaded from its files on first use. A refreshed output
    names the version it came from; ``chain`` says where the earlier versions are (newest
    first, as ``xfilter verify --chain`` takes them) when the manifest does not. It stands for
    its directory too: ``os.fspath(output)``, ``output / "clean"``.
    """

    def __init__(self, path: PathLike, *, chain: Sequence[PathLike] = ()) -> None:
        from xfilter.output.verify import load_manifest

        self.path = Path(path)
        self.manifest: dict[str, Any] = load_manifest(self.path)
        self._given_chain = [Path(p) for p in chain]

    @classmethod
    def written(cls, path: PathLike, manifest: dict[str, Any]) -> Output:
        """The output this process has just written, with the manifest it wrote."""
        output = cls.__new__(cls)
        output.path, output.manifest, output._given_chain = Path(path), manifest, []
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
        body = "".join(f"\n    {line}" for line in self.provenance.describe())
        return f"Output({str(self.path)!r}{body}\n)"

    def __getitem__(self, key: str) -> Any:
        """``output["splits"]``: the Ray engine's run returned the manifest dict before it
        returned an ``Output``; index ``output.manifest`` instead."""
        warnings.warn(
            f"Output[{key!r}] is deprecated: use output.manifest[{key!r}]",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.manifest[key]

    @cached_property
    def provenance(self) -> Manifest:
        """The manifest as typed, read-only values: ``.mode``, ``.terms``, ``.splits``,
        ``.files``, ``.previous``, ``.changes``, ``.recorded``…"""
        return Manifest.from_dict(self.manifest)

    @property
    def counts(self) -> dict[str, dict[str, Any]]:
        """Per split: ``input``, ``kept``, ``dropped``, ``quarantined``, ``redacted`` and the
        counts by category and rule, as the manifest records them."""
        splits: dict[str, dict[str, Any]] = self.manifest["splits"]
        return splits

    @cached_property
    def clean(self) -> Any:
        """The records the policy kept, per split."""
        return self._load_set(CLEAN)

    @cached_property
    def quarantine(self) -> Any:
        """The quarantined records with their ``xfilter_*`` reasons, per split."""
        return self._load_set(QUARANTINE)

    @cached_property
    def ledger(self) -> Any:
        """One row per record not kept: split, row, record hash, action, reasons."""
        return self._read_records(LEDGER)

    @cached_property
    def index(self) -> Any:
        """The private X index: every record with X content or X authors, kept or not, with
        its post ids and authors (``x_index.parquet``; never publish it)."""
        return self._read_records(INDEX)

    @property
    def previous(self) -> Output | None:
        """The version this output is a refresh of; None if it is no refresh. ``OutputError``
        when that version is not where the manifest or ``chain`` says, or is another output:
        the manifest names it by hash, and nothing else is guessed."""
        recorded = self.provenance.previous
        if recorded is None:
            return None
        wanted = recorded.manifest_sha256
        named = f"{self.path} is a refresh of manifest {wanted[:12]}… ({recorded.created})"
        if self._given_chain:
            where, rest, told = self._given_chain[0], self._given_chain[1:], "the chain given"
        elif recorded.path is not None:
            where, rest, told = self.path.parent / recorded.path, [], "its manifest"
        else:
            raise OutputError(
                f"{named}, and its manifest does not record where that version is: "
                f"name it, xfilter.Output({str(self.path)!r}, chain=[PREVIOUS, ...])"
            )
        try:
            found = Output(where, chain=rest)
        except VerifyError as exc:
            raise OutputError(f"{named}; {told} says it is at {where}, but: {exc}") from None
        if found.manifest["manifest_sha256"] != wanted:
            raise OutputError(
                f"{named}; {told} says it is at {where}, which holds manifest "
                f"{found.manifest['manifest_sha256'][:12]}…, another version"
            )
        return found

    @property
    def chain(self) -> list[Output]:
        """Every earlier version, newest first, back to the first run (empty for an output that
        is no refresh); ``OutputError`` as ``previous`` when one cannot be found."""
        versions: list[Output] = []
        current = self.previous
        while current is not None:
            versions.append(current)
            current = current.previous
        return versions

    def verify(self, quick: bool = False, chain: bool = False) -> list[str]:
        """``xfilter verify`` on this directory: raise ``VerifyError`` naming the first problem,
        return what was checked. ``chain=True`` also checks every link back to the first
        version, as ``xfilter verify --chain`` does."""
        from xfilter.output.verify import verify

        earlier = [version.path for version in self.chain] if chain else []
        return verify(self.path, quick=quick, chain=earlier)

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

    def _read_records(self, name: str) -> Any:
        import datasets
        import pyarrow.parquet as pq

        return datasets.Dataset(pq.read_table(self.path / name))

    def _load_set(self, name: str) -> Any:
        import datasets

        recorded = self.provenance.recorded
        if recorded is not None and (name == CLEAN or not recorded.quarantine):
            raise OutputError(
                f"{self.path}: recorded from a filtering loop, which keeps no {name} set "
                + ("(the loop consumed the kept records)" if name == CLEAN else "(not asked for)")
                + "; its counts, ledger and X index say what was removed"
            )

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
