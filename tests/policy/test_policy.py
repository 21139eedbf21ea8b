from __future__ import annotations

import re

import pytest

from xfilter.config import build_config
from xfilter.policy import MODE_TABLE, TERMS, Policy
from xfilter.policy.optout import OptOutList

OPTED_OUT = OptOutList.from_entries(["optedout", "1234567"])


def policy(**config: object) -> Policy:
    return Policy.from_config(build_config(config), OPTED_OUT)


@pytest.mark.parametrize("action", ["drop", "quarantine"])
def test_strict_rejects_everything_x_derived(action: str) -> None:
    strict = policy(mode="strict", action=action)
    for category in ("x_dataset", "x_post", "x_embed"):
        assert strict.decide([category], ["someone"]).action == action
    assert strict.decide(["x_link"], []).action == "quarantine"
    assert strict.decide(["x_mention"], []).action == "keep"
    assert strict.decide([], []).action == "keep"


def test_collaborator_checks_authors() -> None:
    collab = policy(mode="collaborator", action="drop")
    assert collab.decide(["x_post"], ["jack"]).action == "keep"
    assert collab.decide(["x_post"], ["jack", "OptedOut"]).action == "drop"
    assert collab.decide(["x_embed"], ["1234567"]).action == "drop"
    assert collab.decide(["x_dataset"], []).action == "quarantine"  # unknown_author default
    assert collab.decide(["x_link", "x_mention"], []).action == "keep"


@pytest.mark.parametrize("unknown", ["keep", "drop", "quarantine"])
def test_unknown_author_setting(unknown: str) -> None:
    collab = policy(mode="collaborator", opt_out={"unknown_author": unknown})
    assert collab.decide(["x_post"], []).action == unknown


def test_first_party_keeps_unless_opted_out() -> None:
    first = policy(mode="first-party", action="quarantine")
    assert first.decide(["x_dataset"], []).action == "keep"
    assert first.decide(["x_post"], []).action == "keep"
    assert first.decide(["x_post"], ["jack"]).action == "keep"
    assert first.decide(["x_embed"], ["optedout"]).action == "quarantine"
    assert first.decide(["x_link"], ["optedout"]).action == "keep"


def test_overrides_replace_the_mode_defaults() -> None:
    strict = policy(mode="strict", categories={"x_link": "keep", "x_mention": "drop"})
    assert strict.decide(["x_link"], []).action == "keep"
    assert strict.decide(["x_mention"], []).action == "drop"
    relaxed = policy(mode="strict", categories={"x_post": "author-check"})
    assert relaxed.decide(["x_post"], ["jack"]).action == "keep"


def test_most_removing_action_wins() -> None:
    strict = policy(mode="strict", action="drop")
    assert strict.decide(["x_link", "x_post"], []).action == "drop"
    assert strict.decide(["x_link", "x_mention"], []).action == "quarantine"
    redacting = policy(mode="strict", action="drop", categories={"x_embed": "redact"})
    assert redacting.decide(["x_embed"], []).action == "redact"
    assert redacting.decide(["x_embed", "x_link"], []).action == "quarantine"
    assert redacting.decide(["x_embed"], [], allow_redact=False).action == "drop"
    assert redacting.decide(["x_embed", "x_post"], []).action == "drop"


def test_every_mode_names_dated_terms() -> None:
    for mode in MODE_TABLE:
        assert TERMS[mode], mode
        for terms in TERMS[mode]:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", terms.effective), terms
            assert terms.id.startswith("x-") and terms.url.startswith("https://"), terms
    assert TERMS["strict"][0].id == "x-developer-agreement-2025-06-04"
