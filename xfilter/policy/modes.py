"""The policy modes: each mode's rule per category and the dated terms it implements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

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

__all__ = ["MODE_TABLE", "TERMS", "Terms"]
