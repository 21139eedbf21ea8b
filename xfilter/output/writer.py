"""Writing an output directory: clean and quarantine sets, the ledger, counts.

Everything is written under a temporary sibling directory and renamed into place at the end,
so a crash never leaves a directory at the output path that looks finished. Rows are buffered
into fixed-size row groups, so the bytes written do not depend on the batch size.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import errno
import hashlib
import json
import math
import os
import re
import shutil
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import rfc8785

from xfilter.config import DEFAULT_SHARD_MB
from xfilter.errors import ConfigError, InputError, OutputError
from xfilter.faults import checkpoint
from xfilter.output import formats
from xfilter.output.formats import FileWriter
from xfilter.output.layout import (
    CLEAN,
    FILES,
    INDEX,
    LEDGER,
    MANIFEST,
    OLD_LEDGER,
    QUARANTINE,
    SETS,
    data_dir,
    shard_name,
)
from xfilter.policy.allowlist import REASON_RELEASED, Allowlist
from xfilter.vocab import (
    ACTION,
    AUTHORS_COLUMN,
    CATEGORIES_COLUMN,
    COUNTS,
    LINKED_POST_IDS_COLUMN,
    POST_IDS_COLUMN,
    REASON_COLUMN,
    RECORD_COLUMNS,
    RECORD_SCHEMA,
    RULES_COLUMN,
    TAG_COLUMNS,
    TAG_SCHEMA,
)

ROW_GROUP_ROWS = 10_000
MIB = 1024 * 1024
# The shard size of a writer given none (``output.shard_mb`` at its default).
SHARD_BYTES = DEFAULT_SHARD_MB * MIB
MANIFEST_SCHEMA_PREFIX = "xfilter.manifest/"
# What an output this version may replace holds at its top level (besides its listed data files).
OUTPUT_DIRS = frozenset(SETS)
OUTPUT_FILES = frozenset({*FILES, OLD_LEDGER})
# Written into every work directory when it is made; only marked directories are removed.
WORK_MARKER = ".xfilter-work"
# The ledger: one row per record not kept as it was, then one ``id.<name>`` column per
# configured identity column (``identity_fields``).
LEDGER_SCHEMA = pa.schema(
    [
        pa.field("split", pa.string()),
        pa.field("row", pa.int64()),
        pa.field("record_sha256", pa.string()),
        pa.field("action", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("categories", pa.list_(pa.string())),
        pa.field("rules", pa.list_(pa.string())),
    ]
)
# The private X index: one row per record that carries X content or names X authors (any
# category but x_mention, or an author), kept or not, then the identity columns. ``row`` is the
# record's position in the input split, ``clean_row`` its position in the split's clean set
# (null when it is not there). ``author_ids`` are numeric X user ids, ``handles`` lower-case
# handles without ``@``.
INDEX_SCHEMA = pa.schema(
    [
        pa.field("split", pa.string()),
        pa.field("row", pa.int64()),
        pa.field("clean_row", pa.int64()),
        pa.field("record_sha256", pa.string()),
        pa.field("action", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("categories", pa.list_(pa.string())),
        pa.field("post_ids", pa.list_(pa.string())),
        pa.field("linked_post_ids", pa.list_(pa.string())),
        pa.field("author_ids", pa.list_(pa.string())),
        pa.field("handles", pa.list_(pa.string())),
    ]
)
IDENTITY_PREFIX = "id."
# Categories that put a record in the X index (with any named author): all but x_mention.
_STRINGS = pa.list_(pa.string())
_INDEXED = ("x_dataset", "x_post", "x_embed", "x_link")


def identity_fields(identity: Sequence[str]) -> list[pa.Field]:
    """The ledger's and the index's ``id.<name>`` columns: the input's values as strings."""
    return [pa.field(IDENTITY_PREFIX + name, pa.string()) for name in identity]


def ledger_schema(identity: Sequence[str] = ()) -> pa.Schema:
    return pa.schema([*LEDGER_SCHEMA, *identity_fields(identity)])


def index_schema(identity: Sequence[str] = ()) -> pa.Schema:
    return pa.schema([*INDEX_SCHEMA, *identity_fields(identity)])


