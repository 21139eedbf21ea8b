"""The default engine: pyarrow's vectorised RE2, one pass per column."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def candidates(values: pa.Array | pa.ChunkedArray, pattern: str) -> np.ndarray:
    """Indices of non-null values that match ``pattern`` (RE2 syntax, case-insensitive)."""
    mask = pc.match_substring_regex(values, pattern, ignore_case=True)
    return np.flatnonzero(mask.fill_null(False).to_numpy(zero_copy_only=False))
