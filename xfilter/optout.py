"""Opt-out lists: X user ids and handles whose content must not be used.

Entries are held only as 64-bit prefixes of ``sha256(lower(entry))``, sorted in a numpy array:
the list never sits in memory in the clear, lookups are vectorised, and a list given as
``sha256:<hex>`` entries (shareable without revealing who is on it) works the same way.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from xfilter.engines.optout_keys import InvalidEntry, keys_from_lines, sorted_unique
from xfilter.errors import ConfigError

_HANDLE = re.compile(r"@?[A-Za-z0-9_]{1,20}")
_USER_ID = re.compile(r"\d{1,20}")
_HASHED = re.compile(r"sha256:([0-9a-fA-F]{64})")
# Column names accepted in CSV and JSONL lists.
ID_KEYS = ("id", "user_id", "id_str", "author_id")
HANDLE_KEYS = ("handle", "screen_name", "username", "user")


def entry_key(entry: str) -> int:
    """The stored form of a plain entry: the first 8 bytes of sha256 of its lower-case text."""
    digest = hashlib.sha256(entry.strip().lower().lstrip("@").encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _hashed_key(hex_digest: str) -> int:
    return int(hex_digest[:16], 16)


@dataclass(frozen=True)
class OptOutList:
    """A loaded opt-out list; ``sha256`` and ``count`` describe it without revealing entries."""

    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    sha256: str | None = None
    count: int = 0
    path: str | None = None

    @classmethod
    def empty(cls) -> OptOutList:
        return cls()

    @classmethod
    def from_entries(cls, entries: Iterable[str]) -> OptOutList:
        keys = [_parse_entry(e, "<entries>", i + 1) for i, e in enumerate(entries)]
        return cls(keys=np.unique(np.array(keys, dtype=np.uint64)), count=len(keys))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> OptOutList:
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"{file}: opt-out list not found")
        raw = file.read_bytes()
        if b"\x00" in raw[:8192]:
            raise ConfigError(f"{file}: opt-out list is a binary file, expected txt, csv or jsonl")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ConfigError(f"{file}: opt-out list is not UTF-8 text") from None
        suffix = file.suffix.lower()
        if suffix == ".csv":
            entries = _csv_entries(text, file)
        elif suffix in (".jsonl", ".ndjson"):
            entries = _jsonl_entries(text, file)
        else:
            entries = _txt_entries(text)
        listed = list(entries)
        try:
            keys = keys_from_lines([value for _, value in listed])
        except InvalidEntry as error:
            # The entry itself is not echoed: opt-out lists are personal data.
            raise ConfigError(
                f"{file}: line {listed[error.index][0]}: not an X user id, handle or "
                "sha256:<64 hex> entry"
            ) from None
        return cls(
            keys=sorted_unique(keys),
            sha256=hashlib.sha256(raw).hexdigest(),
            count=len(listed),
            path=str(file),
        )

    def __len__(self) -> int:
        return self.count

    def contains_any(self, authors: Iterable[str]) -> bool:
        """Whether any of ``authors`` (handles or ids, any case, ``@`` optional) opted out."""
        if not self.keys.size:
            return False
        wanted = np.array([entry_key(a) for a in authors], dtype=np.uint64)
        if not wanted.size:
            return False
        found = np.searchsorted(self.keys, wanted)
        found = np.minimum(found, self.keys.size - 1)
        return bool(np.any(self.keys[found] == wanted))


def _parse_entry(value: str, origin: str, line: int) -> int:
    text = value.strip()
    hashed = _HASHED.fullmatch(text)
    if hashed:
        return _hashed_key(hashed.group(1))
    if _USER_ID.fullmatch(text) or _HANDLE.fullmatch(text):
        return entry_key(text)
    # The entry itself is not echoed: opt-out lists are personal data.
    raise ConfigError(f"{origin}: line {line}: not an X user id, handle or sha256:<64 hex> entry")


def _txt_entries(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        if value:
            yield number, value


def _csv_entries(text: str, file: Path) -> Iterator[tuple[int, str]]:
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    wanted = [c for c in columns if c in ID_KEYS + HANDLE_KEYS]
    if not wanted:
        raise ConfigError(
            f"{file}: line 1: CSV header needs an 'id' or 'handle' column, found {columns}"
        )
    reader.fieldnames = columns
    for row in reader:
        line = reader.line_num
        if None in row:
            raise ConfigError(f"{file}: line {line}: more fields than the header has")
        values = [row[c].strip() for c in wanted if row.get(c) and row[c].strip()]
        if not values:
            raise ConfigError(f"{file}: line {line}: no id or handle in this row")
        for value in values:
            yield line, value


def _jsonl_entries(text: str, file: Path) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            raise ConfigError(f"{file}: line {number}: not valid JSON") from None
        if not isinstance(obj, dict):
            raise ConfigError(f"{file}: line {number}: expected an object with 'id' or 'handle'")
        values = [str(obj[k]) for k in ID_KEYS + HANDLE_KEYS if obj.get(k) not in (None, "")]
        if not values:
            raise ConfigError(f"{file}: line {number}: no 'id' or 'handle' key")
        for value in values:
            yield number, value
