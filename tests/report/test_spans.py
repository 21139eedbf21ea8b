"""Marking the spans a record's evidence names: overlaps cut at every boundary, long text
shortened to the context around its marks, whole-field hits and struct paths."""

from __future__ import annotations

from xfilter.detect.evidence import Evidence
from xfilter.report.spans import CONTEXT, MAX_CHARS, findings, pieces


def _hit(
    rule: str, category: str, span: tuple[int, int] | None, field: str | None = "text"
) -> Evidence:
    return Evidence(rule=rule, category=category, span=span, field=field)


def test_overlapping_spans_are_cut_at_every_boundary() -> None:
    text = "before EMBED link END after"
    embed = _hit("embed.blockquote", "x_embed", (7, 21))
    link = _hit("link.status", "x_link", (13, 17))
    found = pieces(text, [embed, link])
    assert "".join(p.text for p in found) == text
    marked = [(p.text, p.category, p.rules) for p in found if p.rules]
    assert marked == [
        ("EMBED ", "x_embed", ("embed.blockquote",)),
        ("link", "x_embed", ("embed.blockquote", "link.status")),  # the strongest category
        (" END", "x_embed", ("embed.blockquote",)),
    ]


def test_a_long_text_keeps_the_context_of_its_marks() -> None:
    text = "a" * 5000 + "MARK" + "b" * 5000
    found = pieces(text, [_hit("link.tco", "x_link", (5000, 5004))])
    shown = "".join(p.text for p in found if not p.gap)
    assert shown == "a" * CONTEXT + "MARK" + "b" * CONTEXT
    gaps = [p.text for p in found if p.gap]
    assert gaps == [f"… {5000 - CONTEXT:,} characters …", f"… {5000 - CONTEXT:,} characters"]


def test_many_marks_are_shown_up_to_a_limit() -> None:
    text = "".join(f"{'x' * 1000}M{i:03d}" for i in range(50))
    hits = [_hit("link.pic", "x_link", (1004 * i + 1000, 1004 * i + 1004)) for i in range(50)]
    found = pieces(text, hits)
    assert sum(len(p.text) for p in found if not p.gap) <= MAX_CHARS
    assert any(p.rules for p in found) and found[-1].gap


def test_a_text_without_marks_is_shown_short() -> None:
    found = pieces("z" * 10_000, [])
    assert len(found[0].text) == 1500 and found[1].gap and "8,500 more" in found[1].text


def test_findings_place_every_hit() -> None:
    record = {
        "url": "https://x.com/jack/status/20",
        "text": "see pic.twitter.com/abc",
        "meta": {"body": "RT @someone: hello"},
        "tags": ["a", "b"],
        "empty": None,
    }
    evidence = [
        _hit("url.own_post", "x_post", None, "url"),
        _hit("link.pic", "x_link", (4, 23), "text"),
        _hit("embed.retweet", "x_embed", (0, 12), "meta.body"),
        _hit("json.export_row", "x_post", None, "<row>"),
    ]
    found = findings(record, evidence)
    views = {v.name: v for v in found.fields}
    assert list(views) == ["url", "text", "meta", "meta.body", "tags"]
    # A hit on a string field as a whole marks all of it.
    assert [(p.text, p.rules) for p in views["url"].pieces] == [
        ("https://x.com/jack/status/20", ("url.own_post",))
    ]
    assert [p.text for p in views["meta.body"].pieces if p.rules] == ["RT @someone:"]
    assert views["meta"].structured and views["tags"].structured
    assert [h.rule for h in found.elsewhere] == ["json.export_row"]
