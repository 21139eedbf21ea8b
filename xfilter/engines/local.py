"""The whole job, as ``xfilter run`` does it: read, tag, split, write, manifest."""

from __future__ import annotations

import glob
import os
import threading
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

import pyarrow as pa
from tqdm.auto import tqdm

from xfilter.config import Config, load_config
from xfilter.engines.inputs import known_rows, load_input, read_batches
from xfilter.engines.workers import OrderedPool, check_count, default_workers
from xfilter.errors import ConfigError, InputError
from xfilter.faults import checkpoint
from xfilter.output.manifest import InputInfo, now
from xfilter.output.reader import Output
from xfilter.output.write import SplitStream, write_output
from xfilter.output.writer import check_identity, check_tag_columns
from xfilter.result import BATCH_ROWS
from xfilter.tagging.tagger import with_record_columns
from xfilter.threads import prefetch, stop_waiting
from xfilter.transform import XFilter
from xfilter.vocab import DEMO, RECORD_COLUMNS, TAG_COLUMNS


def progress_enabled() -> bool:
    """Whether bars show: not when ``datasets``' switch is off (``disable_progress_bars()``,
    ``HF_DATASETS_DISABLE_PROGRESS_BARS``), nor when ``TQDM_DISABLE`` has a value (any
    non-empty one, as tqdm reads it; tqdm itself honours it only where ``disable`` is left
    unset, and a bar that must show on a pipe sets it)."""
    from datasets.utils.logging import is_progress_bar_enabled

    return bool(is_progress_bar_enabled()) and not os.environ.get("TQDM_DISABLE")


def progress_bar(desc: str, total: int | None) -> tqdm:
    """A bar of records read, with their rate, and the total and time left when the number of
    records is known before reading (``inputs.known_rows``)."""
    return tqdm(desc=desc, total=total, unit=" rows", disable=not progress_enabled())


def run(
    config: str | os.PathLike[str] | Config,
    *,
    input: str | None = None,
    output: str | os.PathLike[str] | None = None,
    split: str | None = None,
    streaming: bool | None = None,
    overwrite: bool = False,
    workers: int | None = None,
    num_proc: int | None = None,
) -> Output:
    """Run the job a config describes and return the output it wrote; arguments override the
    config's values.

    ``workers`` processes tag the batches (default ``workers.default_workers()``: every core
    but the one the job's own reading and writing keep busy; docs/workers.md); the output is
    the same bytes whatever their number. ``num_proc`` is its older name.
    """
    workers = resolve_workers(workers, num_proc)
    xf = make_filter(config, input=input, output=output, split=split, streaming=streaming)
    cfg = xf.config
    out_dir = Path(cfg.output.dir).expanduser()
    check_not_inside_input(cfg.input.source, out_dir)
    started = now()
    data, source = load_input(cfg.input)
    checkpoint("read")
    check_fields(xf, data)
    return _run_one_pass(xf, data, source, out_dir, started, overwrite, workers)


def resolve_workers(workers: object, num_proc: object) -> int:
    """The number of tagging processes: ``workers``, or ``num_proc`` (its older name), or
    ``default_workers()``; giving both is an error, since they could disagree."""
    if workers is not None and num_proc is not None:
        raise ConfigError(
            f"workers={workers!r} and num_proc={num_proc!r}: num_proc is the older name of "
            "workers; give one of them"
        )
    if num_proc is not None:
        return check_count(num_proc, "num_proc")
    if workers is not None:
        return check_count(workers, "workers")
    return default_workers()


def tag_for_output(xf: XFilter, table: pa.Table) -> pa.Table:
    """``table`` tagged as ``xf.tag_table`` tags it, with the record columns (reason, post
    ids) the output writer needs beside the tag columns."""
    ours = [c for c in (*TAG_COLUMNS, *RECORD_COLUMNS) if c in table.column_names]
    # Re-tagging replaces the old decision.
    tags, tagged = xf.tag_with_tags(table.drop_columns(ours))
    return with_record_columns(tagged, tags)


