"""The Spark engine: the same batch function on Spark executors, the same output directory.

The driver cuts each split into tasks in the order ``datasets`` reads it (files in order, a
parquet file in runs of row groups) and hands them to Spark as a small DataFrame. Each executor
task reads its rows with pyarrow, tags them with the local engine's batch function and writes
them with the local engine's writer into a part directory of its own (``output.assemble``):
clean and quarantine parquet files, ledger and X index rows numbered from the task's first
record, and its counts. The driver orders the parts by task, renumbers their rows within the
split, takes its counts and file hashes from the parts, and assembles the output directory,
which the writer seals only when every split adds up. Row numbers in the ledger are therefore
the local engine's, whatever order Spark runs the tasks in.

Executors write to a work directory beside the output: on a cluster, the output must be on a
file system every executor and the driver share.

    output = xfilter.engines.spark.run("configs/strict.yaml", master="local[2]")
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import signal
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa

from xfilter.config import Config
from xfilter.engines.local import (
    check_fields,
    check_not_inside_input,
    make_filter,
    progress_enabled,
    tag_for_output,
)
from xfilter.engines.ray import SplitFiles, resolve_input
from xfilter.errors import ConfigError, InputError, XFilterError
from xfilter.output.assemble import (
    Part,
    SplitParts,
    assemble_output,
    merge_parts,
    read_part,
    write_part,
)
from xfilter.output.manifest import InputInfo, now
from xfilter.output.reader import Output
from xfilter.output.writer import check_output_dir
from xfilter.result import BATCH_ROWS
from xfilter.tagging.prefilter import engine_name
from xfilter.transform import XFilter
from xfilter.vocab import RECORD_COLUMNS, TAG_COLUMNS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

T = TypeVar("T")

INSTALL_HINT = "the Spark engine needs `pip install 'xfilter[spark]'`"
# The session started when none is running: two local cores, as on CI.
DEFAULT_MASTER = "local[2]"
# Rows per task, at least: a parquet file is cut after the row group that reaches it. Other
# files are one task each (their rows are not known before reading).
TASK_ROWS = 100_000
# The readers, by the builder name ``resolve_input`` infers from a file suffix.
_READABLE = ("parquet", "json", "csv")
# What each task reports back to the driver.
_TASK_FIELDS = (
    ("task", "long"),
    ("split", "string"),
    ("file", "string"),
    ("builder", "string"),
    ("first_group", "long"),
    ("groups", "long"),
)
_RESULT_FIELDS = (("task", "long"), ("part", "string"), ("schema", "binary"), ("error", "string"))


def import_pyspark() -> Any:
    """The ``pyspark`` module, or one line naming the extra that provides it."""
    try:
        import pyspark
        import pyspark.sql
    except ImportError:
        raise XFilterError(INSTALL_HINT) from None
    return pyspark


# -- tasks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """Rows of one file: all of them, or row groups ``first_group`` to ``first_group +
    groups - 1`` of a parquet file (``groups == -1``: the whole file)."""

    task: int
    split: str
    file: str
    builder: str
    first_group: int = 0
    groups: int = -1


def plan_tasks(splits: list[SplitFiles], task_rows: int = TASK_ROWS) -> list[Task]:
    """The tasks of every split, numbered in reading order: split by split, file by file."""
    tasks: list[Task] = []
    for split in splits:
        for file in split.files:
            if split.builder != "parquet":
                tasks.append(Task(len(tasks), split.name, file, split.builder))
                continue
            for first, count in _row_group_runs(file, task_rows):
                tasks.append(Task(len(tasks), split.name, file, "parquet", first, count))
    return tasks


def _row_group_runs(file: str, task_rows: int) -> Iterator[tuple[int, int]]:
    """Runs of consecutive row groups of at least ``task_rows`` rows (the last one shorter);
    one empty run for a file with no row groups."""
    with _parquet_file(file) as parquet:
        metadata = parquet.metadata
    first, rows = 0, 0
    for group in range(metadata.num_row_groups):
        rows += metadata.row_group(group).num_rows
        if rows >= task_rows:
            yield first, group - first + 1
            first, rows = group + 1, 0
    if first < metadata.num_row_groups or metadata.num_row_groups == 0:
        yield first, metadata.num_row_groups - first


@contextmanager
def _parquet_file(file: str) -> Iterator[Any]:
    """A parquet file (a local path or an fsspec URI), open for reading."""
    import fsspec
    import pyarrow.parquet as pq

    fs, path = fsspec.core.url_to_fs(file)
    with fs.open(path, "rb") as handle:
        yield pq.ParquetFile(handle)


def _parquet_rows(files: list[str]) -> int:
    """A split's rows as its parquet footers count them."""
    rows = 0
    for file in files:
        with _parquet_file(file) as parquet:
            rows += parquet.metadata.num_rows
    return int(rows)


