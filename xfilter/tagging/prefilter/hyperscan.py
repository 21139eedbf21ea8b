"""The fast engine: Hyperscan over a column's Arrow data buffer, all rows in one scan.

The rows' bytes are scanned in one call with a 0xFF byte (never part of UTF-8) around every
row, so ``^``/``$`` are that byte and no match spans two rows. Arrow joins the rows with that
byte in one copy (``binary_join``, which releases the GIL), and Hyperscan scans the copy as
one block: a block per row in its vectored mode cost ~20 % more scanning time, and
``np.insert`` ten times the copy. A match's end maps back to its row through the offsets with
``np.searchsorted``: no value becomes a Python string, and the Python callback runs once per
match.

Rows flagged only by the fast plan's rare-character expression are scanned again with the
exact plan. So the rows are the RE2 engine's by construction, and RE2 (which recompiles a
pattern on every call) does not run. A pattern the translator cannot reproduce, or a value
over 4 GiB, runs on RE2.

Several patterns can share one database (``candidates_each``): each match names its
expression, and each expression its pattern, so one pass over a column answers for all of
them (the text prefilter and its strong twin, say) at the cost of about one.

A column of a megabyte or more is cut into row ranges scanned on up to 4 threads at once
(Hyperscan releases the GIL while it scans; each thread has its own scratch space), and the
ranges' matches are joined in row order: the rows found are those of one scan.

Compiled databases live in a per-process cache (filled from a disk cache, ``hs_cache``),
never on an object that gets pickled (Hyperscan databases cannot be); each thread gets its
own scratch space.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import hyperscan
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xfilter.faults import checkpoint
from xfilter.tagging.prefilter import hs_cache, re2
from xfilter.tagging.prefilter.re2_syntax import Untranslatable
from xfilter.tagging.prefilter.translate import SENTINEL, Expression, translate

log = logging.getLogger(__name__)
_GAP = bytes([SENTINEL])
# One scan covers at most this many bytes and rows: its joined copy stays small.
_SCAN_BYTES = 64 << 20
_SCAN_ROWS = 8192
_MAX_BLOCK = (1 << 32) - 2  # hs_scan_vector takes 32-bit block lengths
_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Compiled:
    """A Hyperscan database and, per expression id, whether its match proves an RE2 match
    (``exact``) and which of the compiled patterns it stands for (``pattern``)."""

    database: hyperscan.Database
    exact: np.ndarray
    pattern: np.ndarray

    @classmethod
    def build(cls, plans: Sequence[Sequence[Expression]]) -> Compiled:
        expressions = [e for plan in plans for e in plan]
        database = hyperscan.Database(mode=hyperscan.HS_MODE_VECTORED)
        database.compile(
            expressions=[e.text.encode("ascii") for e in expressions],  # escapes only
            ids=list(range(len(expressions))),
            elements=len(expressions),
            flags=[0] * len(expressions),  # byte mode; case folding is in the expressions
        )
        exact = np.array([e.exact for e in expressions], dtype=bool)
        pattern = np.repeat(np.arange(len(plans)), [len(plan) for plan in plans])
        return cls(database, exact, pattern)


@lru_cache(maxsize=64)
def compile_pattern(pattern: str | tuple[str, ...], split_rare: bool = True) -> Compiled | None:
    """The fast (or exact) plan of ``pattern``, or of several patterns in one database, for
    this process: from the disk cache or compiled (and cached); None when RE2 must run it."""
    patterns = (pattern,) if isinstance(pattern, str) else pattern
    variant = "fast" if split_rare else "exact"
    key = patterns[0] if len(patterns) == 1 else "\x00".join(patterns)
    cached = hs_cache.load(key, variant, hyperscan.HS_MODE_VECTORED)
    if cached is not None:
        database, exact, owner = cached
        return Compiled(database, np.array(exact, dtype=bool), np.array(owner, dtype=np.int64))
    try:
        compiled = Compiled.build([translate(p, split_rare) for p in patterns])
    except (Untranslatable, hyperscan.error) as error:
        log.debug("xfilter: pattern stays on RE2 (%s)", error)
        return None
    hs_cache.store(
        key, variant, compiled.database, compiled.exact.tolist(), compiled.pattern.tolist()
    )
    return compiled


_local = threading.local()


def _scratch(database: hyperscan.Database) -> hyperscan.Scratch:
    """This thread's scratch space for ``database`` (a scratch serves one scan at a time).

    The entry holds the database too: a ``Scratch`` does not keep its database alive, and a
    new database at a freed one's address must not inherit its scratch.
    """
    spaces: dict[int, tuple[hyperscan.Database, hyperscan.Scratch]]
    spaces = _local.__dict__.setdefault("spaces", {})
    entry = spaces.get(id(database))
    if entry is None or entry[0] is not database:
        entry = spaces[id(database)] = (database, hyperscan.Scratch(database))
    return entry[1]


def candidates(values: pa.Array | pa.ChunkedArray, pattern: str) -> np.ndarray:
    """Same contract and same rows as ``re2.candidates``."""
    return candidates_each(values, (pattern,))[0]


def candidates_each(
    values: pa.Array | pa.ChunkedArray, patterns: tuple[str, ...]
) -> list[np.ndarray]:
    """``candidates`` of each pattern, from one scan of ``values``."""
    if isinstance(values, pa.ChunkedArray):
        found: list[list[np.ndarray]] = [[] for _ in patterns]
        base = 0
        for chunk in values.chunks:
            for parts, more in zip(found, candidates_each(chunk, patterns), strict=True):
                parts.append(more + base)
            base += len(chunk)
        return [np.concatenate(parts) if parts else _EMPTY for parts in found]
    kind = values.type
    fast = compile_pattern(patterns)
    if fast is None or not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return [re2.candidates(values, p) for p in patterns]
    try:
        rows, ids = _scan(values, fast)
    except OverflowError:
        return [re2.candidates(values, p) for p in patterns]
    owner, exact = fast.pattern[ids], fast.exact[ids]
    out = []
    for index, pattern in enumerate(patterns):
        mine = owner == index
        sure = np.unique(rows[mine & exact])
        unsure = np.setdiff1d(rows[mine & ~exact], sure)
        if unsure.size:
            sure = np.union1d(sure, unsure[_confirmed(values.take(pa.array(unsure)), pattern)])
        out.append(sure.astype(np.int64, copy=False))
    return out


def _confirmed(values: pa.Array, pattern: str) -> np.ndarray:
    """The rows of ``values`` that ``pattern`` matches, by its exact plan (or RE2)."""
    exact = compile_pattern(pattern, split_rare=False)
    if exact is None:
        return re2.candidates(values, pattern)
    rows, _ = _scan(values, exact)
    return np.unique(rows)


def _offsets(values: pa.Array) -> np.ndarray:
    dtype = np.int64 if pa.types.is_large_string(values.type) else np.int32
    buffer = values.buffers()[1]
    offsets = np.frombuffer(buffer, dtype=dtype, count=values.offset + len(values) + 1)
    return offsets[values.offset :].astype(np.int64)


def _scan(values: pa.Array, compiled: Compiled) -> tuple[np.ndarray, np.ndarray]:
    """(the row of every match, the id of its expression), null rows left out.

    The rows go in ranges of at most ``_SCAN_BYTES`` and ``_SCAN_ROWS``; a column of
    ``_PARALLEL_FROM`` bytes or more is cut into one range per scan thread (Hyperscan releases
    the GIL while it scans) and the ranges' matches are joined in row order: the same result
    as one scan."""
    offsets = _offsets(values)
    if len(values) == 0 or offsets[-1] == offsets[0]:
        return _EMPTY, _EMPTY
    if int(np.diff(offsets).max()) > _MAX_BLOCK:
        raise OverflowError("a string value over 4 GiB")
    raw = _as_binary(values)
    ranges = _ranges(offsets, _threads_for(int(offsets[-1] - offsets[0])))
    pool = _executor() if len(ranges) > 1 else None
    if pool is None:
        found = [_scan_range(raw, offsets, first, last, compiled) for first, last in ranges]
    else:
        futures = [
            pool.submit(_scan_range, raw, offsets, first, last, compiled) for first, last in ranges
        ]
        found = [future.result() for future in futures]
    found = [(rows, ids) for rows, ids in found if rows.size]
    if not found:
        return _EMPTY, _EMPTY
    rows = np.concatenate([rows for rows, _ in found])
    matched = np.concatenate([ids for _, ids in found])
    if values.null_count:
        valid = np.asarray(values.is_valid())[rows]
        rows, matched = rows[valid], matched[valid]
    return rows, matched


def _ranges(offsets: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """Consecutive row ranges ``(first, last)`` covering every row: at most ``_SCAN_BYTES``
    and ``_SCAN_ROWS`` each, and at least ``parts`` of them when there are rows enough."""
    rows = len(offsets) - 1
    size = int(offsets[-1] - offsets[0])
    limit = min(_SCAN_BYTES, -(-size // parts)) if parts > 1 else _SCAN_BYTES
    found = []
    first = 0
    while first < rows:
        last = int(np.searchsorted(offsets, int(offsets[first]) + limit, side="right")) - 1
        last = min(rows, max(first + 1, min(last, first + _SCAN_ROWS)))
        found.append((first, last))
        first = last
    return found


def _as_binary(values: pa.Array) -> pa.Array:
    """The bytes of ``values`` as a binary array of every row, a null one included (its bytes
    are scanned, and its matches dropped afterwards): no copy."""
    kind = pa.large_binary() if pa.types.is_large_string(values.type) else pa.binary()
    _, offsets, data = values.buffers()
    return pa.Array.from_buffers(kind, len(values), [None, offsets, data], offset=values.offset)


def _joined(raw: pa.Array, first: int, last: int) -> list[object]:
    """Rows ``first`` to ``last`` (excluded) of ``raw`` as one stream: a sentinel before every
    row and after the last, in Hyperscan's blocks."""
    rows = raw.slice(first, last - first)
    one_list = pa.ListArray.from_arrays(pa.array([0, len(rows)], pa.int32()), rows)
    joined = pc.binary_join(one_list, pa.scalar(_GAP, raw.type))
    return [_GAP, joined.buffers()[2] or b"", _GAP]


