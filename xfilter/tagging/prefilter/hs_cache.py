"""A disk cache of compiled Hyperscan databases.

Compiling the prefilters takes a second or two (the exact plan longer); loading one takes
milliseconds. Without a cache every process would compile again: each ``num_proc`` worker,
each Ray actor, each CLI run. Entries are keyed by everything that shapes a database (the
pattern, the plan, the Hyperscan and pyarrow versions, the translator's source), written
atomically, and a missing, unreadable or stale entry just means compiling.

``XFILTER_CACHE_DIR`` sets the folder (``~`` is expanded; ``off`` disables it); the default
is ``$XDG_CACHE_HOME/xfilter`` or ``~/.cache/xfilter``. A folder that cannot be used (not a
directory, read-only, no home directory) means compiling, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from importlib.metadata import version
from pathlib import Path

import hyperscan
import pyarrow as pa

ENV_VAR = "XFILTER_CACHE_DIR"
_SOURCES = (
    "translate.py", "casefold.py", "re2_syntax.py", "utf8.py", "hs_cache.py", "hyperscan.py"
)  # fmt: skip


def cache_dir() -> Path | None:
    configured = os.environ.get(ENV_VAR)
    if configured is not None:
        if configured.strip().lower() in ("", "off", "0"):
            return None
        return Path(configured).expanduser()  # not a literal "./~" folder
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except RuntimeError:  # no home directory: no cache
        return None
    return Path(base).expanduser() / "xfilter"


@cache
def _sources_digest() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def _path(pattern: str, variant: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    key = json.dumps([pattern, variant, version("hyperscan"), pa.__version__, _sources_digest()])
    return folder / "hyperscan" / f"{hashlib.sha256(key.encode()).hexdigest()}.hsdb"


def load(
    pattern: str, variant: str, mode: int
) -> tuple[hyperscan.Database, list[bool], list[int]] | None:
    """The cached database and, per expression, its ``exact`` flag and pattern, if any."""
    path = _path(pattern, variant)
    try:
        if path is None or not path.is_file():
            return None
        header, _, body = path.read_bytes().partition(b"\n")
        fields = json.loads(header)
        exact, owner = fields["exact"], fields["pattern"]
        if len(exact) != len(owner):
            return None
        return hyperscan.loadb(body, mode), [bool(e) for e in exact], [int(o) for o in owner]
    except (OSError, ValueError, KeyError, TypeError, hyperscan.error):
        return None  # unreadable, or built for another CPU: compile instead


def store(
    pattern: str, variant: str, database: hyperscan.Database, exact: list[bool], owner: list[int]
) -> None:
    path = _path(pattern, variant)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        header = json.dumps({"exact": exact, "pattern": owner}).encode()
        body = header + b"\n" + hyperscan.dumpb(database)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temporary, path)  # readers see the whole entry or none
    except (OSError, hyperscan.error):
        pass  # a read-only home: the cache is an optimisation only
