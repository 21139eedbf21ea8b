"""The Ray engine: the same batch function on a Ray Data actor pool, the same output directory.

Ray reads the input files with its own readers and tags blocks on a pool of actors, each of
which rebuilds the ``XFilter`` from its pickled state once. The tagged blocks stream back to the
driver in input order and go through the local engine's writer (``result.write_output``), so
the clean and quarantine files, the ledger (row indices included) and the manifest are exactly
what the local engine writes, and ``xfilter verify`` checks them the same way. Beside the
writer, Ray tasks tally the tagged blocks from their refs; the summed tallies must equal the
writer's counts, and for parquet the input's row count from the footers, before the output
directory appears.

A failure on the cluster (an unreadable file, a bad JSON line, an actor's error) reaches the
driver wrapped in Ray's exceptions; it is raised as the local engine's one-line ``InputError``
(or the ``XFilterError`` the actor raised), naming the file where it is known.

    out = xfilter.engines.ray.run("configs/strict.yaml", address="auto", num_actors=8)
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from tqdm.auto import tqdm

from xfilter.config import Config
from xfilter.engines.inputs import (
    BUILDERS,
    dataset_files,
    demo_input,
    file_suffix,
    is_saved_to_disk,
    record_content,
)
from xfilter.engines.local import (
    check_fields,
    check_not_inside_input,
    make_filter,
    progress_enabled,
    tag_for_output,
)
from xfilter.engines.workers import one_scan_thread
from xfilter.errors import InputError, XFilterError
from xfilter.output.manifest import InputInfo, now
from xfilter.output.reader import Output
from xfilter.output.write import SplitStream, write_output
from xfilter.output.writer import SplitCounts
from xfilter.tagging.prefilter import engine_name
from xfilter.transform import XFilter
from xfilter.vocab import DEMO, RECORD_COLUMNS, RECORD_SCHEMA, TAG_COLUMNS, TAG_SCHEMA

if TYPE_CHECKING:
    import ray.data

INSTALL_HINT = "the Ray engine needs `pip install xfilter[ray]`"
# Tagging actors reserve at most half a CPU each, and together leave one CPU unreserved: a pool
# that reserves every CPU leaves Ray's read tasks nothing to run on and the job stalls (seen with
# 4 actors of 0.5 CPU on 2 CPUs). The reservation is only for scheduling; a busy actor uses a
# whole core, so choose the number of actors by cores.
ACTOR_CPUS = 0.5
DEFAULT_MAX_ACTORS = 8
# Rows per tagging batch. Smaller than the local engine's 10,000 so that a few hundred MB already
# spread over several actors; the output bytes do not depend on it (fixed row groups).
BATCH_ROWS = 2_000
# Tagged blocks per tally task: a Ray task costs milliseconds (and a fresh worker process
# seconds, to import xfilter), while counting one block costs microseconds.
TALLY_WINDOW = 64
# DataContext fields a read changes and restores (the first exists from Ray 2.5x on).
_READ_SETTINGS = ("use_datasource_v2", "enable_progress_bars")
# Ray's readers by the builder name ``sources`` infers from a file suffix.
_RAY_READERS = {"parquet": "read_parquet", "json": "read_json", "csv": "read_csv"}


def _import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise XFilterError(INSTALL_HINT) from None
    return ray


# -- the batch function on an actor --------------------------------------------------------


class TagBatches:
    """The ``map_batches`` callable: one ``XFilter`` per actor, rebuilt from its pickled state.

    ``XFilter`` pickles as plain data (config, digests, opt-out hashes), so what crosses to the
    actor is small and the compiled scan databases are built once in the actor's process. An
    actor scans on one thread: the engine already runs an actor per core.
    """

    def __init__(self, xf: XFilter) -> None:
        self.xf = xf
        one_scan_thread()

    def __call__(self, batch: pa.Table) -> pa.Table:
        return tag_for_output(self.xf, batch)


def _tally(window: list[tuple[Any, tuple[int, int] | None]]) -> SplitCounts:
    """Counts of a window of tagged blocks, computed by a Ray task from the blocks' refs."""
    import ray

    counts = SplitCounts()
    blocks = ray.get([ref for ref, _ in window])
    for block, (_, rows) in zip(blocks, window, strict=True):
        counts.update(_sliced(block, rows))
    return counts


# -- inputs --------------------------------------------------------------------------------


@dataclass
class SplitFiles:
    """One split of the input: its files, in the order the local engine reads them."""

    name: str
    files: list[str]
    builder: str


