"""xfilter as a step of a datatrove pipeline, with the output directory ``xfilter run`` writes.

A datatrove task reads its share of the input files, one file after another. Read through
:func:`record_adapter`, each document keeps its record (every column of its row) and where it
came from (file and row). :class:`XFilterStep` rebuilds the rows of a batch as an Arrow table,
tags it with the batch function every engine uses and decides with the same policy, so each
document gets the action ``xfilter run`` gives the same row. Kept and redacted documents go on
down the pipeline; dropped and quarantined ones go to the step's exclusion writer with xfilter's
reasons in their metadata.

Beside that, each task writes one *part* per input file it read (the kept and quarantined rows,
the ledger and X index rows, the counts) to ``parts_folder``, with the writer a local run uses.
When every task has finished, :func:`merge_output` (or :meth:`XFilterStep.merge`, or the
:class:`XFilterOutput` step of a dependent executor) numbers the parts' rows within each split,
in the order the local engine reads the files, and assembles the output directory: clean and
quarantine sets, ledger, X index, manifest, card and Croissant file, which ``xfilter verify``
checks like any other.

    step = XFilterStep("configs/strict.yaml", parts_folder="work/parts")
    LocalPipelineExecutor(
        [ParquetReader("data/", adapter=record_adapter), step, JsonlWriter("kept/")], tasks=8
    ).run()
    step.merge("out/strict")
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow as pa

from xfilter.config import Config
from xfilter.engines.local import check_fields, check_not_inside_input, make_filter, tag_for_output
from xfilter.engines.ray import SplitFiles, resolve_input
from xfilter.errors import InputError, OutputError, XFilterError
from xfilter.output.assemble import (
    PART_FILE,
    Part,
    SplitParts,
    assemble_output,
    merge_parts,
    read_part,
    write_part,
)
from xfilter.output.manifest import now
from xfilter.output.reader import Output
from xfilter.output.writer import SplitCounts, index_schema, ledger_schema
from xfilter.transform import XFilter
from xfilter.vocab import (
    ACTION,
    AUTHORS_COLUMN,
    CATEGORIES_COLUMN,
    REASON_COLUMN,
    RULES_COLUMN,
    TAG_COLUMNS,
)

INSTALL_HINT = "the datatrove step needs `pip install 'xfilter[datatrove]'`"

try:
    from datatrove.data import Document, DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
    from datatrove.pipeline.filters.base_filter import BaseFilter
except ImportError:
    raise XFilterError(INSTALL_HINT) from None

# Where a document read by ``record_adapter`` keeps its origin: the file, the row in it, the
# reader's text and id keys, and (for a record without text) the text value it really had.
ORIGIN = "xfilter_origin"
# datatrove's readers skip a document whose text is empty; a record without text (an HTML
# page, a post object) is still a record, so it travels with this stand-in until the step.
NO_TEXT = " "
# Documents tagged at once; the output's bytes do not depend on it.
BATCH_ROWS = 2_000
# Where the tasks record themselves (rank, task count, start time) beside the parts.
TASKS = "tasks"
# Tagged batches waiting for a part's writer thread.
_QUEUE_DEPTH = 4
_POLL_SECONDS = 0.1


# -- reading --------------------------------------------------------------------------------


def record_adapter(reader: Any, data: dict[str, Any], path: str, id_in_file: int) -> dict[str, Any]:
    """A datatrove reader ``adapter`` that keeps each record whole for :class:`XFilterStep`.

    As datatrove's default adapter, it takes the text from ``text_key`` and the id from
    ``id_key`` and puts the other columns in the metadata; unlike it, every column is kept
    as it is (``metadata`` and ``media`` columns too), a record without text is not skipped,
    and the document remembers its file and row, so the step can rebuild the exact row.
    """
    if ORIGIN in data:
        raise InputError(f"{path}: column {ORIGIN!r} clashes with xfilter's own; rename it")
    folder = getattr(reader, "data_folder", None)
    origin: dict[str, Any] = {
        "file": folder.resolve_paths(path) if folder is not None else path,
        "row": id_in_file,
        "text_key": reader.text_key,
        "id_key": reader.id_key,
    }
    text = data.pop(reader.text_key, None)
    if not text:
        origin["text"] = text
    document_id = data.pop(reader.id_key, f"{path}/{id_in_file}")
    data[ORIGIN] = origin
    return {"text": text or NO_TEXT, "id": document_id, "metadata": data}


# -- the step ---------------------------------------------------------------------------------


class XFilterStep(BaseFilter):  # type: ignore[misc]
    """Drops or quarantines documents as ``xfilter run`` would, and writes this task's parts of
    the output directory to ``parts_folder``.

    ``config`` is a config file, a ``Config`` or an ``XFilter``; ``input`` overrides its
    ``input.source``, which must name the files the pipeline reads (the merge numbers rows by
    them). Read the input with ``adapter=record_adapter`` and put this step right after the
    reader: the step must see every record of a file, in order.
    """

    name = "xfilter"

    def __init__(
        self,
        config: XFilter | Config | str | os.PathLike[str],
        *,
        parts_folder: str | os.PathLike[str],
        input: str | None = None,
        exclusion_writer: Any = None,
        batch_size: int = BATCH_ROWS,
    ) -> None:
        super().__init__(exclusion_writer, batch_size)
        if isinstance(config, XFilter):
            self.xf = make_filter(config.config, input=input) if input is not None else config
        else:
            self.xf = make_filter(config, input=input)
        self.parts_folder = Path(parts_folder).expanduser()
        self._task: _TaskParts | None = None

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        self._task = _TaskParts(self.xf, self.parts_folder, rank, world_size)
        try:
            yield from super().run(data, rank, world_size)
            self._task.finish()
        except BaseException:
            self._task.abort()
            raise
        finally:
            self._task = None

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        result: bool | tuple[bool, str] = self.filter_batch([doc])[0]
        return result

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        if self._task is None:
            raise XFilterError("XFilterStep.filter_batch runs inside the step's run()")
        results: list[bool | tuple[bool, str]] = []
        for docs in _runs_of_one_file(batch):
            results += self._filter_run(self._task, docs)
        return results

    def _filter_run(self, task: _TaskParts, docs: list[Document]) -> list[bool | tuple[bool, str]]:
        """Tag documents that are consecutive rows of one file, hand them to its part and
        decide each one."""
        first = docs[0].metadata[ORIGIN]
        part = task.part_for(first["file"], first["row"])
        rows = [part.record(doc) for doc in docs]
        table = pa.Table.from_pylist(rows, schema=part.file_schema)
        if table.schema != part.schema:  # as the local engine reads it: datasets' types
            table = table.select(part.schema.names).cast(part.schema)
        tagged = tag_for_output(self.xf, table)
        part.write(tagged)
        return [
            self._decide(doc, values)
            for doc, values in zip(docs, _decisions(tagged, part.schema.names), strict=True)
        ]

    def _decide(self, doc: Document, decision: dict[str, Any]) -> bool | tuple[bool, str]:
        origin = doc.metadata.pop(ORIGIN)
        if "text" in origin:
            doc.text = ""  # the record had no text; downstream steps expect a string
        action = decision[ACTION]
        self.stat_update(f"xfilter_{action}")
        if action == "redact":  # the embedded posts are cut out of the text (at any depth)
            for name, value in decision["record"].items():
                if name == origin["text_key"]:
                    doc.text = value if isinstance(value, str) else ""
                elif name != origin["id_key"]:
                    doc.metadata[name] = value
        if action in ("keep", "redact"):
            return True
        for name in (ACTION, CATEGORIES_COLUMN, RULES_COLUMN, AUTHORS_COLUMN, REASON_COLUMN):
            doc.metadata[name] = decision[name]
        categories = decision[CATEGORIES_COLUMN]
        return False, categories[0] if categories else action

    def merge(
        self, output_dir: str | os.PathLike[str] | None = None, *, overwrite: bool = False
    ) -> Output:
        """The output directory of the pipeline's run, from every task's parts: see
        :func:`merge_output`."""
        return merge_output(self.xf, self.parts_folder, output_dir, overwrite=overwrite)


class XFilterOutput(PipelineStep):  # type: ignore[misc]
    """The merge as a pipeline step, for an executor that ``depends`` on the filtering one
    (``tasks=1``): its first task writes the output directory."""

    name = "xfilter output"
    type = "💽 - WRITER"

    def __init__(
        self,
        step: XFilterStep,
        output_dir: str | os.PathLike[str] | None = None,
        *,
        overwrite: bool = False,
    ) -> None:
        super().__init__()
        self.step, self.output_dir, self.overwrite = step, output_dir, overwrite

    def run(
        self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1
    ) -> DocumentsPipeline:
        if data:
            yield from data
        if rank == 0:
            self.step.merge(self.output_dir, overwrite=self.overwrite)


def _runs_of_one_file(batch: list[Document]) -> Iterator[list[Document]]:
    """The batch cut where the file changes."""
    run: list[Document] = []
    for doc in batch:
        origin = doc.metadata.get(ORIGIN)
        if not isinstance(origin, dict):
            raise InputError(
                f"document {doc.id!r} was not read for xfilter: give the reader "
                "adapter=record_adapter (from xfilter.integrations.datatrove)"
            )
        if run and run[0].metadata[ORIGIN]["file"] != origin["file"]:
            yield run
            run = []
        run.append(doc)
    if run:
        yield run


def _decisions(tagged: pa.Table, names: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Each row's tag columns and reason, and its record as tagged (redaction rewrites it)."""
    columns = {name: tagged.column(name).to_pylist() for name in (*TAG_COLUMNS, REASON_COLUMN)}
    for row in range(tagged.num_rows):
        decision = {name: values[row] for name, values in columns.items()}
        if decision[ACTION] == "redact":
            decision["record"] = tagged.select(list(names)).slice(row, 1).to_pylist()[0]
        yield decision


