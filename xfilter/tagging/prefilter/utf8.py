"""Sets of code points as byte-level regular expressions over UTF-8.

Hyperscan scans the engine's buffers in byte mode (no ``HS_FLAG_UTF8``), so that a byte that
never occurs in UTF-8 (0xFF) can separate rows, and so that nothing depends on Hyperscan's
behaviour on input it would consider invalid. Each code point range becomes a few sequences of
byte ranges, as RE2 and Rust's regex compile them.
"""

from __future__ import annotations

from collections.abc import Iterator

Ranges = tuple[tuple[int, int], ...]
_SURROGATES = (0xD800, 0xDFFF)
_LENGTH_LIMITS = (0x7F, 0x7FF, 0xFFFF)


def sequences(lo: int, hi: int) -> Iterator[list[tuple[int, int]]]:
    """Byte-range sequences whose UTF-8 language is exactly the code points ``lo..hi``."""
    stack = [(lo, hi)]
    while stack:
        lo, hi = stack.pop()
        if lo > hi:
            continue
        if lo <= _SURROGATES[1] and hi >= _SURROGATES[0]:  # never encoded: cut them out
            stack += [(lo, _SURROGATES[0] - 1), (_SURROGATES[1] + 1, hi)]
            continue
        limit = next((m for m in _LENGTH_LIMITS if lo <= m < hi), None)
        if limit is not None:  # one encoded length at a time
            stack += [(lo, limit), (limit + 1, hi)]
            continue
        if hi <= 0x7F:
            yield [(lo, hi)]
            continue
        split = _split_point(lo, hi)
        if split is not None:
            stack += [(lo, split), (split + 1, hi)]
            continue
        yield list(zip(_encode(lo), _encode(hi), strict=True))


def _split_point(lo: int, hi: int) -> int | None:
    """Where ``lo..hi`` must split so that each part is a product of byte ranges."""
    for i in range(1, 4):
        mask = (1 << (6 * i)) - 1
        if lo & ~mask != hi & ~mask:
            if lo & mask:
                return lo | mask
            if hi & mask != mask:
                return (hi & ~mask) - 1
    return None


def _encode(code_point: int) -> bytes:
    return chr(code_point).encode("utf-8")


def pattern(ranges: Ranges) -> str:
    """A Hyperscan byte-mode expression matching one UTF-8 character in ``ranges``."""
    single: list[tuple[int, int]] = []
    multi: list[str] = []
    for lo, hi in ranges:
        for seq in sequences(lo, hi):
            if len(seq) == 1:
                single.append(seq[0])
            else:
                multi.append("".join(_byte_class(a, b) for a, b in seq))
    parts = ([_class(single)] if single else []) + multi
    if not parts:
        raise ValueError("an empty set of code points")
    if len(parts) == 1 and not multi:
        return parts[0]  # one byte class: already an atom
    return "(?:" + "|".join(parts) + ")"


def _class(ranges: list[tuple[int, int]]) -> str:
    if len(ranges) == 1:
        return _byte_class(*ranges[0])
    return "[" + "".join(_range(a, b) for a, b in sorted(ranges)) + "]"


def _byte_class(lo: int, hi: int) -> str:
    return byte(lo) if lo == hi else f"[{_range(lo, hi)}]"


def _range(lo: int, hi: int) -> str:
    return byte(lo) if lo == hi else f"{byte(lo)}-{byte(hi)}"


def byte(value: int) -> str:
    char = chr(value)
    return char if char.isascii() and char.isalnum() else f"\\x{value:02x}"