def resolve_input(
    source: str, split: str | None, selection: Mapping[str, Any] | None = None
) -> tuple[list[SplitFiles], InputInfo]:
    """The files of each split, and the manifest's input record; nothing is read yet.
    ``selection``: ``input.name``, ``data_files`` and ``data_dir`` (``InputConfig.selection``),
    which choose files inside a dataset folder as the local engine chooses them."""
    chosen = dict(selection or {})
    if source == DEMO:
        files, info = demo_input()
        by_split = {name: [path] for name, path in files.items()}
    else:
        by_split, info = _resolve_files(source)
        if chosen:
            by_split = dataset_files(source, chosen)
    info.name, info.data_dir = chosen.get("name"), chosen.get("data_dir")
    info.data_files = chosen.get("data_files")
    if split is not None:
        if split not in by_split:
            raise InputError(f"{source}: no split {split!r}; it has {sorted(by_split)}")
        by_split = {split: by_split[split]}
    splits = [SplitFiles(name, files, _builder(source, files)) for name, files in by_split.items()]
    info.fingerprints = {s.name: _files_fingerprint(s.files) for s in splits}
    info.split_files = {s.name: list(s.files) for s in splits}
    record_content(info, [s.name for s in splits])
    return splits, info


def _resolve_files(source: str) -> tuple[dict[str, list[str]], InputInfo]:
    """Splits of a folder, file, glob or fsspec URI, named the way ``datasets`` names them."""
    import fsspec
    from datasets.data_files import DataFilesDict, get_data_patterns

    fs, path = fsspec.core.url_to_fs(os.path.expanduser(source))
    kind = "local" if "://" not in source else "uri"
    info = InputInfo(
        source=source, kind=kind, path=str(Path(path).resolve()) if kind == "local" else source
    )
    if fs.isdir(path):
        if kind == "local" and is_saved_to_disk(Path(path)):
            raise InputError(
                f"{source}: a save_to_disk folder; the Ray engine reads parquet, jsonl or csv "
                "files. Convert it first (datasets.load_from_disk(path)[split].to_parquet(...)) "
                "or run it with the local engine (--engine local)"
            )
        # datasets' own resolver, so a Hub-layout folder (data/<split>-*.parquet) gets the
        # same splits and file order as the local engine's load_dataset(folder).
        patterns = get_data_patterns(source)
        resolved = DataFilesDict.from_patterns(patterns, source)
        found = {  # str(): a flat folder's splits come back as datasets' NamedSplit
            str(name): [f for f in files if file_suffix(f) in BUILDERS]
            for name, files in resolved.items()
        }
        return {name: files for name, files in found.items() if files}, info
    matches = sorted(fs.glob(path)) if fsspec.core.has_magic(path) else [path]
    matches = [m for m in matches if fs.isfile(m)]
    if not matches:
        raise InputError(
            f"{source}: input not found (no such file, folder or matching files); the Ray "
            "engine reads files: for a Hub dataset give an fsspec URI such as "
            "hf://datasets/OWNER/NAME/data/*.parquet"
        )
    if kind == "uri":
        matches = [fs.unstrip_protocol(m) for m in matches]
    return {"train": matches}, info


def _builder(source: str, files: list[str]) -> str:
    builders = {BUILDERS.get(file_suffix(f)) for f in files}
    if len(builders) != 1 or next(iter(builders)) not in _RAY_READERS:
        suffixes = sorted({file_suffix(f) for f in files})
        raise InputError(
            f"{source}: the Ray engine reads parquet, json/jsonl or csv files, one format per "
            f"split; found {suffixes}. Use the local engine (--engine local) for other inputs"
        )
    return next(iter(builders))  # type: ignore[return-value]


def _files_fingerprint(files: list[str]) -> str:
    """Hash of each file's path, size and modification time: cheap at any input size."""
    import fsspec

    digest = hashlib.sha256()
    for file in files:
        fs, path = fsspec.core.url_to_fs(file)
        info = fs.info(path)
        stamp = info.get("mtime") or info.get("LastModified") or info.get("ETag") or ""
        digest.update(f"{file}\t{info.get('size')}\t{stamp}\n".encode())
    return f"files-sha256:{digest.hexdigest()}"


def _read(split: SplitFiles) -> ray.data.Dataset:
    import ray.data

    reader = getattr(ray.data, _RAY_READERS[split.builder])
    options: dict[str, Any] = {}
    if split.builder == "csv":
        import pyarrow.csv as pacsv

        # As the local engine reads it: a quoted field may hold newlines (web text does).
        options["parse_options"] = pacsv.ParseOptions(newlines_in_values=True)
    with _reader_context(), _failures_named(split):
        # partitioning=None: a path like .../lang=en/x.jsonl must not grow a `lang` column the
        # local engine does not have; file_extensions=None: the files are already chosen.
        dataset: ray.data.Dataset = reader(
            split.files, partitioning=None, file_extensions=None, **options
        )
        return dataset