# -- a task's parts -----------------------------------------------------------------------------


class _TaskParts:
    """The parts one task writes: one per input file, each on a thread of its own while the
    task tags the next batch, and a record of the task when it ends."""

    def __init__(self, xf: XFilter, folder: Path, rank: int, world_size: int) -> None:
        self.xf, self.folder, self.rank, self.world_size = xf, folder, rank, world_size
        self.started = now()
        self.current: _FilePart | None = None
        self.done: list[str] = []
        folder.mkdir(parents=True, exist_ok=True)

    def part_for(self, file: str, row: int) -> _FilePart:
        """The part of ``file``, whose record ``row`` comes next; a new file starts a new part."""
        key = file_key(file)
        if self.current is not None and self.current.key == key:
            return self.current
        self._finish_current()
        if key in self.done:
            raise InputError(f"{file}: its records reached the xfilter step twice in one task")
        if row != 0:
            raise InputError(
                f"{file}: the xfilter step first saw row {row}, not row 0; put it right after "
                "the reader, with no skip or limit, so that it sees every record"
            )
        self.current = _FilePart(self.xf, file, key, self.folder)
        return self.current

    def _finish_current(self) -> None:
        if self.current is not None:
            self.current.finish()
            self.done.append(self.current.key)
            self.current = None

    def finish(self) -> None:
        """Close the last part, then record the task: the merge checks every task finished."""
        self._finish_current()
        record = {
            "rank": self.rank,
            "tasks": self.world_size,
            "started": self.started,
            "files": self.done,
        }
        tasks = self.folder / TASKS
        tasks.mkdir(exist_ok=True)
        path = tasks / f"{self.rank:05d}.json"
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(record), encoding="utf-8")
        os.replace(temporary, path)

    def abort(self) -> None:
        if self.current is not None:
            self.current.abort()
            self.current = None


