"""A reviewer's allowlist: records the detector flagged that a person decided to keep.

A reviewer reads the report, finds a false positive, and writes one entry naming the record
either by its ledger hash (``record_sha256``) or by the value of one of its identity columns
(``id.<column>``, a column listed in ``ledger.identity``), with a reason and their name:

    entries:
      - record_sha256: 3f5c…            # 64 hex digits, as the ledger shows it
        reason: false_positive
        by: alice
        date: 2026-05-01                # optional
      - id.post_id: "1790000000000000000"
        reason: false_positive
        by: bob

A run or a refresh writes such a record to ``clean/`` with action ``keep`` and reason
``released``. The reason ``false_positive`` says the detector was wrong, so keeping the record
is within the policy's terms; any other reason is a decision to keep content those terms
forbid, and the manifest counts it as kept against the terms.

The list's hash is the sha256 of the RFC 8785 JSON of its normalised entries, so a reformatted
file with the same entries has the same hash, and ``verify`` recomputes it from the copy the
manifest embeds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785

from xfilter.errors import ConfigError
from xfilter.yamlsafe import parse_yaml

# The ledger reason of a released record, and the entry reason that keeps it within terms.
REASON_RELEASED = "released"
FALSE_POSITIVE = "false_positive"
ID_PREFIX = "id."
_SHA256 = re.compile(r"[0-9a-f]{64}")
_KEYS = ("record_sha256", "reason", "by", "date")


@dataclass(frozen=True)
class Entry:
    """One reviewed record: ``key`` is ``record_sha256`` or ``id.<column>``."""

    key: str
    value: str
    reason: str
    by: str
    date: str | None = None

    @property
    def within_terms(self) -> bool:
        return self.reason == FALSE_POSITIVE

    def as_dict(self) -> dict[str, str]:
        found = {self.key: self.value, "reason": self.reason, "by": self.by}
        return found | ({"date": self.date} if self.date is not None else {})


class Allowlist:
    """The entries of one list, looked up by record hash or identity value."""

    def __init__(self, entries: Sequence[Entry], origin: str = "allowlist") -> None:
        self.entries = list(entries)
        self.origin = origin
        self._by_key: dict[tuple[str, str], int] = {}
        for number, entry in enumerate(self.entries, start=1):
            if (entry.key, entry.value) in self._by_key:
                first = self._by_key[(entry.key, entry.value)] + 1
                raise ConfigError(
                    f"{origin}: entry {number}: {entry.key} {entry.value!r} is listed already "
                    f"(entry {first})"
                )
            self._by_key[(entry.key, entry.value)] = number - 1

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def id_columns(self) -> list[str]:
        """The identity columns entries name (without ``id.``)."""
        keys = {e.key for e in self.entries if e.key.startswith(ID_PREFIX)}
        return sorted(k.removeprefix(ID_PREFIX) for k in keys)

    @property
    def needs_hash(self) -> bool:
        return any(e.key == "record_sha256" for e in self.entries)

    def match(self, sha256: str | None, ids: Mapping[str, str | None]) -> int | None:
        """The position of the first entry naming this record (by hash, then identity
        columns in order), or None. ``ids`` maps ``id.<column>`` to the record's value."""
        if sha256 is not None:
            found = self._by_key.get(("record_sha256", sha256))
            if found is not None:
                return found
        for key, value in ids.items():
            if value is not None:
                found = self._by_key.get((key, value))
                if found is not None:
                    return found
        return None

    def as_list(self) -> list[dict[str, str]]:
        return [e.as_dict() for e in self.entries]

    @property
    def sha256(self) -> str:
        return list_sha256(self.as_list())

    @property
    def reviewers(self) -> list[str]:
        return sorted({e.by for e in self.entries})

    def check_identity(self, identity: Sequence[str]) -> None:
        """Every ``id.<column>`` entry names a column the ledger carries (``ledger.identity``):
        otherwise the ledger could not show which record was released."""
        for number, entry in enumerate(self.entries, start=1):
            column = entry.key.removeprefix(ID_PREFIX)
            if entry.key.startswith(ID_PREFIX) and column not in identity:
                listed = ", ".join(identity) or "none"
                raise ConfigError(
                    f"{self.origin}: entry {number}: {entry.key}: {column!r} is not in "
                    f"ledger.identity (configured: {listed}); add it there or name the record "
                    "by record_sha256"
                )


def list_sha256(entries: Sequence[Mapping[str, Any]]) -> str:
    """The sha256 of the RFC 8785 JSON text of normalised entries."""
    return hashlib.sha256(rfc8785.dumps(list(entries))).hexdigest()


def load_allowlist(path: str | os.PathLike[str]) -> Allowlist:
    """Read and check a YAML allowlist: a list of entries, or a mapping with ``entries:``."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"{file}: allowlist not found (allowlist.path)")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not a UTF-8 text file") from None
    data = parse_yaml(text, str(file), "an allowlist")
    if isinstance(data, Mapping):
        extra = sorted(str(k) for k in data if k != "entries")
        if extra:
            raise ConfigError(f"{file}: unknown key {extra[0]!r} (only 'entries' is read)")
        data = data.get("entries")
    if data is None:
        data = []
    if not isinstance(data, list):
        raise ConfigError(f"{file}: entries: expected a list of entries")
    return from_entries(data, str(file))


def from_entries(items: Sequence[object], origin: str) -> Allowlist:
    """An allowlist from raw entries (a YAML file's, or the copy a manifest embeds)."""
    return Allowlist([_entry(item, number, origin) for number, item in enumerate(items, 1)], origin)


def _entry(item: object, number: int, origin: str) -> Entry:
    where = f"{origin}: entry {number}"
    if not isinstance(item, Mapping):
        raise ConfigError(f"{where}: expected a mapping, got {type(item).__name__}")
    names = [k for k in item if k == "record_sha256" or str(k).startswith(ID_PREFIX)]
    unknown = [str(k) for k in item if k not in _KEYS and not str(k).startswith(ID_PREFIX)]
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} (keys: record_sha256 or id.<column>, "
            "reason, by, date)"
        )
    if len(names) != 1:
        raise ConfigError(
            f"{where}: name the record by exactly one of record_sha256 or id.<column>, "
            f"got {len(names)}"
        )
    key = str(names[0])
    value = _text(item[key], where, key)
    if key == "record_sha256" and not _SHA256.fullmatch(value):
        raise ConfigError(f"{where}: record_sha256: expected 64 lowercase hex digits")
    if key == ID_PREFIX:
        raise ConfigError(f"{where}: {key}: no column named after 'id.'")
    date = item.get("date")
    if isinstance(date, (dt.date, dt.datetime)):
        date = date.isoformat()
    return Entry(
        key=key,
        value=value,
        reason=_text(item.get("reason"), where, "reason"),
        by=_text(item.get("by"), where, "by"),
        date=None if date is None else _text(date, where, "date"),
    )


def _text(value: object, where: str, key: str) -> str:
    """A non-empty string; an integer (an id written without quotes) in decimal."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        shown = "missing" if value is None else f"expected text, got {type(value).__name__}"
        raise ConfigError(f"{where}: {key}: {shown}")
    return value
