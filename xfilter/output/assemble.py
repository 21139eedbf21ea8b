"""One output directory from data files written elsewhere: by Spark executors, by pipeline
tasks.

An engine that tags on many machines writes each part's kept and quarantined rows to files of
its own, and tallies counts, ledger rows and X index rows per part. ``assemble_output`` turns
those parts into the directory a local run writes: the parts take the names a run gives its
shards (hard-linked or moved when they already hold the bytes a run would write, rewritten one
row group at a time when not), and the ledger, X index, manifest, card and Croissant file are
written and sealed by the same code as a local run's, which refuses counts that do not add up.
So ``xfilter verify`` checks an assembled output exactly as it checks any other.

    parts = SplitParts("train", schema, features, clean_files, quarantine_files,
                       counts, ledger, index)
    manifest = assemble_output(xf, [parts], source, "out/run1", {"name": "spark"}, started)
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from xfilter.errors import OutputError
from xfilter.output import formats
from xfilter.output.layout import CLEAN, INDEX, LEDGER, QUARANTINE, SETS, SetName, shard_path
from xfilter.output.manifest import InputInfo, build_manifest
from xfilter.output.write import seal_and_commit
from xfilter.output.writer import (
    ROW_GROUP_ROWS,
    OutputWriter,
    SplitCounts,
    file_sha256,
    index_schema,
    ledger_schema,
    shard_bytes,
)
from xfilter.transform import XFilter
from xfilter.vocab import ACTION_COUNTS, COUNTS


@dataclass
class SplitParts:
    """One split, as the parts of a distributed run left it."""

    name: str
    # The input's schema, without xfilter's tag and record columns.
    schema: pa.Schema
    # The input's ``datasets`` features (for the files' metadata), or None.
    features: dict[str, Any] | None
    # Parquet files of the kept rows, in row order; their concatenation is the clean set.
    clean_files: list[Path]
    # Parquet files of the quarantined rows with the tag columns, in row order.
    quarantine_files: list[Path]
    # Counts merged over the parts (``SplitCounts.add``).
    counts: SplitCounts
    # Rows of ``ledger_schema(identity)``: ``row`` is the record's position in the split.
    ledger: pa.Table
    # Rows of ``index_schema(identity)``: ``clean_row`` is the position in the split's clean set.
    index: pa.Table
    # The sha256 of part files as the process that wrote them hashed them; the others are
    # hashed here.
    sha256: dict[Path, str] = field(default_factory=dict)


def assemble_output(
    xf: XFilter,
    splits: Sequence[SplitParts],
    source: InputInfo,
    out_dir: str | os.PathLike[str],
    engine: Mapping[str, Any],
    started: str,
    overwrite: bool = False,
    *,
    move: bool = False,
) -> dict[str, Any]:
    """Write the output directory of ``splits`` to ``out_dir`` and return its sealed manifest.

    The part files are hard-linked into place (copied across file systems), or moved with
    ``move=True`` (then a refused output takes them with it); parts without ``datasets``'
    metadata or in another format than the configured one are rewritten, row group by row
    group. ``source.rows``, when it
    records a split's size, must equal the split's counted input. Nothing appears at
    ``out_dir`` unless every split's records add up (input = kept + dropped + quarantined, the
    files hold the kept and quarantined rows, the ledger lists every record not kept).
    """
    names = [split.name for split in splits]
    if len(set(names)) != len(names):
        raise OutputError(f"{out_dir}: a split is given twice ({', '.join(names)})")
    output = xf.config.output
    identity = xf.config.ledger.identity
    writer = OutputWriter(out_dir, output.format, overwrite, identity, shard_bytes(output.shard_mb))
    try:
        ledgers, indexes = [], []
        for split in splits:
            # Checks the schema (no clash with xfilter's columns, the identity columns exist)
            # and prepares the sets' file schemas, as a run does.
            writer.open_split(split.name, split.schema, split.features)
            writer.counts[split.name] = split.counts
            ledgers.append(_records(split, "ledger", split.ledger, ledger_schema(identity)))
            indexes.append(_records(split, "X index", split.index, index_schema(identity)))
            _check_records(split, ledgers[-1], indexes[-1])
        # In the order a run lists its files: by set, then by split name.
        for name in SETS:
            for split in sorted(splits, key=lambda s: s.name):
                files = split.clean_files if name == CLEAN else split.quarantine_files
                _place_set(writer, name, split.name, [Path(f) for f in files], split.sha256, move)
        writer.set_records(
            _concat(ledgers, ledger_schema(identity)), _concat(indexes, index_schema(identity))
        )
        writer.close()
        if source.features is None and splits:
            source.features = splits[0].features
        manifest = build_manifest(xf, source, writer.counts, engine, started)
        return seal_and_commit(writer, manifest)
    except BaseException:
        writer.abort()
        raise


# -- data files ----------------------------------------------------------------------------


def _place_set(
    writer: OutputWriter,
    name: SetName,
    split: str,
    files: list[Path],
    known: Mapping[Path, str],
    move: bool,
) -> None:
    """The parts of one set of one split, as its shards ``0..n-1``; parts with no rows are
    left out (a run writes no file for rows it does not have)."""
    schema = _set_schema(writer, name, split)
    fmt = formats.get(writer.fmt)
    parts = [(path, _part_rows(path)) for path in files]
    parts = [(path, rows) for path, rows in parts if rows]
    for number, (part, rows) in enumerate(parts):
        relative = shard_path(name, split, number, len(parts), fmt.extension)
        if fmt.name == "parquet" and _same_schema(pq.read_schema(part), schema):
            target = writer.tmp / relative
            _link_or_move(part, target, move)
            sha256 = known.get(part) or file_sha256(target)
            entry = {"path": relative, "set": name, "split": split, "rows": rows, "sha256": sha256}
            writer.files.append(entry)
        else:
            writer.write_shard(relative, name, split, schema, _conformed(part, schema, split))
            if move:
                part.unlink()


def _set_schema(writer: OutputWriter, name: SetName, split: str) -> pa.Schema:
    """The schema (with ``datasets`` features metadata) a run gives the set's files, as
    ``open_split`` prepared it."""
    schema: pa.Schema = writer._writers[(name, split)].schema
    return schema


def _part_rows(path: Path) -> int:
    try:
        rows: int = pq.ParquetFile(path).metadata.num_rows
    except (OSError, pa.ArrowException) as exc:
        raise OutputError(f"{path}: not a readable parquet part ({_first_line(exc)})") from None
    return rows


def _same_schema(found: pa.Schema, wanted: pa.Schema) -> bool:
    """Whether a part's bytes can stand for a run's shard: same columns, types and metadata."""
    return bool(found.equals(wanted, check_metadata=True))


def _link_or_move(part: Path, target: Path, move: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if move:
            os.replace(part, target)
        else:
            os.link(part, target)
    except OSError:  # another file system: copy the bytes
        shutil.copyfile(part, target)
        if move:
            part.unlink()


def _conformed(part: Path, schema: pa.Schema, split: str) -> Iterator[pa.RecordBatch]:
    """The part's rows with the set's columns, in its order and types, a row group at a time."""
    file = pq.ParquetFile(part)
    missing = [n for n in schema.names if n not in file.schema_arrow.names]
    if missing:
        raise OutputError(f"{part}: a part of split {split!r} lacks column(s) {', '.join(missing)}")
    for batch in file.iter_batches(batch_size=ROW_GROUP_ROWS, columns=schema.names):
        try:
            yield pa.RecordBatch.from_arrays(
                [batch.column(n).cast(f.type) for n, f in zip(schema.names, schema, strict=True)],
                schema=schema,
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
            raise OutputError(
                f"{part}: a part of split {split!r} does not have the split's column types "
                f"({_first_line(exc)})"
            ) from None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__


# -- ledger and X index --------------------------------------------------------------------


def _records(split: SplitParts, what: str, table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A split's ledger or X index rows in ``schema``, sorted by row as a run writes them."""
    missing = [n for n in schema.names if n not in table.column_names]
    if missing:
        raise OutputError(
            f"split {split.name!r}: its {what} rows lack column(s) {', '.join(missing)}"
        )
    try:
        table = table.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise OutputError(
            f"split {split.name!r}: its {what} rows do not have the {what}'s column types "
            f"({_first_line(exc)})"
        ) from None
    other = pc.not_equal(table.column("split"), split.name)
    if pc.any(other).as_py():
        raise OutputError(f"split {split.name!r}: its {what} holds rows of another split")
    return table.take(pc.sort_indices(table, [("row", "ascending")]))


