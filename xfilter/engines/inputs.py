"""Reading inputs: the bundled demo, local folders and files, fsspec URIs and Hub dataset ids,
with the part of a dataset a config chooses (``input.name``, ``revision``, ``data_files``,
``data_dir``), as ``datasets.load_dataset`` takes them.

Remote files (``s3://``, ``gs://``, ``hf://`` …) are read through fsspec, whose credentials and
endpoints come from the environment and fsspec's own configuration (``AWS_*`` variables,
``FSSPEC_S3_ENDPOINT_URL``, ``~/.config/fsspec``), never from the config: a config and its
manifest are shared, and keys must not be in them.
"""

from __future__ import annotations

import errno
import glob
import hashlib
import json
import logging
import os
import posixpath
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa

from xfilter.config import InputConfig, is_hub_id
from xfilter.errors import ConfigError, InputError
from xfilter.output.manifest import InputInfo
from xfilter.vocab import DEMO

T = TypeVar("T")

BUILDERS = {
    ".parquet": "parquet",
    ".jsonl": "json",
    ".json": "json",
    ".ndjson": "json",
    ".csv": "csv",
    ".arrow": "arrow",
    ".txt": "text",
}
# The root of a Hub dataset as an fsspec URI, with an optional revision: the dataset itself,
# read as a Hub id. Anything below the root is a file or a glob, read through fsspec.
_HF_ROOT = re.compile(r"hf://datasets/(?P<repo>[^/@]+(?:/[^/@]+)?)(?:@(?P<revision>[^/]+))?/?")
# A data file of a Hub dataset as ``datasets`` resolves it: the commit it was read from.
_HF_FILE = re.compile(r"hf://datasets/(?P<repo>[^@]+)@(?P<commit>[0-9a-f]{40})/")
_SELECTION = ("name", "revision", "data_files", "data_dir")
_COMPRESSED = (".gz", ".zst", ".bz2", ".xz", ".lz4", ".zip")
_JSON_LINES = (".jsonl", ".ndjson")
_MAX_DETAIL = 300  # characters of an underlying error quoted in a message


def content_sha256(files: Sequence[str]) -> str:
    """A hash of the bytes of ``files``, in reading order: the sha256 of each file's sha256 in
    hex, one per line. It names what was read whatever the paths, the engine or the
    filesystem (local paths and fsspec URIs alike)."""
    import fsspec

    outer = hashlib.sha256()
    for file in files:
        inner = hashlib.sha256()
        with fsspec.open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                inner.update(block)
        outer.update(f"{inner.hexdigest()}\n".encode())
    return f"sha256:{outer.hexdigest()}"


def record_content(info: InputInfo, splits: Sequence[str]) -> None:
    """Record the content hash of each of ``splits`` whose files are known."""
    info.content = {
        split: content_sha256(info.split_files[split])
        for split in splits
        if info.split_files.get(split)
    }


def demo_files() -> dict[str, str]:
    demo = resources.files("xfilter") / "data" / "demo"
    return {split: str(demo.joinpath(f"{split}.jsonl")) for split in ("train", "validation")}


def demo_input() -> tuple[dict[str, str], InputInfo]:
    """The bundled demo's file per split, and the manifest's record of it as the input."""
    files = demo_files()
    info = InputInfo(source=DEMO, kind=DEMO, path=str(Path(files["train"]).parent))
    info.split_files = {split: [path] for split, path in files.items()}
    return files, info


def _builder_for(paths: list[str], origin: str) -> str:
    suffixes = {file_suffix(p) for p in paths}
    builders = {BUILDERS.get(s) for s in suffixes}
    if None not in builders and len(builders) > 1:
        raise _mixed_formats(origin, Counter(file_suffix(p) for p in paths))
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
    return load_input(InputConfig(source=source, split=split, streaming=streaming))