# -- the executor side ---------------------------------------------------------------------

# Filters rebuilt in this worker process, by their pickled state: a worker runs many tasks,
# and the first tagging of a filter compiles its scan.
_FILTERS: dict[str, XFilter] = {}


def worker_filter(state: bytes) -> XFilter:
    """The filter pickled as ``state``, unpickled once per worker process."""
    key = hashlib.sha256(state).hexdigest()
    if key not in _FILTERS:
        _FILTERS[key] = pickle.loads(state)
    return _FILTERS[key]


class RunTasks:
    """The ``mapInArrow`` function: tasks in, one result row per task out.

    The filter travels as its pickled state (plain data); each worker process unpickles it
    once. An ``XFilterError`` (a named field missing, a column clash) and any failure to read
    a file are reported in the result row, so the driver raises them as one line.
    """

    def __init__(self, xf: XFilter, work: Path) -> None:
        self.state = pickle.dumps(xf)
        self.work = str(work)

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for row in batch.to_pylist():
                yield _result_batch(self._run(Task(**row)))

    def _run(self, task: Task) -> dict[str, Any]:
        result: dict[str, Any] = {"task": task.task, "part": None, "schema": None, "error": None}
        xf = worker_filter(self.state)
        directory = Path(self.work) / f"part-{task.task:06d}"
        try:
            with _read(task) as (found, batches):
                schema, features = _schema_and_features(found)
                check_fields(xf, {task.split: _columns(found)})
                tagged = (tag_for_output(xf, _conformed(batch, schema)) for batch in batches)
                write_part(xf, task.split, schema, features.to_dict(), tagged, directory)
        except XFilterError as error:
            result["error"] = f"{type(error).__name__}\t{error}"
            return result
        except (pa.ArrowException, OSError, UnicodeDecodeError) as error:
            lines = str(error).strip().splitlines() or [""]
            message = f"{task.file}: cannot read input on Spark: {type(error).__name__}: {lines[0]}"
            result["error"] = f"InputError\t{message}"
            return result
        result["part"] = str(directory)
        result["schema"] = schema.serialize().to_pybytes()
        return result


def _result_batch(result: dict[str, Any]) -> pa.RecordBatch:
    types = {"long": pa.int64(), "string": pa.string(), "binary": pa.binary()}
    schema = pa.schema([(name, types[kind]) for name, kind in _RESULT_FIELDS])
    return pa.RecordBatch.from_pylist([result], schema=schema)


@contextmanager
def _read(task: Task) -> Iterator[tuple[pa.Schema, Iterator[pa.Table]]]:
    """The schema of the task's file and its rows, in batches of ``BATCH_ROWS``. Parquet is
    read as ``datasets`` reads it, a row group run at a time; JSON Lines and csv whole, with
    pyarrow's readers, as the Ray engine reads them."""
    if task.builder == "parquet":
        with _parquet_file(task.file) as parquet:
            total = parquet.metadata.num_row_groups
            count = total - task.first_group if task.groups < 0 else task.groups
            groups = list(range(task.first_group, task.first_group + count))
            batches = parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=groups)
            yield parquet.schema_arrow, (pa.Table.from_batches([b]) for b in batches)
        return
    import fsspec

    with fsspec.open(task.file, "rb", compression="infer") as handle:
        data = io.BytesIO(handle.read())
    if task.builder == "json":
        import pyarrow.json as pajson

        table = pajson.read_json(data)
    else:
        import pyarrow.csv as pacsv

        # As the local engine reads it: a quoted field may hold newlines (web text does).
        options = pacsv.ParseOptions(newlines_in_values=True)
        table = pacsv.read_csv(data, parse_options=options)
    yield table.schema, (table.slice(s, BATCH_ROWS) for s in range(0, table.num_rows, BATCH_ROWS))


