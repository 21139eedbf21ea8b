"""The output formats, parquet, Arrow and JSON Lines: everything xfilter knows about each.

One entry per format in ``FORMATS``: its file extension, its MIME type (for Croissant), the
``datasets`` builder that loads it, and how to write, read, count and type its files. A new
format is one more class here (and one more value of ``config.OutputFormat``).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.json as pajson
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from xfilter.config import OutputFormat


class FileWriter(Protocol):
    """An open data file: tables go in, in order, until it is closed."""

    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


def json_value(value: Any) -> Any:
    """What ``json.dumps`` writes for a value JSON has no type for: bytes as hex, else text."""
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


class Format(ABC):
    """One output format; the subclasses below are the only ones."""

    name: OutputFormat
    extension: str
    mime: str
    builder: str  # the ``datasets.load_dataset`` builder that reads these files

    @abstractmethod
    def open_writer(self, path: Path, schema: pa.Schema, row_group_rows: int) -> FileWriter:
        """A new file at ``path``; parquet cuts row groups of ``row_group_rows``."""

    @abstractmethod
    def read_table(self, path: Path) -> pa.Table: ...

    @abstractmethod
    def count_rows(self, path: Path) -> int: ...

    def read_schema(self, path: Path) -> pa.Schema | None:
        """The columns a file declares, or None when the format stores no schema."""
        return None


class _Parquet(Format):
    name = "parquet"
    extension = "parquet"
    builder = "parquet"
    mime = "application/x-parquet"

    def open_writer(self, path: Path, schema: pa.Schema, row_group_rows: int) -> FileWriter:
        return _ParquetWriter(path, schema, row_group_rows)

    def read_table(self, path: Path) -> pa.Table:
        return pq.read_table(path)

    def count_rows(self, path: Path) -> int:
        rows: int = pq.ParquetFile(path).metadata.num_rows
        return rows

    def read_schema(self, path: Path) -> pa.Schema:
        return pq.read_schema(path)


# Data pages cut where the content says, not at fixed sizes (pyarrow 21 and later): a version
# with some rows removed re-creates the same pages around the removal, so a deduplicating
# store or uploader (the Hub's Xet storage) sends only the pages that changed. Deterministic:
# the same rows give the same bytes.
CONTENT_DEFINED_CHUNKING = int(pa.__version__.split(".")[0]) >= 21


def parquet_options() -> dict[str, Any]:
    """The keyword arguments of every parquet file xfilter writes."""
    options: dict[str, Any] = {"compression": "zstd"}
    if CONTENT_DEFINED_CHUNKING:
        options["use_content_defined_chunking"] = True
    return options


class _ParquetWriter:
    def __init__(self, path: Path, schema: pa.Schema, row_group_rows: int) -> None:
        self._writer = pq.ParquetWriter(path, schema, **parquet_options())
        self._row_group_rows = row_group_rows

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table, row_group_size=self._row_group_rows)

    def close(self) -> None:
        self._writer.close()


class _Arrow(Format):
    """The Arrow IPC stream format, as ``datasets`` writes and reads ``.arrow`` files."""

    name = "arrow"
    extension = "arrow"
    builder = "arrow"
    mime = "application/vnd.apache.arrow.stream"

    def open_writer(self, path: Path, schema: pa.Schema, row_group_rows: int) -> FileWriter:
        writer: FileWriter = ipc.new_stream(str(path), schema)
        return writer

    def read_table(self, path: Path) -> pa.Table:
        with ipc.open_stream(str(path)) as reader:
            return reader.read_all()

    def count_rows(self, path: Path) -> int:
        with ipc.open_stream(str(path)) as reader:
            return sum(batch.num_rows for batch in reader)

    def read_schema(self, path: Path) -> pa.Schema:
        with ipc.open_stream(str(path)) as reader:
            return reader.schema


class _JsonLines(Format):
    name = "jsonl"
    extension = "jsonl"
    builder = "json"
    mime = "application/jsonlines"

    def open_writer(self, path: Path, schema: pa.Schema, row_group_rows: int) -> FileWriter:
        return _JsonLinesWriter(path)

    def read_table(self, path: Path) -> pa.Table:
        return pajson.read_json(path)

    def count_rows(self, path: Path) -> int:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())


class _JsonLinesWriter:
    def __init__(self, path: Path) -> None:
        self._handle = path.open("w", encoding="utf-8")

    def write(self, table: pa.Table) -> None:
        for row in table.to_pylist():
            self._handle.write(json.dumps(row, ensure_ascii=False, default=json_value) + "\n")

    def close(self) -> None:
        self._handle.close()


FORMATS: dict[str, Format] = {f.name: f for f in (_Parquet(), _Arrow(), _JsonLines())}


def get(name: str) -> Format:
    """The format a config or a manifest names (both are validated to name one of these)."""
    return FORMATS[name]