def load_input(config: InputConfig) -> tuple[Any, InputInfo]:
    """What an ``input:`` section names, as a ``DatasetDict`` (an ``IterableDatasetDict``
    when streaming), and the manifest's record of it."""
    import datasets

    source, split, streaming = config.source, config.split, config.streaming
    chosen = config.selection()
    if source == DEMO:
        files, info = demo_input()
        loaded = datasets.load_dataset("json", data_files=files, streaming=streaming)
    else:
        loaded, info = _load_other(source, chosen, streaming)
    info.name, info.data_dir, info.data_files = config.name, config.data_dir, config.data_files
    if isinstance(loaded, (datasets.Dataset, datasets.IterableDataset)):
        loaded = (datasets.IterableDatasetDict if streaming else datasets.DatasetDict)(
            {"train": loaded}
        )
    if streaming and isinstance(loaded, datasets.DatasetDict):
        loaded = datasets.IterableDatasetDict({name: _as_stream(ds) for name, ds in loaded.items()})
    if split is not None:
        if split not in loaded:
            raise InputError(f"{source}: no split {split!r}; it has {sorted(loaded)}")
        loaded = type(loaded)({split: loaded[split]})
    for name, ds in list(loaded.items()):
        if ds.features is None:  # a stream's first records tell its columns: read them now
            loaded[name] = ds = _guard(info, ds._resolve_features)
        info.rows[name] = None if streaming else ds.num_rows
        if not streaming:
            info.fingerprints[name] = ds._fingerprint
        if info.features is None and ds.features is not None:
            info.features = ds.features.to_dict()
    record_content(info, list(loaded))
    return loaded, info


def known_rows(ds: Any, info: InputInfo, split: str) -> int | None:
    """How many records ``split`` holds, where that is known before reading it: a loaded
    split's size, the footers of local parquet files, or a Hub dataset card's count for the
    chosen config. For progress bars only: the manifest records what was counted."""
    rows = info.rows.get(split)
    if rows is not None:
        return rows
    files = info.split_files.get(split) or []
    local = all("://" not in f and not f.startswith("file:") for f in files)
    if files and local and all(file_suffix(f) == ".parquet" for f in files):
        import pyarrow.parquet as pq

        try:
            return sum(int(pq.read_metadata(f).num_rows) for f in files)
        except Exception:  # unreadable: reading it reports the error
            return None
    splits = getattr(getattr(ds, "info", None), "splits", None)
    if info.kind == "hub" and not (info.data_files or info.data_dir) and splits:
        count = getattr(splits.get(split), "num_examples", 0)
        return int(count) if count else None
    return None


def read_batches(ds: Any, batch_rows: int, source: InputInfo, split: str) -> Iterator[pa.Table]:
    """``ds``'s records as Arrow tables of ``batch_rows`` rows.

    A stream reads its files lazily, so a bad line may surface long after loading: any error
    while reading, and any string that is not valid UTF-8, becomes an ``InputError`` naming
    the file (and the line or row when known).
    """
    batches = iter(ds.with_format("arrow").iter(batch_size=batch_rows))
    first_row = 0
    while True:
        with _reading(source):
            try:
                batch = next(batches)
            except StopIteration:
                return
        _check_utf8(batch, source, split, first_row)
        first_row += batch.num_rows
        yield batch


def _check_utf8(batch: pa.Table, source: InputInfo, split: str, first_row: int) -> None:
    """Readers pass invalid UTF-8 through into string columns; decoding it later would fail."""
    try:
        batch.validate(full=True)
    except pa.ArrowInvalid:
        pass
    else:
        return
    where = source.files[0] if len(source.files) == 1 else source.source
    for name in batch.column_names:
        for index, value in enumerate(batch.column(name)):
            try:
                value.as_py()
            except UnicodeDecodeError:
                raise InputError(
                    f"{where}: invalid UTF-8 in column {name!r}, row {first_row + index} of "
                    f"split {split!r}; re-encode the file as UTF-8"
                ) from None
    raise InputError(f"{where}: invalid data in split {split!r} near row {first_row}")


