"""Mentions of X in text or HTML: share buttons, card meta tags, follow lines, the platform's
name; at most one hit per rule, since naming the platform once is enough."""

from __future__ import annotations

import re

from xfilter.detect.evidence import HANDLE, Evidence, Rule, hit
from xfilter.detect.normalize import Literals
from xfilter.detect.textmatch import SP, near

RULE_SHARE_BUTTON = Rule("mention.share_button", "x_mention", "X share/follow button markup")
RULE_META = Rule("mention.meta", "x_mention", "<meta name='twitter:…'> card tags")
RULE_FOLLOW = Rule("mention.follow", "x_mention", "'Follow @handle' / 'follow us on Twitter'")
RULE_WORD = Rule("mention.word", "x_mention", "names Twitter, tweets or X as a platform")


# --------------------------------------------------------------------------- mentions

_SHARE_BUTTON = re.compile(
    r"twitter-(?:share|follow|hashtag|mention)-button|(?<![\w-])twitter-timeline(?![\w-])"
    r"|a2a_button_twitter|twitter-tweet-btn|addthis_button_twitter|tweetmeme",
    re.I,
)
_META = re.compile(r"<meta\b[^<>]{0,300}?(?:name|property)\s*=\s*[\"']?twitter:", re.I)
_OTHER_NETWORKS = (
    r"(?:Instagram|Facebook|TikTok|Threads|Bluesky|Mastodon|YouTube|Twitch|LinkedIn|Pinterest"
    r"|Snapchat|Telegram)"
)
_FOLLOW = re.compile(
    rf"\bFollow(?:{SP}{{1,3}}(?:us|me|him|her|them))?"
    rf"(?:{SP}{{1,3}}(?:on|at){SP}{{1,3}}(?:Twitter|X)\b"
    rf"|{SP}{{1,3}}(?:@|&#64;){HANDLE}\b(?!{SP}{{0,3}}(?:on|at){SP}{{1,3}}{_OTHER_NETWORKS}))",
    re.I,
)
_WORD = re.compile(
    r"(?<![a-z])(?:twitter(?:n|t|te|ten)?|(?:re)?tweet(?:s|ed|ing|et|en)?|twitterati|tweetdeck)"
    r"(?![a-z])",
    re.I,
)
_OTHER_SCRIPT_WORDS = ("ツイッター", "ツイート", "推特", "트위터", "твиттер")
_WORD_OTHER_SCRIPTS = re.compile("|".join(_OTHER_SCRIPT_WORDS), re.I)
# "X" alone is a letter; it names the platform only in these constructions.
_X_PLATFORM = re.compile(
    rf"\b(?:posted|posting|wrote|writing|said|shared|announced|commented|replied|reposted"
    rf"|tweeted){SP}{{1,3}}(?:on|to|via){SP}X(?![\w&-])"
    rf"|\bX(?:,|{SP}\()?{SP}{{0,2}}(?:formerly|previously){SP}{{1,2}}"
    rf"(?:known{SP}{{1,2}}as{SP})?Twitter"
    rf"|\bX{SP}(?:Corp\b|Premium\b)"
    rf"|\b(?:find|follow|join|reach|contact|message)(?:{SP}(?:us|me|him|her|them))?{SP}on{SP}X"
    r"(?![\w&-])"
    rf"|\bon{SP}X:?{SP}{{1,2}}(?:@|&#64;){HANDLE}"
    rf"|\b(?:an|the|his|her|their|its|my|your|our|official|personal){SP}X{SP}"
    r"(?:posts?|accounts?|handle|feed|profile|thread)\b"
)
_X_PLATFORM_ANCHORS = (
    b" on x",
    b" to x",
    b" via x",
    b"x corp",
    b"x premium",
    b"formerly",
    b"previously",
    b" x post",
    b" x account",
    b" x handle",
    b" x feed",
    b" x profile",
    b" x thread",
)
# Bootstrap's stylesheet credit names Twitter, Inc. as its author; it is not a mention.
_BOOTSTRAP_CREDIT = re.compile(
    rf"(?:©|&copy;|\(c\)|copyright){SP}{{0,3}}"
    rf"(?:\d{{4}}(?:{SP}{{0,2}}[-–]{SP}{{0,2}}\d{{4}})?,?{SP}{{0,3}})?Twitter,? Inc",
    re.I,
)
# The run of host characters around a word: 'twitter' inside 'twitter-dash.com', 'twitter.jp'
# or 'press@twitter.com' is a (lookalike) host or address, which the URL rules judge.
_HOST_RUN_AHEAD = re.compile(r"[\w.@-]{0,80}")
_HOST_RUN_BACK = re.compile(r"[\w.@-]{1,80}\Z")
_DOMAIN_LIKE = re.compile(r"[\w-]\.[^\W\d_]")


def _inside_host(text: str, start: int, end: int) -> bool:
    before = _HOST_RUN_BACK.search(text, max(0, start - 80), start)
    after = _HOST_RUN_AHEAD.match(text, end)
    run = (before.group() if before else "") + text[start:end] + (after.group() if after else "")
    return "@" in run or _DOMAIN_LIKE.search(run) is not None


def _word_mention(text: str, lits: Literals) -> re.Match[str] | None:
    credit_anchors = (b"twitter, inc", b"twitter inc")
    credits = [m.span() for m in near(_BOOTSTRAP_CREDIT, text, lits, credit_anchors, 40, 20)]
    for m in near(_WORD, text, lits, (b"twitter", b"tweet"), 1, 16):
        if not any(s <= m.start() < e for s, e in credits) and not _inside_host(text, *m.span()):
            return m
    if not text.isascii():
        # A case-blind search for words outside ASCII tries every position: look for the
        # words in the case-folded text first. Folding maps every letter that the search
        # takes for one of theirs (upper case, and variants such as U+1C80 for 'в') to it.
        folded = text.casefold()
        if any(word in folded for word in _OTHER_SCRIPT_WORDS):
            return _WORD_OTHER_SCRIPTS.search(text)
    return None


def _x_platform(text: str, lits: Literals) -> re.Match[str] | None:
    # _X_PLATFORM is case-sensitive and every branch spells a capital X: without one, skip
    # the anchor search (most texts that name Twitter never name X).
    if "X" not in text:
        return None
    return next(near(_X_PLATFORM, text, lits, _X_PLATFORM_ANCHORS, 30, 60), None)


# Every _SHARE_BUTTON match holds one of these (lower-cased): without them, no search.
_SHARE_BUTTON_LITERALS = (b"twitter-", b"_twitter", b"tweetmeme")


def _share_button(text: str, lits: Literals) -> re.Match[str] | None:
    if not lits.positions(_SHARE_BUTTON_LITERALS):
        return None
    share_anchors = (b"twitter", b"tweetmeme")
    return next(near(_SHARE_BUTTON, text, lits, share_anchors, 20, 40), None)


def mentions(text: str, lits: Literals) -> list[Evidence]:
    """At most one hit per mention rule: naming the platform once is enough."""
    found = [
        (RULE_SHARE_BUTTON, _share_button(text, lits)),
        (RULE_META, _META.search(text)),
        (RULE_FOLLOW, next(near(_FOLLOW, text, lits, (b"follow",), 1, 120), None)),
        (RULE_WORD, _word_mention(text, lits)),
        (RULE_WORD, _x_platform(text, lits)),
    ]
    return [hit(rule, m.span()) for rule, m in found if m is not None]
