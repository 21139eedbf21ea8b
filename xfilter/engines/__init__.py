"""Scan engines: find the rows of an Arrow string array that match a prefilter pattern.

The default engine is pyarrow's vectorised RE2. Every engine returns the same rows for the same
pattern; only the speed differs.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def candidates(values: pa.Array, pattern: str) -> np.ndarray:
    """Indices of non-null values that match ``pattern`` (RE2 syntax, case-insensitive)."""
    mask = pc.match_substring_regex(values, pattern, ignore_case=True)
    return np.flatnonzero(mask.fill_null(False).to_numpy(zero_copy_only=False))


def engine_name() -> str:
    return "re2"
