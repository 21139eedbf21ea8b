"""Opt-out list keys at platform scale: ten million entries in seconds and bounded memory.

The keys are those of ``xfilter.optout``: a plain entry (X user id or handle, any case, ``@``
optional) is the first 8 bytes, big-endian, of ``sha256(entry.strip().lower().lstrip("@"))``;
a ``sha256:<64 hex>`` entry is its first 16 hex digits. Entries are validated the same way too.

Per entry the work is a few C calls (a validating ``fullmatch``, ``sha256``, ``digest``) driven
by ``map`` over byte lines, about eight megabytes at a time, so no Python loop runs per entry
and no list of ten million objects is ever alive; ``sha256`` itself is most of the time.
Entries the ASCII fast path cannot vouch for (Unicode digits or spaces, say) are decided by
``exact_key``, which is ``optout``'s rule verbatim.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress
from operator import methodcaller, not_

import numpy as np
import pyarrow as pa

# The same rules as xfilter.optout's _HANDLE, _USER_ID and _HASHED (str patterns: \d is any
# Unicode digit there, which exact_key keeps).
_HANDLE = re.compile(r"@?[A-Za-z0-9_]{1,20}")
_USER_ID = re.compile(r"\d{1,20}")
_HASHED = re.compile(r"sha256:([0-9a-fA-F]{64})")
# What the fast path accepts: a subset of the above, on stripped ASCII bytes.
_FAST_PLAIN = re.compile(rb"@?[A-Za-z0-9_]{1,20}")
_FAST_HASHED = re.compile(rb"sha256:[0-9a-fA-F]{64}")
_PREFIX = b"sha256:"
_IS_HASHED = methodcaller("startswith", _PREFIX)
_STRIP_AT = methodcaller("lstrip", b"@")
_CHUNK_BYTES = 8 << 20
_CHUNK_ENTRIES = 1 << 20
# Line breaks str.splitlines() honours besides \n (and \r\n): with any of them in a file, line
# numbers are counted the slow, exact way.
_OTHER_BREAKS = (
    b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9",
)  # fmt: skip
_HEX = np.full(256, 255, dtype=np.uint8)
for _digit, _char in enumerate(b"0123456789abcdef"):
    _HEX[_char] = _HEX[bytes([_char]).upper()[0]] = _digit
_DIGEST = methodcaller("digest")


class InvalidEntry(ValueError):
    """An entry is not an X user id, handle or ``sha256:<64 hex>``.

    ``index`` counts entries from 0; ``line`` is the 1-based line of a txt file (else None).
    The entry itself is not kept: opt-out lists are personal data.
    """

    def __init__(self, index: int, line: int | None = None) -> None:
        super().__init__(f"entry {index}" if line is None else f"line {line}")
        self.index = index
        self.line = line


def exact_key(value: str) -> int | None:
    """The key of one entry by ``xfilter.optout``'s rules; None if it is not a valid entry."""
    text = value.strip()
    hashed = _HASHED.fullmatch(text)
    if hashed:
        return int(hashed.group(1)[:16], 16)
    if _USER_ID.fullmatch(text) or _HANDLE.fullmatch(text):
        digest = hashlib.sha256(text.lower().lstrip("@").encode()).digest()
        return int.from_bytes(digest[:8], "big")
    return None


