"""Fixtures only: an offline Hub, a test-local `datasets` cache, the labelled corpus (when
present), no network; tests under e2e/, the slow files and stress tests named below and every
test that reads the labelled corpus are marked slow."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CORPUS

os.environ["HF_HUB_OFFLINE"] = "1"
# A cache of this session's own: `datasets` keys some local caches by path patterns only.
# Removed when the session ends (pytest_unconfigure), so that repeated runs do not fill the disk.
_CACHE = tempfile.mkdtemp(prefix="xfilter-tests-cache-")
os.environ["HF_DATASETS_CACHE"] = _CACHE
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

HERE = Path(__file__).resolve().parent
# Outside e2e/, files that start real runs, subprocesses or a Ray cluster.
# Stress tests (inputs grown to measure linearity, a million entries) anywhere.
SLOW_NAMES = ("_is_linear", "a_million_")
SLOW_FILES = {
    "engines/test_ray.py",
    "engines/test_interrupts.py",
}


def pytest_unconfigure() -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`pytest -m "not slow"` is the fast unit layer: end-to-end files are marked slow."""
    for item in items:
        relative = Path(str(item.fspath)).resolve().relative_to(HERE).as_posix()
        reads_corpus = "corpus" in getattr(item, "fixturenames", ())
        stress = any(name in item.name for name in SLOW_NAMES)
        if relative.startswith("e2e/") or relative in SLOW_FILES or reads_corpus or stress:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nothing may connect anywhere; an attempt fails the test even if it was caught."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        attempts.append(args)
        raise OSError("network access attempted in an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield
    assert not attempts, f"network access attempted: {attempts}"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("the labelled corpus is not present")
    return CORPUS


@pytest.fixture(autouse=True)
def _sigint_handler_restored() -> Iterator[None]:
    """A test that starts Spark or another framework in this process may leave its own SIGINT
    handler behind; the next test gets Python's again, as a fresh process would."""
    handler = signal.getsignal(signal.SIGINT)
    yield
    if signal.getsignal(signal.SIGINT) is not handler:
        signal.signal(signal.SIGINT, handler)
