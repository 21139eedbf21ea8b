"""Opt-out list keys at platform scale: ten million entries in seconds and bounded memory.

The keys are those of ``xfilter.policy.optout``: a plain entry (X user id or handle, any case, ``@``
optional) is the first 8 bytes, big-endian, of ``sha256(entry.strip().lower().lstrip("@"))``;
a ``sha256:<64 hex>`` entry is its first 16 hex digits. A keyed ``hmac-sha256:<64 hex>`` entry
is its first 16 hex digits too, kept apart: it is matched against authors hashed with the
list's key, not with plain sha256. Entries are validated the same way too.

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
from operator import methodcaller, not_, or_
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from xfilter.vocab import HANDLE

# The same rules as xfilter.policy.optout's _HANDLE, _USER_ID and _HASHED (str patterns: \d is any
# Unicode digit there, which exact_key keeps).
_HANDLE = re.compile(rf"@?{HANDLE}")
_USER_ID = re.compile(r"\d{1,20}")
_HASHED = re.compile(r"sha256:([0-9a-fA-F]{64})")
_KEYED = re.compile(r"hmac-sha256:([0-9a-fA-F]{64})")
# What the fast path accepts: a subset of the above, on stripped ASCII bytes.
_FAST_PLAIN = re.compile(b"@?" + HANDLE.encode())
_FAST_HASHED = re.compile(rb"sha256:[0-9a-fA-F]{64}")
_FAST_KEYED = re.compile(rb"hmac-sha256:[0-9a-fA-F]{64}")
_PREFIX = b"sha256:"
_KEYED_PREFIX = b"hmac-sha256:"
_IS_HASHED = methodcaller("startswith", _PREFIX)
_IS_KEYED = methodcaller("startswith", _KEYED_PREFIX)
_NO_KEYS = np.zeros(0, dtype=np.uint64)
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
    """An entry is not an X user id, handle, ``sha256:<64 hex>`` (or, where keyed entries are
    accepted, ``hmac-sha256:<64 hex>``).

    ``index`` counts entries from 0; ``line`` is the 1-based line of a txt file (else None).
    The entry itself is not kept: opt-out lists are personal data.
    """

    def __init__(self, index: int, line: int | None = None) -> None:
        super().__init__(f"entry {index}" if line is None else f"line {line}")
        self.index = index
        self.line = line


def plain_entry(value: str) -> str | None:
    """The text a plain entry (an X user id or handle) is hashed as: stripped, lower-cased,
    without ``@``; None if ``value`` is not a plain entry."""
    text = value.strip()
    if _USER_ID.fullmatch(text) or _HANDLE.fullmatch(text):
        return text.lower().lstrip("@")
    return None


def exact_key(value: str) -> int | None:
    """The key of one entry by ``xfilter.policy.optout``'s rules; None if not a valid entry."""
    hashed = _HASHED.fullmatch(value.strip())
    if hashed:
        return int(hashed.group(1)[:16], 16)
    plain = plain_entry(value)
    if plain is None:
        return None
    return int.from_bytes(hashlib.sha256(plain.encode()).digest()[:8], "big")


class ListKeys(NamedTuple):
    """The keys of a list's entries (not in entry order): ``plain`` for plain and ``sha256:``
    entries, ``keyed`` for ``hmac-sha256:`` ones."""

    plain: np.ndarray
    keyed: np.ndarray


def list_keys(lines: Iterable[str] | Iterable[bytes] | pa.Array) -> ListKeys:
    """One ``uint64`` key per entry, keyed entries apart; ``InvalidEntry`` on a bad one.

    ``lines`` are entry values (CSV or JSONL cells, or txt lines already stripped of comments),
    as str, UTF-8 bytes, or a pyarrow string array.
    """
    plain, keyed, offset = [], [], 0
    for batch in _batches(lines):
        stripped = list(map(bytes.strip, batch))
        prefixed = any(map(_IS_HASHED, stripped)) or any(map(_IS_KEYED, stripped))
        keys, bad = _batch_keys(stripped, prefixed, keyed_ok=True)
        if bad is not None:
            raise InvalidEntry(offset + bad)
        plain.append(keys.plain)
        keyed.append(keys.keyed)
        offset += len(batch)
    return ListKeys(_joined(plain), _joined(keyed))