def _load_other(source: str, chosen: Mapping[str, Any], streaming: bool) -> tuple[Any, InputInfo]:
    import datasets

    if "://" in source:
        return _load_uri(source, chosen, streaming)
    path = Path(source).expanduser()
    if path.is_dir():
        info = InputInfo(source=source, kind="local", path=str(path.resolve()))
        if is_saved_to_disk(path):
            _refuse(chosen, _SELECTION, source, "is a save_to_disk folder, read whole")
            saved = _guard(info, lambda: datasets.load_from_disk(str(path)))
            info.split_files = _saved_files(saved)
            return saved, info
        _refuse(chosen, ("revision",), source, "is a local folder; a revision pins a Hub commit")
        if _has_card(path):  # datasets reads the card's configs
            _check_config_name(path, chosen, source)
            return _load_dataset(info, str(path), chosen, streaming), info
        _refuse(chosen, ("name",), source, "declares no configs (no `configs:` in a README.md)")
        split_files, builder, options = _folder_files(path.resolve().as_posix(), source, chosen)
        info.files = [f for files in split_files.values() for f in files]
        return _load_files(info, split_files, builder, options, streaming), info
    matches = sorted(glob.glob(str(path))) if not path.exists() else [str(path)]
    matches = [m for m in matches if Path(m).is_file()]
    if matches:
        _refuse(chosen, _SELECTION, source, "names files, read whole")
        builder = _builder_for(matches, source)
        info = InputInfo(source=source, kind="local", path=str(path), files=matches)
        return _load_files(info, {"train": matches}, builder, {}, streaming), info
    if not is_hub_id(source):
        raise InputError(f"{source}: input not found (no such file, folder or matching files)")
    return _load_hub(source, source, chosen, streaming)


def _load_uri(source: str, chosen: Mapping[str, Any], streaming: bool) -> tuple[Any, InputInfo]:
    """An fsspec URI: the root of a Hub dataset (``hf://datasets/owner/name[@revision]``) is
    that dataset; a folder, file or glob is read as the same local path would be."""
    import fsspec

    repo, revision = hub_root(source)
    if repo is not None:
        if revision is not None and chosen.get("revision") not in (None, revision):
            raise ConfigError(
                f"{source}: input.revision {chosen['revision']!r} differs from the URI's "
                f"@{revision}; give the revision once"
            )
        pinned = {**chosen, "revision": revision} if revision else dict(chosen)
        return _load_hub(source, repo, pinned, streaming)
    info = InputInfo(source=source, kind="uri", path=source)
    fs, path = _filesystem(source)
    with _reading(info):
        folder = fs.isdir(path)
        if not folder:
            matches = sorted(fs.glob(path)) if fsspec.core.has_magic(path) else [path]
            matches = [fs.unstrip_protocol(m) for m in matches if fs.isfile(m)]
    if folder:
        _refuse(chosen, ("name", "revision"), source, "is a folder of files")
        split_files, builder, options = _folder_files(source.rstrip("/"), source, chosen)
    else:
        if not matches:
            raise InputError(f"{source}: input not found (no such file, folder or matching files)")
        _refuse(chosen, _SELECTION, source, "names files, read whole")
        split_files, builder, options = {"train": matches}, _builder_for(matches, source), {}
    info.files = [f for files in split_files.values() for f in files]
    return _load_files(info, split_files, builder, options, streaming), info


def dataset_files(source: str, chosen: Mapping[str, Any]) -> dict[str, list[str]]:
    """The files of each split that ``chosen`` (``input.name``, ``data_files``, ``data_dir``)
    selects in the folder ``source`` (a local path or a URI), found as the local engine finds
    them but not read: for an engine that reads files itself."""
    import datasets

    fs, path = _filesystem(source)
    with _reading(source):
        folder = fs.isdir(path)
    if not folder:
        _refuse(chosen, _SELECTION, source, "is not a folder of a dataset")
    _refuse(
        chosen,
        ("revision",),
        source,
        "is read as files: name the revision in an hf://datasets/OWNER/NAME@REVISION/... URI",
    )
    local = Path(path) if "://" not in source else None
    if local is not None and is_saved_to_disk(local):
        _refuse(chosen, _SELECTION, source, "is a save_to_disk folder, read whole")
    if local is not None and _has_card(local):
        _check_config_name(local, chosen, source)
        builder = _guard(source, lambda: datasets.load_dataset_builder(str(local), **chosen))
        found = builder.config.data_files or {}
        return {str(split): [str(f) for f in files] for split, files in found.items()}
    _refuse(chosen, ("name",), source, "declares no configs (no `configs:` in a README.md)")
    base = local.resolve().as_posix() if local is not None else source.rstrip("/")
    return _folder_files(base, source, chosen)[0]


