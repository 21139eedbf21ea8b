"""The evidence every detector returns: which rule fired, what it means, where, and whose post;
and what a detector declares about itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from xfilter.vocab import CATEGORIES, FIELD_HANDLE, HANDLE, HANDLE_CHARS

__all__ = ["CATEGORIES", "FIELD_HANDLE", "HANDLE", "HANDLE_CHARS"]


@dataclass(frozen=True)
class Rule:
    """A named detection rule: a stable id, the category it implies and why."""

    id: str
    category: str
    description: str

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"rule {self.id!r}: unknown category {self.category!r}")


@dataclass(frozen=True)
class Evidence:
    """One rule hit in one field of one record.

    ``span`` is a half-open character range in the analysed string (``None`` when the hit
    is not about a substring, e.g. a whole post object). ``authors`` are lower-case X
    handles without ``@`` or numeric user ids, taken from the record itself. ``detail`` names
    what fired within the rule when one rule covers several shapes (``"dm_event"``, ``"list"``);
    it is for people reading the evidence and never changes a decision. ``posts`` are the X
    post ids (decimal strings) the hit carries or links: a status URL's id, a post object's own
    id and those of the posts it carries; the private index of an output lists them so that a
    later deletion of a post can find its records without reading them again.
    """

    rule: str
    category: str
    span: tuple[int, int] | None = None
    authors: tuple[str, ...] = ()
    field: str | None = None
    detail: str | None = None
    posts: tuple[str, ...] = ()

    def in_field(self, field: str) -> Evidence:
        # The constructor, not dataclasses.replace: one call per hit of every batch, and
        # replace() costs ~4x as much.
        return Evidence(
            self.rule, self.category, self.span, self.authors, field, self.detail, self.posts
        )


def hit(
    rule: Rule,
    span: tuple[int, int] | None = None,
    authors: tuple[str, ...] = (),
    detail: str | None = None,
    posts: Iterable[str | int] = (),
) -> Evidence:
    """Evidence for ``rule``; authors are normalised to lower case without ``@``, post ids to
    decimal strings without leading zeros (anything else given as a post id is dropped)."""
    clean = tuple(dict.fromkeys(a.lower().lstrip("@") for a in authors if a))
    return Evidence(
        rule=rule.id,
        category=rule.category,
        span=span,
        authors=clean,
        detail=detail,
        posts=post_ids(posts),
    )


def post_ids(values: Iterable[str | int]) -> tuple[str, ...]:
    """``values`` as X post ids: decimal strings without sign or leading zeros, in order, each
    once; a value that is not a whole positive number is left out."""
    found: dict[str, None] = {}
    for value in values:
        text = str(value).strip() if not isinstance(value, bool) else ""
        if text.isascii() and text.isdigit() and int(text) > 0:
            found[str(int(text))] = None
    return tuple(found)


# Asked with the evidence found so far; True ends the analysis of a text early (a caller that
# needs only an action stops once the evidence decides it).
Enough = Callable[[list[Evidence]], bool]

# The column roles a detector can read: a record's own URL, prose or HTML, the encoded text of a
# JSON column, a struct or list value (or the whole row), a post-id column, a mixture's source
# column, and the input dataset itself.
ROLES: tuple[str, ...] = ("url", "text", "json", "object", "id", "source", "dataset")


@dataclass(frozen=True)
class Detector:
    """What one detector module declares: the rules it can fire, the column roles it reads and
    its prefilters.

    ``prefilter`` is an RE2 pattern (Hyperscan-compatible) that matches every string on which
    the detector finds anything; ``strong_prefilter`` one that matches every string on which it
    finds more than mentions. ``None``: the detector reads no strings, or reads them all.
    """

    name: str
    rules: tuple[Rule, ...]
    reads: tuple[str, ...]
    prefilter: str | None = None
    strong_prefilter: str | None = None

    def __post_init__(self) -> None:
        if not self.rules or not self.reads:
            raise ValueError(f"detector {self.name!r}: declares no rules or no column roles")
        unknown = [role for role in self.reads if role not in ROLES]
        if unknown:
            raise ValueError(f"detector {self.name!r}: unknown column roles {unknown}")