def exact_keyed_key(value: str) -> int | None:
    """The key of an ``hmac-sha256:<64 hex>`` entry; None if ``value`` is not one."""
    keyed = _KEYED.fullmatch(value.strip())
    return int(keyed.group(1)[:16], 16) if keyed else None


def keys_from_lines(lines: Iterable[str] | Iterable[bytes] | pa.Array) -> np.ndarray:
    """``list_keys`` for lists without keyed entries (an ``hmac-sha256:`` one is invalid)."""
    parts, offset = [], 0
    for batch in _batches(lines):
        stripped = list(map(bytes.strip, batch))
        keys, bad = _batch_keys(stripped, any(map(_IS_HASHED, stripped)))
        if bad is not None:
            raise InvalidEntry(offset + bad)
        parts.append(keys.plain)
        offset += len(batch)
    return _joined(parts)


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else _NO_KEYS.copy()


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
        parts.append(keys.plain)
    return _joined(parts)


def _txt_exact(text: str) -> np.ndarray:
    """The txt rules as ``xfilter.policy.optout`` applies them, line by line."""
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


def _batch_keys(
    values: list[bytes], maybe_prefixed: bool, keyed_ok: bool = False
) -> tuple[ListKeys, int | None]:
    """Keys of stripped, non-empty ``values``, or the index of the first invalid one.
    ``hmac-sha256:`` entries are valid only when ``keyed_ok``."""
    hashed: list[bytes] = []
    keyed: list[bytes] = []
    plain = values
    if maybe_prefixed:
        flags = list(map(_IS_HASHED, values))
        keyed_flags = list(map(_IS_KEYED, values)) if keyed_ok else [False] * len(values)
        if any(flags) or any(keyed_flags):
            hashed = list(compress(values, flags))
            keyed = list(compress(values, keyed_flags))
            plain = list(compress(values, map(not_, map(or_, flags, keyed_flags))))
    if not (
        all(map(_FAST_HASHED.fullmatch, hashed))
        and all(map(_FAST_KEYED.fullmatch, keyed))
        and all(map(_FAST_PLAIN.fullmatch, plain))
    ):
        return _exact_batch(values, keyed_ok)
    parts = [_hex_prefixes(hashed, len(_PREFIX))] if hashed else []
    if plain:
        # ASCII entries: lower-casing the joined bytes once is lower-casing each.
        joined = b"\n".join(plain).lower()
        lowered = joined.split(b"\n")
        if b"@" in joined:
            lowered = list(map(_STRIP_AT, lowered))
        digests = b"".join(map(_DIGEST, map(hashlib.sha256, lowered)))
        parts.append(np.frombuffer(digests, dtype=">u8")[::4].astype(np.uint64))
    keyed_keys = _hex_prefixes(keyed, len(_KEYED_PREFIX)) if keyed else _NO_KEYS
    return ListKeys(_joined(parts), keyed_keys), None


def _exact_batch(values: list[bytes], keyed_ok: bool) -> tuple[ListKeys, int | None]:
    """Entry by entry with ``exact_key``: for batches holding anything the fast path does not
    vouch for (a Unicode digit, an invalid entry)."""
    plain: list[int] = []
    keyed: list[int] = []
    for index, value in enumerate(values):
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return ListKeys(_NO_KEYS, _NO_KEYS), index
        key = exact_keyed_key(text) if keyed_ok else None
        if key is not None:
            keyed.append(key)
            continue
        key = exact_key(text)
        if key is None:
            return ListKeys(_NO_KEYS, _NO_KEYS), index
        plain.append(key)
    return ListKeys(np.array(plain, dtype=np.uint64), np.array(keyed, dtype=np.uint64)), None


def _hex_prefixes(entries: list[bytes], start: int) -> np.ndarray:
    """The first 16 hex digits after a ``sha256:`` or ``hmac-sha256:`` prefix of ``start``
    bytes, as integers, vectorised."""
    joined = b"".join(e[start : start + 16] for e in entries)
    nibbles = _HEX[np.frombuffer(joined, dtype=np.uint8)].reshape(-1, 16).astype(np.uint64)
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    keys: np.ndarray = np.bitwise_or.reduce(nibbles << shifts, axis=1)
    return keys


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