def _filesystem(source: str) -> tuple[Any, str]:
    """fsspec's filesystem for ``source`` and the path on it; a missing backend is named."""
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(os.path.expanduser(source))
    except ImportError as exc:
        protocol = source.split("://", 1)[0]
        package = exc.name or getattr(exc.__cause__, "name", None)
        need = f"{package} (pip install {package})" if package else _detail(exc)
        raise InputError(f"{source}: reading {protocol}:// needs {need}") from None
    except ValueError as exc:  # a protocol fsspec does not know
        raise InputError(f"{source}: cannot read input: {_detail(exc)}") from None
    return fs, path


def hub_root(source: str) -> tuple[str | None, str | None]:
    """``(owner/name, revision or None)`` when ``source`` is the root of a Hub dataset as an
    fsspec URI (``hf://datasets/owner/name@v1``), else ``(None, None)``."""
    found = _HF_ROOT.fullmatch(source)
    if found is None:
        return None, None
    return found["repo"], found["revision"]


def _refuse(chosen: Mapping[str, Any], keys: Sequence[str], source: str, why: str) -> None:
    """A key of the selection that cannot apply to this source is an error, not ignored:
    reading more (or other) records than the config says would go unnoticed."""
    given = [key for key in keys if key in chosen]
    if given:
        named = " and ".join(f"input.{key}" for key in given)
        raise ConfigError(f"{named}: cannot apply: {source} {why}")


def _has_card(folder: Path) -> bool:
    """Whether the folder's card says which files make which split (``configs:``)."""
    if (folder / ".huggingface.yaml").is_file():
        return True
    try:
        return bool(_card_configs(folder))
    except FileNotFoundError:
        return False
    except Exception:  # a card datasets cannot read either: it reports that when loading
        return True


def _card_configs(folder: Path) -> dict[str, Any]:
    """The configs a folder's ``README.md`` declares (empty without a YAML block)."""
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCard

    card = folder / "README.md"
    if not card.read_text(encoding="utf-8").startswith("---"):  # no YAML block
        return {}
    configs: dict[str, Any] = MetadataConfigs.from_dataset_card_data(DatasetCard.load(card).data)
    return configs


def _check_config_name(folder: Path, chosen: Mapping[str, Any], source: str) -> None:
    """``input.name`` must be one of the card's configs, and is needed when there are several
    and none is the default (unless ``data_files`` or ``data_dir`` say what to read)."""
    from datasets.utils.metadata import MetadataConfigs

    try:
        configs = MetadataConfigs(_card_configs(folder))
    except Exception:  # a card datasets cannot read either: it reports that when loading
        return
    names = ", ".join(configs) or "none"
    name = chosen.get("name")
    if name is not None and configs and name not in configs:
        raise ConfigError(f"input.name: {name!r} is not a config of {source} (it has {names})")
    several = len(configs) > 1 and configs.get_default_config_name() is None
    if name is None and several and not {"data_files", "data_dir"} & set(chosen):
        raise ConfigError(
            f"input.name: {source} has several configs ({names}) and none is the default; "
            "set input.name to one of them"
        )


