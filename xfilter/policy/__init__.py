"""Policy modes: from a record's categories and authors to one action.

The mode table is in docs/policy-modes.md. Detection never decides; this module is the only
place that does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from xfilter.config import Config
from xfilter.policy.modes import MODE_TABLE, TERMS, Terms
from xfilter.policy.optout import OptOutList
from xfilter.vocab import (
    ACTIONS,
    CATEGORIES,
    REASON_CATEGORY,
    REASON_KEPT,
    REASON_OPTED_OUT,
    REASON_UNKNOWN_AUTHOR,
)

# When categories disagree the most removing action wins.
_SEVERITY = {action: rank for rank, action in enumerate(ACTIONS)}
# How much of a category each rule removes. An override below the mode's own rule keeps records
# the mode's terms forbid, so the policy is no longer that mode.
_STRENGTH = {
    "keep": 0,
    "opt-out": 1,
    "author-check": 2,
    "redact": 3,
    "reject": 4,
    "quarantine": 4,
    "drop": 4,
}
# Categories that are X content; x_mention only names X and every mode keeps it.
X_CONTENT = ("x_dataset", "x_post", "x_embed", "x_link")
_REMOVED = frozenset({"reject", "quarantine", "drop"})
# Weaker than the mode's rule, yet what the mode's terms allow: cutting the embedded post out.
_ALLOWED = frozenset({("strict", "x_embed", "redact")})


@dataclass(frozen=True)
class Decision:
    """One record's action, the category whose rule chose it (None when nothing was found or
    nothing removes it) and why that rule chose it (one of ``vocab.REASONS``)."""

    action: str
    category: str | None = None
    reason: str = REASON_KEPT


@dataclass(frozen=True)
class Policy:
    """The effective rule per category, the reject action and the opt-out list."""

    mode: str
    action: str
    rules: Mapping[str, str]
    unknown_author: str
    opt_out: OptOutList = field(default_factory=OptOutList.empty)

    @classmethod
    def from_config(cls, config: Config, opt_out: OptOutList | None = None) -> Policy:
        rules = dict(MODE_TABLE[config.mode])
        rules.update(config.categories)
        return cls(
            mode=config.mode,
            action=config.action,
            rules=MappingProxyType(rules),
            unknown_author=config.opt_out.unknown_author,
            opt_out=opt_out or OptOutList.empty(),
        )

    @property
    def terms(self) -> tuple[Terms, ...]:
        return TERMS[self.mode]

    @property
    def redacts(self) -> bool:
        return "redact" in self.rules.values()

    @property
    def weakened(self) -> tuple[str, ...]:
        """The X-content categories this policy keeps although its mode's terms forbid them.

        An override weaker than the mode's rule weakens it; so does ``unknown_author: keep``
        where the mode checks authors (``x_post (unknown authors)``): records whose authors
        cannot be checked are kept. First-party keeps unknown authors by design.
        """
        defaults = MODE_TABLE[self.mode]
        kept = []
        for category in X_CONTENT:
            rule, default = self.rules[category], defaults[category]
            if (self.mode, category, rule) in _ALLOWED:
                continue
            if _STRENGTH[rule] < _STRENGTH[default]:
                kept.append(category)
            elif rule == default == "author-check" and self.unknown_author == "keep":
                kept.append(f"{category} (unknown authors)")
        return tuple(kept)

    @property
    def is_custom(self) -> bool:
        """True when overrides keep what the mode's terms forbid: the run is not that mode."""
        return bool(self.weakened)

    @property
    def name(self) -> str:
        """``strict``, or ``custom (derived from strict)`` for a weakened strict policy."""
        return f"custom (derived from {self.mode})" if self.is_custom else self.mode

    @property
    def removes_all_x_content(self) -> bool:
        """True only when every X-content category is removed from every record, whoever its
        author (rejected, or for x_embed redacted); only then may outputs claim to be
        X-content filtered."""
        return all(
            self.rules[category] in _REMOVED
            or (category, self.rules[category]) == ("x_embed", "redact")
            for category in X_CONTENT
        )

    def describe(self) -> dict[str, Any]:
        """What the policy is, as the manifest and the card record it."""
        return {
            "name": self.name,
            "derived_from": self.mode,
            "custom": self.is_custom,
            "kept_against_terms": list(self.weakened),
            "x_content_filtered": self.removes_all_x_content,
            "implements_terms": [] if self.is_custom else [t.id for t in self.terms],
        }

    def decide(
        self, categories: Iterable[str], authors: Iterable[str], allow_redact: bool = True
    ) -> Decision:
        """The action for a record with these categories and X authors, and why: the most
        removing category decides (the strongest of equally removing ones)."""
        authors = tuple(authors)
        best = Decision("keep")
        for category in CATEGORIES:
            if category not in categories:
                continue
            action, reason = self._apply(self.rules[category], authors)
            if action == "redact" and not allow_redact:
                action = self.action
            if _SEVERITY[action] > _SEVERITY[best.action]:
                best = Decision(action, category, reason)
        return best

    def _apply(self, rule: str, authors: tuple[str, ...]) -> tuple[str, str]:
        """What ``rule`` does to a record with these authors, and the reason it gives."""
        if rule in ("author-check", "opt-out") and self.opt_out.contains_any(authors):
            return self.action, REASON_OPTED_OUT
        if rule == "author-check" and not authors:
            return self.unknown_author, REASON_UNKNOWN_AUTHOR
        if rule in ("author-check", "opt-out", "keep"):
            return "keep", REASON_KEPT
        return (self.action if rule == "reject" else rule), REASON_CATEGORY


def policy_warning(policy: Policy) -> str | None:
    """One line for the user when ``policy`` keeps what its mode's terms forbid, else None."""
    if not policy.is_custom:
        return None
    terms = "; ".join(f"{t.title}, {t.effective}" for t in policy.terms)
    return (
        f"this policy keeps {', '.join(policy.weakened)}, which the {policy.mode} mode's terms "
        f"({terms}) forbid; outputs are labelled as a custom policy derived from {policy.mode}"
    )