@dataclass
class SplitCounts:
    """What happened to one split's records; ``redacted`` records are also ``kept``."""

    input: int = 0
    kept: int = 0
    dropped: int = 0
    quarantined: int = 0
    redacted: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    # The reasons of the records not kept as they were (the ledger's rows), when the tagged
    # batches carry them.
    by_reason: Counter[str] = field(default_factory=Counter)
    # Records a reviewer's allowlist released (kept although the policy rejects them; among
    # ``kept``); None when no allowlist applies, and the manifest then has no such count.
    released: int | None = None

    def update(self, tagged: pa.Table) -> None:
        actions = Counter(tagged.column(ACTION).to_pylist())
        self.input += tagged.num_rows
        self.kept += actions["keep"] + actions["redact"]
        self.redacted += actions["redact"]
        self.dropped += actions["drop"]
        self.quarantined += actions["quarantine"]
        for column, counter in (
            (CATEGORIES_COLUMN, self.by_category),
            (RULES_COLUMN, self.by_rule),
        ):
            flat = pc.list_flatten(tagged.column(column))
            if len(flat):
                counts = pc.value_counts(flat)
                for value, count in zip(
                    counts.field("values").to_pylist(),
                    counts.field("counts").to_pylist(),
                    strict=True,
                ):
                    counter[value] += count
        if REASON_COLUMN in tagged.column_names:
            released = pc.equal(tagged.column(REASON_COLUMN), REASON_RELEASED)
            listed = pc.or_(pc.not_equal(tagged.column(ACTION), "keep"), released)
            reasons = tagged.column(REASON_COLUMN).filter(listed).to_pylist()
            self.by_reason.update(reasons)
            if self.released is not None:
                self.released += reasons.count(REASON_RELEASED)

    def add(self, other: SplitCounts) -> None:
        """Count ``other``'s records too (the tallies of another part of the split)."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.by_category.update(other.by_category)
        self.by_rule.update(other.by_rule)
        self.by_reason.update(other.by_reason)
        if other.released is not None:
            self.released = (self.released or 0) + other.released

    def as_dict(self) -> dict[str, Any]:
        return {
            **{name: getattr(self, name) for name in COUNTS},
            "by_category": dict(sorted(self.by_category.items())),
            "by_rule": dict(sorted(self.by_rule.items())),
            "by_reason": dict(sorted(self.by_reason.items())),
            **({"released": self.released} if self.released is not None else {}),
        }


# -- the record hash ---------------------------------------------------------------------------

# JSON numbers are exact in every language only within ±(2**53 - 1) (RFC 8785, I-JSON).
_SAFE_INTEGER = 2**53 - 1


def record_sha256(row: Mapping[str, Any]) -> str:
    """A record's identity in the ledger and the X index: the sha256 of the RFC 8785 (JSON
    Canonicalization Scheme) UTF-8 text of its columns as one JSON object, xfilter's own
    columns left out. Values JSON has no type for are mapped first (:func:`canonical_value`),
    so any language with a JCS implementation recomputes it from the record."""
    body = {
        k: canonical_value(v)
        for k, v in row.items()
        if k not in TAG_COLUMNS and k not in RECORD_COLUMNS
    }
    return hashlib.sha256(rfc8785.dumps(body)).hexdigest()


def canonical_value(value: Any) -> Any:
    """A column value (as ``pyarrow``'s ``to_pylist`` gives it) in the JSON data model.

    Strings, booleans, null, lists and structs (objects) are themselves; integers within
    ±(2**53 - 1) are numbers and larger ones decimal strings; finite floats are numbers and
    NaN, Infinity and -Infinity the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``; bytes
    are standard base64 strings with padding; dates, times and timestamps are ISO 8601 strings
    (``2024-05-01``, ``12:30:00``, ``2024-05-01T12:30:00+00:00``: a time zone only when the
    column has one); durations are their length in seconds as a decimal string; decimals are
    their decimal string; a map is a list of ``[key, value]`` pairs, in its stored order.
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return value if -_SAFE_INTEGER <= value <= _SAFE_INTEGER else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): canonical_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical_value(v) for v in value]
    return _canonical_scalar(value)


def _canonical_scalar(value: Any) -> str:
    """Dates, times, timestamps, durations and decimals as text (see ``canonical_value``)."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
        text = f"{decimal.Decimal(micros).scaleb(-6):f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, decimal.Decimal):
        return str(value)
    isoformat = getattr(value, "isoformat", None)  # pandas timestamps (nanoseconds)
    return str(isoformat()) if callable(isoformat) else str(value)


def identity_value(value: Any) -> str | None:
    """An identity column's value as the ledger stores it: a string as it is, an integer in
    decimal (however large), anything else as its RFC 8785 JSON text; null stays null."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return rfc8785.dumps(canonical_value(value)).decode("utf-8")