def _scan_range(
    raw: pa.Array, offsets: np.ndarray, first: int, last: int, compiled: Compiled
) -> tuple[np.ndarray, np.ndarray]:
    """``_scan`` of rows ``first`` to ``last`` (excluded), on this thread's scratch space."""
    ids: list[int] = []
    ends: list[int] = []
    raised: list[BaseException] = []

    def on_match(expression: int, _start: int, end: int, _flags: int, _context: object) -> None:
        try:
            ids.append(expression)
            ends.append(end)
        except BaseException as error:  # Ctrl-C lands here too; see _scan_blocks
            raised.append(error)
            raise

    part = offsets[first : last + 1] - offsets[first]
    # In the stream, sentinel k sits at part[k] + k: before row k, and after the last row.
    blocks = _joined(raw, first, last)
    database = compiled.database
    handler = _with_fault_point(on_match, raised)
    _scan_blocks(database, blocks, _scratch(database), handler, raised)
    if not ends:
        return _EMPTY, _EMPTY
    # A match's last byte lies in a row, or is the sentinel after it (a "$").
    gaps = part + np.arange(len(part))
    final = np.asarray(ends, dtype=np.int64) - 1
    gap = np.searchsorted(gaps, final, side="right") - 1
    rows = first + np.where(gaps[gap] == final, gap - 1, gap)
    return rows, np.asarray(ids, dtype=np.int64)


