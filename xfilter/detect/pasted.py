"""Posts pasted or quoted into prose: a chat turn, a forum comment or a caption that carries a
post's text with its author's handle but without X's own embed markup."""

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
    """Every pasted or quoted post in ``text``."""
    return []
