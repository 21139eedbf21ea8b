"""Text and HTML signals: embeds (markup, attribution lines, publisher wrappers, widgets),
links, mentions, lookalike negatives, redaction spans, linear time, PREFILTER.

Fixtures copy the shapes of docs/x-content-reference.md §3 (oEmbed markup, extracted-text
renditions) with
invented posts, names and ids.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import growth_ratio, prefilter_matches, rules, strongest
from xfilter.detect import urls
from xfilter.detect.evidence import CATEGORIES, Evidence
from xfilter.detect.text import (
    PREFILTER,
    RULES,
    STRONG_PREFILTER,
    analyze_mentions,
    analyze_text,
)


def embed_authors(ev: list[Evidence]) -> set[str]:
    return {a for e in ev if e.category == "x_embed" for a in e.authors}


def redact(text: str, ev: list[Evidence]) -> str:
    """What a ``redact`` action keeps: the text without any x_embed span."""
    spans = sorted(e.span for e in ev if e.category == "x_embed" and e.span)
    kept, pos = [], 0
    for start, end in spans:
        if start > pos:
            kept.append(text[pos:start])
        pos = max(pos, end)
    kept.append(text[pos:])
    return "".join(kept)


def mentions_suffice(texts: list[str]) -> list[str]:
    """The texts that break STRONG_PREFILTER's promise: it misses them, yet analyze_text
    finds more in them than analyze_mentions (the scan would then under-report)."""
    strong = prefilter_matches(texts, STRONG_PREFILTER)
    weak = [t for t, hit in zip(texts, strong, strict=True) if not hit]
    return [t for t in weak if analyze_text(t) != analyze_mentions(t)]


SEEN: list[str] = []  # every flagged example, for the PREFILTER coverage test


def analyze(text: str) -> list[Evidence]:
    ev = analyze_text(text)
    if ev:
        SEEN.append(text)
    return ev


# --------------------------------------------------------------------------- rule table


def test_rules_are_declared_once_with_known_categories() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    # the X links analyze_text finds are its rules; a record's own URL field is not its input
    assert {r.id for r in urls.LINK_RULES} <= set(ids)
    assert not {r.id for r in urls.OWN_URL_RULES} & set(ids)
    assert all(r.category in CATEGORIES and r.description for r in RULES)


# --------------------------------------------------------------------------- embed markup

OEMBED = (
    "<p>The park service shared a view.</p>\n"
    '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Fog rolling over the ridge '
    'this morning near <a href="https://twitter.com/ParkRidgeNPS?ref_src=twsrc%5Etfw">'
    '@ParkRidgeNPS</a>. <a href="https://twitter.com/hashtag/fog?src=hash&amp;ref_src=twsrc'
    '%5Etfw">#fog</a> <a href="https://t.co/Ab12Cd34Ef">pic.x.com/Ab12Cd34Ef</a></p>&mdash; '
    "Ridge Valley Parks (@RidgeValleyParks) "
    '<a href="https://twitter.com/RidgeValleyParks/status/1463440424141459456?ref_src=twsrc'
    '%5Etfw">May 5, 2021</a></blockquote>\n'
    '<script async src="https://platform.x.com/widgets.js" charset="utf-8"></script>\n'
    "<p>Visitors are asked to drive slowly.</p>"
)


def test_oembed_blockquote_span_covers_post_and_script() -> None:
    ev = analyze(OEMBED)
    (bq,) = [e for e in ev if e.rule == "embed.blockquote"]
    assert bq.category == "x_embed" and bq.authors == ("ridgevalleyparks",)
    cut = OEMBED[bq.span[0] : bq.span[1]]  # type: ignore[index]
    assert cut.startswith("<blockquote") and cut.endswith("</script>")
    kept = redact(OEMBED, ev)
    assert "Fog rolling" not in kept and "twitter-tweet" not in kept and "widgets.js" not in kept
    assert "The park service shared a view." in kept and "drive slowly" in kept
    assert embed_authors(ev) == {"ridgevalleyparks"}


@pytest.mark.parametrize(
    "opening",
    [
        '<blockquote class="twitter-tweet">',
        "<blockquote class='twitter-tweet' data-lang=\"en\">",
        '<blockquote data-theme="dark" data-cards="hidden" class="twitter-tweet tw-align-center">',
        "<blockquote class=twitter-tweet>",
        '<BLOCKQUOTE CLASS="Twitter-Tweet" data-conversation="none">',
        '<blockquote class="wp-embedded twitter-tweet" data-width="550" data-dnt="true">',
        '<blockquote class="twitter-video" data-status="hidden">',
    ],
)
def test_blockquote_attribute_variants(opening: str) -> None:
    html = f'{opening}<a href="https://x.com/fieldnotes_b/status/1789012345678901234"></a></blockquote>'
    ev = analyze(html)
    assert "embed.blockquote" in rules(ev)
    assert embed_authors(ev) == {"fieldnotes_b"}


@pytest.mark.parametrize(
    "markup",
    [
        # WordPress post JSON inside a script
        '{"content":"<blockquote class=\\"twitter-tweet\\"><p lang=\\"en\\">Road closed after the '
        'slide.<\\/p>&mdash; County Roads (@CountyRoadsDept) <a href=\\"https:\\/\\/twitter.com\\/'
        'CountyRoadsDept\\/status\\/1549105091772596231\\">July 18, 2022<\\/a><\\/blockquote>"}',
        # entity-escaped inside a data attribute
        '<div data-embed="&lt;blockquote class=&quot;twitter-tweet&quot;&gt;&lt;p&gt;Road closed '
        "after the slide.&lt;/p&gt;&amp;mdash; County Roads (@CountyRoadsDept) "
        '&lt;/blockquote&gt;">',
        # JSON with \\u003c escapes
        '"html": "\\u003cblockquote class=\\u0022twitter-tweet\\u0022\\u003eRoad closed after the '
        'slide. (@CountyRoadsDept)\\u003c/blockquote\\u003e"',
    ],
)
def test_escaped_embed_markup_counts(markup: str) -> None:
    ev = analyze(markup)
    assert "embed.blockquote" in rules(ev)
    assert embed_authors(ev) == {"countyroadsdept"}
    assert "Road closed" not in redact(markup, ev)


def test_amp_rendered_and_placeholder_embeds() -> None:
    amp = '<amp-twitter width="375" layout="responsive" data-tweetid="1311697819384844290">'
    assert strongest(analyze(amp)) == "x_embed" and "embed.amp" in rules(analyze(amp))
    rendered = (
        '<div class="twitter-tweet twitter-tweet-rendered" style="display:flex"><iframe '
        'id="twitter-widget-0" title="X Post" src="https://platform.twitter.com/embed/Tweet.html'
        '?dnt=false&amp;embedId=twitter-widget-0&amp;id=1228393702244134912"></iframe></div>'
    )
    assert {"embed.rendered", "embed.iframe"} <= rules(analyze(rendered))
    placeholder = '<div class="js-tweet" data-tweetid="1580619374392246366"></div>'
    assert strongest(analyze(placeholder)) == "x_link"
    assert "link.placeholder" in rules(analyze(placeholder))
    assert (
        strongest(analyze('<div class="embed embed--tweet" data-tweet-id="1649110680990646417">'))
        == "x_link"
    )


@pytest.mark.parametrize(
    "text",
    [
        ".article amp-jwplayer, .article amp-twitter { margin: 3rem 0; }",
        "blockquote.twitter-tweet { margin: 0 auto; }",
        "<script>document.querySelectorAll('blockquote.twitter-tweet').forEach(f)</script>",
        '<a class="twitter-tweet-btn" href="#">Share</a>',
    ],
)
def test_selectors_and_buttons_are_not_embeds(text: str) -> None:
    assert strongest(analyze_text(text)) in ("x_mention", "none")


# --------------------------------------------------------------------------- attribution lines

ATTRIBUTIONS = [
    # no space before the dash, hashtag glued to it
    (
        "Best sunrise of the year. #nofilter— Harbour Lights (@HarbourLightsUK) January 22, 2017",
        "harbourlightsuk",
        "Best sunrise",
    ),
    # pic link and attribution on one line, date glued to the next sentence
    (
        "Crowds gathered early.\nThe new pier is open! pic.twitter.com/kQ9ab3Xy1Z — Port Authority "
        "(@PortAuthHQ) December 30, 2017In a later statement, officials said",
        "portauthhq",
        "The new pier is open!",
    ),
    # attribution on its own line after a blank line
    (
        "Officials responded within hours.\n\nWe are reviewing every report and will publish the "
        "findings.\n\n— Water Board (@WaterBoardOps) January 20, 2018\nResidents disagreed.",
        "waterboardops",
        "We are reviewing every report",
    ),
    # CRLF
    (
        "'No delays expected on the line today!\r\n— Metro Rail (@MetroRailInfo) July 26, 2019'",
        "metrorailinfo",
        "No delays",
    ),
    # literal &mdash; and hair spaces as Medium renders them
    (
        "Ship small, ship often&#x200a;&mdash;&#x200a;Dana Builds (@dana_builds) May 5, 2014",
        "dana_builds",
        "Ship small",
    ),
    (
        "Ship small, ship often\u200a—\u200aDana Builds (@dana_builds) May 5, 2014",
        "dana_builds",
        "Ship small",
    ),
    # en-dash, English date in a Spanish page
    (
        "Todo migrado https://t.co/bOUO1k5Cvy – Sam Rivera (@samrivera) May 17, 2024",
        "samrivera",
        "migrados",
    ),
    # markdown export keeps the status link
    (
        "> The timetable changes on Monday.\n> — City Buses (@CityBusesHQ) "
        "[November 30, 2015](https://twitter.com/CityBusesHQ/status/671140719629848576)",
        "citybuseshq",
        "timetable changes",
    ),
    # localised dates
    (
        "Texto del aviso — Protección Civil (@PCivilSur) 28 de mayo de 2016",
        "pcivilsur",
        "Texto del aviso",
    ),
    ("Texte de l'alerte — Mairie de Lune (@MairieLune) 28 mai 2016", "mairielune", "Texte de"),
    ("Text der Warnung — Stadt Nord (@StadtNord) 28. Mai 2016", "stadtnord", "Text der"),
    (
        "Texto do alerta — Defesa Civil (@DefesaCivilX1) 28 de maio de 2016",
        "defesacivilx1",
        "Texto do",
    ),
    ("試合開始です — 関西サッカー (@KansaiSoccer) 2016年5月28日", "kansaisoccer", "試合開始"),
    ("Матч начался — Спорт Клуб (@sport_club_ru) 16 мая 2018 г.", "sport_club_ru", "Матч"),
    # HTML rendition without a blockquote: the date links the status
    (
        '<p>Bridge reopened to traffic.</p>&mdash; Roads Team (@RoadsTeam) <a href="https://twitter.com'
        '/RoadsTeam/status/1195123215657508867">November 15, 2019</a>',
        "roadsteam",
        "Bridge reopened",
    ),
]


@pytest.mark.parametrize(("text", "handle", "post"), ATTRIBUTIONS)
def test_attribution_variants(text: str, handle: str, post: str) -> None:
    ev = analyze(text)
    assert "text.attribution" in rules(ev)
    assert handle in embed_authors(ev)
    kept = redact(text, ev)
    assert post not in kept
    assert f"@{handle}" not in kept.lower()


def test_attribution_span_stops_at_the_date() -> None:
    text = "Intro.\nFerry cancelled — Isle Ferries (@IsleFerries) March 3, 2020 and more prose"
    (e,) = [e for e in analyze(text) if e.rule == "text.attribution"]
    assert e.span is not None
    assert (
        text[e.span[0] : e.span[1]] == "Ferry cancelled — Isle Ferries (@IsleFerries) March 3, 2020"
    )


def test_medium_linked_handle_attribution() -> None:
    text = (
        "> Our new docs are live. https://t.co/Z9tzeOkIvQ\n"
        '> <p>&#x200a;&mdash;&#x200a;<a href="https://twitter.com/DevPlatformX/status/1339331486402977794">'
        "@DevPlatformX</a></p>\n\nGood docs matter."
    )
    ev = analyze(text)
    assert embed_authors(ev) == {"devplatformx"}
    assert "Our new docs" not in redact(text, ev)


def test_loose_attribution_without_handle() -> None:
    text = "“This is the moment to act, not to wait.”\n— Jo Writer (on Twitter)."
    ev = analyze(text)
    assert "text.attribution" in rules(ev) and embed_authors(ev) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Questions? Ask our editor Jane Doe (@janedoe) anytime.",
        "— Jane Doe (@janedoe), staff writer",
        "Contact: Jane Doe (@janedoe) 555-0100",
        "By Sam Lee (@samlee) | Photos by Kim (@kimphoto)",
        "Reply from Alex (@alexr) on 5 May: thanks!",
    ],
)
def test_handles_without_an_attribution_are_not_embeds(text: str) -> None:
    assert "x_embed" not in {e.category for e in analyze_text(text)}


# --------------------------------------------------------------------------- publisher wrappers


def test_bbc_wrapper_spans_and_numbering() -> None:
    text = (
        "Intro paragraph.\nSkip Twitter post by @CouncilNorth\n\nRoads are closed near the "
        "river. pic.twitter.com/Pe53chi4ft\n\n— North Council (@CouncilNorth) January 11, 2020\n"
        "Report\nEnd of Twitter post by @CouncilNorth\nSkip Twitter post 2 by @CouncilNorth\n"
        "Second post text.\nEnd of Twitter post 2 by @CouncilNorth\nOutro."
    )
    ev = analyze(text)
    wrappers = [e for e in ev if e.rule == "text.publisher_wrapper"]
    assert len(wrappers) == 2 and embed_authors(ev) == {"councilnorth"}
    kept = redact(text, ev)
    assert kept.startswith("Intro paragraph.") and kept.rstrip().endswith("Outro.")
    assert "Roads are closed" not in kept and "Second post" not in kept and "Skip" not in kept


def test_bbc_end_marker_alone_and_alt_text() -> None:
    text = (
        "No more fees next year. Great! pic.twitter.com/Zz12yY34xX End of Twitter post by @viewer_k"
    )
    ev = analyze(text)
    assert embed_authors(ev) == {"viewer_k"} and "No more fees" not in redact(text, ev)
    alt = '<div class="js-delayed-image" data-alt="Twitter post by @SenOffice: We voted no.">'
    assert embed_authors(analyze(alt)) == {"senoffice"}
    card = (
        '<div class="social-embed" data-provider="twitter" data-alt="Fire Service (@FireSvcNorth): '
        'Crews are at the scene.">'
    )
    assert embed_authors(analyze(card)) == {"firesvcnorth"}


def test_view_image_on_twitter_card() -> None:
    text = (
        "The footbridge opened on Saturday.\nView image on Twitter\nFollow\nTown Council "
        "@TownCouncilUK\nThe bridge is now open! pic.twitter.com/Hq2bTz9WcA\n"
        "10:42 AM - 4 Jun 2016\n"
        "41 41 Retweets 96 96 likes\nTwitter Ads info and privacy\nA brass band played."
    )
    ev = analyze(text)
    assert embed_authors(ev) == {"towncounciluk"}
    kept = redact(text, ev)
    assert "bridge is now open" not in kept and "A brass band played." in kept


# --------------------------------------------------------------------------- pic links


def test_pic_display_link_is_an_embed_but_not_as_href_or_credit() -> None:
    assert strongest(analyze("So proud of the team today pic.twitter.com/AbCdEf1234")) == "x_embed"
    assert strongest(analyze("Glued#COP26pic.twitter.com/4G9ZbFbBZn\nNext line")) == "x_embed"
    credit = "(Photo: pic.twitter.com/Sd4Rt7YuIo, via the Harbour Authority)"
    assert strongest(analyze(credit)) == "x_link"
    href = '<img src="https://pic.twitter.com/AbCdEf1234" alt="photo">'
    assert strongest(analyze(href)) == "x_link"


# --------------------------------------------------------------------------- rendered widgets


def test_wordpress_timeline_widget() -> None:
    html = (
        "<aside class=\"widget widget_twitter\"><ul class='tweets'><li>\n"
        "RT @<a href='http://twitter.com/HistoryPod'>HistoryPod</a>: New episode on the old "
        'harbour is out… <a href="http://twitter.com/blog_owner/statuses/1226798837160960000" '
        'class="timesince">1&nbsp;day&nbsp;ago</a></li><li>Finally finished the garden wall '
        '<a href="http://twitter.com/blog_owner/statuses/1211670813906264064" class="timesince">'
        "2&nbsp;months&nbsp;ago</a></li></ul></aside>"
    )
    ev = analyze(html)
    assert {"embed.widget", "embed.retweet"} <= rules(ev)
    assert embed_authors(ev) == {"blog_owner", "historypod"}


def test_truncated_post_and_display_url_entities() -> None:
    truncated = (
        '<div class="text">Heavy summers leave their mark on the old church, which needs '
        'urgent… <a href="https://t.co/chDsSXZtfd" class="tweet-link">https://t.co/chDsSXZtfd</a>'
        "</div>"
    )
    assert "embed.widget" in rules(analyze(truncated))
    in_text = "Firms face flaws in connected printers and othe… https://t.co/08wWHQCaXS 9 hours ago"
    assert strongest(analyze(in_text)) == "x_embed"
    display = '<p>Great read <a href="http://t.co/qjTEhGv1l1">on.example.com/1Bh4PIc</a></p>'
    assert "embed.widget" in rules(analyze(display))
    prose_link = 'I <a href="https://t.co/qjTEhGv1l1">wrote about it</a> last week.'
    assert strongest(analyze(prose_link)) == "x_link"


def test_live_blog_cards_take_the_displayed_author() -> None:
    html = (
        '<div class="tweet"><div class="tweet-profile-identity"><div class="tweet-user-name">'
        'Lab News</div> <a class="tweet-screen-name" href="https://twitter.com/LabNewsDaily">'
        '@LabNewsDaily</a></div><div class="tweet-content">Our new microscope is in! '
        '<a href="https://twitter.com/search?q=science">#science</a></div></div>'
    )
    ev = analyze(html)
    assert "embed.widget" in rules(ev) and embed_authors(ev) == {"labnewsdaily"}


# --------------------------------------------------------------------------- mentions

MENTIONS = [
    (
        '<a href="https://twitter.com/share" class="twitter-share-button">Tweet</a>',
        "mention.share_button",
    ),
    ('<a class="a2a_button_twitter" href="/#twitter"></a>', "mention.share_button"),
    ('<meta name="twitter:card" content="summary_large_image">', "mention.meta"),
    ('<meta property="twitter:site" content="@newsdesk">', "mention.meta"),
    ("The lesson, as always: read the fine print. Follow @tdm_writer", "mention.follow"),
    ("Like us on Facebook. Follow us on Twitter!", "mention.follow"),
    ("Follow us on X for live updates.", "mention.follow"),
    ("Twitter seemed confused by the campaign.", "mention.word"),
    ("she tweeted on Tuesday", "mention.word"),
    ("utm_source=twitter&utm_medium=social", "mention.word"),
    ("X, formerly known as Twitter, changed its API terms.", "mention.word"),
    ("The mayor posted on X that the road is open.", "mention.word"),
    ("In a statement on her X account, she said", "mention.word"),
    ("For event updates find us on X @PortLibrary.", "mention.word"),
    ("このニュースはツイッターで話題になった", "mention.word"),
]


@pytest.mark.parametrize(("text", "rule"), MENTIONS)
def test_mentions(text: str, rule: str) -> None:
    ev = analyze(text)
    assert rule in rules(ev)
    assert strongest(ev) == "x_mention"


NOT_X = [
    "The Twi language is spoken by millions in Ghana; Twi proverbs are rich.",
    "Press X to continue. Malcolm X spoke here. Gen X readers, the X-axis and SpaceX.",
    "Join the fun at #summerfest and say hi to @festival_team at the gate!",
    "Write to editor@x.com or press@twitter-dash.com for details.",
    "Posted by @gargron@mastodon.social: boosts are back. Reply on Bluesky @jay.bsky.social",
    "<!-- Bootstrap v3.3.7 (http://getbootstrap.com) Copyright 2011-2016 Twitter, Inc. -->",
    "Follow @baker_jane on Instagram for daily bread.",
    "Download from dropbox.com or watch on netflix.com; see vox.com and microsoft.com.",
    "test http://twitter-dash.com and twitter.jp and http://twitter.c_o_m",
    "The tweeter and woofer of the speaker were replaced.",
    "Tweety Bird and the Tweedle twins.",
]


@pytest.mark.parametrize("text", NOT_X)
def test_not_x(text: str) -> None:
    assert analyze_text(text) == []


# --------------------------------------------------------------------------- properties

_NAMES = st.text(
    st.sampled_from("ABCDEFGHIJKLMNOPabcdefghijklmnop .'&éü🌊"), min_size=1, max_size=40
)
_HANDLES = st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True)
_DATES = st.sampled_from(
    [
        "May 5, 2014",
        "December 31, 2019",
        "2016年5月28日",
        "28 de mayo de 2016",
        "28. Mai 2016",
        "3 June 2020",
    ]
)
_DASHES = st.sampled_from(["— ", " — ", "—", "&mdash; ", " – ", "\u200a—\u200a", "\n— ", "\r\n— "])
_POSTS = st.text(st.sampled_from("abcdefgh ijklmnop.!?#"), min_size=1, max_size=120).filter(
    lambda p: p.strip() and "\n" not in p
)


@settings(max_examples=250, deadline=None)
@given(
    _POSTS, _DASHES, _NAMES, _HANDLES, _DATES, st.sampled_from(["", "\n\nNext paragraph.", "In"])
)
def test_any_attribution_is_found_and_redacted(
    post: str, dash: str, name: str, handle: str, date: str, after: str
) -> None:
    line = f"{post}{dash}{name.strip() or 'N'} (@{handle}) {date}"
    text = f"Intro prose.\n\n{line}{after}"
    ev = analyze_text(text)
    assert handle.lower() in embed_authors(ev), text
    kept = redact(text, ev)
    assert f"@{handle}" not in kept and date not in kept
    assert kept.startswith("Intro prose.")
    assert prefilter_matches([text], PREFILTER) == [True]


_WORD_LIST = (
    "the harbour council said on monday that ferries resume soon rain fell hard "
    "email us at info@harbour.example or call 555 0100 #weather @ferries x marks spot"
)
_PLAIN_WORDS = st.sampled_from(_WORD_LIST.split())


@settings(max_examples=200, deadline=None)
@given(st.lists(_PLAIN_WORDS, min_size=1, max_size=80), st.sampled_from([" ", "\n", ". "]))
def test_plain_prose_is_never_x(words: list[str], sep: str) -> None:
    assert analyze_text(sep.join(words)) == []


_FRAGMENTS = st.sampled_from(
    [
        "twitter.com/a",
        "x.com/b/status/1",
        "t.co/abc",
        "pic.twitter.com/abcd",
        "(@h) May 5, 2014",
        "—",
        "Follow @a",
        "RT @b:",
        "…",
        "<blockquote class=twitter-tweet>",
        "</blockquote>",
        "tweet",
        " on X",
        "\u200b",
        "ｘ．ｃｏｍ/a",
        "[.]",
        "%2F",
        "End of Twitter post by @c",
        " word ",
        "\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS, min_size=1, max_size=12))
def test_prefilter_matches_whatever_is_flagged(fragments: list[str]) -> None:
    text = "".join(fragments)
    if analyze_text(text):
        assert prefilter_matches([text], PREFILTER) == [True], text
    assert mentions_suffice([text]) == []


def test_prefilter_covers_every_flagged_example() -> None:
    # Runs after the example tests of this module (pytest keeps file order).
    assert SEEN
    assert all(prefilter_matches(SEEN, PREFILTER))


def test_strong_prefilter_misses_nothing_but_mentions() -> None:
    assert mentions_suffice(SEEN) == []
    # It is what lets most candidates skip the full analysis: these are mention-only.
    passing = ["Share on Twitter | Email", "Follow us on Twitter", "twitter-dash.com", "Tweet"]
    assert prefilter_matches(passing, PREFILTER) == [True] * 4
    assert prefilter_matches(passing, STRONG_PREFILTER) == [False] * 4


# --------------------------------------------------------------------------- linear time


@pytest.mark.parametrize(
    "unit",
    [
        "(@a)",
        "— N (@a) May 5, 2014 ",
        "&",
        "<blockquote class=twitter-tweet>",
        "…t.co/a",
        "<a href=https://t.co/a>x.co/b</a>",
        "class=tweet t.co/a ",
        "RT @a ",
        "Follow @a ",
        " on X ",
        "Skip Twitter post by @a ",
        "tweet ",
        '<a href="https://twitter.com/a/status/1">5 hours ago</a>',
        "<div class=tweet-text>",
        "alt=",
    ],
)
def test_analyze_text_is_linear(unit: str) -> None:
    ratio = growth_ratio(analyze_text, unit * (3_000 // len(unit)))
    assert ratio < 20, ratio


# --------------------------------------------------------------------------- corpus


def test_web_text_corpus(corpus: Path) -> None:
    """Every labelled embed in the extracted-text corpus is found; nothing unlabelled is
    promoted above x_mention; PREFILTER keeps every flagged row."""
    with gzip.open(corpus / "web_text.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    flagged, missed, promoted = [], [], []
    for row in rows:
        ev = analyze_text(row["text"])
        if ev:
            flagged.append(row["text"])
        got = strongest(ev)
        if row["gold_category"] == "x_embed" and got != "x_embed":
            missed.append(row["id"])
        if row["gold_category"] in ("none", "x_mention") and got in ("x_embed", "x_link"):
            promoted.append(row["id"])
        if row["gold_authors"]:
            assert embed_authors(ev) == set(row["gold_authors"]), row["id"]
    assert missed == [] and promoted == []
    assert all(prefilter_matches(flagged, PREFILTER))
    assert mentions_suffice([row["text"] for row in rows]) == []


def test_web_html_corpus_strong_prefilter(corpus: Path) -> None:
    """On real pages, a page STRONG_PREFILTER misses holds mentions at most."""
    with gzip.open(corpus / "web_html.jsonl.gz", "rt", encoding="utf-8") as f:
        pages = [json.loads(line)["html"] for line in f]
    assert mentions_suffice(pages) == []