def _conformed(batch: pa.Table, schema: pa.Schema) -> pa.Table:
    """A batch in the types ``datasets`` gives the file's columns."""
    return batch if batch.schema == schema else batch.select(schema.names).cast(schema)


def _columns(schema: pa.Schema) -> Any:
    """What ``check_fields`` reads of a split: its column names and ``datasets`` features."""
    from datasets import Features

    return SimpleNamespace(column_names=schema.names, features=Features.from_arrow_schema(schema))


def _schema_and_features(schema: pa.Schema) -> tuple[pa.Schema, Any]:
    """The schema ``datasets`` reads a file with (its features' Arrow schema) and those
    features; xfilter's own columns are left out, as a re-tagging replaces them."""
    from datasets import Features

    ours = (*TAG_COLUMNS, *RECORD_COLUMNS)
    features = Features.from_arrow_schema(schema)
    features = Features({k: v for k, v in features.items() if k not in ours})
    return features.arrow_schema, features


# -- the job -------------------------------------------------------------------------------


def run(
    config: str | os.PathLike[str] | Config,
    *,
    input: str | None = None,
    output: str | os.PathLike[str] | None = None,
    split: str | None = None,
    overwrite: bool = False,
    master: str | None = None,
    task_rows: int = TASK_ROWS,
) -> Output:
    """Run the job a config describes on Spark and return the output it wrote.

    Without ``master``, the active Spark session is used, else a local one (``local[2]``) is
    started for the job and stopped after it; ``master`` starts a session on that master
    (``local[8]``, ``spark://HOST:7077``) when none is active. ``input.streaming`` does not
    apply: executors read their own rows.
    """
    import_pyspark()
    if task_rows < 1:
        raise XFilterError(f"task_rows must be at least 1, got {task_rows}")
    xf = make_filter(config, input=input, output=output, split=split)
    if xf.config.allowlist.path:
        # Tasks write their parts without the list: refused before any work is done.
        raise ConfigError(
            "allowlist.path is set, and the spark engine does not apply an allowlist; "
            "run with --engine local or ray"
        )
    out_dir = Path(xf.config.output.dir).expanduser()
    check_not_inside_input(xf.config.input.source, out_dir)
    check_output_dir(out_dir, overwrite)  # before any work, not after it
    started = now()
    splits, source = _resolve(xf.config.input.source, xf.config.input.split, xf)
    engine_name()  # a bad XFILTER_ENGINE is reported here, not by every executor
    tasks = plan_tasks(splits, task_rows)
    work = out_dir.parent / f".{out_dir.name}.xfilter-spark-{uuid.uuid4().hex[:8]}"
    work.mkdir(parents=True)
    try:
        with _session(master) as spark:
            results = _run_tasks(spark, xf, tasks, work)
            engine = {
                "name": "spark",
                "master": spark.conf.get("spark.master", None),
                "spark_version": spark.version,
                "tasks": len(tasks),
            }
        parts = [_split_parts(s, tasks, results, source) for s in splits]
        manifest = assemble_output(
            xf, parts, source, out_dir, engine, started, overwrite, move=True
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Output.written(out_dir, manifest)


def _resolve(source: str, split: str | None, xf: XFilter) -> tuple[list[SplitFiles], InputInfo]:
    """The files of each split (as the Ray engine finds them), split names as plain text."""
    splits, info = resolve_input(source, split, xf.config.input.selection())
    for found in splits:
        found.name = str(found.name)
        if found.builder not in _READABLE:
            raise InputError(
                f"{source}: the Spark engine reads parquet, JSON Lines or csv files; "
                "use the local engine (--engine local) for other inputs"
            )
    info.fingerprints = _plain_keys(info.fingerprints)
    info.content = _plain_keys(info.content)
    info.split_files = _plain_keys(info.split_files)
    info.rows = _plain_keys(info.rows)
    return splits, info


def _plain_keys(recorded: Mapping[Any, T]) -> dict[str, T]:
    """``datasets``' split names (``NamedSplit``) as ``str``, which JSON can write."""
    return {str(key): value for key, value in recorded.items()}


@contextmanager
def _session(master: str | None) -> Iterator[SparkSession]:
    """The active session; else one started here (on ``master``) and stopped after the job."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    # Starting a SparkContext installs its own SIGINT handler (to cancel jobs); a session this
    # job starts and stops must not leave it behind, or a later Ctrl-C in this process would
    # reach xfilter's cleanup as Spark's handler instead of Python's.
    handler = signal.getsignal(signal.SIGINT) if _in_main_thread() else None
    spark = (
        SparkSession.builder.master(master or DEFAULT_MASTER)
        .appName("xfilter")
        # Executors run this interpreter, where xfilter is installed.
        .config("spark.pyspark.python", sys.executable)
        .config("spark.ui.enabled", "false")
        # Spark's stage bars follow datasets' switch, as the other engines' bars do.
        .config("spark.ui.showConsoleProgress", str(progress_enabled()).lower())
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()
        if handler is not None:
            signal.signal(signal.SIGINT, handler)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _run_tasks(
    spark: SparkSession, xf: XFilter, tasks: list[Task], work: Path
) -> dict[int, dict[str, Any]]:
    """Run every task on the executors; their results by task number. The first failure, in
    task order, is raised as the error the executor met."""
    schema = ", ".join(f"{name} {kind}" for name, kind in _TASK_FIELDS)
    rows = [tuple(getattr(t, name) for name, _ in _TASK_FIELDS) for t in tasks]
    frame: DataFrame = spark.createDataFrame(rows, schema)
    frame = frame.repartitionByRange(max(1, len(tasks)), "task")
    result_schema = ", ".join(f"{name} {kind}" for name, kind in _RESULT_FIELDS)
    collected = frame.mapInArrow(RunTasks(xf, work), result_schema).collect()
    results = {row["task"]: row.asDict() for row in collected}
    if sorted(results) != [t.task for t in tasks]:
        raise XFilterError(
            f"Spark returned results for {len(results)} of {len(tasks)} tasks; nothing written"
        )
    for number in sorted(results):
        error = results[number]["error"]
        if error is not None:
            kind, _, message = error.partition("\t")
            raise _error_class(kind)(message)
    return results


def _error_class(name: str) -> type[XFilterError]:
    """The ``XFilterError`` subclass an executor raised, by name (the class itself if not
    found)."""
    from xfilter import errors

    found = getattr(errors, name, XFilterError)
    return found if isinstance(found, type) and issubclass(found, XFilterError) else XFilterError


def _split_parts(
    split: SplitFiles,
    tasks: list[Task],
    results: dict[int, dict[str, Any]],
    source: InputInfo,
) -> SplitParts:
    """One split's parts, in task order, merged; its input size recorded for the check."""
    numbers = [t.task for t in tasks if t.split == split.name]
    parts: list[Part] = [read_part(results[n]["part"]) for n in numbers]
    schema = pa.ipc.read_schema(pa.py_buffer(results[numbers[0]]["schema"]))
    from datasets import Features

    features = Features.from_arrow_schema(schema).to_dict()
    counted = sum(part.counts.input for part in parts)
    # Parquet footers say how many rows the input has; the parts must have tagged them all.
    source.rows[split.name] = _parquet_rows(split.files) if split.builder == "parquet" else counted
    return merge_parts(split.name, schema, features, parts)
