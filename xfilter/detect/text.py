"""X signals in a text or HTML string: embedded posts, links and generic mentions.

The rules live by what they find: ``embeds`` (embed markup, attribution lines, publisher
wrappers), ``rendered`` (posts a widget or template rendered into the page), ``pasted`` (posts
pasted or quoted into chat, forum or caption prose), ``interface`` (copies of how X and embed
components display a post), ``mentions``, and
the X links of ``urls``; ``textmatch`` holds what they share. This module runs them in order
and holds the prefilters that stand for all of them.

Speed: most patterns are tried only near a literal anchor found with ``bytes.find`` on an
ASCII-lower-cased copy (``normalize.Literals``), because Python's ``re`` tries every position of
a pattern that starts with a lookbehind or a character class. Every repetition is bounded, so a
scan is linear in the input length.
"""

from __future__ import annotations

from collections.abc import Callable

from xfilter.detect import embeds, interface, mentions, pasted, rendered, urls
from xfilter.detect.evidence import Enough as Enough
from xfilter.detect.evidence import Evidence, Rule
from xfilter.detect.normalize import Literals

# Every rule analyze_text can fire: the X links of ``urls``, then its own.
RULES: tuple[Rule, ...] = (
    *urls.LINK_RULES,
    embeds.RULE_BLOCKQUOTE,
    embeds.RULE_AMP,
    embeds.RULE_RENDERED,
    rendered.RULE_WIDGET,
    rendered.RULE_RETWEET,
    embeds.RULE_ATTRIBUTION,
    rendered.RULE_PIC_DISPLAY,
    embeds.RULE_WRAPPER,
    embeds.RULE_PLACEHOLDER,
    *pasted.RULES,
    *interface.RULES,
    mentions.RULE_SHARE_BUTTON,
    mentions.RULE_META,
    mentions.RULE_FOLLOW,
    mentions.RULE_WORD,
)


# --------------------------------------------------------------------------- entry points


def analyze_text(text: str, enough: Enough | None = None) -> list[Evidence]:
    """Every X signal in extracted text or raw HTML, with spans in ``text``.

    ``enough``, if given, is asked after each detector whether the evidence so far answers
    the caller's question; then the rest is skipped (``xf.keep`` needs one category that
    rejects, not all of them).
    """
    if not text:
        return []
    lits = Literals(text)
    links = urls.iter_x_urls(text, lits)
    evidence = [urls.url_evidence(xurl, span) for xurl, span in links]
    stages: tuple[Callable[[], list[Evidence]], ...] = (
        lambda: embeds.embed_markup(text, lits),
        lambda: embeds.attributions(text),
        lambda: embeds.linked_attributions(text, lits),
        lambda: embeds.wrappers(text, lits),
        lambda: rendered.rendered_posts(text, lits, links),
        lambda: pasted.find(text, lits, links),
        lambda: interface.find(text, lits, links),
        lambda: mentions.mentions(text, lits),
    )
    for stage in stages:
        if enough is not None and enough(evidence):
            break
        evidence += stage()
    return evidence


def cheap_evidence(text: str, enough: Enough) -> list[Evidence]:
    """Part of what ``analyze_text`` finds, at a fraction of its cost: X links in plain
    stretches of the text (``urls.plain_links``), then embed markup and publisher wrappers,
    until ``enough`` says the evidence so far answers the caller. Each hit is exactly one that
    ``analyze_text`` reports, so a caller that needs one category, not all of them
    (``xf.keep``), may stop here when ``enough`` does."""
    if not text:
        return []
    lits = Literals(text)
    evidence = urls.plain_links(text, lits)
    if not enough(evidence):
        evidence += embeds.embed_markup(text, lits)
        if not enough(evidence):
            evidence += embeds.wrappers(text, lits)
    return evidence


# RE2 twin of textmatch.SP: RE2's \s is ASCII-only, Python's also covers \v, \x1c-\x1f,
# \x85, U+1680 …
_SP_RE2 = (
    r"(?:[\s\x{0B}\x{1C}-\x{1F}\x{85}\x{A0}\x{1680}\x{2000}-\x{200B}\x{2028}\x{2029}\x{202F}"
    r"\x{205F}\x{3000}]|&nbsp;|&#160;|&#x200a;|&#8202;|&thinsp;|&hairsp;)"
)
# Matches every string analyze_text flags. Like urls.PREFILTER it avoids counted repetitions,
# which would make RE2 leave its fast DFA once joined with the other alternatives.
PREFILTER: str = "|".join(
    [
        urls.PREFILTER,
        r"twitter|tweet|ツイッター|ツイート|推特|트위터|твиттер",
        rf"\({_SP_RE2}*[@＠][a-z0-9_]",  # '(@handle)' of an attribution line
        rf"follow(?:{_SP_RE2}+(?:us|me|him|her|them))?{_SP_RE2}+(?:@|&#64;)|rt (?:@|<a)",
        rf"(?:on|to|via|at){_SP_RE2}x|x{_SP_RE2}(?:corp|premium|posts?|content|accounts?|handle"
        r"|feed|profile|thread)",
        *(part for part in (pasted.PREFILTER, interface.PREFILTER) if part),
    ]
)

# Matches every string on which analyze_text finds more than the mention rules: X hosts with
# their dot (HOST_PREFILTER), embed markup, attribution lines, publisher wrappers and rendered
# posts, each by the literal its pattern cannot match without. A PREFILTER row that misses it
# (web text naming Twitter in passing, the common case) needs only analyze_mentions.
STRONG_PREFILTER: str = "|".join(
    [
        urls.HOST_PREFILTER,
        r"twitter-(?:tweet|video)|amp-twitter|data-tweet",  # _EMBED_ANCHORS
        rf"\({_SP_RE2}*[@＠][a-z0-9_]|\((?:on|via) (?:twitter|x)\)",  # attributions, alt text
        r"(?:skip|end of) (?:twitter|x) (?:post|content)|(?:twitter|x) post by @",  # wrappers
        r"view (?:image|video|photo) on (?:twitter|x)",
        r"rt (?:@|<a)",  # _RETWEET
        r"intent/(?:retweet|like|favorite)\?tweet_id=|intent/tweet\?in_reply_to=",
        r"tweet(?:[-_]|[-_][-_])?(?:text|content|body)",  # _TWEET_TEXT
        *(part for part in (pasted.STRONG_PREFILTER, interface.STRONG_PREFILTER) if part),
    ]
)


def analyze_mentions(text: str) -> list[Evidence]:
    """What analyze_text finds in a string that STRONG_PREFILTER does not match."""
    return mentions.mentions(text, Literals(text)) if text else []
