"""Reading inputs: the bundled demo, local folders and files, and Hub dataset ids."""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from xfilter.errors import InputError

BUILDERS = {
    ".parquet": "parquet",
    ".jsonl": "json",
    ".json": "json",
    ".ndjson": "json",
    ".csv": "csv",
    ".arrow": "arrow",
    ".txt": "text",
}
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(?:/[\w.-]+)?")


@dataclass
class InputInfo:
    """Where the records came from, recorded in the manifest."""

    source: str
    kind: str
    path: str | None = None
    revision: str | None = None
    revision_verified: bool = False
    fingerprints: dict[str, str] = field(default_factory=dict)
    features: dict[str, Any] | None = None
    rows: dict[str, int | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "path": self.path,
            "revision": self.revision,
            "revision_verified": self.revision_verified,
            "fingerprint": dict(self.fingerprints),
            "features": self.features,
            "rows": dict(self.rows),
        }


def demo_files() -> dict[str, str]:
    demo = resources.files("xfilter") / "data" / "demo"
    return {split: str(demo.joinpath(f"{split}.jsonl")) for split in ("train", "validation")}


def _builder_for(paths: list[str], origin: str) -> str:
    suffixes = {file_suffix(p) for p in paths}
    builders = {BUILDERS.get(s) for s in suffixes}
    if None in builders or len(builders) != 1:
        raise InputError(
            f"{origin}: cannot tell the file format from {sorted(suffixes)}; "
            f"use files ending in {', '.join(sorted(BUILDERS))}"
        )
    return next(iter(builders))  # type: ignore[return-value]


def file_suffix(path: str) -> str:
    name = path.lower().removesuffix(".gz").removesuffix(".zst").removesuffix(".bz2")
    return Path(name).suffix


def is_saved_to_disk(path: Path) -> bool:
    return (path / "dataset_dict.json").is_file() or (path / "state.json").is_file()


def load_source(
    source: str, split: str | None = None, streaming: bool = False
) -> tuple[Any, InputInfo]:
    """A ``DatasetDict`` (or ``IterableDatasetDict`` when streaming) and where it came from."""
    import datasets

    if source == "demo":
        files = demo_files()
        info = InputInfo(source="demo", kind="demo", path=str(Path(files["train"]).parent))
        loaded = datasets.load_dataset("json", data_files=files, streaming=streaming)
    else:
        loaded, info = _load_other(source, streaming)
    if isinstance(loaded, (datasets.Dataset, datasets.IterableDataset)):
        loaded = (datasets.IterableDatasetDict if streaming else datasets.DatasetDict)(
            {"train": loaded}
        )
    if streaming and isinstance(loaded, datasets.DatasetDict):
        loaded = datasets.IterableDatasetDict(
            {name: ds.to_iterable_dataset() for name, ds in loaded.items()}
        )
    if split is not None:
        if split not in loaded:
            raise InputError(f"{source}: no split {split!r}; it has {sorted(loaded)}")
        loaded = type(loaded)({split: loaded[split]})
    for name, ds in loaded.items():
        info.rows[name] = None if streaming else ds.num_rows
        if not streaming:
            info.fingerprints[name] = ds._fingerprint
        if info.features is None and ds.features is not None:
            info.features = ds.features.to_dict()
    return loaded, info


def _load_other(source: str, streaming: bool) -> tuple[Any, InputInfo]:
    import datasets

    path = Path(source).expanduser()
    if path.is_dir():
        info = InputInfo(source=source, kind="local", path=str(path.resolve()))
        if is_saved_to_disk(path):
            return _guard(source, lambda: datasets.load_from_disk(str(path))), info
        return _guard(source, lambda: datasets.load_dataset(str(path), streaming=streaming)), info
    matches = sorted(glob.glob(str(path))) if not path.exists() else [str(path)]
    matches = [m for m in matches if Path(m).is_file()]
    if matches:
        builder = _builder_for(matches, source)
        info = InputInfo(source=source, kind="local", path=str(path))
        return _guard(
            source,
            lambda: datasets.load_dataset(builder, data_files=matches, streaming=streaming),
        ), info
    looks_local = source.startswith((".", "/", "~")) or file_suffix(source) in BUILDERS
    if glob.has_magic(source) or looks_local or source.count("/") > 1:
        raise InputError(f"{source}: input not found (no such file, folder or matching files)")
    if not _HUB_ID.fullmatch(source):
        raise InputError(f"{source}: input not found and not a Hub dataset id")
    return _load_hub(source, streaming)


def _load_hub(source: str, streaming: bool) -> tuple[Any, InputInfo]:
    import datasets
    from huggingface_hub import constants

    info = InputInfo(source=source, kind="hub")
    offline = constants.HF_HUB_OFFLINE
    if offline:
        info.revision = _cached_revision(source)
    if not offline:
        try:
            from huggingface_hub import HfApi

            info.revision = HfApi().dataset_info(source).sha
            info.revision_verified = True
        except Exception as exc:
            raise InputError(
                f"{source}: not a local path, and the Hub could not be reached or has no such "
                f"dataset ({type(exc).__name__}); give a local path (a save_to_disk folder, a "
                "folder or glob of parquet/jsonl/csv files) or check the network"
            ) from None
    try:
        # Load the very commit recorded, so a push to main in between cannot slip in.
        return datasets.load_dataset(source, revision=info.revision, streaming=streaming), info
    except Exception as exc:
        hint = " (HF_HUB_OFFLINE is set and it is not in the local cache)" if offline else ""
        raise InputError(
            f"{source}: cannot load this Hub dataset{hint}: {type(exc).__name__}; "
            "give a local path instead"
        ) from None


def _cached_revision(repo_id: str) -> str | None:
    """The commit of the cached ``main`` snapshot, if the Hub cache has one (unverified)."""
    from huggingface_hub import constants

    name = f"datasets--{repo_id.replace('/', '--')}"
    ref = Path(constants.HF_HUB_CACHE) / name / "refs" / "main"
    try:
        return ref.read_text().strip() or None
    except OSError:
        return None


def _guard(source: str, load: Any) -> Any:
    try:
        return load()
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"{source}: cannot read input: {type(exc).__name__}: {exc}") from None