def _folder_files(
    base: str, source: str, chosen: Mapping[str, Any] | None = None
) -> tuple[dict[str, list[str]], str, dict[str, Any]]:
    """The files of each split of a folder (a local path or a URI), found as ``datasets``
    finds them (or as ``data_files`` and ``data_dir`` name them, inside the folder), and
    their one format: ``datasets`` would read only the most common format of a mixed folder."""
    from datasets.data_files import DataFilesDict, get_data_patterns
    from datasets.load import _ALL_ALLOWED_EXTENSIONS
    from datasets.packaged_modules import _EXTENSION_TO_MODULE, _MODULE_TO_METADATA_FILE_NAMES

    chosen = chosen or {}
    if chosen.get("data_dir"):
        base = posixpath.join(base, chosen["data_dir"])
    try:
        if chosen.get("data_files"):
            patterns = chosen["data_files"]
            found = DataFilesDict.from_patterns(patterns, base_path=base)
        else:
            patterns = get_data_patterns(base)
            found = DataFilesDict.from_patterns(
                patterns, base_path=base, allowed_extensions=_ALL_ALLOWED_EXTENSIONS
            )
    except Exception as exc:
        where = "input.data_files: " if chosen.get("data_files") else ""
        raise InputError(f"{source}: {where}no data files found ({_detail(exc)})") from None
    for split, files in found.items():
        if not files:  # a split named in data_files whose patterns match nothing
            raise InputError(
                f"{source}: input.data_files: no data files found for split {split!r} "
                f"(patterns {patterns[split]}, in {base})"
            )
    metadata = {name for names in _MODULE_TO_METADATA_FILE_NAMES.values() for name in names}
    formats: dict[tuple[str, str], list[str]] = {}
    for files in found.values():
        for file in files:
            name = posixpath.basename(file)
            suffixes = ["." + part.lower() for part in name.split(".")[1:]]
            module = next(
                (_EXTENSION_TO_MODULE[s] for s in suffixes if s in _EXTENSION_TO_MODULE), None
            )
            if module is None or name in metadata:
                continue
            key = (module[0], json.dumps(module[1], sort_keys=True))
            formats.setdefault(key, []).append(file_suffix(file) or name)
    if not formats:
        raise InputError(f"{source}: no data files found in this folder")
    if len(formats) > 1:
        raise _mixed_formats(source, Counter(s for suffixes in formats.values() for s in suffixes))
    ((builder, options),) = formats
    return {str(split): list(files) for split, files in found.items()}, builder, json.loads(options)


def _mixed_formats(origin: str, suffixes: Counter[str]) -> InputError:
    found = ", ".join(f"{n} {s.lstrip('.')}" for s, n in sorted(suffixes.items()))
    return InputError(
        f"{origin}: holds files of more than one format ({found}); only one would be read: "
        "give the files of one format (a glob such as '*.parquet'), or convert them"
    )


def _load_files(
    info: InputInfo,
    split_files: dict[str, list[str]],
    builder: str,
    options: dict[str, Any],
    streaming: bool,
) -> Any:
    """Each split from its files. Files without a record are left to the side: a zero-row
    parquet file cannot be read by ``datasets``, and an empty JSON Lines file stops it; a split
    of only such files is an empty split (with the parquet file's columns)."""
    import datasets

    info.split_files = {split: list(files) for split, files in split_files.items()}
    empty = {f for files in split_files.values() for f in files if _holds_no_rows(f, builder)}
    readable = {s: [f for f in files if f not in empty] for s, files in split_files.items()}
    with_rows = {s: files for s, files in readable.items() if files}
    loaded: dict[str, Any] = {}
    if with_rows:
        loaded = dict(
            _guard(
                info,
                lambda: datasets.load_dataset(
                    builder, data_files=with_rows, streaming=streaming, **options
                ),
            )
        )
    for split, files in split_files.items():
        if split not in loaded:
            loaded[split] = _empty_split(files[0], builder, info)
    pick = {split: loaded[split] for split in split_files}
    if streaming:
        return datasets.IterableDatasetDict({s: _as_stream(ds) for s, ds in pick.items()})
    return datasets.DatasetDict(pick)


def _saved_files(saved: Any) -> dict[str, list[str]]:
    """The Arrow files of each split of a ``save_to_disk`` folder, in reading order."""
    import datasets

    splits = {"train": saved} if isinstance(saved, datasets.Dataset) else dict(saved)
    return {name: [f["filename"] for f in ds.cache_files] for name, ds in splits.items()}


def _as_stream(ds: Any) -> Any:
    """``ds`` as an ``IterableDataset`` (``datasets`` refuses to convert one with no rows)."""
    import datasets

    if isinstance(ds, datasets.IterableDataset):
        return ds
    if ds.num_rows == 0:
        return datasets.IterableDataset.from_generator(_no_records, features=ds.features)
    return ds.to_iterable_dataset()


def _no_records() -> Iterator[dict[str, Any]]:
    yield from ()


