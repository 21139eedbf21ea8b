"""Scan engines: find the rows of an Arrow string array that match a prefilter pattern.

Two engines, one contract and identical rows; only the speed differs:

- ``re2``: pyarrow's vectorised RE2 (always installed);
- ``hyperscan``: Hyperscan over the whole data buffer (``pip install 'xfilter[fast]'``).

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
    found = re2.candidates(pa.concat_arrays(list(arrays)), pattern)
    starts = np.cumsum([0] + [len(values) for values in arrays])
    return [found[(found >= lo) & (found < hi)] - lo for lo, hi in pairwise(starts.tolist())]


__all__ = [
    "ENGINES", "ENV_VAR", "candidates", "candidates_in", "engine_name", "hyperscan_available"
]  # fmt: skip
