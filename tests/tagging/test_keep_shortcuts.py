"""The shortcuts ``xf.keep`` takes report only evidence the full analysis reports too.

``urls.plain_links`` reads the stretch of text around an X host instead of the whole text, and
``text.cheap_evidence`` runs a few detectors before the rest. A record they decide is decided
as the full analysis would decide it only if every hit they report is one the full analysis
reports; these properties try to break that with the edges of the URL reader: delimiters that
de-obfuscation removes or adds, escapes, defanged forms, invisible and fullwidth characters,
URLs inside other URLs, and stretches near the length the reader looks back over.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from xfilter.detect import text, urls
from xfilter.detect.evidence import Evidence

URLS = [
    "https://twitter.com/jack/status/20",
    "http://www.x.com/a_b/status/1234567890123456789",
    "x.com/i/web/status/99",
    "twitter.com/intent/status/5",
    "t.co/AbC123",
    "https://t.co/",
    "pic.twitter.com/xyz",
    "pbs.twimg.com/media/Ab1.jpg?name=orig",
    "https://pbs.twimg.com/profile_images/1/a.jpg",
    "twitter.com/jack",
    "twitter.com/share?text=a",
    "mobile.twitter.com/a/status/7.json",
    "https://x.com/foo?u=https://twitter.com/a/status/1",
    "fxtwitter.com/a/status/3",
    "netflix.com/title/1",
    "microsoft.com/t.co/x",
    "platform.twitter.com/widgets.js",
]
PIECES = [
    " ", "\n", "\t", '"', "'", "<", ">", "(", ")", "[", "]", "{", "}", "|", "`", "/", ".",
    "?", "#", "@", "$", "-", "_", "=", "&", ";", ":", ",", "!", "%", "\\",
    "[.]", "(.)", "{.}", "[dot]", "(dot)", "[:]", "hxxps://", "hxxp", "%2F", "%2e", "%5f",
    "\\/", "\\u002e", "&#47;", "&#46;", "&#95;", "&amp;", "&quot;", "<a href=", "</a>",
    "\u200b", "\ufeff", "\uff54", "\uff0e", "\uff02", "\uff1c", "\u3000", "\u00a0", "\u2014",
    "status", "/status/", "123", "9" * 21, "abc", "Jack", "a" * 120, "x" * 299,
]  # fmt: skip
fragments = st.one_of(st.sampled_from(URLS), st.sampled_from(PIECES), st.text(max_size=6))
texts = st.lists(fragments, min_size=1, max_size=14).map("".join)


def _key(e: Evidence) -> tuple[object, ...]:
    return (e.rule, e.category, e.span, e.authors, e.posts)


def _strict_enough(evidence: list[Evidence]) -> bool:
    return any(e.category != "x_mention" for e in evidence)


@settings(max_examples=1500, deadline=None)
@given(texts)
@example('"https://x.com/foo?u=https://twitter.com/a/status/1"')
@example("(via x.com/jack/status/20).")
@example("twitter[.]com/jack/status/20")
@example("\u200bhttps://twitter.com/a/status/1")
@example("https://twitter.com/a/status/1%5fx y")
def test_plain_links_are_links_the_reader_finds(value: str) -> None:
    found = {_key(e) for e in urls.find_urls(value)}
    assert {_key(e) for e in urls.plain_links(value)} <= found


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            fragments,
            st.sampled_from(
                [
                    '<blockquote class="twitter-tweet">',
                    "</blockquote>",
                    "End of Twitter post by @jack",
                    "Skip Twitter post by @jack",
                ]
            ),
        ),
        min_size=1,
        max_size=14,
    ).map("".join)
)
def test_cheap_evidence_is_evidence_the_analysis_finds(value: str) -> None:
    found = {_key(e) for e in text.analyze_text(value)}
    assert {_key(e) for e in text.cheap_evidence(value, _strict_enough)} <= found


def test_plain_links_find_the_common_forms() -> None:
    """Not vacuous: the forms web text carries are found, and disguised ones left to the
    full analysis."""
    sample = (
        "As reported here: https://twitter.com/jack/status/20 and "
        "(via x.com/jack/status/21). Photo: https://pbs.twimg.com/media/Ab1.jpg?name=orig\n"
        "pic.twitter.com/xyz — and t.co/AbC; twitter[.]com/jack/status/22"
    )
    rules = [e.rule for e in urls.plain_links(sample)]
    assert rules == ["link.status", "link.status", "link.media", "link.pic", "link.tco"]
