"""The whole job, as ``xfilter run`` does it: read, tag, split, write, manifest."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from tqdm.auto import tqdm

from xfilter.config import Config, load_config
from xfilter.engines.inputs import known_rows, load_input, read_batches
from xfilter.errors import ConfigError, InputError
from xfilter.faults import checkpoint
from xfilter.output.manifest import InputInfo, now
from xfilter.output.reader import Output
from xfilter.output.write import SplitStream, write_output
from xfilter.output.writer import check_identity, check_tag_columns
from xfilter.result import BATCH_ROWS, FilterResult
from xfilter.tagging.tagger import with_record_columns
from xfilter.threads import prefetch
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
    num_proc: int | None = None,
) -> Output:
    """Run the job a config describes and return the output it wrote; arguments override the
    config's values."""
    check_num_proc(num_proc)
    xf = make_filter(config, input=input, output=output, split=split, streaming=streaming)
    cfg = xf.config
    if cfg.input.streaming and num_proc is not None and num_proc > 1:
        # Measured: worker processes do not pay here, since the one process that reads and
        # writes (zstd) is the bound; in-memory runs map with num_proc in parallel.
        raise ConfigError(
            f"num_proc={num_proc}: a streaming run tags in one process; "
            "drop --num-proc, or run in memory (input.streaming: false) to use it"
        )
    out_dir = Path(cfg.output.dir).expanduser()
    check_not_inside_input(cfg.input.source, out_dir)
    started = now()
    data, source = load_input(cfg.input)
    checkpoint("read")
    check_fields(xf, data)
    if cfg.input.streaming or (num_proc or 1) == 1:
        return _run_one_pass(xf, data, source, out_dir, started, overwrite)
    tagged = _tagged_by_map(xf, data, num_proc)
    checkpoint("tag")
    result = FilterResult(
        xf, tagged, single=False, source=source,
        engine={"name": "local", "streaming": False, "num_proc": num_proc or 1},
    )  # fmt: skip
    result.started = started
    return result.save(out_dir, overwrite=overwrite)


def check_num_proc(num_proc: object) -> None:
    """``num_proc`` is a count of worker processes: a whole number, at least 1 (or None)."""
    if num_proc is None:
        return
    if isinstance(num_proc, bool) or not isinstance(num_proc, int) or num_proc < 1:
        raise ConfigError(f"num_proc={num_proc!r}: must be a whole number of processes, 1 or more")


def _tagged_by_map(xf: XFilter, data: Any, num_proc: int | None) -> Any:
    """``data`` with the xfilter columns, through ``datasets``' cached ``map`` in ``num_proc``
    worker processes.

    The map returns the decision columns alone, which are then set beside the input's
    (``concatenate_datasets(axis=1)`` shares the memory-mapped tables), so ``datasets`` writes a
    few columns to its cache instead of the whole table again. A policy that redacts rewrites
    text, so it maps the whole table.
    """
    import datasets

    options = {"batched": True, "batch_size": BATCH_ROWS, "num_proc": num_proc}
    tagging = OutputTagging(xf)
    tagged = datasets.DatasetDict()
    for name, split in data.items():
        split = split.remove_columns(
            [c for c in (*TAG_COLUMNS, *RECORD_COLUMNS) if c in split.column_names]
        )
        desc = f"xfilter: tagging {name}"
        if xf.tagger.policy.redacts:
            tagged[name] = split.with_format("arrow").map(tagging, desc=desc, **options)
            tagged[name] = tagged[name].with_format(None)
            continue
        tags = split.with_format("arrow").map(
            tagging.columns, remove_columns=split.column_names, desc=desc, **options
        )
        tagged[name] = datasets.concatenate_datasets([split, tags.with_format(None)], axis=1)
    return tagged


def tag_for_output(xf: XFilter, table: pa.Table) -> pa.Table:
    """``table`` tagged as ``xf.tag_table`` tags it, with the record columns (reason, post
    ids) the output writer needs beside the tag columns."""
    ours = [c for c in (*TAG_COLUMNS, *RECORD_COLUMNS) if c in table.column_names]
    # Re-tagging replaces the old decision.
    tags, tagged = xf.tag_with_tags(table.drop_columns(ours))
    return with_record_columns(tagged, tags)


class OutputTagging:
    """The ``map`` functions of a ``num_proc`` run, on Arrow batches: the whole tagged batch
    (a policy that redacts rewrites text), or its tag and record columns alone."""

    def __init__(self, xf: XFilter) -> None:
        self.xf = xf

    def __call__(self, table: pa.Table) -> pa.Table:
        return tag_for_output(self.xf, table)

    def columns(self, table: pa.Table) -> pa.Table:
        tagged = tag_for_output(self.xf, table)
        return tagged.select([*TAG_COLUMNS, *RECORD_COLUMNS])


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


def _run_one_pass(
    xf: XFilter, data: Any, source: InputInfo, out_dir: Path, started: str, overwrite: bool
) -> Output:
    """Each batch is read, tagged and written in one pass, reading ahead and writing behind on
    threads of their own. A loaded dataset goes the same way unless ``num_proc`` asks for a
    parallel ``map``: tagging while writing costs about the longer of the two, not their sum."""
    import datasets

    streaming = isinstance(data, datasets.IterableDatasetDict)
    batch_rows = STREAM_BATCH_ROWS if streaming else BATCH_ROWS
    splits = []
    for name, ds in data.items():
        features = ds.features
        if features is None:
            ds = ds._resolve_features()
            features = ds.features
        splits.append(
            SplitStream(
                name,
                features.arrow_schema,
                features.to_dict(),
                _tagged_stream(xf, ds, features.arrow_schema, name, batch_rows, source),
            )
        )
    engine = {"name": "local", "streaming": streaming, "num_proc": 1}
    manifest = write_output(xf, splits, source, out_dir, engine, started, overwrite)
    return Output.written(out_dir, manifest)


def _tagged_stream(
    xf: XFilter, ds: Any, schema: pa.Schema, name: str, batch_rows: int, source: InputInfo
) -> Iterator[pa.Table]:
    """Tagged batches, read ahead by a background thread while this one tags. Once each is
    handed on, Arrow's freed memory goes back to the system, so the peak is a few batches'
    working set however long the input (not the allocator's high-water mark, which creeps up
    with the largest batches seen)."""
    bar = progress_bar(f"xfilter: {name}", known_rows(ds, source, name))
    pool = pa.default_memory_pool()
    with bar:
        for batch in prefetch(read_batches(ds, batch_rows, source, name)):
            table = batch if batch.schema == schema else batch.select(schema.names).cast(schema)
            tagged, rows = tag_for_output(xf, table), table.num_rows
            checkpoint("tag")
            yield tagged
            del batch, table, tagged
            pool.release_unused()
            bar.update(rows)


def check_fields(xf: XFilter, data: Any) -> None:
    """Every field named in the config (``fields``, ``ledger.identity``) must exist in every
    split, and no input column may clash with xfilter's own (checked here too, before a
    ``num_proc`` map replaces them)."""
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