class OutputTagging:
    """What a tagging worker computes for a batch, and how its answer becomes the tagged batch.

    A policy that redacts rewrites text, so the worker sends the whole tagged batch back;
    otherwise only the tag and record columns travel back, and are set beside the batch this
    process kept.
    """

    def __init__(self, xf: XFilter) -> None:
        self.xf = xf
        self.whole = xf.tagger.policy.redacts

    def __call__(self, table: pa.Table) -> pa.Table:
        tagged = tag_for_output(self.xf, table)
        return tagged if self.whole else tagged.select([*TAG_COLUMNS, *RECORD_COLUMNS])

    def joined(self, table: pa.Table, answer: pa.Table) -> pa.Table:
        if self.whole:
            return answer
        ours = [c for c in (*TAG_COLUMNS, *RECORD_COLUMNS) if c in table.column_names]
        tagged = table.drop_columns(ours)
        for name in answer.column_names:
            tagged = tagged.append_column(answer.schema.field(name), answer.column(name))
        return tagged


class BatchTagging:
    """A run's tagging: in this process, or on a pool of ``workers`` processes, started for
    the first split of at least ``POOL_MIN_BATCHES`` batches and kept for the rest.

    Workers take a second or more to start (the fork server imports xfilter, each worker
    builds its patterns on its first batch), so they start on a thread while this process
    tags the first batches itself; the batches after the pool is up go to the pool. Either
    way each batch is tagged the same, and the batches reach the writer in order. A split of
    one batch never waits for workers. ``engine["num_proc"]`` records how many processes
    tagged. ``wait_for_pool`` makes the first batches wait for it instead (for tests that
    must see the pool at work).
    """

    wait_for_pool = False

    def __init__(self, xf: XFilter, workers: int, engine: dict[str, Any]) -> None:
        self.xf, self.workers, self.engine = xf, workers, engine
        self.tagging = OutputTagging(xf)
        self.pool: OrderedPool | None = None
        self._ready = threading.Event()
        self._starting: threading.Thread | None = None
        self._failed: BaseException | None = None

    def tagged(self, tables: Iterator[pa.Table]) -> Iterator[pa.Table]:
        first = list(islice(tables, POOL_MIN_BATCHES))
        rest = chain(first, tables)
        if self.workers == 1 or len(first) < POOL_MIN_BATCHES:
            for table in rest:
                yield tag_for_output(self.xf, table)
            return
        self._start()
        if self.wait_for_pool:
            self._ready.wait()
        for table in rest:
            if self._ready.is_set():
                rest = chain([table], rest)
                break
            yield tag_for_output(self.xf, table)
        else:
            return
        if self._failed is not None:
            raise self._failed
        assert self.pool is not None
        self.engine["num_proc"] = self.workers
        for table, answer in self.pool.map(rest):
            yield self.tagging.joined(table, answer)

    def _start(self) -> None:
        if self._starting is None:
            self._starting = threading.Thread(
                target=self._start_pool, name="xfilter-start-workers", daemon=True
            )
            self._starting.start()

    def _start_pool(self) -> None:
        try:
            self.pool = OrderedPool(self.tagging, self.workers)
        except BaseException as error:  # raised on the main thread, where it is handled
            self._failed = error
        finally:
            self._ready.set()

    def __enter__(self) -> BatchTagging:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        starting, failed = self._starting, kind is not None
        try:
            if starting is not None and starting.ident is not None:
                stop_waiting(starting.join, lambda: not starting.is_alive())
        except KeyboardInterrupt:
            failed = True
            raise
        finally:
            if self.pool is not None:
                self.pool.close(error=failed)


def make_filter(
    config: str | os.PathLike[str] | Config,
    *,
    input: str | None = None,
    output: str | os.PathLike[str] | None = None,
    split: str | None = None,
    streaming: bool | None = None,
) -> XFilter:
    """The filter a config describes, with the command line's overrides applied."""
    cfg = config if isinstance(config, Config) else load_config(config)
    overrides: dict[str, Any] = {}
    if input is not None:
        overrides.setdefault("input", {})["source"] = input
    if split is not None:
        overrides.setdefault("input", {})["split"] = split
    if streaming is not None:
        overrides.setdefault("input", {})["streaming"] = streaming
    if output is not None:
        overrides["output"] = {"dir": str(output)}
    return XFilter(config=cfg, **overrides)