def _holds_no_rows(file: str, builder: str) -> bool:
    import fsspec

    if file.lower().endswith(_COMPRESSED):
        return False
    try:
        if builder == "parquet":
            import pyarrow.parquet as pq

            with fsspec.open(file, "rb") as handle:
                return bool(pq.read_metadata(handle).num_rows == 0)
        if builder in ("json", "csv", "text"):
            fs, path = fsspec.core.url_to_fs(file)
            return bool(fs.size(path) == 0)
    except Exception:  # unreadable: loading it reports the error
        return False
    return False


def _empty_split(file: str, builder: str, info: InputInfo) -> Any:
    """A split with no records; only a parquet file tells its columns."""
    import datasets
    import pyarrow.parquet as pq

    if builder != "parquet":
        raise InputError(f"{file}: the file is empty; there are no records or columns to read")
    import fsspec

    with fsspec.open(file, "rb") as handle:
        schema = pq.read_schema(handle)
    features = datasets.Features.from_arrow_schema(schema)
    return _guard(
        info, lambda: datasets.Dataset.from_dict({n: [] for n in schema.names}, features=features)
    )


def _load_hub(
    source: str, repo: str, chosen: Mapping[str, Any], streaming: bool
) -> tuple[Any, InputInfo]:
    """A Hub dataset, read at one commit: the one ``input.revision`` names (a commit, branch or
    tag), else ``main``'s. Online, the revision is verified when every file the loader read
    comes from that very commit."""
    from huggingface_hub import constants

    info = InputInfo(source=source, kind="hub")
    pinned = chosen.get("revision")
    offline = constants.HF_HUB_OFFLINE
    if offline:
        info.revision = pinned or _cached_revision(repo)
    else:
        info.revision = _hub_commit(repo, pinned)
    # Load the very commit recorded, so a push to the branch in between cannot slip in.
    options = {**chosen, "revision": info.revision}
    try:
        builder, loaded = _build(repo, options, streaming)
    except ConfigError:
        raise
    except Exception as exc:
        hint = " (HF_HUB_OFFLINE is set and it is not in the local cache)" if offline else ""
        raise InputError(
            f"{source}: cannot load this Hub dataset{hint}: {_config_problem(exc)}"
            "give a local path instead"
        ) from None
    used = commits_read(repo, builder.config.data_files or {})
    info.revision_verified = not offline and used == {info.revision}
    return loaded, info


