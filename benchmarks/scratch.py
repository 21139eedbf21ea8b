"""One scratch folder per benchmark run, removed when the run ends.

A benchmark imports this before ``datasets`` and calls :func:`folder`. The first process of a
run makes the folder and points ``HF_DATASETS_CACHE`` into it, so that nothing accumulates in
the user's cache and no cache hit flatters a timing. Processes the run starts (workers spawned
by ``multiprocessing``, which import the script again, and subprocesses) inherit the folder
through the environment instead of making their own, and a process that re-executes itself
(``peers.py --cpus``) keeps it. Only the process that owns the folder removes it, at exit.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path

_FOLDER = "XFILTER_BENCH_SCRATCH"
_OWNER = "XFILTER_BENCH_SCRATCH_OWNER"  # the pid that removes it (``exec`` keeps the pid)


@functools.cache
def folder() -> Path:
    """This run's scratch folder, made by the first process to ask."""
    given = os.environ.get(_FOLDER)
    if given and Path(given).is_dir():
        path = Path(given)
        if os.environ.get(_OWNER) != str(os.getpid()):
            return path  # a process the run started: the owner removes the folder
    else:
        path = Path(tempfile.mkdtemp(prefix="xfilter-bench-"))
        os.environ[_FOLDER] = str(path)
        os.environ[_OWNER] = str(os.getpid())
        os.environ.setdefault("HF_DATASETS_CACHE", str(path / "datasets"))
    atexit.register(_remove, path, os.getpid())
    return path


def _remove(path: Path, owner: int) -> None:
    if os.getpid() == owner:  # not in a child forked after registration
        shutil.rmtree(path, ignore_errors=True)