class _FilePart:
    """One input file's part: its rows, tagged, written by ``write_part`` on a thread."""

    def __init__(self, xf: XFilter, file: str, key: str, folder: Path) -> None:
        import datasets

        self.file, self.key = file, key
        self.file_schema = read_schema(file)
        features = datasets.Features.from_arrow_schema(self.file_schema)
        self.schema: pa.Schema = features.arrow_schema
        label = Path(key).name  # the part's provisional split; the merge names the real one
        view = SimpleNamespace(column_names=self.schema.names, features=features)
        check_fields(xf, {label: view})
        self.next_row = 0
        directory = part_dir(folder, key)
        _clear_earlier_attempt(directory)
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=_QUEUE_DEPTH)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xfilter-part")
        self._written: Future[Part] = self._pool.submit(
            write_part, xf, label, self.schema, features.to_dict(), self._tagged(), directory
        )

    def record(self, doc: Document) -> dict[str, Any]:
        """The row ``doc`` was read from, rebuilt from its text, id and metadata."""
        origin = doc.metadata[ORIGIN]
        if origin["row"] != self.next_row:
            raise InputError(
                f"{self.file}: the xfilter step saw row {origin['row']} after row "
                f"{self.next_row - 1}; put it right after the reader, before any filter"
            )
        self.next_row += 1
        row = {}
        for name in self.file_schema.names:
            if name == origin["text_key"]:
                row[name] = origin.get("text", doc.text)
            elif name == origin["id_key"]:
                row[name] = doc.id
            elif name in doc.metadata:
                row[name] = doc.metadata[name]
            else:
                raise InputError(
                    f"{self.file}: row {origin['row']} reached the xfilter step without its "
                    f"column {name!r}; read every column (read_metadata=True)"
                )
        return row

    def write(self, tagged: pa.Table) -> None:
        self._put(tagged)

    def finish(self) -> Part:
        self._put(None)
        try:
            return self._written.result()
        finally:
            self._pool.shutdown()

    def abort(self) -> None:
        """Stop the writer, which removes its work directory."""
        with suppress(Exception):  # unless it has stopped already, on an error of its own
            self._put(_Aborted())
        self._written.exception()  # waits for it to finish removing
        self._pool.shutdown()

    def _put(self, item: Any) -> None:
        """Hand ``item`` to the writer thread; its error, if it stopped, is raised here."""
        while True:
            if self._written.done():
                self._written.result()
                raise OutputError(f"{self.file}: the part's writer stopped early")
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue

    def _tagged(self) -> Iterator[pa.Table]:
        while (item := self._queue.get()) is not None:
            if isinstance(item, _Aborted):
                raise item
            yield item