def _hub_commit(repo: str, revision: str | None) -> str | None:
    """The commit ``revision`` (default ``main``) of a Hub dataset points at now."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import RevisionNotFoundError

    try:
        sha: str | None = HfApi().dataset_info(repo, revision=revision).sha
    except RevisionNotFoundError:
        raise ConfigError(
            f"input.revision: {revision!r} is not a commit, branch or tag of {repo}"
        ) from None
    except Exception as exc:
        raise InputError(
            f"{repo}: not a local path, and the Hub could not be reached or has no such "
            f"dataset ({type(exc).__name__}); give a local path (a save_to_disk folder, a "
            "folder or glob of parquet/jsonl/csv files) or check the network"
        ) from None
    return sha


def commits_read(repo: str, data_files: Mapping[str, Sequence[str]]) -> set[str]:
    """The commits of ``repo`` that a loader's resolved data files come from
    (``hf://datasets/owner/name@<commit>/…``); a file from elsewhere counts as ``""``."""
    commits = set()
    for files in data_files.values():
        for file in files:
            found = _HF_FILE.match(str(file))
            commits.add(found["commit"] if found and found["repo"] == repo else "")
    return commits


def _config_problem(exc: BaseException) -> str:
    """What ``datasets`` said about a config name, in the config's words (else the error's
    type), ready to be followed by advice."""
    text = " ".join(str(exc).split())
    if "Config name is missing" in text or ("BuilderConfig" in text and "not found" in text):
        available = re.search(r"\[[^\]]*\]", text)
        names = f" (it has {available.group(0).strip('[]')})" if available else ""
        return f"input.name is missing or not one of its configs{names}; "
    return f"{type(exc).__name__}; "


def _load_dataset(info: InputInfo, path: str, chosen: Mapping[str, Any], streaming: bool) -> Any:
    """A dataset folder whose card declares its configs, read as ``datasets`` reads it, with
    the files of each split recorded as the loader resolved them."""
    builder, loaded = _guard(info, lambda: _build(path, chosen, streaming))
    data_files = builder.config.data_files or {}
    info.split_files = {str(split): [str(f) for f in files] for split, files in data_files.items()}
    return loaded


def _build(path: str, options: Mapping[str, Any], streaming: bool) -> tuple[Any, Any]:
    """``datasets.load_dataset(path, **options)``, keeping the builder: it knows which files
    (and so which commit) were read."""
    import datasets

    builder = datasets.load_dataset_builder(path, **options)
    if streaming:
        return builder, builder.as_streaming_dataset()
    builder.download_and_prepare()
    return builder, builder.as_dataset()


def _cached_revision(repo_id: str) -> str | None:
    """The commit of the cached ``main`` snapshot, if the Hub cache has one (unverified)."""
    from huggingface_hub import constants

    name = f"datasets--{repo_id.replace('/', '--')}"
    ref = Path(constants.HF_HUB_CACHE) / name / "refs" / "main"
    try:
        return ref.read_text().strip() or None
    except OSError:
        return None


def _guard(source: InputInfo | str, load: Callable[[], T]) -> T:
    """``load()``; any error it raises becomes one ``InputError`` line."""
    with _reading(source):
        loaded = load()
    return loaded


@contextmanager
def _reading(source: InputInfo | str) -> Iterator[None]:
    """Turn an error while reading into one ``InputError`` naming the file (and the line or row
    when known). ``datasets`` logs which file failed before it raises a generic error: its log
    is held while reading, read for the file's name, and replayed only if all went well."""
    info = source if isinstance(source, InputInfo) else InputInfo(source=source, kind="local")
    held = _HeldLog()
    logger = logging.getLogger("datasets")
    handlers = logger.handlers[:]
    logger.handlers = [held]
    try:
        yield
    except InputError:
        raise
    except OSError as exc:
        if exc.errno == errno.ENOSPC:  # the cache's disk, not the input: the CLI says so
            raise
        raise InputError(_describe(info, exc, held.failed_file())) from None
    except Exception as exc:
        raise InputError(_describe(info, exc, held.failed_file())) from None
    else:
        held.replay(handlers)
    finally:
        logger.handlers = handlers


class _HeldLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def failed_file(self) -> str | None:
        for record in self.records:
            if record.levelno >= logging.ERROR:
                found = re.search(r"file '([^']+)'", record.getMessage())
                if found:
                    return found.group(1)
        return None

    def replay(self, handlers: Sequence[logging.Handler]) -> None:
        for record in self.records:
            for handler in handlers:
                if record.levelno >= handler.level:
                    handler.handle(record)


def _describe(info: InputInfo, exc: BaseException, logged_file: str | None) -> str:
    """One line: the file at fault, then what is wrong with it."""
    cause = exc
    while cause.__cause__ is not None or (cause.__context__ is not None and not str(cause)):
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    file = logged_file or (info.files[0] if len(info.files) == 1 else None)
    if file is not None and file.lower().endswith(_JSON_LINES):
        line = _first_bad_line(Path(file))
        if line is not None:
            return f"{file}: {line}"
    if file is None and info.files:
        for candidate in info.files:  # a bad line, in whichever file holds it
            if candidate.lower().endswith(_JSON_LINES):
                line = _first_bad_line(Path(candidate))
                if line is not None:
                    return f"{candidate}: {line}"
    return f"{file or info.source}: cannot read input: {_detail(cause)}"


def _first_bad_line(path: Path) -> str | None:
    """Where a JSON Lines file stops being valid: the line number and why."""
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    return f"line {number}: not valid UTF-8 (byte {exc.start}); re-encode it"
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as exc:
                    reason = exc.msg.removesuffix(" at")
                    return f"line {number}, column {exc.colno}: not valid JSON ({reason})"
                if not isinstance(record, dict):
                    return f"line {number}: not a JSON object"
    except OSError:
        return None
    return None


def _detail(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if len(text) > _MAX_DETAIL:
        text = text[: _MAX_DETAIL - 1] + "…"
    return text
