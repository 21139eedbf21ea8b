"""``write_report`` on real outputs: where the page goes, what it says, and that record text
stays text."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.helpers import run_cli
from tests.report.conftest import HOSTILE, MODES, run
from xfilter.cli import build_parser
from xfilter.errors import OutputError
from xfilter.output.verify import verify
from xfilter.report import default_path, write_report
from xfilter.report.build import gather
from xfilter.report.samples import Limits


def _text(page: str) -> str:
    """The page's visible text, roughly: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.mark.parametrize("mode", MODES)
def test_a_demo_output_gets_a_page_beside_it(outputs: dict[str, Path], mode: str) -> None:
    out = outputs[mode]
    written = write_report(out)
    assert written == out.parent / f"{out.name}-report.html" == default_path(out)
    page = written.read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text())
    text = _text(page)
    assert f"Mode {mode}" in text
    for terms in manifest["terms"]:
        assert terms["id"] in text and terms["effective"] in text
    assert 'class="status ok">verified<' in page
    assert manifest["manifest_sha256"] in text and manifest["ledger"]["sha256"] in text
    for entry in manifest["outputs"]["files"]:
        assert f"{entry['sha256']}  {entry['path']}" in text
    assert f"xfilter verify {out}" in text
    for split in manifest["splits"]:
        assert manifest["input"]["content_sha256"][split] in text
    # One chart per view, each with bars; the rejected records have their spans marked.
    for chart in ("by-split", "rates", "by-category", "by-rule", "by-reason"):
        assert re.search(rf'<svg class="chart" data-chart="{chart}".*?<rect class="bar"', page)
    assert "<mark class=" in page and "<script" not in page
    verify(out, quick=True)  # the page is not inside the output: it still verifies


def test_the_numbers_on_the_page_are_the_manifests(outputs: dict[str, Path]) -> None:
    out = outputs["collaborator"]
    report = gather(out, verify_mode="none")
    manifest = report.manifest
    ledger = pq.read_table(out / "ledger.parquet").to_pylist()
    for bar in report.tallies.by_split:
        counts = manifest["splits"][bar.label]
        assert bar.total == counts["input"]
        assert bar.values["dropped"] == counts["dropped"]
    by_reason = {bar.label: bar.total for bar in report.tallies.by_reason}
    assert by_reason == {r: sum(1 for e in ledger if e["reason"] == r) for r in by_reason}
    assert sum(by_reason.values()) == len(ledger)
    for bar in report.tallies.by_category:
        found = sum(s["by_category"].get(bar.label, 0) for s in manifest["splits"].values())
        assert bar.total == found
    assert report.status.passed is None and report.ledger_rows == len(ledger)


def test_samples_are_few_per_category_rule_and_action(outputs: dict[str, Path]) -> None:
    out = outputs["strict"]
    limits = Limits(per_rule=2, per_category=3)
    shown = gather(out, verify_mode="none", limits=limits).shown
    groups: dict[tuple[str, str, str], int] = {}
    for item in shown:
        key = (item.sample.category, item.sample.rule, item.sample.action)
        groups[key] = groups.get(key, 0) + 1
    assert groups and max(groups.values()) <= 2
    per_category: dict[tuple[str, str], int] = {}
    for (category, _, action), n in groups.items():
        per_category[(category, action)] = per_category.get((category, action), 0) + n
    assert max(per_category.values()) <= 3
    # Each quarantined record shown is the stored one: it hashes to its ledger row.
    quarantined = [i.sample for i in shown if i.sample.action == "quarantine"]
    assert quarantined and all(s.hash_matches for s in quarantined)
    assert all(i.stored is not None for i in shown if i.sample.action == "quarantine")


def test_dropped_records_show_their_ledger_row_and_say_the_text_is_gone(
    outputs: dict[str, Path],
) -> None:
    out = outputs["collaborator"]  # action: drop; authors opted out or unknown
    report = gather(out, verify_mode="none")
    dropped = [i for i in report.shown if i.sample.action == "drop"]
    assert dropped and all(i.stored is None and i.sample.record is None for i in dropped)
    assert any(i.sample.authors for i in dropped)  # from the X index
    page = write_report(out, out.parent / "dropped.html", verify="none").read_text()
    assert "Dropped: the record's text was not kept" in _text(page)


def test_redacted_records_show_after_and_before_from_the_input(redacted: Path) -> None:
    page = write_report(redacted, verify="none", input="demo").read_text(encoding="utf-8")
    report = gather(redacted, verify_mode="none", input="demo")
    cut = [i for i in report.shown if i.sample.action == "redact"]
    assert cut and all(i.stored is not None and i.sample.hash_matches for i in cut)
    assert all(i.before is not None for i in cut)
    # Before the cut, the embedded post is marked; the identity columns are on the page.
    assert any(p.category == "x_embed" for i in cut for v in i.before.fields for p in v.pieces)
    assert "id.url" in page and "before the cut (re-read from the input" in page
    sample = cut[0].sample
    assert sample.identity["id"] is not None and sample.identity["id"] in _text(page)


