"""Posts pasted or quoted into chat, forum and caption prose: lead-ins, chat lines, X's page
titles, quotations next to status URLs, captions and classification prompts; and the chat,
mail, code and prose lines that look like them but carry no post.

Examples marked "real" are trimmed from public GitHub files found by exact-string search of
public code; the comment names the file's kind and, where the index returned it, its place.
"""

from __future__ import annotations

import pytest

from tests.helpers import growth_ratio, prefilter_matches
from xfilter.detect import pasted
from xfilter.detect.evidence import Evidence
from xfilter.detect.text import PREFILTER, STRONG_PREFILTER, analyze_mentions, analyze_text


def pasted_hits(text: str) -> list[Evidence]:
    return [e for e in analyze_text(text) if e.rule.startswith("pasted.")]


def redacted(text: str, found: list[Evidence]) -> str:
    spans = sorted(e.span for e in found if e.category == "x_embed" and e.span)
    kept, pos = [], 0
    for start, end in spans:
        kept.append(text[pos : max(pos, start)])
        pos = max(pos, end)
    return "".join(kept) + text[pos:]


# (text, rule, authors, a piece of the post's text the span must cover)
POSITIVES = [
    # real: a token-launch landing page's scenario text (TSX)
    (
        "touchpoint: 'You see a tweet from @ClaudeForkoor: \"I saw the $SHIBA_MOON rug. It had"
        " a live Mint Authority. I have forked it.\"',",
        "pasted.lead_in",
        ("claudeforkoor",),
        "I have forked it.",
    ),
    (
        "Here's a tweet from @karpathy:\n\n\"The hottest new programming language is"
        ' English"\n\nWhat does he mean?',
        "pasted.lead_in",
        ("karpathy",),
        "programming language is English",
    ),
    (
        "Analyze this tweet by @nntaleb: Never trust anyone who does not have skin in the game.",
        "pasted.lead_in",
        ("nntaleb",),
        "skin in the game",
    ),
    ('@dril tweeted: "no"', "pasted.lead_in", ("dril",), "no"),
    (
        "Elon Musk (@elonmusk) tweeted: the bird is freed",
        "pasted.lead_in",
        ("elonmusk",),
        "the bird is freed",
    ),
    (
        "This post by @sama on X: we are launching a new model today",
        "pasted.lead_in",
        ("sama",),
        "launching a new model",
    ),
    (
        'As @paulg posted on X, "Startups are counterintuitive to most people."',
        "pasted.lead_in",
        ("paulg",),
        "counterintuitive",
    ),
    (
        "@github on X:\n> Copilot is now generally available to all developers\n\nThoughts?",
        "pasted.lead_in",
        ("github",),
        "generally available",
    ),
    (
        'In their tweet, @NASA says: "We have liftoff of Artemis I."',
        "pasted.lead_in",
        ("nasa",),
        "liftoff",
    ),
    (
        "Screenshot of a tweet by @NWS: Tornado warning until 5:45 PM for the county",
        "pasted.caption",
        ("nws",),
        "Tornado warning",
    ),
    (
        "A screenshot of @jack's tweet that says just setting up my twttr",
        "pasted.caption",
        ("jack",),
        "setting up my twttr",
    ),
    (
        "Tweet screenshot: @jack just setting up my twttr",
        "pasted.caption",
        ("jack",),
        "setting up my twttr",
    ),
    (
        "Here is the tweet:\n@jack: just setting up my twttr",
        "pasted.chat_line",
        ("jack",),
        "setting up my twttr",
    ),
    (
        "Classify the sentiment of this tweet.\n@AVFCOfficial: Everyone who knows Thomas from"
        " his time here at Villa has great respect for him",
        "pasted.chat_line",
        ("avfcofficial",),
        "great respect",
    ),
    (
        "@jack: just setting up my twttr\nhttps://twitter.com/jack/status/20",
        "pasted.chat_line",
        ("jack",),
        "setting up my twttr",
    ),
    # real: a web-search tool result in an agent transcript (JSON inside markdown)
    (
        '{"title":"Aerodrome on X: \\"In anticipation of Aero, liquidity has begun to migrate'
        ' to new MEV-resistant pools on Aerodrome. https://t.co/KuLIb0OTid\\" / X","url":"https'
        '://x.com/AerodromeFi/status/1694357434153181456"}',
        "pasted.page_title",
        ("aerodromefi",),
        "liquidity has begun",
    ),
    # real: a chat-message parser's test (Go): a link's title as X printed it
    (
        'Justin Dorfman on Twitter: "nice @littlebigdetail from @HipChat (shows hex colors when'
        ' pasted in chat). http://t.co/7cI6Gjy5pq"',
        "pasted.page_title",
        (),
        "shows hex colors",
    ),
    # real: a Go browser-history test: the window title of a post page
    (
        'Elon Musk on X: "hi" - Mozilla Firefox',
        "pasted.page_title",
        (),
        '"hi"',
    ),
    (
        "Pepe auf X: „Heute ist ein schöner Tag für alle“ / X",
        "pasted.page_title",
        (),
        "schöner Tag",
    ),
    (
        "Jean sur X : « Bonjour à tous les amis » / X",
        "pasted.page_title",
        (),
        "Bonjour",
    ),
    (
        "Xユーザーの竹猫さん: 「なんで忙しい日はライフ10なの」 / X",
        "pasted.page_title",
        (),
        "ライフ10",
    ),
    (
        '> I "Accept All" always, I don\'t read the diffs anymore.\n\n'
        "— [@karpathy](https://x.com/karpathy/status/1886192184808149383)",
        "pasted.quoted",
        ("karpathy",),
        "read the diffs",
    ),
    (
        '"The hottest new programming language is English" -- @karpathy'
        " (https://twitter.com/karpathy/status/1617979122625712128)",
        "pasted.quoted",
        ("karpathy",),
        "programming language",
    ),
    (
        "https://x.com/karpathy/status/1617979122625712128:\n"
        '"The hottest new programming language is English"',
        "pasted.quoted",
        ("karpathy",),
        "programming language",
    ),
    (
        "> Russia thought they were doing the national anthem of Westeros? #Eurovision\n\n"
        "— [@briantruitt](https://twitter.com/briantruitt)",
        "pasted.quoted",
        ("briantruitt",),
        "national anthem",
    ),
    (
        "Jordan Peele on Twitter: &quot;I just spoke to Daniel. I failed at that.&quot;<p>"
        "Seems relevant here.",
        "pasted.page_title",
        (),
        "spoke to Daniel",
    ),
    (
        "> The hottest new programming language is English\n\n— @karpathy on X",
        "pasted.quoted",
        ("karpathy",),
        "programming language",
    ),
    # Hacker News API comment HTML: an italic quote, then the status link, entity-escaped
    (
        "Karpathy put it well:<p><i>The hottest new programming language is English</i><p>"
        '<a href="https:&#x2F;&#x2F;twitter.com&#x2F;karpathy&#x2F;status&#x2F;'
        '1617979122625712128" rel="nofollow">https:&#x2F;&#x2F;twitter.com&#x2F;karpathy&#x2F;'
        "status&#x2F;1617979122625712128</a>",
        "pasted.quoted",
        ("karpathy",),
        "programming language",
    ),
    (
        "Classify the sentiment of the following tweet.\n"
        "Tweet: @united your customer service is the worst, 3 hours on hold\nSentiment:",
        "pasted.tweet_label",
        (),
        "3 hours on hold",
    ),
    (
        'Is this tweet offensive? Answer yes or no.\ntweet_text: "@user you people are the worst"',
        "pasted.tweet_label",
        (),
        "you people",
    ),
]


