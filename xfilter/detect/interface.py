"""Copies of how X and embed components display a post: the X web interface copied as text
(name, @handle, date, text, reply/repost/like counts), post cards drawn by embed components
(as HTML and as the text an extractor leaves), thread-unroll pages and quote cards."""

from __future__ import annotations

from xfilter.detect.evidence import Evidence, Rule
from xfilter.detect.normalize import Literals
from xfilter.detect.urls import XUrl

RULES: tuple[Rule, ...] = ()
# RE2 patterns (Hyperscan-compatible, no counted repetitions) that match every string on which
# ``find`` returns anything; None while the module finds nothing.
PREFILTER: str | None = None
STRONG_PREFILTER: str | None = None


def find(text: str, lits: Literals, links: list[tuple[XUrl, tuple[int, int]]]) -> list[Evidence]:
    """Every displayed post in ``text``."""
    return []