@contextmanager
def _failures_named(split: SplitFiles) -> Iterator[None]:
    """Ray's wrapped failures of reading or tagging ``split`` as one line naming the file.

    An ``XFilterError`` raised on an actor is raised as itself; anything else becomes an
    ``InputError`` with the root cause's type and first line.
    """
    import ray.exceptions

    try:
        yield
    except (ray.exceptions.RayError, pa.ArrowException) as error:
        cause = _root_cause(error)
        if isinstance(cause, XFilterError):
            raise cause.with_traceback(None) from None
        where = split.files[0] if len(split.files) == 1 else f"split {split.name!r}"
        lines = str(cause).strip().splitlines() or [""]
        raise InputError(
            f"{where}: cannot read input on Ray: {type(cause).__name__}: {lines[0]}"
        ) from None


def _root_cause(error: BaseException) -> BaseException:
    """The exception a Ray task or actor raised, under Ray's wrappers."""
    import ray.exceptions

    seen = set()
    while id(error) not in seen:
        seen.add(id(error))
        inner = (
            getattr(error, "cause", None) if isinstance(error, ray.exceptions.RayError) else None
        )
        inner = inner if isinstance(inner, BaseException) else error.__cause__
        if inner is None or type(inner).__module__.startswith("ray.data."):
            break  # Ray Data's own marker (SystemException): the error itself is the cause
        error = inner
    return error


@contextmanager
def _failure_logs_to_file() -> Iterator[None]:
    """Ray Data logs a failed execution's tracebacks to the console as well as to its log file;
    xfilter reports the failure in one line, so the console copies are dropped for the job."""
    quiet = logging.Filter()
    quiet.filter = lambda record: record.levelno < logging.ERROR  # type: ignore[method-assign]
    consoles = [
        handler
        for handler in logging.getLogger("ray.data").handlers
        if isinstance(handler, logging.StreamHandler)
    ]
    for handler in consoles:
        handler.addFilter(quiet)
    try:
        yield
    finally:
        for handler in consoles:
            handler.removeFilter(quiet)


@contextmanager
def _reader_context() -> Iterator[None]:
    """Ray settings for one read call (a Dataset copies the current DataContext when made).

    Progress bars follow ``datasets``' switch. Without aiohttp, parquet is read through Ray's
    V1 datasource: Ray 2.60's V2 resolves paths on a thread pool where each thread imports
    fsspec's HTTP filesystem to ask "is this HTTP?", and when that import fails (no aiohttp) a
    thread racing the failing import gets "cannot import name 'HTTPFileSystem'" and the read
    dies (seen here with 2 parquet files; cf. ray-project/ray#52327).
    """
    from ray.data import DataContext

    context = DataContext.get_current()
    saved = {name: getattr(context, name) for name in _READ_SETTINGS if hasattr(context, name)}
    context.enable_progress_bars = progress_enabled()
    if "use_datasource_v2" in saved and importlib.util.find_spec("aiohttp") is None:
        context.use_datasource_v2 = False
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(context, name, value)


# -- the job -------------------------------------------------------------------------------


def run(
    config: str | os.PathLike[str] | Config,
    *,
    input: str | None = None,
    output: str | os.PathLike[str] | None = None,
    split: str | None = None,
    overwrite: bool = False,
    address: str | None = None,
    num_actors: int | None = None,
) -> Output:
    """Run the job a config describes on Ray; return the output it wrote, as ``xfilter.run``
    does.

    ``address`` names an existing cluster (``"auto"`` on a cluster node, or ``"HEAD:6379"``).
    Without it, a Ray already initialised in this process is used, else a local one is started
    for the job and stopped after it. ``input.streaming`` does not apply: Ray always streams.
    """
    ray = _import_ray()
    if num_actors is not None and num_actors < 1:
        raise XFilterError(f"--num-actors must be at least 1, got {num_actors}")
    xf = make_filter(config, input=input, output=output, split=split)
    out_dir = Path(xf.config.output.dir)
    check_not_inside_input(xf.config.input.source, out_dir)
    started = now()
    splits, source = resolve_input(
        xf.config.input.source, xf.config.input.split, xf.config.input.selection()
    )
    engine_name()  # a bad XFILTER_ENGINE is reported here, not by every actor
    with _cluster(ray, address), _failure_logs_to_file():
        cpus = float(ray.cluster_resources().get("CPU", 0))
        actors = num_actors or _default_actors(cpus)
        actor_cpus = _actor_cpus(cpus, actors)
        engine = {
            "name": "ray",
            "address": address or "local",
            "num_actors": actors,
            "actor_cpus": actor_cpus,
            "cluster_cpus": cpus,
            "cluster_nodes": sum(1 for node in ray.nodes() if node.get("Alive")),
            "ray_version": ray.__version__,
        }
        streams = _split_streams(xf, splits, source, actors, actor_cpus)
        manifest = write_output(xf, streams, source, out_dir, engine, started, overwrite)
    return Output.written(out_dir, manifest)


