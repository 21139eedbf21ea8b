"""A record of a written output, found again for ``xfilter explain --from``.

An output keeps a record's text in ``clean/`` (kept, redacted or released records) or in
``quarantine/``; a dropped record's text is not kept, only its ledger row. Every record the
policy did not keep as it was has a ledger row, so a record's place in its set follows from
the ledger alone: its position in ``clean/`` is its input row less the removed records before
it, its position in ``quarantine/`` the number of quarantined records before it.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from xfilter.config import Config, build_config
from xfilter.errors import InputError, VerifyError
from xfilter.output import formats
from xfilter.output.layout import CLEAN, LEDGER, QUARANTINE
from xfilter.output.verify import confined, load_manifest
from xfilter.output.writer import IDENTITY_PREFIX, identity_value, record_sha256
from xfilter.vocab import RECORD_COLUMNS, TAG_COLUMNS

_REMOVED = ("drop", "quarantine")


@dataclass
class StoredRecord:
    """One input record of an output: its ledger row (None: kept as it was), the set that
    holds its text (None: dropped) and the record itself, without xfilter's columns."""

    split: str
    row: int
    ledger: dict[str, Any] | None
    set: str | None
    record: dict[str, Any] | None
    schema: pa.Schema | None
    config: Config

    @property
    def hash_matches(self) -> bool | None:
        """Whether the stored record still hashes to the ledger's ``record_sha256``."""
        if self.ledger is None or self.record is None or self.ledger["action"] == "redact":
            return None  # a redacted record is stored cut: its hash is the input's
        return bool(record_sha256(self.record) == self.ledger["record_sha256"])


def find_record(
    directory: str | os.PathLike[str],
    split: str,
    row: int | None = None,
    id_value: str | None = None,
) -> StoredRecord:
    """The record at input ``row`` of ``split``, or the one whose identity column (a
    ``ledger.identity`` column, ``id.<name>`` in the ledger) has the value ``id_value``."""
    root = Path(directory)
    manifest = load_manifest(root)
    config = build_config(manifest["config"], f"{root}: config")
    if split not in manifest["splits"]:
        known = ", ".join(manifest["splits"]) or "none"
        raise InputError(f"{root}: no split {split!r} (splits: {known})")
    ledger = [r for r in pq.read_table(root / LEDGER).to_pylist() if r["split"] == split]
    if id_value is not None:
        row = _row_of(root, manifest, config, split, ledger, id_value)
    assert row is not None
    size = manifest["splits"][split]["input"]
    if not 0 <= row < size:
        raise InputError(f"{root}: split {split!r} has rows 0 to {size - 1}, not {row}")
    listed = next((r for r in ledger if r["row"] == row), None)
    removed = sorted(r["row"] for r in ledger if r["action"] in _REMOVED)
    quarantined = sorted(r["row"] for r in ledger if r["action"] == "quarantine")
    action = listed["action"] if listed is not None else "keep"
    if action == "drop":
        return StoredRecord(split, row, listed, None, None, None, config)
    if action == "quarantine":
        name, position = QUARANTINE, bisect.bisect_left(quarantined, row)
    else:
        name, position = CLEAN, row - bisect.bisect_left(removed, row)
    record, schema = _read_row(root, manifest, name, split, position)
    return StoredRecord(split, row, listed, name, record, schema, config)


def _row_of(
    root: Path,
    manifest: dict[str, Any],
    config: Config,
    split: str,
    ledger: list[dict[str, Any]],
    value: str,
) -> int:
    """The input row whose identity column holds ``value``: from the ledger, else the clean
    set (a record kept as it was has no ledger row)."""
    identity = config.ledger.identity
    if not identity:
        raise InputError(
            f"{root}: --id needs identity columns, and this output was written without "
            "ledger.identity; give --row instead"
        )
    rows = sorted(
        {r["row"] for r in ledger for name in identity if r[IDENTITY_PREFIX + name] == value}
    )
    if not rows:
        removed = sorted(r["row"] for r in ledger if r["action"] in _REMOVED)
        rows = [
            _input_row(position, removed)
            for position in _clean_positions(root, manifest, split, identity, value)
        ]
    if not rows:
        columns = ", ".join(IDENTITY_PREFIX + n for n in identity)
        raise InputError(f"{root}: split {split!r}: no record has {value!r} in {columns}")
    if len(rows) > 1:
        shown = ", ".join(map(str, rows[:5]))
        raise InputError(
            f"{root}: split {split!r}: {len(rows)} records have {value!r} (rows {shown}); "
            "give --row"
        )
    found: int = rows[0]
    return found


def _input_row(position: int, removed: list[int]) -> int:
    """The input row of clean position ``position``, ``removed`` the sorted rows not kept."""
    row = position
    for gone in removed:
        if gone <= row:
            row += 1
        else:
            break
    return row


def _set_files(manifest: dict[str, Any], name: str, split: str) -> list[dict[str, Any]]:
    entries = [e for e in manifest["outputs"]["files"] if e["set"] == name and e["split"] == split]
    return sorted(entries, key=lambda e: e["path"])


def _clean_positions(
    root: Path, manifest: dict[str, Any], split: str, identity: list[str], value: str
) -> list[int]:
    fmt = formats.get(manifest["outputs"]["format"])
    found, start = [], 0
    for entry in _set_files(manifest, CLEAN, split):
        if entry["rows"]:
            table = fmt.read_table(confined(root, entry["path"]))
            for offset, record in enumerate(table.to_pylist()):
                if any(_identity(record, name) == value for name in identity):
                    found.append(start + offset)
        start += entry["rows"]
    return found


def _identity(record: dict[str, Any], path: str) -> str | None:
    value: Any = record.get(path) if path in record else record
    if path not in record:
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    return identity_value(value)


def _read_row(
    root: Path, manifest: dict[str, Any], name: str, split: str, position: int
) -> tuple[dict[str, Any], pa.Schema]:
    fmt = formats.get(manifest["outputs"]["format"])
    start = 0
    for entry in _set_files(manifest, name, split):
        if position < start + entry["rows"]:
            table = fmt.read_table(confined(root, entry["path"]))
            table = table.drop_columns(
                [c for c in (*TAG_COLUMNS, *RECORD_COLUMNS) if c in table.column_names]
            )
            record: dict[str, Any] = table.slice(position - start, 1).to_pylist()[0]
            return record, table.schema
        start += entry["rows"]
    raise VerifyError(f"{root}: the {name} set of split {split!r} holds fewer rows than recorded")