# -- scanning on several threads --------------------------------------------------------------

# A column this large is scanned in parts, one per thread; below it a thread costs more than
# it saves.
_PARALLEL_FROM = 1 << 20
# Threads a scan may use: the usable cores, up to 4 (Hyperscan is memory-bound beyond). A
# tagging worker process sets it to 1: its job already runs one worker per core.
SCAN_THREADS = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
_pool: list[ThreadPoolExecutor] = []
_pool_lock = threading.Lock()


def _threads_for(size: int) -> int:
    return max(1, min(SCAN_THREADS, size // _PARALLEL_FROM))


def _executor() -> ThreadPoolExecutor | None:
    """This process's scan threads, started on first use; None when scans run on one."""
    if SCAN_THREADS < 2:
        return None
    with _pool_lock:
        if not _pool:
            _pool.append(
                ThreadPoolExecutor(max_workers=SCAN_THREADS, thread_name_prefix="xfilter-scan")
            )
        return _pool[0]


def _forget_pool() -> None:
    """In a forked child the parent's scan threads do not exist: start its own on first use."""
    global _pool_lock
    _pool.clear()
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX; elsewhere nothing forks
    os.register_at_fork(after_in_child=_forget_pool)


def _scan_blocks(
    database: hyperscan.Database,
    blocks: list[object],
    scratch: hyperscan.Scratch,
    on_match: Callable[..., None],
    raised: list[BaseException],
) -> None:
    """``database.scan``, raising what ``on_match`` raised.

    The binding drops an exception raised in the match callback and raises
    ``ScanTerminated`` instead; ``on_match`` notes it in ``raised``. Our callback never asks
    to stop, so a termination with nothing noted is an exception raised before its first
    line, where only an asynchronous one arrives: Ctrl-C (Python's SIGINT handler).
    """
    try:
        # The stubs type only block mode; a vectored database scans a list of buffers.
        database.scan(blocks, match_event_handler=on_match, scratch=scratch)  # type: ignore[type-var]
    except hyperscan.ScanTerminated:
        if raised:
            raise raised[0] from None
        raise KeyboardInterrupt from None


def _with_fault_point(
    on_match: Callable[..., None], raised: list[BaseException]
) -> Callable[..., None]:
    """``on_match``, or, with ``XFILTER_FAULT=scan`` (tests), one that reaches that fault
    point in every match: a signal then lands inside Hyperscan's callback."""
    if os.environ.get("XFILTER_FAULT") != "scan":
        return on_match

    def at_fault_point(*args: object) -> None:
        try:
            checkpoint("scan")
        except BaseException as error:
            raised.append(error)
            raise
        on_match(*args)

    return at_fault_point
