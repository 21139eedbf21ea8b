"""The report in a real headless Chromium: it loads with no error and no request, its charts
and marks are in the DOM once loaded, and hostile record text runs nothing. Each page's
screenshot is written to the artifacts folder (``$XFILTER_TEST_ARTIFACTS/report`` when set).
Skipped only where no Chromium is installed; CI installs Debian's ``chromium``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.chromium import Page, chromium_path, open_page
from tests.report.conftest import MODES
from xfilter.report import write_report

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None, reason="Chromium is not installed"),
]

CHARTS = ("by-split", "rates", "by-category", "by-rule", "by-reason")


def _count(page: Page, selector: str) -> int:
    count: int = page.evaluate(f"document.querySelectorAll({selector!r}).length")
    return count


def _check_loaded(page: Page, html: Path) -> None:
    """Nothing but the file itself was requested, and nothing complained."""
    assert page.requests == [html.resolve().as_uri()]
    assert page.errors == []
    assert _count(page, "script") == 0 and page.evaluate("typeof window.__pwned") == "undefined"


@pytest.mark.parametrize("mode", MODES)
def test_a_demo_report_renders(outputs: dict[str, Path], artifacts: Path, mode: str) -> None:
    html = write_report(outputs[mode], artifacts / f"{mode}.html")
    with open_page(html) as page:
        _check_loaded(page, html)
        for chart in CHARTS:
            bars = _count(page, f'svg.chart[data-chart="{chart}"] rect.bar')
            assert bars > 0, f"{chart}: no bars drawn"
            # Drawn: the browser laid the bars out with a width.
            width = page.evaluate(
                f"document.querySelector('svg.chart[data-chart=\"{chart}\"] rect.bar')"
                ".getBBox().width"
            )
            assert width >= 1
        assert _count(page, "pre.text mark") > 0
        assert page.evaluate("document.querySelector('#verify-status .status').textContent") == (
            "verified"
        )
        shot = page.screenshot(artifacts / f"{mode}.png")
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_a_refreshed_report_renders_its_versions(
    outputs: dict[str, Path], refreshed: Path, artifacts: Path
) -> None:
    html = write_report(refreshed, artifacts / "refreshed.html", chain=[outputs["collaborator"]])
    with open_page(html) as page:
        _check_loaded(page, html)
        assert _count(page, 'svg.chart[data-chart="versions"] rect.bar') >= 2
        assert _count(page, "pre.text mark") > 0
        shot = page.screenshot(artifacts / "refreshed.png")
    print(f"screenshot: {shot}")


def test_a_redacting_report_shows_before_and_after(redacted: Path, artifacts: Path) -> None:
    html = write_report(redacted, artifacts / "redacted.html", input="demo")
    with open_page(html) as page:
        _check_loaded(page, html)
        assert _count(page, "article.record.redact .cols") > 0
        assert _count(page, "article.record.redact pre.text mark.x_embed") > 0
        page.screenshot(artifacts / "redacted.png")


def test_hostile_record_text_runs_and_loads_nothing(hostile: Path, artifacts: Path) -> None:
    html = write_report(hostile, artifacts / "hostile.html")
    with open_page(html) as page:
        _check_loaded(page, html)
        assert _count(page, "img") == 0 and _count(page, "article b") == 0
        text = page.evaluate("document.body.innerText")
        assert "<script>window.__pwned = 1</script>" in text
        assert '"><script>window.__pwned = 3</script>0' in text
        assert _count(page, "pre.text mark.x_link") > 0  # the status link, marked
        page.screenshot(artifacts / "hostile.png")