class _Aborted(Exception):
    """Raised inside a part's writer when its task fails, so nothing half-written remains."""


def _clear_earlier_attempt(directory: Path) -> None:
    """A retried task writes its files' parts again: remove the part an earlier attempt
    finished, which is the only thing the parts folder may hold under that name."""
    if not directory.exists():
        return
    if not (directory / PART_FILE).is_file():
        raise OutputError(f"{directory}: exists and is not an xfilter part; remove it")
    shutil.rmtree(directory)


def file_key(file: str) -> str:
    """How an input file is named in the parts folder: a local path resolved, a URI as is."""
    return file if "://" in file else os.path.realpath(file)


def part_dir(folder: Path, key: str) -> Path:
    """The part of the input file ``key`` in ``folder``: a digest of its path, then its name."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return folder / f"{digest}-{Path(key).name}"


def read_schema(file: str) -> pa.Schema:
    """The Arrow schema of a parquet input file (local path or fsspec URI)."""
    import fsspec
    import pyarrow.parquet as pq

    try:
        with fsspec.open(file, "rb") as handle:
            schema: pa.Schema = pq.read_schema(handle)
    except (OSError, pa.ArrowException) as exc:
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        raise InputError(
            f"{file}: the xfilter step reads parquet files ({lines[0][:200]}); "
            "convert the input to parquet first"
        ) from None
    return schema


def _parquet_rows(file: str) -> int:
    import fsspec
    import pyarrow.parquet as pq

    with fsspec.open(file, "rb") as handle:
        rows: int = pq.ParquetFile(handle).metadata.num_rows
    return rows


# -- the merge ------------------------------------------------------------------------------------


def merge_output(
    xf: XFilter,
    parts_folder: str | os.PathLike[str],
    output_dir: str | os.PathLike[str] | None = None,
    *,
    overwrite: bool = False,
) -> Output:
    """Assemble the output directory of a pipeline's run from the parts its tasks wrote.

    The input (``input.source`` of ``xf``'s config) is resolved as the local engine resolves
    it, so each split's rows are numbered in its files' order; every file with records must
    have a part holding all of them, and the folder may hold no other part. The directory
    goes to ``output_dir`` (by default ``output.dir``), and appears only if everything adds
    up.
    """
    if output_dir is not None:  # recorded in the manifest's config, as ``xfilter run --output``
        xf = make_filter(xf.config, output=output_dir)
    cfg = xf.config
    out_dir = Path(cfg.output.dir).expanduser()
    check_not_inside_input(cfg.input.source, out_dir)
    folder = Path(parts_folder).expanduser()
    engine, started = _engine(folder)
    splits, source = resolve_input(cfg.input.source, cfg.input.split, cfg.input.selection())
    # datasets names the splits of a flat folder with NamedSplit, which JSON cannot key by.
    source.fingerprints = {str(name): value for name, value in source.fingerprints.items()}
    source.content = {str(name): value for name, value in source.content.items()}
    unclaimed = {p.name for p in folder.iterdir() if p.is_dir() and (p / PART_FILE).is_file()}
    merged = []
    for split in splits:
        merged.append(_merge_split(xf, split, folder, source.source, unclaimed))
        source.rows[merged[-1].name] = merged[-1].counts.input
    if unclaimed:
        raise InputError(
            f"{folder}: holds parts of files that are not in the input {source.source!r} "
            f"({', '.join(sorted(unclaimed)[:3])}); set input.source to what the pipeline "
            "reads, or use a fresh parts folder for each run"
        )
    manifest = assemble_output(xf, merged, source, out_dir, engine, started, overwrite)
    return Output.written(out_dir, manifest)


def _merge_split(
    xf: XFilter, split: SplitFiles, folder: Path, source: str, unclaimed: set[str]
) -> SplitParts:
    """One split: its files' parts in reading order, each checked to hold all its records."""
    if split.builder != "parquet":
        raise InputError(f"{source}: the xfilter step reads parquet files; convert the input")
    name = str(split.name)
    schema: pa.Schema | None = None
    features: dict[str, Any] | None = None
    parts = []
    for file in split.files:
        import datasets

        found = datasets.Features.from_arrow_schema(read_schema(file))
        if schema is None:
            schema, features = found.arrow_schema, found.to_dict()
        elif not found.arrow_schema.equals(schema):
            raise InputError(
                f"{file}: its columns differ from those of {split.files[0]} in split "
                f"{name!r}; give the files of a split one schema"
            )
        rows = _parquet_rows(file)
        directory = part_dir(folder, file_key(file))
        unclaimed.discard(directory.name)
        if not (directory / PART_FILE).is_file():
            if rows == 0:
                continue
            raise InputError(
                f"{file}: no part for it in {folder}; did every task of the pipeline finish, "
                "and does its reader read this file?"
            )
        part = read_part(directory)
        if part.counts.input != rows:
            raise InputError(
                f"{file}: holds {rows} records but the xfilter step saw {part.counts.input}; "
                "put the step right after the reader, with no limit"
            )
        parts.append(_in_split(part, name))
    assert schema is not None  # a split has at least one file
    if parts:
        return merge_parts(name, schema, features, parts)
    identity = xf.config.ledger.identity
    return SplitParts(
        name, schema, features, [], [], SplitCounts(),
        ledger_schema(identity).empty_table(), index_schema(identity).empty_table(),
    )  # fmt: skip


def _in_split(part: Part, split: str) -> Part:
    """A part, named as a part of ``split`` (a task wrote it under its file's name)."""
    for name in ("ledger", "index"):
        table = getattr(part, name)
        position = table.schema.get_field_index("split")
        column = pa.array([split] * table.num_rows, pa.string())
        setattr(part, name, table.set_column(position, table.schema.field(position), column))
    part.split = split
    return part


def _engine(folder: Path) -> tuple[dict[str, Any], str]:
    """The manifest's engine entry and the run's start, from the tasks' records; every task
    must have finished."""
    records = []
    for path in sorted((folder / TASKS).glob("*.json")) if (folder / TASKS).is_dir() else []:
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            raise InputError(f"{path}: not a task record of the xfilter step") from None
    if not records:
        raise InputError(f"{folder}: no task of the xfilter step has finished there")
    tasks = max(record["tasks"] for record in records)
    missing = sorted(set(range(tasks)) - {record["rank"] for record in records})
    if missing:
        raise InputError(
            f"{folder}: task {missing[0]} of {tasks} has not finished; run the pipeline to the "
            "end before merging"
        )
    engine = {"name": "datatrove", "tasks": tasks, "datatrove_version": version("datatrove")}
    return engine, min(record["started"] for record in records)


__all__ = ["XFilterOutput", "XFilterStep", "merge_output", "record_adapter"]
