"""Read-ahead and write-behind threads: order, errors and early stops."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import xfilter
from xfilter.config import Config
from xfilter.threads import JOB_SWITCH_INTERVAL, Background, prefetch, quick_gil_handoff


def test_prefetch_yields_every_item_in_order() -> None:
    assert list(prefetch(iter(range(1000)), depth=3)) == list(range(1000))
    assert list(prefetch([])) == []


def test_prefetch_runs_the_producer_on_another_thread_at_most_depth_ahead() -> None:
    produced: list[int] = []
    threads: set[str] = set()

    def items() -> Iterator[int]:
        for i in range(20):
            threads.add(threading.current_thread().name)
            produced.append(i)
            yield i

    stream = prefetch(items(), depth=2)
    assert next(stream) == 0
    time.sleep(0.3)  # let the producer run as far ahead as it may
    # Item 0 was taken; 2 wait in the queue, and 1 more may be in the producer's hand.
    assert len(produced) <= 4
    assert list(stream) == list(range(1, 20))
    assert threads == {"xfilter-read"}


def test_prefetch_raises_the_producers_error_where_it_occurred() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("data/part-3.parquet: not a Parquet file")

    got = []
    with pytest.raises(ValueError, match=r"part-3\.parquet"):
        for item in prefetch(items()):
            got.append(item)
    assert got == [1, 2]


def test_prefetch_stops_the_producer_when_the_consumer_stops() -> None:
    produced: list[int] = []

    def items() -> Iterator[int]:
        for i in range(10_000):
            produced.append(i)
            yield i

    stream = prefetch(items(), depth=2)
    assert next(stream) == 0
    stream.close()  # what an error in the consumer does to it
    count = len(produced)
    time.sleep(0.3)
    assert len(produced) == count < 10  # stopped, and not read to the end
    assert not [t for t in threading.enumerate() if t.name == "xfilter-read"]


def test_background_runs_calls_in_order_on_one_thread() -> None:
    seen: list[tuple[int, str]] = []
    with Background(depth=2) as background:
        for i in range(50):
            background.submit(lambda i: seen.append((i, threading.current_thread().name)), i)
    assert [i for i, _ in seen] == list(range(50))
    assert len({name for _, name in seen}) == 1
    assert seen[0][1] != threading.current_thread().name


def test_background_raises_a_calls_error_and_runs_nothing_after_it() -> None:
    ran: list[int] = []

    def write(i: int) -> None:
        if i == 3:
            raise OSError(28, "No space left on device")
        time.sleep(0.01)
        ran.append(i)

    with pytest.raises(OSError, match="No space left"), Background(depth=2) as background:
        for i in range(20):
            background.submit(write, i)
    time.sleep(0.1)
    assert ran[:3] == [0, 1, 2]
    assert len(ran) <= 6  # at most the calls already queued behind the failing one


def test_background_waits_for_the_running_call_when_the_caller_fails() -> None:
    finished: list[int] = []

    def slow(i: int) -> None:
        time.sleep(0.2)
        finished.append(i)

    with pytest.raises(KeyboardInterrupt), Background(depth=4) as background:
        background.submit(slow, 0)
        background.submit(slow, 1)
        time.sleep(0.05)
        raise KeyboardInterrupt
    # The call that had started is complete before cleanup may run; the queued one never ran.
    assert finished == [0]


def test_quick_gil_handoff_lowers_the_switch_interval_and_restores_it() -> None:
    before = sys.getswitchinterval()
    with pytest.raises(RuntimeError), quick_gil_handoff(0.0001):
        assert sys.getswitchinterval() == pytest.approx(0.0001)
        raise RuntimeError("a job that fails")
    assert sys.getswitchinterval() == before
    with quick_gil_handoff(1.0):  # never slower than it was
        assert sys.getswitchinterval() == before


def test_overlapping_handoffs_restore_the_interval_found_before_the_first() -> None:
    # Two jobs in two threads: the first to start ends first. Restoring what each found
    # would leave the second one's 0.2 ms in force for good.
    before = sys.getswitchinterval()
    first, second = quick_gil_handoff(), quick_gil_handoff()
    first.__enter__()
    second.__enter__()
    try:
        first.__exit__(None, None, None)
        # CPython keeps the interval in whole microseconds.
        lowered = pytest.approx(min(before, JOB_SWITCH_INTERVAL), rel=0.01)
        assert sys.getswitchinterval() == lowered
    finally:
        second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before


def test_a_job_hands_the_gil_on_quickly_while_it_runs(tmp_path: Path) -> None:
    seen: set[float] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.add(sys.getswitchinterval())
            time.sleep(0.001)

    before = sys.getswitchinterval()
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        xfilter.run(Config(), input="demo", output=str(tmp_path / "out"))
    finally:
        done.set()
        watcher.join()
    assert any(s == pytest.approx(JOB_SWITCH_INTERVAL) for s in seen), seen
    assert sys.getswitchinterval() == before