def _default_actors(cpus: float) -> int:
    # One actor per CPU, at most DEFAULT_MAX_ACTORS: every row passes through this job's one
    # driver, whose writer (~300 MB/s measured) a few actors already keep busy, so more would
    # only hold cluster CPUs idle. Run several jobs for more (README, "Running on Ray").
    return max(1, min(int(cpus), DEFAULT_MAX_ACTORS))


def _actor_cpus(cpus: float, actors: int) -> float:
    """Each actor's CPU reservation: at most ``ACTOR_CPUS``, one CPU left for the readers."""
    return round(min(ACTOR_CPUS, max(cpus - 1, 0) / actors), 4)


@contextmanager
def _cluster(ray: Any, address: str | None) -> Iterator[None]:
    """Connect to ``address`` or reuse a running Ray; stop only a Ray started here."""
    if ray.is_initialized():
        yield
        return
    ray.init(address=address, include_dashboard=False)
    try:
        yield
    finally:
        ray.shutdown()


def _split_streams(
    xf: XFilter, splits: list[SplitFiles], source: InputInfo, actors: int, actor_cpus: float
) -> Iterator[SplitStream]:
    """One split at a time: a split's Ray execution starts when the writer reaches it."""
    for split in splits:
        _check_named_fields(xf, split)
        blocks = _ordered_blocks(_tagged_dataset(xf, split, actors, actor_cpus), split, source)
        first = next(blocks, None)
        schema = _input_schema(first, split, source)
        features = _features(schema)
        source.features = source.features or features.to_dict()
        yield SplitStream(
            split.name, schema, features.to_dict(), _conformed(first, blocks, schema, split.name)
        )


def _check_named_fields(xf: XFilter, split: SplitFiles) -> None:
    """Fields the config names (``fields``, ``ledger.identity``) must exist; checked on the
    reader's schema, before tagging."""
    fields = xf.config.fields
    if not (fields.text or fields.url or fields.author or xf.config.ledger.identity):
        return
    schema = _read(split).schema()
    if schema is not None:
        view = SimpleNamespace(column_names=schema.names, features=_features(schema.base_schema))
        check_fields(xf, {split.name: view})


def _input_schema(first: pa.Table | None, split: SplitFiles, source: InputInfo) -> pa.Schema:
    """The split's schema without the xfilter columns: the first block's, as Ray read it."""
    if first is None:  # an empty split: the reader's schema, and no rows to write
        found = _read(split).schema()
        if found is None:
            raise InputError(f"{source.source}: split {split.name!r} has no records and no schema")
        return found.base_schema
    ours = (*TAG_COLUMNS, *RECORD_COLUMNS)
    schema = pa.schema([f for f in first.schema if f.name not in ours])
    return schema.with_metadata(first.schema.metadata or {})


def _tagged_dataset(
    xf: XFilter, split: SplitFiles, actors: int, actor_cpus: float
) -> ray.data.Dataset:
    import ray.data

    tagged = _read(split).map_batches(
        TagBatches,
        fn_constructor_args=(xf,),
        batch_size=BATCH_ROWS,
        batch_format="pyarrow",
        # All actors start at once; min_size=1 lets a small input (fewer batches than actors)
        # run without Ray warning that the pool cannot be kept busy.
        compute=ray.data.ActorPoolStrategy(min_size=1, max_size=actors, initial_size=actors),
        num_cpus=actor_cpus,
        # No max_restarts / max_task_retries here: Ray Data already gives actor pools
        # max_restarts=-1 and max_task_retries=-1 (a killed actor is restarted and its
        # in-flight batches retried), and passing them as ray_remote_args is deprecated in
        # Ray 2.60.
    )
    # The ledger's row indices are positions in the input: blocks must come back in order.
    tagged.context.execution_options.preserve_order = True
    tagged.context.enable_progress_bars = progress_enabled()
    return tagged