def _check_records(split: SplitParts, ledger: pa.Table, index: pa.Table) -> None:
    """Before anything is written: every ledger and X index row names a distinct record of
    the split, the ledger has one row per record counted as not kept, and each kept record of
    the X index has a distinct place in the clean set. (``verify`` checks more.)"""
    counts = split.counts
    for what, table in (("ledger", ledger), ("X index", index)):
        rows = table.column("row").to_numpy()
        if len(rows) and (rows[0] < 0 or rows[-1] >= counts.input or (np.diff(rows) == 0).any()):
            raise OutputError(
                f"split {split.name!r}: its {what} has a row out of 0..{counts.input - 1} "
                "or a row twice"
            )
    found = pc.value_counts(ledger.column("action")).to_pylist()
    actions = {item["values"]: item["counts"] for item in found}
    for action, key in ACTION_COUNTS.items():
        listed = actions.pop(action, 0)
        if listed != getattr(counts, key):
            raise OutputError(
                f"split {split.name!r}: the ledger has {listed} {action!r} rows, the counts "
                f"say {key} = {getattr(counts, key)}"
            )
    if actions:
        raise OutputError(f"split {split.name!r}: the ledger has actions {sorted(actions)}")
    placed = pc.drop_null(index.column("clean_row")).to_numpy()
    if len(placed) and (
        placed.min() < 0 or placed.max() >= counts.kept or len(np.unique(placed)) != len(placed)
    ):
        raise OutputError(
            f"split {split.name!r}: its X index places a record outside the clean set "
            f"(0..{counts.kept - 1}) or two records in one place"
        )


