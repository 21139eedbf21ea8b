"""RE2's case-insensitive character sets, asked of RE2 itself.

Other engines fold case with their own Unicode tables, which differ from RE2's at the edges
(Hyperscan does not fold ``т`` with ``ᲄ`` U+1C84, which RE2 does). To match the same rows,
the translator spells every folded set out explicitly. The members come from running the very
RE2 that Arrow uses over every code point that has a case partner in Python's or Arrow's
Unicode tables.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xfilter.tagging.prefilter.re2_syntax import merge_ranges

Ranges = tuple[tuple[int, int], ...]
# Cased scripts all live in planes 0 and 1.
_PLANES_END = 0x20000
_SURROGATES = range(0xD800, 0xE000)


@cache
def _fold_universe() -> pa.StringArray:
    """One-character strings: every code point that has a case partner in Python's Unicode
    tables or in Arrow's (utf8proc, usually newer), and the partners themselves."""
    every = np.arange(_PLANES_END, dtype=np.uint32)
    every = every[(every < _SURROGATES.start) | (every >= _SURROGATES.stop)]
    chars = _one_char_strings(every)
    lower, upper = pc.utf8_lower(chars), pc.utf8_upper(chars)
    changed = pc.or_(pc.not_equal(lower, chars), pc.not_equal(upper, chars))
    found = set(every[changed.to_numpy(zero_copy_only=False)].tolist())
    for mapped in (lower.filter(changed), upper.filter(changed)):
        found.update(ord(m) for m in mapped.to_pylist() if len(m) == 1)
    # Python's tables (maybe another Unicode version); partners of single-character mappings
    # count too (e.g. 'K' for KELVIN SIGN).
    for char in map(chr, every.tolist()):
        lowered, uppered = char.lower(), char.upper()
        if lowered != char or uppered != char:
            found.add(ord(char))
            found.update(ord(m) for m in (lowered, uppered) if len(m) == 1)
    return _one_char_strings(np.array(sorted(found), dtype=np.uint32))


def _one_char_strings(code_points: np.ndarray) -> pa.StringArray:
    text = "".join(map(chr, code_points.tolist())).encode("utf-8", "surrogatepass")
    widths = 1 + np.searchsorted([0x80, 0x800, 0x10000], code_points, side="right")
    offsets = np.concatenate([[0], np.cumsum(widths)]).astype(np.int32)
    return pa.StringArray.from_buffers(
        len(code_points), pa.py_buffer(offsets.tobytes()), pa.py_buffer(text)
    )


def re2_class(ranges: Ranges) -> str:
    """An RE2 class matching exactly ``ranges``."""
    parts = [f"\\x{{{lo:X}}}" if lo == hi else f"\\x{{{lo:X}}}-\\x{{{hi:X}}}" for lo, hi in ranges]
    return "[" + "".join(parts) + "]"


@cache
def fold_closure(ranges: Ranges) -> Ranges:
    """``ranges`` plus every code point RE2 matches case-insensitively against one of them."""
    universe = _fold_universe()
    matched = pc.match_substring_regex(universe, "^" + re2_class(ranges) + "$", ignore_case=True)
    extra = universe.filter(matched).to_pylist()
    return merge_ranges([*ranges, *((ord(c), ord(c)) for c in extra)])