@pytest.mark.parametrize(("text", "rule", "authors", "post"), POSITIVES)
def test_pasted_post_is_found_with_span_and_author(
    text: str, rule: str, authors: tuple[str, ...], post: str
) -> None:
    found = [e for e in pasted_hits(text) if e.rule == rule]
    assert found, f"{rule} missed"
    assert all(e.category == "x_embed" for e in found)
    assert {a for e in found for a in e.authors} == set(authors)
    assert post not in redacted(text, found)


NEGATIVES = [
    # Slack/Discord/IRC exports and Mastodon toots: '@user:' lines without X
    "[10:01] @alice: anyone up for lunch?\n[10:02] @bob: sure, the usual place",
    "@alice@mastodon.social: boosting this toot about birds",
    "<@U024BE7LH>: can you review the PR?\n@channel: deploy at 5",
    "I read that tweet.\n@bob: me too, it was funny",
    "> a quote here about it all\n\n— [@bob](https://twitter.com/alice)",
    # e-mail addresses, CSS at-rules, npm scopes, Python decorators
    "Contact support@example.com: we reply within a day. Follow us on Twitter.",
    '@media screen: { .tweet-box { color: red } } /* "twitter" theme */',
    '"@types/node": "^20.0.0", "twitter-text": "^3.1.0"',
    "@property: tweet_count returns the number of tweets",
    # prose about X without a post's text, and prose quotations without a handle or link
    'SpaceX tweeted: "Falcon 9 launches 23 Starlink satellites"',
    'Musk wrote on X: "We will make X the everything app"',
    "Generation X: the tweets of a generation, in a book review",
    "The birds tweeted: a chorus at dawn",
    "Follow @nasa on Twitter: they post daily updates about the missions",
    "Tweet from @chroniclabs\n- Submit to puzzle aggregators",
    # a tweet the prompt asks to write is not a post; a label without a task is no prompt
    "Write a tweet about our launch that sounds positive.\nTweet: Excited to announce v2!",
    '- "Tweet: Just shipped a new feature!"\n- "Post on X: Loving the new update"',
    # a status URL inside a JSON string or after a quoted term: a link, not a quotation
    '{"title": "a page", "url": "https://x.com/jack/status/20"}',
    "He called it “a disaster” (https://x.com/jack/status/20)",
    # a news quotation whose link text is prose, and an HTML arrow between two links
    '“We will be back on Monday with more,” <a href="https://twitter.com/ab/status/1196">one'
    " reader wrote</a> after the show.",
    '<a href="https://twitter.com/ab/status/1209">twitter.com/ab/status/1209</a> -&gt; <a'
    ' href="https://twitter.com/cd/status/1210">twitter.com/cd/status/1210</a>',
    # Bluesky, Threads
    '"Shipping today" — @jay.bsky.team (https://bsky.app/profile/jay.bsky.team/post/3k)',
    '@zuck on Threads: "Threads has 100 million sign ups"',
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_lookalikes_are_not_pasted_posts(text: str) -> None:
    assert pasted_hits(text) == []


def test_a_lone_status_url_stays_a_link() -> None:
    found = analyze_text("see https://x.com/jack/status/20 for context")
    assert {e.category for e in found} == {"x_link"}


def test_rules_are_declared_with_ids_and_descriptions() -> None:
    ids = [rule.id for rule in pasted.RULES]
    assert len(ids) == len(set(ids)) == 6
    assert all(rule.category == "x_embed" and rule.description for rule in pasted.RULES)


def test_prefilters_promise_every_flagged_text() -> None:
    texts = [text for text, *_ in POSITIVES]
    assert all(prefilter_matches(texts, PREFILTER))
    assert all(prefilter_matches(texts, STRONG_PREFILTER))
    assert all(analyze_text(t) != analyze_mentions(t) for t in texts)


def test_prefilter_stays_selective_on_chat_lines() -> None:
    chat = ["@alice: lunch?", "[10:02] @bob: sure", "@channel: deploy at 5", "mail me@x.org:"]
    assert not any(prefilter_matches(chat, pasted.STRONG_PREFILTER))
    assert not any(prefilter_matches(chat, pasted.PREFILTER))


@pytest.mark.parametrize(
    "unit",
    [
        "Tweet from @a: ",
        "@h on X: > ",
        '"quoted words here" https://x.com/h/status/1 ',
        "Name on X: “",
        "tweet: classify ",
        "> quote line\n",
    ],
)
def test_find_is_linear(unit: str) -> None:
    assert growth_ratio(analyze_text, unit * 300) < 20  # ~8 when linear, ~64 when quadratic


@pytest.mark.parametrize(
    ("text", "rule", "author"),
    [
        ("Tweet by @naval (June 1, 2018): Read what you love", "pasted.lead_in", "naval"),
        ('As @naval put it on X: "Read what you love until you love to read."', "pasted.page_title",
         "naval"),
        ('Check https://x.com/naval/status/1002103360646823936 "Read what you love until you love '
         'to read"', "pasted.quoted", "naval"),
    ],
)  # fmt: skip
def test_dated_lead_ins_named_speakers_and_quotes_after_a_link(
    text: str, rule: str, author: str
) -> None:
    assert (rule, (author,)) in {(e.rule, e.authors) for e in analyze_text(text)}


@pytest.mark.parametrize(
    "text",
    [
        'see https://x.com/naval/status/1002103360646823936 "funny"',
        'https://x.com/naval/status/1002103360646823936 and "some words here now"',
    ],
)
def test_a_short_or_unintroduced_quote_after_a_link_stays_a_link(text: str) -> None:
    assert "pasted.quoted" not in {e.rule for e in analyze_text(text)}