def _concat(tables: list[pa.Table], schema: pa.Schema) -> pa.Table:
    return pa.concat_tables(tables) if tables else schema.empty_table()


# -- parts ---------------------------------------------------------------------------------

# What a part directory records beside its files: its split, counts and file entries.
PART_FILE = "part.json"


@dataclass
class Part:
    """What one task wrote of a run of consecutive records of one split. Its ledger and X
    index number rows from the task's first record (``row``) and first kept record
    (``clean_row``); :func:`merge_parts` numbers them within the split."""

    split: str
    clean_files: list[Path]
    quarantine_files: list[Path]
    counts: SplitCounts
    ledger: pa.Table
    index: pa.Table
    sha256: dict[Path, str]


def write_part(
    xf: XFilter,
    split: str,
    schema: pa.Schema,
    features: dict[str, Any] | None,
    tagged: Iterable[pa.Table],
    directory: str | os.PathLike[str],
) -> Part:
    """Write one task's tagged batches (with the record columns the engines' batch function
    adds) to the new ``directory``, with the writer a run uses, so the files are the bytes a
    run would write for those rows and :func:`assemble_output` can link them into place."""
    output = xf.config.output
    writer = OutputWriter(
        directory,
        "parquet",
        identity=xf.config.ledger.identity,
        shard_bytes=shard_bytes(output.shard_mb),
    )
    try:
        writer.open_split(split, schema, features)
        first_row = 0
        for table in tagged:
            writer.write(split, table, first_row)
            first_row += table.num_rows
        writer.close()
        record = {"split": split, "counts": writer.counts[split].as_dict(), "files": writer.files}
        writer.write_text(PART_FILE, json.dumps(record))
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return read_part(directory)


def read_part(directory: str | os.PathLike[str]) -> Part:
    """The part :func:`write_part` wrote to ``directory`` (in any process)."""
    root = Path(directory)
    try:
        record = json.loads((root / PART_FILE).read_text(encoding="utf-8"))
        ledger, index = pq.read_table(root / LEDGER), pq.read_table(root / INDEX)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise OutputError(f"{root}: not a complete part ({_first_line(exc)})") from None
    files: dict[str, list[Path]] = {CLEAN: [], QUARANTINE: []}
    sha256 = {}
    for entry in record["files"]:
        path = root / entry["path"]
        files[entry["set"]].append(path)
        sha256[path] = entry["sha256"]
    return Part(
        record["split"],
        files[CLEAN],
        files[QUARANTINE],
        _counts(record["counts"]),
        ledger,
        index,
        sha256,
    )


def _counts(recorded: Mapping[str, Any]) -> SplitCounts:
    """``SplitCounts.as_dict`` read back."""
    return SplitCounts(
        **{name: recorded[name] for name in COUNTS},
        by_category=Counter(recorded["by_category"]),
        by_rule=Counter(recorded["by_rule"]),
        by_reason=Counter(recorded["by_reason"]),
    )


def merge_parts(
    name: str, schema: pa.Schema, features: dict[str, Any] | None, parts: Sequence[Part]
) -> SplitParts:
    """One split from its parts, given in the split's record order: counts summed, files in
    order, and the ledger and X index renumbered within the split. A split has at least one
    part (which may hold no records)."""
    if not parts:
        raise OutputError(f"split {name!r}: no parts to merge")
    counts = SplitCounts()
    ledgers, indexes = [], []
    clean: list[Path] = []
    quarantine: list[Path] = []
    sha256: dict[Path, str] = {}
    for part in parts:
        if part.split != name:
            raise OutputError(f"split {name!r}: given a part of split {part.split!r}")
        ledgers.append(_shifted(part.ledger, "row", counts.input))
        index = _shifted(part.index, "row", counts.input)
        indexes.append(_shifted(index, "clean_row", counts.kept))
        counts.add(part.counts)
        clean += part.clean_files
        quarantine += part.quarantine_files
        sha256.update(part.sha256)
    return SplitParts(
        name,
        schema,
        features,
        clean,
        quarantine,
        counts,
        pa.concat_tables(ledgers),
        pa.concat_tables(indexes),
        sha256,
    )


def _shifted(table: pa.Table, column: str, offset: int) -> pa.Table:
    """``table`` with ``offset`` added to ``column`` (nulls stay null)."""
    position = table.schema.get_field_index(column)
    shifted = pc.add(table.column(column), pa.scalar(offset, pa.int64()))
    return table.set_column(position, table.schema.field(column), shifted)