def at_path(row: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` of a record: a top-level column, else a dotted path into structs."""
    if path in row:
        return row[path]
    value: Any = row
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def check_identity(split: str, schema: pa.Schema, identity: Sequence[str]) -> None:
    """Every identity column must be a column of the input, or a dotted path into its structs."""
    for name in identity:
        if not _schema_has(schema, name):
            columns = ", ".join(n for n in schema.names if n not in (*TAG_COLUMNS, *RECORD_COLUMNS))
            raise ConfigError(
                f"ledger.identity: {name!r} is not a column of split {split!r} (columns: {columns})"
            )


def _schema_has(schema: pa.Schema, path: str) -> bool:
    if path in schema.names:
        return True
    head, _, rest = path.partition(".")
    if not rest or head not in schema.names:
        return False
    kind = schema.field(head).type
    for part in rest.split("."):
        if not pa.types.is_struct(kind) or kind.get_field_index(part) < 0:
            return False
        kind = kind.field(kind.get_field_index(part)).type
    return True


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def shard_bytes(shard_mb: int) -> int | None:
    """A writer's shard size for ``output.shard_mb``; ``None`` (``SHARD_BYTES``) at the
    default."""
    return None if shard_mb == DEFAULT_SHARD_MB else shard_mb * MIB


class _ShardWriter:
    """One split of one set: rolls over to a new shard past ``shard_bytes`` (by default
    ``SHARD_BYTES``) of Arrow data."""

    def __init__(
        self,
        directory: Path,
        split: str,
        fmt: str,
        schema: pa.Schema,
        shard_bytes: int | None = None,
    ) -> None:
        self.directory, self.split, self.schema = directory, split, schema
        self.shard_bytes = shard_bytes
        self.format = formats.get(fmt)
        self.paths: list[Path] = []
        self.rows: list[int] = []
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        self._writer: FileWriter | None = None
        self._bytes = 0

    def write(self, table: pa.Table) -> None:
        self._buffer.append(table.cast(self.schema) if table.schema != self.schema else table)
        self._buffered += table.num_rows
        while self._buffered >= ROW_GROUP_ROWS:
            self._flush(ROW_GROUP_ROWS)

    def close(self) -> None:
        # A split with no rows gets no file: `datasets` refuses to load an empty split.
        if self._buffered:
            self._flush(self._buffered)
        self._close_shard()

    def _flush(self, rows: int) -> None:
        table = pa.concat_tables(self._buffer) if self._buffer else self.schema.empty_table()
        chunk, rest = table.slice(0, rows), table.slice(rows)
        self._buffer, self._buffered = ([rest] if rest.num_rows else []), rest.num_rows
        limit = SHARD_BYTES if self.shard_bytes is None else self.shard_bytes
        if self._writer is None or self._bytes >= limit:
            self._close_shard()
            self._writer = self._open_shard()
        self.rows[-1] += chunk.num_rows
        self._bytes += chunk.nbytes
        combined = chunk.combine_chunks()
        del table, chunk  # the buffered batches are freed before encoding, not after
        self._writer.write(combined)

    def _open_shard(self) -> FileWriter:
        path = self.directory / f"{self.split}.{len(self.paths):05d}.part"
        self.paths.append(path)
        self.rows.append(0)
        self._bytes = 0
        return self.format.open_writer(path, self.schema, ROW_GROUP_ROWS)

    def _close_shard(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def finalize(self) -> list[tuple[Path, int]]:
        """Rename parts to the Hub layout ``<split>-NNNNN-of-NNNNN.<ext>``."""
        total = len(self.paths)
        done = []
        for index, (path, rows) in enumerate(zip(self.paths, self.rows, strict=True)):
            final = path.with_name(shard_name(self.split, index, total, self.format.extension))
            path.rename(final)
            done.append((final, rows))
        return done


def _row_groups(
    batches: Iterable[pa.RecordBatch | pa.Table], schema: pa.Schema
) -> Iterator[pa.Table]:
    """``batches`` as tables of ``ROW_GROUP_ROWS`` rows (the last one shorter), cast to
    ``schema``."""
    buffer: list[pa.Table] = []
    buffered = 0
    for batch in batches:
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        buffer.append(table.cast(schema) if table.schema != schema else table)
        buffered += table.num_rows
        while buffered >= ROW_GROUP_ROWS:
            joined = pa.concat_tables(buffer)
            rest = joined.slice(ROW_GROUP_ROWS)
            buffer, buffered = ([rest] if rest.num_rows else []), rest.num_rows
            yield joined.slice(0, ROW_GROUP_ROWS).combine_chunks()
    if buffered:
        yield pa.concat_tables(buffer).combine_chunks()


def quarantine_schema(clean: pa.Schema) -> pa.Schema:
    """The quarantine files' schema of a split whose clean files have schema ``clean``: the
    same columns and ``datasets`` features, then the tag columns."""
    meta = (clean.metadata or {}).get(b"huggingface")
    features = json.loads(meta).get("info", {}).get("features") if meta else None
    columns = [f for f in clean.remove_metadata() if f.name not in TAG_COLUMNS]
    if features is not None:
        features = {**features, **_tag_features()}
    return _hub_schema(pa.schema([*columns, *TAG_SCHEMA]), features)


def _tag_features() -> dict[str, Any]:
    from datasets import Features, List, Value

    tags = {ACTION: Value("string")} | {c: List(Value("string")) for c in TAG_COLUMNS[1:]}
    features: dict[str, Any] = Features(tags).to_dict()
    return features


def _hub_schema(schema: pa.Schema, features: dict[str, Any] | None) -> pa.Schema:
    """Attach ``datasets`` features metadata so ``load_dataset`` restores exact types."""
    if features is None:
        return schema.remove_metadata()
    meta = {b"huggingface": json.dumps({"info": {"features": features}}).encode()}
    return schema.with_metadata(meta)


class OutputWriter:
    """Writes one output directory; ``commit`` makes it appear atomically."""

    def __init__(
        self,
        final_dir: str | os.PathLike[str],
        fmt: str,
        overwrite: bool = False,
        identity: Sequence[str] = (),
        shard_bytes: int | None = None,
        allowlist: Allowlist | None = None,
    ):
        self.final = Path(final_dir).expanduser()
        # Applied to every batch ``write`` gets; None: no list (a refresh carries releases).
        self.allowlist = allowlist
        if allowlist is not None:
            allowlist.check_identity(identity)
        self.fmt = fmt
        self.overwrite = overwrite
        self.identity = tuple(identity)
        self.shard_bytes = shard_bytes
        check_output_dir(self.final, overwrite)
        try:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_siblings(self.final)
            self.tmp = _make_work_dir(self.final, "tmp")
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise
            raise OutputError(
                f"{self.final}: cannot write the output there: {exc.strerror or exc}"
            ) from None
        self.counts: dict[str, SplitCounts] = {}
        self._writers: dict[tuple[str, str], _ShardWriter] = {}
        self._ledger: list[pa.Table] = []
        self._index: list[pa.Table] = []
        self._clean_rows: Counter[str] = Counter()
        self.files: list[dict[str, Any]] = []
        self.ledger_entry: dict[str, Any] | None = None
        self.index_entry: dict[str, Any] | None = None

    def open_split(
        self, split: str, schema: pa.Schema, features: dict[str, Any] | None = None
    ) -> None:
        """Prepare a split; ``schema`` is the input's (xfilter's own columns are replaced)."""
        check_tag_columns(split, schema)
        check_identity(split, schema, self.identity)
        base = pa.schema([f for f in schema if f.name not in (*TAG_COLUMNS, *RECORD_COLUMNS)])
        quarantine = pa.schema(list(base) + list(TAG_SCHEMA))
        q_features = None
        if features is not None:
            features = {
                k: v for k, v in features.items() if k not in (*TAG_COLUMNS, *RECORD_COLUMNS)
            }
            q_features = {**features, **_tag_features()}
        self.counts[split] = SplitCounts(released=0 if self.allowlist is not None else None)
        for name, sch, feats in ((CLEAN, base, features), (QUARANTINE, quarantine, q_features)):
            directory = self.tmp / data_dir(name)
            directory.mkdir(parents=True, exist_ok=True)
            self._writers[(name, split)] = _ShardWriter(
                directory, split, self.fmt, _hub_schema(sch, feats), self.shard_bytes
            )

    def write(self, split: str, tagged: pa.Table, first_row: int) -> None:
        """One tagged batch whose first row is row ``first_row`` of the split. The batch carries
        the record columns (``vocab.RECORD_COLUMNS``) beside the tag columns; neither set of
        columns is written to the clean set, and only the tag columns to the quarantine set."""
        check_record_columns(split, tagged)
        if self.allowlist is not None and len(self.allowlist):
            tagged = release(self.allowlist, self.identity, tagged)
        self.counts[split].update(tagged)
        actions = tagged.column(ACTION).to_numpy(zero_copy_only=False)
        # Boolean filters, not take(): take() concatenates a chunked column before it picks.
        kept = (actions == "keep") | (actions == "redact")
        records = tagged.drop_columns(list(RECORD_COLUMNS))
        clean = records.drop_columns(list(TAG_COLUMNS))
        self._writers[(CLEAN, split)].write(rows_where(clean, kept))
        checkpoint("write-clean")
        # A few rows a batch, waiting for a row group to fill: copied, so that they do not
        # hold the whole batch in memory meanwhile.
        self._writers[(QUARANTINE, split)].write(records.filter(pa.array(actions == "quarantine")))
        checkpoint("write-quarantine")
        clean_rows = np.cumsum(kept) - 1 + self._clean_rows[split]
        self._clean_rows[split] += int(kept.sum())
        listed = actions != "keep"
        if self.allowlist is not None:
            reasons = tagged.column(REASON_COLUMN).to_numpy(zero_copy_only=False)
            listed |= reasons == REASON_RELEASED
        indexed = x_bearing(tagged)
        if listed.any() or indexed.any():
            self._record(split, tagged, first_row, listed, indexed, np.where(kept, clean_rows, -1))

    def _record(
        self,
        split: str,
        tagged: pa.Table,
        first_row: int,
        listed: np.ndarray,
        indexed: np.ndarray,
        clean_rows: np.ndarray,
    ) -> None:
        ledger, index = ledger_and_index_rows(
            self.identity, split, tagged, first_row, listed, indexed, clean_rows
        )
        self._ledger.append(ledger)
        self._index.append(index)

    def write_set(self, name: str, split: str, table: pa.Table) -> None:
        """Rows already decided, written as they are to set ``name`` of an opened split (a
        refresh copies them from an earlier output; quarantine rows carry the tag columns)."""
        self._writers[(name, split)].write(table)

    def carry_shard(self, source: Path, entry: Mapping[str, Any]) -> None:
        """A data file of an earlier output, unchanged under the same name: hard-linked where
        the filesystem allows (no bytes are copied), else copied. ``entry`` is its manifest
        entry, which the new manifest repeats (the earlier output was verified)."""
        target = self.tmp / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source / entry["path"], target)
        except OSError:
            shutil.copyfile(source / entry["path"], target)
        self.files.append(dict(entry))

    def write_shard(
        self,
        path: str,
        name: str,
        split: str,
        schema: pa.Schema,
        batches: Iterable[pa.RecordBatch | pa.Table],
    ) -> None:
        """One data file at ``path`` from ``batches``, cut into row groups as a run cuts them
        (so the same rows give the same bytes); rows are held one row group at a time. No
        rows give a file with the schema and no row group, which ``datasets`` loads."""
        target = self.tmp / path
        target.parent.mkdir(parents=True, exist_ok=True)
        file = formats.get(self.fmt).open_writer(target, schema, ROW_GROUP_ROWS)
        rows = 0
        try:
            for group in _row_groups(batches, schema):
                file.write(group)
                rows += group.num_rows
        finally:
            file.close()
        self.files.append(self._entry(target, rows, name, split))

    def set_records(self, ledger: pa.Table, index: pa.Table) -> None:
        """The whole ledger and X index, in place of the rows ``write`` would collect."""
        self._ledger = [ledger.select(ledger_schema(self.identity).names)]
        self._index = [index.select(index_schema(self.identity).names)]

    def close(self) -> None:
        """Finish every data file and the ledger; their entries land in ``files``."""
        for (name, split), writer in sorted(self._writers.items()):
            writer.close()
            for path, rows in writer.finalize():
                self.files.append(self._entry(path, rows, name, split))
        self.ledger_entry = self._write_table(LEDGER, self._ledger, ledger_schema(self.identity))
        self.index_entry = self._write_table(INDEX, self._index, index_schema(self.identity))

    def _write_table(self, name: str, parts: list[pa.Table], schema: pa.Schema) -> dict[str, Any]:
        """One parquet file of ``parts``; its bytes depend only on the rows, not on batches."""
        table = pa.concat_tables([p.cast(schema) for p in parts]) if parts else schema.empty_table()
        path = self.tmp / name
        pq.write_table(table.combine_chunks(), path, compression="zstd")
        return {"path": name, "rows": table.num_rows, "sha256": file_sha256(path)}

    def _entry(self, path: Path, rows: int, name: str, split: str) -> dict[str, Any]:
        return {
            "path": path.relative_to(self.tmp).as_posix(),
            "set": name,
            "split": split,
            "rows": rows,
            "sha256": file_sha256(path),
        }

    def write_text(self, name: str, text: str) -> Path:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return path

    def commit(self) -> Path:
        """Move the finished directory into place (replacing an old xfilter output)."""
        check_output_dir(self.final, self.overwrite)
        (self.tmp / WORK_MARKER).unlink(missing_ok=True)
        if self.final.exists():
            trash = _sibling(self.final, "old", uuid.uuid4().hex)
            self.final.rename(trash)
            self.tmp.rename(self.final)
            shutil.rmtree(trash)
        else:
            self.tmp.rename(self.final)
        return self.final

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def release(allowlist: Allowlist, identity: Sequence[str], tagged: pa.Table) -> pa.Table:
    """``tagged`` with the records the allowlist names, among those the policy drops or
    quarantines, kept: action ``keep``, reason ``released``; their categories and rules stay,
    so the ledger shows what the reviewer overruled. Only rejected records are hashed."""
    actions = tagged.column(ACTION).to_numpy(zero_copy_only=False)
    rejected = np.flatnonzero((actions == "drop") | (actions == "quarantine"))
    if not len(rejected):
        return tagged
    rows = tagged.take(pa.array(rejected)).drop_columns([*TAG_COLUMNS, *RECORD_COLUMNS])
    records = rows.to_pylist()
    wanted = [n for n in allowlist.id_columns if n in identity]
    hashing = allowlist.needs_hash
    freed = [
        int(position)
        for position, record in zip(rejected, records, strict=True)
        if allowlist.match(
            record_sha256(record) if hashing else None,
            {IDENTITY_PREFIX + n: identity_value(at_path(record, n)) for n in wanted},
        )
        is not None
    ]
    if not freed:
        return tagged
    mask = np.zeros(tagged.num_rows, dtype=bool)
    mask[freed] = True
    flags = pa.array(mask)
    new_actions = pc.if_else(flags, "keep", tagged.column(ACTION))
    new_reasons = pc.if_else(flags, REASON_RELEASED, tagged.column(REASON_COLUMN))
    tagged = tagged.set_column(
        tagged.schema.get_field_index(ACTION), tagged.schema.field(ACTION), new_actions
    )
    return tagged.set_column(
        tagged.schema.get_field_index(REASON_COLUMN),
        tagged.schema.field(REASON_COLUMN),
        new_reasons,
    )


# Past this many runs of selected rows, Arrow's filter beats a slice per run.
_MAX_RUNS = 512


def rows_where(table: pa.Table, mask: np.ndarray) -> pa.Table:
    """The rows of ``table`` where ``mask`` holds, in order, as zero-copy slices of its runs
    of selected rows. Arrow's filter would copy every selected value of every column (a whole
    batch, for the clean set), and the shard writer copies once more when it joins a row
    group; a mask of many short runs is filtered all the same.

    The slices hold ``table``'s buffers: for rows that wait in a buffer (a quarantine row
    group fills over many batches), a filter's copy is the right choice."""
    if mask.all():
        return table
    edges = np.flatnonzero(np.diff(mask.astype(np.int8), prepend=0, append=0))
    starts, stops = edges[0::2].tolist(), edges[1::2].tolist()
    if not starts:
        return table.slice(0, 0)
    if len(starts) > _MAX_RUNS:
        return table.filter(pa.array(mask))
    return pa.concat_tables([table.slice(a, b - a) for a, b in zip(starts, stops, strict=True)])


def ledger_and_index_rows(
    identity: Sequence[str],
    split: str,
    tagged: pa.Table,
    first_row: int,
    listed: np.ndarray,
    indexed: np.ndarray,
    clean_rows: np.ndarray,
) -> tuple[pa.Table, pa.Table]:
    """The ledger rows (``listed``) and X index rows (``indexed``) of one tagged batch whose
    first row is row ``first_row`` of ``split``; ``clean_rows`` holds each row's position in
    the clean set (negative: not kept). Each record is hashed once for both."""
    either = listed | indexed
    rows = tagged.filter(pa.array(either))
    records = rows.drop_columns([*TAG_COLUMNS, *RECORD_COLUMNS]).to_pylist()
    common = {
        "split": [split] * rows.num_rows,
        "row": (np.flatnonzero(either) + first_row).astype(np.int64),
        "record_sha256": [record_sha256(r) for r in records],
        "action": rows.column(ACTION),
        "reason": rows.column(REASON_COLUMN),
        "categories": rows.column(CATEGORIES_COLUMN),
        **{
            IDENTITY_PREFIX + name: pa.array(
                [identity_value(at_path(r, name)) for r in records], pa.string()
            )
            for name in identity
        },
    }
    table = pa.table(common)
    in_ledger, in_index = pa.array(listed[either]), pa.array(indexed[either])
    ledger = table.append_column("rules", rows.column(RULES_COLUMN)).filter(in_ledger)
    ledger = ledger.select(ledger_schema(identity).names)
    authors = rows.column(AUTHORS_COLUMN).to_pylist()
    positions = clean_rows[either]
    index = table.append_column("clean_row", pa.array(positions, pa.int64(), mask=positions < 0))
    extra = {
        "post_ids": rows.column(POST_IDS_COLUMN),
        "linked_post_ids": rows.column(LINKED_POST_IDS_COLUMN),
        "author_ids": pa.array([[a for a in f if a.isdigit()] for f in authors], _STRINGS),
        "handles": pa.array([[a for a in f if not a.isdigit()] for f in authors], _STRINGS),
    }
    for name, values in extra.items():
        index = index.append_column(name, values)
    index = index.filter(in_index)
    return ledger, index.select(index_schema(identity).names)


def check_tag_columns(split: str, schema: pa.Schema) -> None:
    """Input columns named like xfilter's own would be replaced: refuse that, unless they are
    exactly xfilter's columns with xfilter's types (a tagged set, tagged again)."""
    present = [name for name in TAG_COLUMNS if name in schema.names]
    if not present:
        return
    for name in TAG_COLUMNS:
        if name not in present or not _same_type(
            schema.field(name).type, TAG_SCHEMA.field(name).type
        ):
            clash = name if name in present else present[0]
            raise InputError(
                f"column {clash!r} of split {split!r} clashes with xfilter's own columns; rename it"
            )


def check_record_columns(split: str, tagged: pa.Table) -> None:
    """A tagged batch must carry the record columns with their types: without them the ledger
    would have no reasons and the X index no post ids."""
    for wanted in RECORD_SCHEMA:
        if wanted.name not in tagged.column_names or not _same_type(
            tagged.schema.field(wanted.name).type, wanted.type
        ):
            raise OutputError(
                f"split {split!r}: a tagged batch lacks xfilter's column {wanted.name!r}; "
                "tag it with the engines' batch function, or save it through xf.split"
            )


def x_bearing(tagged: pa.Table) -> np.ndarray:
    """Rows with a category other than x_mention, or a named X author: the X index's rows."""
    rows = np.zeros(tagged.num_rows, dtype=bool)
    categories = tagged.column(CATEGORIES_COLUMN).combine_chunks()
    flat = pc.list_flatten(categories)
    if len(flat):
        parents = np.asarray(pc.list_parent_indices(categories), dtype=np.int64)
        found = np.asarray(pc.is_in(flat, pa.array(_INDEXED)), dtype=bool)
        rows[parents[found]] = True
    authors = pc.list_value_length(tagged.column(AUTHORS_COLUMN).combine_chunks())
    rows |= np.asarray(pc.fill_null(authors, 0), dtype=np.int64) > 0
    return rows


def _same_type(given: pa.DataType, wanted: pa.DataType) -> bool:
    if pa.types.is_list(wanted):  # list item field names differ between writers
        return bool(pa.types.is_list(given) and given.value_type == wanted.value_type)
    return bool(given == wanted)


_WORK_NAME = re.compile(r"xfilter-(tmp|old)-(\d+)-([0-9a-f]{8})")


def _sibling(final: Path, kind: str, token: str) -> Path:
    """A hidden work directory beside ``final``, named after this process and ``token``."""
    return final.parent / f".{final.name}.xfilter-{kind}-{os.getpid()}-{token[:8]}"


def _make_work_dir(final: Path, kind: str) -> Path:
    """A new work directory, marked as xfilter's with this process's pid and a uuid."""
    token = uuid.uuid4().hex
    path = _sibling(final, kind, token)
    path.mkdir()
    (path / WORK_MARKER).write_text(f"{os.getpid()} {token}\n", encoding="utf-8")
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_siblings(final: Path) -> None:
    """Delete the work directories that killed runs left beside ``final``.

    Only a directory named as xfilter names them, whose process is gone, and that holds the
    marker of that process (or is itself a complete xfilter output: a replaced output, or a
    finished one caught between losing its marker and its rename) is removed.
    """
    prefix = f".{final.name}."
    for path in final.parent.iterdir():
        found = _WORK_NAME.fullmatch(path.name.removeprefix(prefix))
        if not path.name.startswith(prefix) or found is None or path.is_symlink():
            continue
        pid, token = int(found.group(2)), found.group(3)
        if not path.is_dir() or _pid_alive(pid):
            continue
        if _marked(path, pid, token) or _foreign_entries(path) == []:
            shutil.rmtree(path, ignore_errors=True)


def _marked(path: Path, pid: int, token: str) -> bool:
    try:
        text = (path / WORK_MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    fields = text.split()
    return len(fields) == 2 and fields[0] == str(pid) and fields[1][:8] == token


def _xfilter_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest at ``path`` if it is an xfilter manifest, else ``None``."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    schema = manifest.get("schema") if isinstance(manifest, dict) else None
    if isinstance(schema, str) and schema.startswith(MANIFEST_SCHEMA_PREFIX):
        return manifest  # type: ignore[no-any-return]
    return None


def _foreign_entries(path: Path) -> list[str] | None:
    """What in ``path`` an xfilter output would not hold; ``None``: no xfilter manifest."""
    manifest = _xfilter_manifest(path / MANIFEST)
    if manifest is None:
        return None
    listed = set()
    outputs = manifest.get("outputs")
    for entry in outputs.get("files", []) if isinstance(outputs, dict) else []:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            listed.add(entry["path"])
    foreign = []
    for entry in sorted(path.iterdir()):
        if entry.name in OUTPUT_FILES and entry.is_file() and not entry.is_symlink():
            continue
        if entry.name in OUTPUT_DIRS and entry.is_dir() and not entry.is_symlink():
            for inner in sorted(entry.rglob("*")):
                name = inner.relative_to(path).as_posix()
                if not inner.is_dir() and name not in listed:
                    foreign.append(name)
            continue
        foreign.append(entry.name + ("/" if entry.is_dir() else ""))
    return foreign


def _enclosing_output(path: Path) -> Path | None:
    """The xfilter output that ``path`` would be written inside, if any."""
    for parent in path.resolve().parents:
        if _xfilter_manifest(parent / MANIFEST) is not None:
            return parent
    return None


def check_output_dir(path: Path, overwrite: bool) -> None:
    """Refuse to replace anything that is not provably an xfilter output, and only when asked."""
    if path.is_symlink():
        raise OutputError(f"{path}: output path is a symbolic link; give a real directory")
    enclosing = _enclosing_output(path)
    if enclosing is not None:
        raise OutputError(
            f"{path}: this is inside the xfilter output {enclosing}, which would then fail "
            "verify; choose an --output outside it"
        )
    if not path.exists():
        return
    if not path.is_dir():
        raise OutputError(f"{path}: output path exists and is not a directory")
    if not any(path.iterdir()):
        return
    foreign = _foreign_entries(path)
    if foreign is None:
        raise OutputError(
            f"{path}: directory exists and is not an xfilter output (no xfilter {MANIFEST}); "
            "choose another --output"
        )
    if foreign:
        shown = ", ".join(foreign[:5]) + (
            f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise OutputError(
            f"{path}: holds files that are not part of its xfilter output ({shown}); "
            "refusing to replace it: move them away or choose another --output"
        )
    if not overwrite:
        raise OutputError(
            f"{path}: an xfilter output is already there; pass --overwrite to replace it"
        )
