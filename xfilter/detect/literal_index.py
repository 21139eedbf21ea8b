"""Every literal the detectors look for in a text, found in one pass over it.

The detectors ask ``normalize.Literals`` where a few dozen literals occur in each candidate
text (hosts, markup, attribution words). One ``bytes.find`` per literal reads the whole text
each time: ~35 µs a 4 KB text, a third of the analysis of a candidate. Hyperscan finds all of
them in one pass over the text, in a few microseconds.

The set of literals is learnt rather than declared: a literal asked for that the index does
not hold yet is found with ``bytes.find`` and noted, and the database is rebuilt with the
noted ones after a while (every ``_REBUILD_EVERY`` texts, at most ``_MAX_BUILDS`` times, at
most ``_MAX_LITERALS`` literals). The detectors ask for a fixed set of literals, so after the
first few hundred texts every literal comes from the index. Either way the offsets are exact
(every occurrence, overlapping ones too, in order), so this changes the speed, never a result.

Without Hyperscan, with ``XFILTER_ENGINE=re2`` (the scan engine's switch, read once per
text), or in a text over 4 GiB, every literal is found with ``bytes.find``.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

_ENGINE_VAR = "XFILTER_ENGINE"  # the scan engine's switch (xfilter.tagging.prefilter)
_REBUILD_EVERY = 64
_MAX_BUILDS = 16
_MAX_LITERALS = 1024
_MAX_TEXT = (1 << 32) - 1  # Hyperscan's block mode takes 32-bit lengths: longer, bytes.find

_hs: Any
try:  # an optional dependency (installed with xfilter where it ships wheels)
    import hyperscan as _hs
except Exception:  # not installed, or a wheel this CPU cannot run
    _hs = None


@dataclass(frozen=True)
class _Built:
    """One database and the literals it finds, by expression id."""

    database: Any
    literals: tuple[bytes, ...]
    covered: frozenset[bytes]


@dataclass
class LiteralIndex:
    """The literals noted so far and the database built from them (one per process)."""

    built: _Built | None = None
    pending: set[bytes] = field(default_factory=set)
    texts_since_build: int = 0
    builds: int = 0

    def note(self, literal: bytes) -> None:
        """``literal`` was asked for and is not in the index: add it at the next build."""
        if literal and self.builds < _MAX_BUILDS and len(self.pending) < _MAX_LITERALS:
            self.pending.add(literal)

    def find_all(self, low: bytes, into: dict[bytes, list[int]]) -> frozenset[bytes]:
        """The literals the index holds; the offsets in ``low`` of those that occur go into
        ``into``. Empty when no index is in use."""
        if _hs is None or os.environ.get(_ENGINE_VAR, "").strip().lower() == "re2":
            return frozenset()
        if len(low) > _MAX_TEXT:
            return frozenset()
        built = self._current()
        if built is None:
            return frozenset()
        literals = built.literals
        found: list[tuple[int, int]] = []

        def on_match(literal: int, _start: int, end: int, _flags: int, _context: object) -> None:
            found.append((literal, end))

        try:
            built.database.scan(low, match_event_handler=on_match, scratch=_scratch(built))
        except _hs.ScanTerminated:  # what the binding raises for an exception in on_match,
            raise KeyboardInterrupt from None  # where only Ctrl-C can arise
        for literal, end in found:  # in order of end offset: each literal's offsets ascend
            text = literals[literal]
            positions = into.get(text)
            if positions is None:
                positions = into[text] = []
            positions.append(end - len(text))
        return built.covered

    def _current(self) -> _Built | None:
        self.texts_since_build += 1
        pending = self.pending
        due = self.built is None or self.texts_since_build >= _REBUILD_EVERY
        if pending and due and self.builds < _MAX_BUILDS:
            known = self.built.literals if self.built else ()
            literals = tuple(sorted(set(known) | frozenset(pending)))[:_MAX_LITERALS]
            self.built = _build(literals)
            self.pending = set()
            self.texts_since_build = 0
            self.builds += 1
        return self.built


def _build(literals: tuple[bytes, ...]) -> _Built:
    database = _hs.Database(mode=_hs.HS_MODE_BLOCK)
    database.compile(
        expressions=[b"".join(b"\\x%02x" % byte for byte in text) for text in literals],
        ids=list(range(len(literals))),
        elements=len(literals),
        flags=[0] * len(literals),  # the text is lower-cased already, as are the literals
    )
    return _Built(database, literals, frozenset(literals))


_local = threading.local()


def _scratch(built: _Built) -> Any:
    """This thread's scratch space for ``built`` (one scan at a time each)."""
    entry = getattr(_local, "entry", None)
    if entry is None or entry[0] is not built:
        entry = _local.entry = (built, _hs.Scratch(built.database))
    return entry[1]


INDEX = LiteralIndex()
