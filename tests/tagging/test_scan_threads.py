"""A large column is scanned in parts on several threads: the rows found are those of one
scan, in any part layout, and a forked child scans on threads of its own."""

from __future__ import annotations

import os
import random
import signal
import time
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from xfilter.tagging import prefilter as engines
from xfilter.tagging.prefilter import re2
from xfilter.tagging.scan import STRONG_TEXT_PREFILTER, TEXT_PREFILTER

pytestmark = pytest.mark.skipif(
    not engines.hyperscan_available(), reason="hyperscan is not installed"
)

# A guard against a hung child, not a speed limit.
HANG_SECONDS = 60
PIECES = [
    "see https://twitter.com/jack/status/20 for it",
    "Follow us on Twitter for more",
    "plain words about gardens and rivers " * 20,
    '<blockquote class="twitter-tweet"><p>hi</p></blockquote>',
    "— Name (@handle) May 5, 2014",
    "x.com/abc at the start of a row",
    "ends with a link to t.co/abc",
    "nothing at all",
]


def _column(rows: int, seed: int, nulls: bool) -> pa.Array:
    """Rows of mixed length (a few over 64 KiB), X forms at row starts and ends, some null."""
    pick = random.Random(seed)
    values: list[str | None] = []
    for _ in range(rows):
        if nulls and pick.random() < 0.05:
            values.append(None)
            continue
        parts = [pick.choice(PIECES) for _ in range(pick.randint(1, 6))]
        if pick.random() < 0.002:
            parts.append("filler " * 12_000)
        values.append(" ".join(parts))
    return pa.array(values, pa.string())


@pytest.fixture
def hyperscan(monkeypatch: pytest.MonkeyPatch) -> Any:
    from xfilter.tagging.prefilter import hyperscan

    monkeypatch.setattr(hyperscan, "_PARALLEL_FROM", 64 << 10)  # parts of a small column
    return hyperscan


@pytest.mark.parametrize("threads", [2, 3, 4])
@pytest.mark.parametrize("nulls", [False, True], ids=["no-nulls", "nulls"])
def test_parts_on_threads_find_the_rows_of_one_scan(
    hyperscan: Any, monkeypatch: pytest.MonkeyPatch, threads: int, nulls: bool
) -> None:
    column = _column(3000, seed=threads, nulls=nulls)
    patterns = (TEXT_PREFILTER, STRONG_TEXT_PREFILTER)
    monkeypatch.setattr(hyperscan, "SCAN_THREADS", 1)
    alone = hyperscan.candidates_each(column, patterns)
    monkeypatch.setattr(hyperscan, "SCAN_THREADS", threads)
    assert len(hyperscan._ranges(hyperscan._offsets(column), threads)) >= threads
    together = hyperscan.candidates_each(column, patterns)
    for one, many, pattern in zip(alone, together, patterns, strict=True):
        assert np.array_equal(one, many)
        assert np.array_equal(many, re2.candidates(column, pattern))
    assert alone[0].size > 100  # the column holds candidates to find


def test_a_forked_child_scans_on_threads_of_its_own(
    hyperscan: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent's scan threads do not exist in a child forked from it (``datasets``'
    ``num_proc`` forks): the child starts its own instead of waiting on the parent's."""
    monkeypatch.setattr(hyperscan, "SCAN_THREADS", 2)
    column = _column(2000, seed=1, nulls=False)
    expected = hyperscan.candidates(column, TEXT_PREFILTER)  # the parent's threads now run
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's result travels through the pipe
        try:
            found = hyperscan.candidates(column, TEXT_PREFILTER)
            os.write(write, b"1" if np.array_equal(found, expected) else b"0")
        finally:
            os._exit(0)
    os.close(write)
    deadline = time.monotonic() + HANG_SECONDS
    while (done := os.waitpid(child, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    if done[0] == 0:  # waiting on threads that are not there: the bug this test is for
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        pytest.fail("the forked child hung in its scan")
    status = done[1]
    answer = os.read(read, 1)
    os.close(read)
    assert os.WIFEXITED(status) and answer == b"1"