def keys_from_lines(lines: Iterable[str] | Iterable[bytes] | pa.Array) -> np.ndarray:
    """One ``uint64`` key per entry (not in entry order); ``InvalidEntry`` on a bad one.

    ``lines`` are entry values (CSV or JSONL cells, or txt lines already stripped of comments),
    as str, UTF-8 bytes, or a pyarrow string array.
    """
    parts, offset = [], 0
    for batch in _batches(lines):
        stripped = list(map(bytes.strip, batch))
        keys, bad = _batch_keys(stripped, any(map(_IS_HASHED, stripped)))
        if bad is not None:
            raise InvalidEntry(offset + bad)
        parts.append(keys)
        offset += len(batch)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def keys_from_txt(data: bytes) -> np.ndarray:
    """Keys of a txt opt-out list (not in entry order): one entry per line, ``#`` comments,
    blank lines skipped. ``data`` is the file's bytes (UTF-8, an optional BOM).
    ``InvalidEntry.line`` is the line number as ``str.splitlines()`` counts it.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if any(b in data for b in _OTHER_BREAKS) or data.count(b"\r") != data.count(b"\r\n"):
        return _txt_exact(data.decode("utf-8"))
    parts = []
    for chunk in _line_chunks(data):
        lines = chunk.split(b"\n")
        if b"#" in chunk:
            lines = [line.split(b"#", 1)[0] for line in lines]
        keys, bad = _batch_keys(list(filter(None, map(bytes.strip, lines))), _PREFIX in chunk)
        if bad is not None:
            # The exact pass names the line (or finds it blank to Python: Unicode spaces).
            return _txt_exact(data.decode("utf-8"))
        parts.append(keys)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def _txt_exact(text: str) -> np.ndarray:
    """The txt rules as ``xfilter.optout`` applies them, line by line."""
    keys: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        if not value:
            continue
        key = exact_key(value)
        if key is None:
            raise InvalidEntry(len(keys), number)
        keys.append(key)
    return np.array(keys, dtype=np.uint64)


def _line_chunks(data: bytes) -> Iterator[bytes]:
    """``data`` in pieces of about ``_CHUNK_BYTES`` that end at a line break."""
    start = 0
    while start < len(data):
        cut = data.find(b"\n", start + _CHUNK_BYTES)
        stop = len(data) if cut < 0 else cut
        yield data[start:stop]
        start = stop + 1


def _batches(lines: Iterable[str] | Iterable[bytes] | pa.Array) -> Iterator[Sequence[bytes]]:
    if isinstance(lines, (pa.Array, pa.ChunkedArray)):
        for start in range(0, len(lines), _CHUNK_ENTRIES):
            piece = lines.slice(start, _CHUNK_ENTRIES).cast(pa.binary())
            yield [b"" if v is None else v for v in piece.to_pylist()]
        return
    batch: list[bytes] = []
    for value in lines:
        batch.append(value.encode() if isinstance(value, str) else value)
        if len(batch) == _CHUNK_ENTRIES:
            yield batch
            batch = []
    if batch:
        yield batch


def _batch_keys(values: list[bytes], maybe_hashed: bool) -> tuple[np.ndarray, int | None]:
    """Keys of stripped, non-empty ``values``, or the index of the first invalid one."""
    flags = list(map(_IS_HASHED, values)) if maybe_hashed else []
    if any(flags):
        hashed = list(compress(values, flags))
        plain = list(compress(values, map(not_, flags)))
    else:
        hashed, plain = [], values
    if not (all(map(_FAST_HASHED.fullmatch, hashed)) and all(map(_FAST_PLAIN.fullmatch, plain))):
        return _exact_batch(values)
    parts = [_hex_prefixes(hashed)] if hashed else []
    if plain:
        # ASCII entries: lower-casing the joined bytes once is lower-casing each.
        joined = b"\n".join(plain).lower()
        lowered = joined.split(b"\n")
        if b"@" in joined:
            lowered = list(map(_STRIP_AT, lowered))
        digests = b"".join(map(_DIGEST, map(hashlib.sha256, lowered)))
        parts.append(np.frombuffer(digests, dtype=">u8")[::4].astype(np.uint64))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64), None


def _exact_batch(values: list[bytes]) -> tuple[np.ndarray, int | None]:
    """Entry by entry with ``exact_key``: for batches holding anything the fast path does not
    vouch for (a Unicode digit, an invalid entry)."""
    keys = np.zeros(len(values), dtype=np.uint64)
    for index, value in enumerate(values):
        try:
            key = exact_key(value.decode("utf-8"))
        except UnicodeDecodeError:
            key = None
        if key is None:
            return keys, index
        keys[index] = key
    return keys, None


def _hex_prefixes(entries: list[bytes]) -> np.ndarray:
    """The first 16 hex digits after ``sha256:`` as integers, vectorised."""
    joined = b"".join(e[7:23] for e in entries)
    nibbles = _HEX[np.frombuffer(joined, dtype=np.uint8)].reshape(-1, 16).astype(np.uint64)
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    return np.bitwise_or.reduce(nibbles << shifts, axis=1)


def sorted_unique(keys: np.ndarray) -> np.ndarray:
    """The distinct keys, sorted, for ``np.searchsorted`` lookups. Sorts ``keys`` in place,
    which peaks at a fraction of ``np.unique``'s memory on ten million keys."""
    if not keys.size:
        return keys
    keys.sort()
    keep = np.empty(keys.size, dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]
