"""Helpers the tests share: the real CLI in a subprocess, prefilter checks, evidence
summaries and a load-independent growth measure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from xfilter.detect.evidence import Evidence
from xfilter.vocab import CATEGORIES

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


def run_cli(
    *args: str, cwd: Path = REPO, check: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real ``xfilter`` command in a subprocess, offline; ``env`` adds variables."""
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
        **(env or {}),
    }
    done = subprocess.run(
        [sys.executable, "-m", "xfilter", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"xfilter {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def run_on_tmpfs(disk: Path, options: str, command: str) -> subprocess.CompletedProcess[str]:
    """``command`` (a shell line) with a small tmpfs mounted at ``disk``, in a user and mount
    namespace of its own (so no root and nothing left mounted); ``options`` are tmpfs's."""
    if shutil.which("unshare") is None:
        raise AssertionError("unshare (util-linux) is needed to mount a tmpfs for this test")
    disk.mkdir(exist_ok=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_DISABLE_PROGRESS_BARS": "1"}
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o {options} tmpfs {disk} && {command}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def prefilter_matches(texts: list[str], pattern: str) -> list[bool]:
    """Which of ``texts`` an RE2 prefilter matches, run as the default engine runs it."""
    arr = pa.array(texts, pa.string())
    result: list[bool] = pc.match_substring_regex(arr, pattern, ignore_case=True).to_pylist()
    return result


def rules(ev: list[Evidence] | None) -> set[str]:
    assert ev is not None
    return {e.rule for e in ev}


def strongest(ev: list[Evidence]) -> str:
    """The strongest category found, or "none"."""
    found = {e.category for e in ev}
    return next((c for c in CATEGORIES if c in found), "none")


def cpu_seconds(fn: Callable[[], object]) -> float:
    """The CPU time ``fn`` takes in this process: time spent waiting for a core, which
    other processes on a loaded machine cause, does not count."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def growth_ratio(fn: Callable[[str], object], small: str, floor: float = 1e-3) -> float:
    """How much more CPU time ``fn`` takes on 8× ``small`` than on ``small``: ~8 when linear,
    ~64 when quadratic. Process CPU time, not wall-clock, so the machine's load does not
    count; the two sizes alternate, best of 5 each, and a floor keeps timer noise out."""
    fn(small)  # warm up compiled patterns and caches
    big = small * 8
    fast = slow = float("inf")
    for _ in range(5):
        fast = min(fast, cpu_seconds(lambda: fn(small)))
        slow = min(slow, cpu_seconds(lambda: fn(big)))
    return slow / max(fast, floor)
