"""Charts as inline SVG, drawn here in Python: the page needs no script, no library and no
network to show them, and a strict Content-Security-Policy can forbid all three.

One kind of chart serves every view of the report: horizontal bars, one per label, each cut
into segments by series (kept, quarantined, dropped; or one segment per reason). Colours are
SVG presentation attributes, not ``style``: the page's policy allows only its own style sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

ROW_HEIGHT = 22
BAR_HEIGHT = 15
BAR_WIDTH = 460  # the longest bar, in pixels
LABEL_CHARS = 34  # a longer label is cut, and shown whole in its tooltip
CHAR_WIDTH = 7.2  # of the 12 px sans-serif labels, generously
VALUE_WIDTH = 120
LEGEND_HEIGHT = 24


@dataclass(frozen=True)
class Series:
    """One segment kind of a bar: its key in the rows' mappings, its label and its colour."""

    key: str
    label: str
    color: str


@dataclass(frozen=True)
class Bar:
    """One labelled bar: its value per series key."""

    label: str
    values: Mapping[str, float]

    @property
    def total(self) -> float:
        return sum(self.values.values())


# What happened to records, least removing first, as every action chart colours it.
ACTION_SERIES = (
    Series("kept", "kept", "#9fb3c8"),
    Series("redacted", "redacted", "#e3b341"),
    Series("quarantined", "quarantined", "#dd7a2b"),
    Series("dropped", "dropped", "#b42c2c"),
)
_PALETTE = (
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#e45756",
    "#72b7b2",
    "#b279a2",
    "#eeca3b",
    "#9d755d",
    "#ff9da6",
    "#bab0ac",
)


def palette_series(keys: Sequence[str]) -> tuple[Series, ...]:
    """A series per key, coloured in turn (reasons, versions)."""
    return tuple(Series(k, k, _PALETTE[i % len(_PALETTE)]) for i, k in enumerate(keys))


def bar_chart(
    name: str,
    title: str,
    bars: Sequence[Bar],
    series: Sequence[Series],
    *,
    percent: bool = False,
    note: str = "",
) -> str:
    """A figure holding one SVG chart of ``bars``, the longest bar the largest total;
    ``percent`` labels the values as percentages. No bar with a value: an empty-state line."""
    caption = f"<figcaption>{escape(title)}"
    if note:
        caption += f' <span class="note">{escape(note)}</span>'
    caption += "</figcaption>"
    shown = [b for b in bars if b.total > 0]
    if not shown:
        return (
            f'<figure class="chart-box" data-chart="{escape(name)}">{caption}'
            '<p class="empty">nothing to draw: no records of this kind</p></figure>'
        )
    label_width = min(LABEL_CHARS, max(len(b.label) for b in shown)) * CHAR_WIDTH + 12
    scale = max(b.total for b in shown)
    width = int(label_width + BAR_WIDTH + VALUE_WIDTH)
    height = LEGEND_HEIGHT + ROW_HEIGHT * len(shown) + 6
    parts = [
        f'<svg class="chart" data-chart="{escape(name)}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        _legend(series, label_width),
    ]
    for row, bar in enumerate(shown):
        parts.append(_bar(bar, series, row, label_width, scale, percent))
    parts.append("</svg>")
    return (
        f'<figure class="chart-box" data-chart="{escape(name)}">{caption}{"".join(parts)}</figure>'
    )


def _legend(series: Sequence[Series], left: float) -> str:
    items, x = [], left
    for s in series:
        items.append(
            f'<rect class="swatch" x="{x:.0f}" y="5" width="11" height="11" fill="{s.color}"/>'
            f'<text x="{x + 15:.0f}" y="15" class="legend">{escape(s.label)}</text>'
        )
        x += 15 + len(s.label) * CHAR_WIDTH + 14
    return "".join(items)


def _bar(
    bar: Bar, series: Sequence[Series], row: int, left: float, scale: float, percent: bool
) -> str:
    y = LEGEND_HEIGHT + row * ROW_HEIGHT
    label = bar.label if len(bar.label) <= LABEL_CHARS else bar.label[: LABEL_CHARS - 1] + "…"
    out = [
        f'<g class="row"><title>{escape(bar.label)}: {escape(_describe(bar, series, percent))}'
        "</title>",
        f'<text class="label" x="{left - 8:.0f}" y="{y + BAR_HEIGHT - 3}" text-anchor="end">'
        f"{escape(label)}</text>",
    ]
    x = left
    for s in series:
        value = bar.values.get(s.key, 0)
        if value <= 0:
            continue
        # A sliver stays visible: every non-zero segment is at least one pixel wide.
        width = max(1.0, value / scale * BAR_WIDTH)
        out.append(
            f'<rect class="bar" data-series="{escape(s.key)}" x="{x:.1f}" y="{y}" '
            f'width="{width:.1f}" height="{BAR_HEIGHT}" fill="{s.color}"/>'
        )
        x += width
    total = f"{bar.total:.2f} %" if percent else f"{int(bar.total):,}"
    out.append(f'<text class="value" x="{x + 6:.1f}" y="{y + BAR_HEIGHT - 3}">{total}</text>')
    out.append("</g>")
    return "".join(out)


def _describe(bar: Bar, series: Sequence[Series], percent: bool) -> str:
    parts = []
    for s in series:
        value = bar.values.get(s.key, 0)
        if value > 0:
            parts.append(f"{s.label} {value:.2f} %" if percent else f"{s.label} {int(value):,}")
    return ", ".join(parts)


__all__ = ["ACTION_SERIES", "Bar", "Series", "bar_chart", "palette_series"]