# Streaming batches are smaller than the output's 10,000-row groups: what one batch holds in
# memory (read, tagged, then copied into the row group being filled) stays small. A loaded
# (memory-mapped) dataset is tagged in batches of the output's row groups.
STREAM_BATCH_ROWS = 2_000
# A split of fewer batches is tagged in this process: starting workers would cost more.
POOL_MIN_BATCHES = 2


def _run_one_pass(
    xf: XFilter,
    data: Any,
    source: InputInfo,
    out_dir: Path,
    started: str,
    overwrite: bool,
    workers: int,
) -> Output:
    """Each batch is read, tagged and written in one pass, reading ahead and writing behind on
    threads of their own while ``workers`` processes tag: the job costs about the longest of
    the three, not their sum."""
    import datasets

    streaming = isinstance(data, datasets.IterableDatasetDict)
    batch_rows = STREAM_BATCH_ROWS if streaming else BATCH_ROWS
    engine: dict[str, Any] = {"name": "local", "streaming": streaming, "num_proc": 1}
    with BatchTagging(xf, workers, engine) as tagging:
        splits = []
        for name, ds in data.items():
            features = ds.features
            if features is None:
                ds = ds._resolve_features()
                features = ds.features
            schema = features.arrow_schema
            batches = _tagged_stream(tagging, ds, schema, name, batch_rows, source)
            splits.append(SplitStream(name, schema, features.to_dict(), batches))
        manifest = write_output(xf, splits, source, out_dir, engine, started, overwrite)
    return Output.written(out_dir, manifest)


def _tagged_stream(
    tagging: BatchTagging,
    ds: Any,
    schema: pa.Schema,
    name: str,
    batch_rows: int,
    source: InputInfo,
) -> Iterator[pa.Table]:
    """Tagged batches, read ahead by a background thread while they are tagged. Once each is
    handed on, Arrow's freed memory goes back to the system, so the peak is a few batches'
    working set however long the input (not the allocator's high-water mark, which creeps up
    with the largest batches seen)."""
    bar = progress_bar(f"xfilter: {name}", known_rows(ds, source, name))
    pool = pa.default_memory_pool()
    with bar:
        reading = prefetch(read_batches(ds, batch_rows, source, name))
        tables = (
            batch if batch.schema == schema else batch.select(schema.names).cast(schema)
            for batch in reading
        )
        try:
            for tagged in tagging.tagged(tables):
                checkpoint("tag")
                rows = tagged.num_rows
                yield tagged
                del tagged
                pool.release_unused()
                bar.update(rows)
        finally:  # stop reading ahead now, not when the generators are collected
            reading.close()


def check_fields(xf: XFilter, data: Any) -> None:
    """Every field named in the config (``fields``, ``ledger.identity``) must exist in every
    split, and no input column may clash with xfilter's own."""
    fields = xf.config.fields
    named = [
        (key, name) for key in ("text", "url", "author") for name in getattr(fields, key) or []
    ]
    for split, ds in data.items():
        columns = set(ds.column_names or [])
        if ds.features is not None:
            columns |= _paths(ds.features.to_dict())
            check_tag_columns(split, ds.features.arrow_schema)
            check_identity(split, ds.features.arrow_schema, xf.config.ledger.identity)
        for key, name in named:
            if name not in columns:
                raise InputError(
                    f"fields.{key}: {name!r} is not a field of split {split!r} "
                    f"(fields: {', '.join(sorted(c for c in columns if '.' not in c))})"
                )


def _paths(features: dict[str, Any], prefix: str = "") -> set[str]:
    found = set()
    for key, value in features.items():
        path = f"{prefix}{key}"
        found.add(path)
        if isinstance(value, dict) and value.get("_type") is None:
            found |= _paths(value, f"{path}.")
    return found


def check_not_inside_input(source: str, out_dir: Path) -> None:
    """Writing inside the input, or replacing a directory that holds it, would corrupt it."""
    if source == DEMO:
        return
    out = out_dir.resolve()
    source = os.path.expanduser(source)
    for match in glob.glob(source) or [source]:
        path = Path(match).resolve()
        if path.exists() and (out.is_relative_to(path) or path.is_relative_to(out)):
            raise InputError(
                f"{out_dir}: the output directory overlaps the input {source}; "
                "write it somewhere else"
            )
