"""Scan engines: find the rows of an Arrow string array that match a prefilter pattern.

Two engines, one contract and identical rows; only the speed differs:

- ``re2``: pyarrow's vectorised RE2 (always installed);
- ``hyperscan``: Hyperscan over the whole data buffer (the ``hyperscan`` package, installed
  with xfilter on the platforms it publishes wheels for; ``xfilter[fast]`` asks for it
  anywhere).

Hyperscan is used when it imports; ``XFILTER_ENGINE=re2`` or ``=hyperscan`` forces one (for
tests and benchmarks), and any other value is a ``ConfigError``. The variable is read on every
call, so it can be switched in-process.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from itertools import pairwise
from types import ModuleType

import numpy as np
import pyarrow as pa

from xfilter.errors import ConfigError
from xfilter.faults import checkpoint
from xfilter.tagging.prefilter import re2

ENGINES = ("re2", "hyperscan")
ENV_VAR = "XFILTER_ENGINE"


@cache
def _hyperscan() -> ModuleType | str:
    """The Hyperscan engine module, or why it cannot be imported."""
    try:
        from xfilter.tagging.prefilter import hyperscan
    except Exception as error:  # not installed, or a wheel this CPU cannot run
        return f"{type(error).__name__}: {error}"
    return hyperscan


def hyperscan_available() -> bool:
    return isinstance(_hyperscan(), ModuleType)


def engine_name() -> str:
    """The engine in use: ``XFILTER_ENGINE`` if set, else hyperscan when installed, else re2."""
    wanted = os.environ.get(ENV_VAR, "").strip().lower()
    if not wanted or wanted == "auto":
        return "hyperscan" if hyperscan_available() else "re2"
    if wanted not in ENGINES:
        raise ConfigError(f"{ENV_VAR}: {wanted!r} is not one of {', '.join(ENGINES)} (or auto)")
    if wanted == "hyperscan" and not hyperscan_available():
        raise ConfigError(
            f"{ENV_VAR}: 'hyperscan' cannot be imported ({_hyperscan()}); "
            "pip install 'xfilter[fast]', or unset it to use re2"
        )
    return wanted


def candidates(values: pa.Array, pattern: str) -> np.ndarray:
    """Indices of non-null values that match ``pattern`` (RE2 syntax, case-insensitive)."""
    if engine_name() == "hyperscan":
        engine = _hyperscan()
        assert isinstance(engine, ModuleType)  # engine_name() checked it
        found: np.ndarray = engine.candidates(values, pattern)
        return found
    checkpoint("scan")  # Hyperscan reaches it inside its match callback
    return re2.candidates(values, pattern)


def candidates_in(arrays: Sequence[pa.Array], pattern: str) -> list[np.ndarray]:
    """``candidates`` of each string array, in one call where that is cheaper.

    Arrow compiles an RE2 pattern on every call (~2 ms for a prefilter, as long as scanning
    a few megabytes), so RE2 scans the arrays joined; Hyperscan compiles once per process and
    scans each in place.
    """
    if engine_name() == "hyperscan" or len(arrays) < 2:
        return [candidates(values, pattern) for values in arrays]
    checkpoint("scan")
    if len({values.type for values in arrays}) > 1:  # joined as one type
        arrays = [values.cast(pa.large_string()) for values in arrays]
    found = re2.candidates(pa.concat_arrays(list(arrays)), pattern)
    starts = np.cumsum([0] + [len(values) for values in arrays])
    return [found[(found >= lo) & (found < hi)] - lo for lo, hi in pairwise(starts.tolist())]


def candidates_each(requests: Sequence[tuple[pa.Array, Sequence[str]]]) -> list[list[np.ndarray]]:
    """For each (string array, patterns): the rows each pattern matches, a pattern after the
    first only among the rows the first one matches (a narrower twin of it, say).

    Hyperscan scans each array once for all of its patterns, from one database. RE2 runs
    each first pattern once over all the arrays that ask for it, joined, and each later one
    once over the rows found before it: a call costs a compile.
    """
    if engine_name() == "hyperscan":
        engine = _hyperscan()
        assert isinstance(engine, ModuleType)  # engine_name() checked it
        found: list[list[np.ndarray]] = []
        for values, patterns in requests:
            rows = engine.candidates_each(values, tuple(patterns))
            found.append([rows[0], *(np.intersect1d(rows[0], more) for more in rows[1:])])
        return found
    found = [[] for _ in requests]
    subsets = [values for values, _ in requests]
    depth = max((len(patterns) for _, patterns in requests), default=0)
    for level in range(depth):
        asking = [i for i, (_, patterns) in enumerate(requests) if len(patterns) > level]
        for pattern in dict.fromkeys(requests[i][1][level] for i in asking):
            mine = [i for i in asking if requests[i][1][level] == pattern]
            if level:
                arrays = [subsets[i].take(pa.array(found[i][0], pa.int64())) for i in mine]
            else:
                arrays = [subsets[i] for i in mine]
            for i, rows in zip(mine, candidates_in(arrays, pattern), strict=True):
                found[i].append(found[i][0][rows] if level else rows)
    return found


__all__ = [
    "ENGINES", "ENV_VAR", "candidates", "candidates_each", "candidates_in", "engine_name",
    "hyperscan_available",
]  # fmt: skip
