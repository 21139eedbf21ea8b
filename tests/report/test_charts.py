"""The inline SVG charts: one bar per label, one segment per non-zero series, labels escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from xfilter.report.charts import ACTION_SERIES, Bar, bar_chart, palette_series

SVG = "{http://www.w3.org/2000/svg}"


def _svg(figure: str) -> ET.Element:
    found = re.search(r"<svg .*</svg>", figure, re.S)
    assert found, figure
    return ET.fromstring(found.group(0))


def test_each_bar_has_a_segment_per_non_zero_series() -> None:
    figure = bar_chart(
        "t",
        "Title",
        [Bar("train", {"kept": 90, "quarantined": 10}), Bar("test", {"kept": 5, "dropped": 5})],
        ACTION_SERIES,
    )
    svg = _svg(figure)
    bars = svg.findall(f".//{SVG}rect[@class='bar']")
    assert [b.get("data-series") for b in bars] == ["kept", "quarantined", "kept", "dropped"]
    widths = [float(b.get("width", 0)) for b in bars]
    # The longest bar is the largest total: train's two segments add up to the full width.
    assert abs(widths[0] + widths[1] - 460) < 0.5 and abs(widths[2] + widths[3] - 46) < 0.5
    assert [t.text for t in svg.findall(f".//{SVG}text[@class='value']")] == ["100", "10"]


def test_a_tiny_share_stays_visible() -> None:
    svg = _svg(bar_chart("t", "T", [Bar("a", {"kept": 1_000_000, "dropped": 1})], ACTION_SERIES))
    dropped = svg.find(f".//{SVG}rect[@data-series='dropped']")
    assert dropped is not None and float(dropped.get("width", 0)) >= 1


def test_labels_and_titles_are_escaped_and_long_labels_cut() -> None:
    label = "<script>alert(1)</script>" + "x" * 50
    figure = bar_chart("t", 'a "title" <b>', [Bar(label, {"kept": 3})], ACTION_SERIES)
    assert "<script>" not in figure and "<b>" not in figure
    svg = _svg(figure)
    shown = svg.find(f".//{SVG}text[@class='label']")
    assert shown is not None and shown.text is not None and shown.text.endswith("…")
    tooltip = svg.find(f".//{SVG}title")
    assert tooltip is not None and tooltip.text is not None and label in tooltip.text


def test_percentages_and_an_empty_chart() -> None:
    figure = bar_chart("r", "Rates", [Bar("train", {"dropped": 12.5})], ACTION_SERIES, percent=True)
    assert "12.50 %" in figure
    empty = bar_chart("e", "Nothing", [Bar("train", {})], ACTION_SERIES)
    assert "<svg" not in empty and "nothing to draw" in empty


def test_palette_series_are_distinct() -> None:
    series = palette_series(["opted_out", "post_deleted", "unknown_author"])
    assert [s.key for s in series] == ["opted_out", "post_deleted", "unknown_author"]
    assert len({s.color for s in series}) == 3
