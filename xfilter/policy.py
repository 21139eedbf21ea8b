"""Policy modes: from a record's categories and authors to one action.

The table is DESIGN.md §3. Detection never decides; this module is the only place that does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from xfilter.config import Config
from xfilter.detect.evidence import CATEGORIES
from xfilter.optout import OptOutList

ACTIONS = ("keep", "redact", "quarantine", "drop")
# When categories disagree the most removing action wins.
_SEVERITY = {action: rank for rank, action in enumerate(ACTIONS)}

MODE_TABLE: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "strict": {
            "x_dataset": "reject",
            "x_post": "reject",
            "x_embed": "reject",
            "x_link": "quarantine",
            "x_mention": "keep",
        },
        "collaborator": {
            "x_dataset": "author-check",
            "x_post": "author-check",
            "x_embed": "author-check",
            "x_link": "keep",
            "x_mention": "keep",
        },
        "first-party": {
            "x_dataset": "keep",
            "x_post": "opt-out",
            "x_embed": "opt-out",
            "x_link": "keep",
            "x_mention": "keep",
        },
    }
)


@dataclass(frozen=True)
class Terms:
    """A dated text a mode implements; recorded in every manifest."""

    id: str
    title: str
    clause: str
    effective: str
    url: str


TERMS: Mapping[str, tuple[Terms, ...]] = MappingProxyType(
    {
        "strict": (
            Terms(
                id="x-developer-agreement-2025-06-04",
                title="X Developer Agreement",
                clause="§III.A(k): no use of the X API or X Content to fine-tune or train a "
                "foundation or frontier model; X Content includes Posts and Post IDs (§I.12)",
                effective="2025-06-04",
                url="https://developer.x.com/en/developer-terms/agreement-and-policy",
            ),
        ),
        "collaborator": (
            Terms(
                id="x-privacy-policy-2024-11-15",
                title="X Privacy Policy",
                clause="§3 Sharing Information, third-party collaborators may train AI models "
                "on shared data unless the user opts out",
                effective="2024-11-15",
                url="https://x.com/en/privacy",
            ),
        ),
        "first-party": (
            Terms(
                id="x-terms-of-service-2024-11-15",
                title="X Terms of Service",
                clause="licence to X for use with and training of its ML and AI models",
                effective="2024-11-15",
                url="https://x.com/en/tos",
            ),
            Terms(
                id="x-grok-training-opt-out-2024-07",
                title="Grok & Third-party Collaborators setting",
                clause="users may opt out of their posts being used to train Grok",
                effective="2024-07-26",
                url="https://help.x.com/en/using-x/about-grok",
            ),
        ),
    }
)


@dataclass(frozen=True)
class Decision:
    action: str
    # The category whose rule chose the action (None when nothing was found).
    reason: str | None = None


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

    def decide(
        self, categories: Iterable[str], authors: Iterable[str], allow_redact: bool = True
    ) -> Decision:
        """The action for a record with these categories and X authors."""
        authors = tuple(authors)
        best = Decision("keep")
        for category in CATEGORIES:
            if category not in categories:
                continue
            action = self._apply(self.rules[category], authors)
            if action == "redact" and not allow_redact:
                action = self.action
            if _SEVERITY[action] > _SEVERITY[best.action]:
                best = Decision(action, category)
        return best

    def _apply(self, rule: str, authors: tuple[str, ...]) -> str:
        if rule == "reject":
            return self.action
        if rule == "author-check":
            if self.opt_out.contains_any(authors):
                return self.action
            return "keep" if authors else self.unknown_author
        if rule == "opt-out":
            return self.action if self.opt_out.contains_any(authors) else "keep"
        return rule