def _ordered_blocks(
    tagged: ray.data.Dataset, split: SplitFiles, source: InputInfo
) -> Iterator[pa.Table]:
    """Non-empty tagged blocks in input order, checked at the end against Ray's own tallies."""
    import ray

    tally = ray.remote(_tally).options(num_cpus=0)
    tallies: list[Any] = []
    window: list[tuple[Any, tuple[int, int] | None]] = []
    seen = SplitCounts()
    bar = tqdm(
        desc=f"xfilter ray: {split.name}",
        unit=" rows",
        total=_input_rows(split),  # parquet footers; None (no ETA) for other formats
        disable=not progress_enabled(),
    )
    with bar:
        with _failures_named(split):  # the execution starts here
            bundles = tagged.iter_internal_ref_bundles()
        while (bundle := _next_bundle(bundles, split)) is not None:
            for ref, rows in _bundle_blocks(bundle):
                window.append((ref, rows))
                if len(window) == TALLY_WINDOW:
                    tallies.append(tally.remote(window))
                    window = []
                with _failures_named(split):
                    block = _sliced(ray.get(ref), rows)
                seen.update(block)
                bar.update(block.num_rows)
                if block.num_rows:
                    yield block
    if window:
        tallies.append(tally.remote(window))
    with _failures_named(split):
        parts = [*ray.get(tallies)]
    _check_tallies(split, parts, seen, source)


def _next_bundle(bundles: Iterator[Any], split: SplitFiles) -> Any:
    """The next bundle of tagged blocks, or None; where a failed read or tagging surfaces."""
    with _failures_named(split):
        return next(bundles, None)


def _check_tallies(
    split: SplitFiles, parts: list[SplitCounts], seen: SplitCounts, source: InputInfo
) -> None:
    """Ray's per-block tallies must equal what the writer received, and the input's size."""
    total = SplitCounts()
    for part in parts:
        total.add(part)
    if total.as_dict() != seen.as_dict():
        raise XFilterError(
            f"split {split.name!r}: Ray's tallies {total.as_dict()} differ from the rows the "
            f"writer received {seen.as_dict()}; nothing written"
        )
    expected = _input_rows(split)
    if expected is not None and expected != total.input:
        raise XFilterError(
            f"split {split.name!r}: the input has {expected} rows but {total.input} were tagged "
            "(records lost or duplicated); nothing written"
        )
    # The manifest records the input size; verify checks it against input = kept + ... .
    source.rows[split.name] = total.input if expected is None else expected


def _input_rows(split: SplitFiles) -> int | None:
    """The input's row count where it is known without reading the data: parquet footers."""
    if split.builder != "parquet":
        return None
    import fsspec
    import pyarrow.parquet as pq

    rows = 0
    for file in split.files:
        fs, path = fsspec.core.url_to_fs(file)
        with fs.open(path, "rb") as handle:
            rows += pq.ParquetFile(handle).metadata.num_rows
    return rows


def _bundle_blocks(bundle: Any) -> Iterator[tuple[Any, tuple[int, int] | None]]:
    """``(block ref, (start, end) row slice or None)`` of a RefBundle.

    A developer API whose shape changed across Ray releases: entries are ``BlockEntry`` objects
    (Ray >= 2.5x) or ``(ref, metadata)`` pairs, and newer bundles may carry row slices.
    """
    slices = getattr(bundle, "slices", None) or (None,) * len(bundle.blocks)
    for entry, part in zip(bundle.blocks, slices, strict=True):
        ref = entry.ref if hasattr(entry, "ref") else entry[0]
        yield ref, None if part is None else (part.start_offset, part.end_offset)


def _sliced(block: pa.Table, rows: tuple[int, int] | None) -> pa.Table:
    return block if rows is None else block.slice(rows[0], rows[1] - rows[0])


def _conformed(
    first: pa.Table | None, rest: Iterator[pa.Table], schema: pa.Schema, split: str
) -> Iterator[pa.Table]:
    """Every block in the first block's schema (the JSON reader infers types per block)."""
    if first is None:
        return
    target = pa.schema([*schema, *TAG_SCHEMA, *RECORD_SCHEMA])
    yield first
    for block in rest:
        if block.schema.equals(target):
            yield block
            continue
        try:
            yield block.select(target.names).cast(target)
        except (KeyError, pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            raise InputError(
                f"split {split!r}: the JSON/CSV reader gave later records other columns or types "
                f"than the first ({exc}); convert the input to parquet with one schema, or use "
                "the local engine"
            ) from None


def _features(schema: pa.Schema) -> Any:
    from datasets import Features

    return Features.from_arrow_schema(schema)
