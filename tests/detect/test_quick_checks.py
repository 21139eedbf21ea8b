"""The quick checks that let a detector skip its regular expression on most texts never skip a
text the expression matches: each check is a literal every match holds."""

from __future__ import annotations

import re
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xfilter.detect import embeds, interface, mentions
from xfilter.detect.normalize import Literals


@cache
def _same_letter(letter: str) -> list[str]:
    """Every character of the Basic Multilingual Plane (where every case form of these
    scripts lies) that a case-blind ``re`` search takes for ``letter``, ``letter`` first."""
    pattern = re.compile(re.escape(letter), re.IGNORECASE)
    others = [chr(cp) for cp in range(0x10000) if chr(cp) != letter and pattern.fullmatch(chr(cp))]
    return [letter, *others]


@pytest.mark.parametrize("word", mentions._OTHER_SCRIPT_WORDS)
def test_a_platform_name_in_another_script_is_found_in_every_case_form(word: str) -> None:
    letters = [_same_letter(letter) for letter in word]
    for forms in letters:
        for form in forms:  # each alternative form of one letter, the others plain
            spelled = "".join(form if f is forms else f[0] for f in letters)
            text = f"Новости дня — {spelled} сегодня"
            assert mentions._WORD_OTHER_SCRIPTS.search(text) is not None
            assert mentions._word_mention(text, Literals(text)) is not None, spelled


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 12), st.integers(1, 28), st.integers(2000, 2030), st.integers(0, 23),
    st.integers(0, 59), st.integers(0, 59), st.sampled_from(["AM", "PM", "am", "pm"]),
    st.sampled_from(["", " ", "  "]),
)  # fmt: skip
def test_every_glued_stamp_holds_its_quick_check(
    month: int, day: int, year: int, hour: int, minute: int, second: int, half: str, gap: str
) -> None:
    stamp = f"{month}/{day}/{year},{gap}{hour}:{minute:02d}:{second:02d}{gap}{half}"
    text = f"Jane Doe @janedoe_writesThis is the post text.{stamp}"
    assert interface._GLUED_STAMP.search(text) is not None
    assert interface._GLUED_STAMP_HINT.search(text) is not None
    found = interface.find(text, Literals(text), [])
    assert any(e.rule == interface.RULE_WEB_COPY.id for e in found)


@pytest.mark.parametrize("via", ["(on Twitter)", "(via X)", "(via Twitter)", "(on X)"])
def test_a_loose_attribution_is_still_found(via: str) -> None:
    text = f"“We shipped it today.” — Jane Doe {via}\nMore text follows."
    found = embeds.attributions(text)
    assert [e.rule for e in found] == [embeds.RULE_ATTRIBUTION.id]


def test_no_attribution_without_its_parenthesis() -> None:
    assert embeds.attributions("— Jane Doe on Twitter, said nothing") == []


@pytest.mark.parametrize(
    "markup",
    [
        "twitter-share-button", "Twitter-Follow-Button", "twitter-hashtag-button",
        "twitter-mention-button", "twitter-timeline", "a2a_button_twitter", "twitter-tweet-btn",
        "addthis_button_twitter", "TweetMeme",
    ],
)  # fmt: skip
def test_every_share_button_holds_its_quick_check(markup: str) -> None:
    text = f'<p>Share this</p><a class="{markup}" href="#">Tweet</a>'
    assert mentions._SHARE_BUTTON.search(text) is not None
    found = mentions.mentions(text, Literals(text))
    assert mentions.RULE_SHARE_BUTTON.id in [e.rule for e in found]


@pytest.mark.parametrize(
    "defanged",
    ["[.]", "(.)", "{.}", "[DOT]", "(Dot)", "[:]", "HXXP", "%2E", "\\u002E", "&#46;", "&#0046;",
     "&#x2E;", "&#X0002e;"],
)  # fmt: skip
def test_every_defanged_form_passes_the_literal_check(defanged: str) -> None:
    from xfilter.detect.normalize import _DEFANG, Unveiled

    text = f"read it at twitter{defanged}com/a/status/1 today"
    assert _DEFANG.search(text) is not None
    assert Unveiled(text).passes, defanged
