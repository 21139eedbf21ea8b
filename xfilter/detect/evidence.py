"""The evidence every detector returns: which rule fired, what it means, where, and whose post."""

from __future__ import annotations

from dataclasses import dataclass, replace

# Strongest first: a record's primary category is the first of these it has.
CATEGORIES: tuple[str, ...] = ("x_dataset", "x_post", "x_embed", "x_link", "x_mention")


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
    it is for people reading the evidence and never changes a decision.
    """

    rule: str
    category: str
    span: tuple[int, int] | None = None
    authors: tuple[str, ...] = ()
    field: str | None = None
    detail: str | None = None

    def in_field(self, field: str) -> Evidence:
        return replace(self, field=field)


def hit(
    rule: Rule,
    span: tuple[int, int] | None = None,
    authors: tuple[str, ...] = (),
    detail: str | None = None,
) -> Evidence:
    """Evidence for ``rule``; authors are normalised to lower case without ``@``."""
    clean = tuple(dict.fromkeys(a.lower().lstrip("@") for a in authors if a))
    return Evidence(rule=rule.id, category=rule.category, span=span, authors=clean, detail=detail)