def test_without_the_input_a_redacted_record_says_what_is_missing(redacted: Path) -> None:
    report = gather(redacted, verify_mode="none")
    cut = [i for i in report.shown if i.sample.action == "redact"]
    assert cut and all(i.before is None for i in cut)
    page = write_report(redacted, redacted.parent / "no-input.html", verify="none").read_text()
    assert "Not kept by the output: the clean set holds the record after the cut" in page


def test_a_changed_input_is_not_shown_as_the_record_before(redacted: Path, tmp_path: Path) -> None:
    """A before is shown only when cutting it again gives the stored record."""
    from xfilter import demo_files

    changed = tmp_path / "changed"
    changed.mkdir()
    for split, path in demo_files().items():
        rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
        for row in rows:
            for key in ("text", "html"):
                if row.get(key):
                    row[key] += "\nedited since the run"
        (changed / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = gather(redacted, verify_mode="none", input=str(changed))
    cut = [i for i in report.shown if i.sample.action == "redact"]
    assert cut and all(i.before is None for i in cut)
    assert all("does not give this record when cut again" in i.sample.before_note for i in cut)


def test_a_refresh_shows_what_each_version_removed(
    outputs: dict[str, Path], refreshed: Path
) -> None:
    v1 = outputs["collaborator"]
    page = write_report(refreshed, chain=[v1]).read_text(encoding="utf-8")
    report = gather(refreshed, chain=[v1])
    assert [v.linked for v in report.versions] == [None, True]
    assert report.versions[0].removed_by_reason == {"post_deleted": 1}
    assert report.status.passed  # verified with its chain
    assert '<svg class="chart" data-chart="versions"' in page
    assert "v2 (refresh)" in page and "v1 (run)" in page
    assert f"xfilter verify {refreshed} --chain {v1}" in _text(page)
    assert f"--deleted posts:{refreshed.parent / 'tweets_compliance_1.json'}" in _text(page)
    alone = write_report(refreshed, refreshed.parent / "alone.html").read_text()
    assert "give the earlier output directories" in alone


def test_record_text_stays_text(hostile: Path) -> None:
    page = write_report(hostile).read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert html.escape(HOSTILE.split(" see ")[0]) in page
    assert "&quot;&gt;&lt;script&gt;window.__pwned = 3&lt;/script&gt;" in page  # identity
    assert "a&lt;b&gt;" in page  # a column name
    # The Content-Security-Policy forbids scripts and loads outright.
    assert "script-src &#x27;none&#x27;" in page and "default-src &#x27;none&#x27;" in page


def test_a_page_inside_the_output_is_refused(outputs: dict[str, Path]) -> None:
    out = outputs["strict"]
    with pytest.raises(OutputError, match="inside the output"):
        write_report(out, out / "report.html")
    assert not (out / "report.html").exists()
    with pytest.raises(OutputError, match="is a directory"):
        write_report(out, out.parent)


def test_an_output_that_does_not_verify_says_so_at_the_top(
    outputs: dict[str, Path], tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(outputs["strict"], copy)
    (copy / "README.md").write_text("edited\n")
    page = write_report(copy).read_text(encoding="utf-8")
    assert 'class="status failed">does not verify<' in page
    assert "README.md" in page[: page.index('id="charts"')]


def test_the_command_line(outputs: dict[str, Path], tmp_path: Path) -> None:
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    if "report" not in commands:
        pytest.skip("the report command is not wired into the CLI yet")
    target = tmp_path / "strict.html"
    done = run_cli("report", str(outputs["strict"]), "--output", str(target), check=True)
    assert str(target) in done.stdout and target.is_file()
    inside = run_cli(
        "report", str(outputs["strict"]), "--output", str(outputs["strict"] / "r.html")
    )
    assert inside.returncode == 2 and "inside the output" in inside.stderr


def test_an_output_that_removed_nothing(tmp_path: Path) -> None:
    source = tmp_path / "input"
    source.mkdir()
    (source / "train.jsonl").write_text('{"text": "no X here"}\n{"text": "nor here"}\n')
    out = run(
        {
            "mode": "strict",
            "input": {"source": str(source)},
            "output": {"dir": str(tmp_path / "out")},
        }
    )
    page = write_report(out).read_text(encoding="utf-8")
    assert "The ledger is empty: every record was kept as it was." in page
    assert 'data-chart="by-split"' in page and '<rect class="bar"' in page
    assert "nothing to draw" in page  # no reason to chart


def test_an_input_that_cannot_be_read_is_said_on_the_page(redacted: Path, tmp_path: Path) -> None:
    report = gather(redacted, verify_mode="none", input=str(tmp_path / "gone"))
    cut = [i for i in report.shown if i.sample.action == "redact"]
    assert cut and all("could not be read again" in i.sample.before_note for i in cut)
    assert all(str(tmp_path / "gone") in i.sample.before_note for i in cut)
