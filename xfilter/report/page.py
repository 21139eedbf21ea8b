"""The report as one HTML page: no script, no external file, no network.

Every value that comes from the output (record text, field names, authors, identity columns,
even the manifest's strings) is escaped where it is written into the page, so a record holding
``<script>`` shows that text. As a second wall, the page's Content-Security-Policy forbids
scripts, connections, images and fonts, and allows only its own style sheet (by hash).
"""

from __future__ import annotations

import base64
import hashlib
import shlex
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

import yaml

from xfilter import __version__
from xfilter.output.layout import INDEX, LEDGER, MANIFEST
from xfilter.output.manifest import SELF_HASH, now
from xfilter.report.build import Report, Shown, Version
from xfilter.report.charts import ACTION_SERIES, Bar, bar_chart, palette_series
from xfilter.report.samples import NONE
from xfilter.report.spans import FieldView, Findings
from xfilter.vocab import CATEGORIES, CATEGORY_MEANING, COUNTS

MAX_LISTED_FILES = 100  # data files listed with their sha256; the manifest lists them all
_ACTION_WORD = {"quarantine": "quarantined", "drop": "dropped", "redact": "redacted"}

STYLE = """
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff;
--x_dataset:#f3c4fb;--x_post:#ffb3b3;--x_embed:#ffd8a8;--x_link:#b2f2bb;--x_mention:#d0ebff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--ink);background:var(--bg)}
main{max-width:1220px;margin:0 auto;padding:20px 24px 60px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:34px 0 10px;
border-bottom:2px solid var(--line);padding-bottom:4px}h3{font-size:16px;margin:22px 0 8px}
h4{font-size:14px;margin:16px 0 6px;color:var(--muted)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.private{background:#fff3bf;border:1px solid #f0c36d;padding:8px 12px;border-radius:6px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:14px}
@media (max-width:800px){.grid{grid-template-columns:1fr}}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card h3{margin-top:0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px;
border-bottom:1px solid var(--line);vertical-align:top}th{color:var(--muted);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.status{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:700;color:#fff}
.status.ok{background:#2f9e44}.status.failed{background:#c92a2a}.status.unchecked{background:#868e96}
.badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600}
.badge.quarantine{background:#ffe8cc;color:#a04a00}.badge.drop{background:#ffe3e3;color:#a61e1e}
.badge.redact{background:#fff3bf;color:#7a5b00}
.charts{display:grid;grid-template-columns:1fr;gap:16px}
figure.chart-box{margin:0;background:var(--card);border:1px solid var(--line);
border-radius:8px;padding:10px 12px;overflow-x:auto}
figcaption{font-weight:600;margin-bottom:6px}.note{font-weight:400;color:var(--muted)}
svg.chart text{font:12px system-ui,sans-serif;fill:#1f2933}
svg.chart text.value{fill:#52606d}
.empty{color:var(--muted);font-style:italic}
article.record{background:var(--card);border:1px solid var(--line);border-left:5px solid #adb5bd;
border-radius:6px;padding:10px 12px;margin:10px 0}
article.record.quarantine{border-left-color:#dd7a2b}article.record.drop{border-left-color:#b42c2c}
article.record.redact{border-left-color:#e3b341}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}
.facts dt{color:var(--muted)}.facts dd{margin:0;word-break:break-all}
.field{margin:8px 0}.fname{font-weight:600;font-size:12px;color:var(--muted)}
pre.text{white-space:pre-wrap;word-break:break-word;background:#f8f9fa;border:1px solid var(--line);
border-radius:4px;padding:6px 8px;margin:2px 0;max-height:420px;overflow:auto}
mark{border-radius:2px;padding:0 1px;color:inherit;outline:1px solid rgba(0,0,0,.15)}
mark.x_dataset{background:var(--x_dataset)}mark.x_post{background:var(--x_post)}
mark.x_embed{background:var(--x_embed)}mark.x_link{background:var(--x_link)}
mark.x_mention{background:var(--x_mention)}
.gap{color:var(--muted);font-style:italic}
.chip{display:inline-block;border:1px solid var(--line);border-radius:10px;padding:0 7px;
margin:2px 4px 2px 0;font-size:12px;background:#f1f3f5}
.warn{color:#a61e1e}.muted{color:var(--muted)}
.legend-marks mark{margin-right:6px}
nav.toc a{margin-right:12px}
details summary{cursor:pointer;color:var(--muted)}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:10px}
@media (max-width:900px){.cols{grid-template-columns:1fr}}
"""


def render(report: Report) -> str:
    """The whole page."""
    manifest = report.manifest
    title = f"xfilter report: {report.root.name or report.root}"
    style_hash = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    policy = (
        "default-src 'none'; script-src 'none'; connect-src 'none'; img-src 'none'; "
        f"font-src 'none'; style-src 'sha256-{style_hash}'; base-uri 'none'; form-action 'none'"
    )
    body = [
        _header(report, title),
        _overview(report),
        _charts(report),
        _versions(report) if _has_versions(report) else "",
        _samples(report),
        _reproduce(report),
        f'<footer class="muted"><p>Made by xfilter {escape(__version__)} on {escape(now())} '
        f"from {escape(str(report.root))} (manifest {escape(manifest[SELF_HASH][:16])}…). "
        "Charts are inline SVG drawn by xfilter itself; the page runs no script and loads "
        "nothing.</p></footer>",
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


# -- the top: what this output is and whether it holds ------------------------------------


def _header(report: Report, title: str) -> str:
    toc = [("overview", "Policy and status"), ("charts", "Charts")]
    if _has_versions(report):
        toc.append(("versions", "Versions"))
    toc += [("samples", "Records not kept"), ("reproduce", "Reproduce and verify")]
    links = "".join(f'<a href="#{key}">{escape(label)}</a>' for key, label in toc)
    return (
        f"<header><h1>{escape(title)}</h1>"
        f'<p class="muted">{escape(str(report.root))}</p>'
        '<p class="private"><strong>Private.</strong> This page shows record text, authors and '
        "identity columns taken from the quarantine set, the ledger and the private X index. "
        "Keep it with the output's private files; do not publish it.</p>"
        f'<nav class="toc">{links}</nav></header>'
    )


def _overview(report: Report) -> str:
    manifest = report.manifest
    return (
        '<section id="overview"><h2>Policy and status</h2><div class="grid">'
        f"{_status_card(report)}{_policy_card(report)}{_terms_card(manifest)}"
        f"{_run_card(report)}</div>{_counts_table(manifest)}{_released(manifest)}"
        f"{_notes(report.notes)}</section>"
    )


def _released(manifest: Mapping[str, Any]) -> str:
    """The reviewer's allowlist: its facts, and each entry with what it released."""
    section = manifest.get("allowlist")
    if not isinstance(section, Mapping):
        return ""
    released = sum(section["released"].values())
    warn = ' class="warn"' if section.get("against_terms") else ""
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td><code>{escape(str(k))}</code> {escape(str(v))}</td>"
            for k, v in entry.items()
            if k == "record_sha256" or str(k).startswith("id.")
        )
        + f"<td>{escape(str(entry.get('reason')))}</td><td>{escape(str(entry.get('by')))}</td>"
        f"<td>{escape(str(entry.get('date', '')))}</td></tr>"
        for entry in section.get("list", [])
    )
    return (
        '<div class="card" id="released"><h3>Released by review</h3>'
        f"<p>{released:,} record(s) the policy rejects were kept by the reviewers' allowlist "
        f"({section['entries']:,} entries by {escape(', '.join(section['by']))}; "
        f"{section['unmatched']:,} named no rejected record; sha256 "
        f"<code>{escape(str(section['sha256'])[:16])}…</code>).</p>"
        f"<p{warn}>{escape(str(section['terms']))}.</p>"
        "<table><tr><th>record</th><th>reason</th><th>by</th><th>date</th></tr>"
        f"{rows}</table></div>"
    )


def _policy_card(report: Report) -> str:
    manifest = report.manifest
    config = manifest["config"]
    rows = "".join(
        f"<tr><td>{escape(c)}</td><td>{escape(str(manifest['policy'].get(c, '')))}</td>"
        f'<td class="muted">{escape(CATEGORY_MEANING.get(c, ""))}</td></tr>'
        for c in CATEGORIES
    )
    custom = (
        '<p class="warn">A custom policy: it keeps '
        f"{escape(', '.join(report.policy['kept_against_terms']))} against its mode's terms.</p>"
        if report.policy["custom"]
        else ""
    )
    opt_out = manifest.get("opt_out")
    listed = (
        f"{opt_out['entries']:,} entries{', keyed (HMAC)' if opt_out.get('keyed') else ''}, "
        f"sha256 <code>{escape(str(opt_out['sha256'])[:16])}…</code>"
        if isinstance(opt_out, Mapping)
        else "none"
    )
    return (
        '<div class="card"><h3>Policy</h3>'
        f"<p><strong>{escape(report.policy['name'])}</strong>: {escape(report.policy_label)}</p>"
        f"{custom}<p>Mode <code>{escape(str(manifest['mode']))}</code>; a rejected record is "
        f"<strong>{escape(_ACTION_WORD.get(str(manifest['action']), str(manifest['action'])))}"
        "</strong>; a record whose author is unknown is "
        f"<code>{escape(str(config.get('opt_out', {}).get('unknown_author')))}</code>.</p>"
        f"<table><tr><th>category</th><th>rule</th><th>meaning</th></tr>{rows}</table>"
        f"<p>Opt-out list: {listed}</p></div>"
    )


def _terms_card(manifest: Mapping[str, Any]) -> str:
    items = []
    for terms in manifest.get("terms", []):
        url = str(terms.get("url", ""))
        link = (
            f' <a href="{escape(url)}" rel="noopener noreferrer">{escape(url)}</a>'
            if url.startswith("https://")
            else ""
        )
        items.append(
            f"<li><strong>{escape(str(terms.get('title')))}</strong>, effective "
            f"{escape(str(terms.get('effective')))} (<code>{escape(str(terms.get('id')))}</code>)"
            f": {escape(str(terms.get('clause')))}.{link}</li>"
        )
    listed = f"<ul>{''.join(items)}</ul>" if items else '<p class="muted">none recorded</p>'
    return f'<div class="card"><h3>Dated terms</h3>{listed}</div>'


def _status_card(report: Report) -> str:
    status = report.status
    what = {"quick": "quick (no re-scan of the clean set)", "full": "full", "none": ""}[status.mode]
    if status.passed is None:
        badge = '<span class="status unchecked">not verified</span>'
        detail = "<p>The report was made without running <code>xfilter verify</code>.</p>"
    elif status.passed:
        badge = '<span class="status ok">verified</span>'
        checked = "".join(f"<li>{escape(line)}</li>" for line in status.checked)
        detail = (
            f"<p>xfilter verify, {escape(what)}, when this page was made.</p>"
            f"<details><summary>{len(status.checked)} checks</summary><ul>{checked}</ul></details>"
        )
    else:
        badge = '<span class="status failed">does not verify</span>'
        detail = (
            f'<p>xfilter verify, {escape(what)}:</p><p class="warn mono">'
            f"{escape(status.problem or '')}</p><p>The counts and records below are what the "
            "directory holds now; they may not be what the run wrote.</p>"
        )
    return f'<div class="card" id="verify-status"><h3>Verify</h3><p>{badge}</p>{detail}</div>'


def _run_card(report: Report) -> str:
    manifest = report.manifest
    source = manifest.get("input", {})
    engine = manifest.get("engine", {})
    rows = [
        ("tool", f"{manifest['tool']['name']} {manifest['tool']['version']}"),
        ("created", str(manifest.get("created"))),
        ("engine", str(engine.get("name"))),
        ("input", f"{source.get('source')} ({source.get('kind')})"),
        ("revision", str(source.get("revision") or "—")),
        ("rule set", f"{manifest['ruleset']['version']}, {manifest['ruleset']['sha256'][:16]}…"),
        ("manifest", f"{manifest[SELF_HASH][:16]}…"),
    ]
    if manifest.get("previous"):
        rows.append(("refresh of", f"{manifest['previous'][SELF_HASH][:16]}…"))
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<div class="card"><h3>Run</h3><table>{body}</table></div>'


def _counts_table(manifest: Mapping[str, Any]) -> str:
    head = "".join(f'<th class="n">{escape(k)}</th>' for k in COUNTS)
    rows = []
    for name, counts in manifest["splits"].items():
        removed = counts["dropped"] + counts["quarantined"]
        share = 100.0 * removed / counts["input"] if counts["input"] else 0.0
        cells = "".join(f'<td class="n">{counts[k]:,}</td>' for k in COUNTS)
        rows.append(f'<tr><td>{escape(name)}</td>{cells}<td class="n">{share:.2f} %</td></tr>')
    return (
        f'<h3>Records per split</h3><table><tr><th>split</th>{head}<th class="n">removed</th>'
        f"</tr>{''.join(rows)}</table>"
    )


def _notes(notes: Sequence[str]) -> str:
    if not notes:
        return ""
    return "".join(f'<p class="warn">Note: {escape(n)}</p>' for n in notes)


# -- the charts ---------------------------------------------------------------------------


def _charts(report: Report) -> str:
    tallies = report.tallies
    charts = [
        bar_chart("by-split", "Records by action and split", tallies.by_split, ACTION_SERIES),
        bar_chart(
            "rates",
            "Share of each split redacted, quarantined and dropped",
            tallies.rates,
            ACTION_SERIES[1:],
            percent=True,
        ),
        bar_chart(
            "by-category",
            "Records by category (every category a record has)",
            tallies.by_category,
            ACTION_SERIES,
        ),
        bar_chart(
            "by-rule",
            "Records by rule",
            tallies.by_rule,
            ACTION_SERIES,
            note="kept: found by the rule and kept by the policy",
        ),
        bar_chart(
            "by-reason",
            "Records not kept, by reason",
            tallies.by_reason,
            ACTION_SERIES[1:],
            note="category: the category's rule removes whoever the author; opted_out, "
            "unknown_author: the author check; post_deleted, account_…: a refresh",
        ),
    ]
    return (
        f'<section id="charts"><h2>Charts</h2><div class="charts">{"".join(charts)}</div></section>'
    )


# -- the versions of a refreshed output ----------------------------------------------------


def _has_versions(report: Report) -> bool:
    return len(report.versions) > 1 or bool(report.manifest.get("previous"))


def _versions(report: Report) -> str:
    versions = report.versions
    reasons = sorted({r for v in versions for r in v.removed_by_reason})
    bars = [
        Bar(_version_label(v, i), v.removed_by_reason) for i, v in enumerate(reversed(versions))
    ]
    chart = bar_chart(
        "versions",
        "What each version removed, by reason",
        bars,
        palette_series(reasons),
        note="a run: the records it did not keep; a refresh: the records it removed",
    )
    rows = []
    for i, version in enumerate(reversed(versions)):
        manifest = version.manifest
        changes = manifest.get("changes") or {}
        kept = sum(s["kept"] for s in manifest["splits"].values())
        rows.append(
            f"<tr><td>{escape(_version_label(version, i))}</td>"
            f"<td>{escape(str(manifest.get('engine', {}).get('name')))}</td>"
            f"<td>{escape(str(manifest.get('created')))}</td>"
            f"<td class='mono'>{escape(manifest[SELF_HASH][:16])}…</td>"
            f'<td class="n">{kept:,}</td>'
            f'<td class="n">{sum(version.removed_by_reason.values()):,}</td>'
            f'<td class="n">{changes.get("removed_from_clean", "—")}</td>'
            f"<td>{escape(_reasons(version.removed_by_reason))}</td>"
            f"<td>{escape(str(version.path))}</td></tr>"
        )
    previous = report.manifest.get("previous") or {}
    missing = (
        f'<p class="muted">This output is a refresh of the version with manifest '
        f"<code>{escape(str(previous.get(SELF_HASH, ''))[:16])}…</code> "
        f"(created {escape(str(previous.get('created')))}); give the earlier output "
        "directories (newest first) to the report to show what each of them removed.</p>"
        if len(versions) == 1
        else ""
    )
    checks = _links_note(versions)
    return (
        '<section id="versions"><h2>Versions</h2>'
        f"{missing}{chart}<table><tr><th>version</th><th>engine</th><th>created</th>"
        '<th>manifest</th><th class="n">kept</th><th class="n">removed</th>'
        '<th class="n">from clean</th><th>removed by reason</th><th>directory</th></tr>'
        f"{''.join(rows)}</table>{checks}</section>"
    )


def _version_label(version: Version, position: int) -> str:
    kind = "refresh" if version.manifest.get("previous") else "run"
    return f"v{position + 1} ({kind})"


def _links_note(versions: Sequence[Version]) -> str:
    broken = [v for v in versions[1:] if v.linked is False]
    if not broken:
        return ""
    names = ", ".join(str(v.path) for v in broken)
    return f'<p class="warn">Not the previous version of the one after it: {escape(names)}</p>'


def _reasons(by_reason: Mapping[str, int]) -> str:
    return ", ".join(f"{r} {n:,}" for r, n in by_reason.items()) or "—"


# -- the sampled records -------------------------------------------------------------------


def _samples(report: Report) -> str:
    shown = report.shown
    limits = report.limits
    intro = (
        f"<p>{len(shown):,} of the ledger's {report.ledger_rows:,} records not kept, chosen "
        f"evenly through the ledger: at most {limits.per_rule} per category, rule and action, "
        f"and {limits.per_category} per category and action. Each is shown under its strongest "
        "category and the first rule of that category. The matched spans were found again by "
        "running the run's detection on the records shown.</p>"
        '<p class="legend-marks">'
        + "".join(f'<mark class="{c}">{c}</mark>' for c in CATEGORIES)
        + "</p>"
        '<p class="muted">A dropped record\'s text is not kept by an output: only its ledger '
        "row is shown. A redacted record is shown as the clean set holds it, after the cut"
        + (
            f"; its text before the cut was read again from {escape(report.input_source)}."
            if report.input_source
            else "; its text before the cut is not kept by an output (give the run's input to "
            "the report to show it)."
        )
        + "</p>"
    )
    if not shown:
        return (
            f'<section id="samples"><h2>Records not kept</h2>{intro}<p class="empty">'
            "The ledger is empty: every record was kept as it was.</p></section>"
        )
    sections, toc = [], []
    for category in _ordered({s.sample.category for s in shown}):
        items = [s for s in shown if s.sample.category == category]
        anchor = f"cat-{_slug(category)}"
        toc.append(f'<a href="#{anchor}">{escape(category)} ({len(items)})</a>')
        parts = [f'<h3 id="{anchor}">{escape(category)}</h3>']
        for rule in sorted({s.sample.rule for s in items}):
            in_rule = [s for s in items if s.sample.rule == rule]
            parts.append(f"<h4>rule <code>{escape(rule)}</code> ({len(in_rule)})</h4>")
            parts.extend(_record(item) for item in in_rule)
        sections.append(f'<div class="category">{"".join(parts)}</div>')
    return (
        f'<section id="samples"><h2>Records not kept</h2>{intro}'
        f'<nav class="toc">{"".join(toc)}</nav>{"".join(sections)}</section>'
    )


def _ordered(categories: Iterable[str]) -> list[str]:
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(categories, key=lambda c: (rank.get(c, len(CATEGORIES)), c))


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text)


def _record(item: Shown) -> str:
    sample = item.sample
    action = sample.action
    facts = [
        ("categories", ", ".join(sample.categories) or NONE),
        ("rules", ", ".join(sample.rules) or NONE),
        ("authors", ", ".join(sample.authors) or "none recorded"),
        *((f"id.{k}", "null" if v is None else str(v)) for k, v in sample.identity.items()),
        ("record sha256", sample.record_sha256),
    ]
    listed = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    head = (
        f'<header><span class="badge {escape(action)}">'
        f"{escape(_ACTION_WORD.get(action, action))}</span> "
        f"<strong>{escape(sample.split)}</strong> row {sample.row:,} · reason "
        f"<code>{escape(sample.reason)}</code></header>"
    )
    body = [head, f'<dl class="facts">{listed}</dl>']
    if sample.hash_matches is False:
        body.append(
            '<p class="warn">The stored record does not hash to the ledger\'s record_sha256.</p>'
        )
    if action == "drop":
        body.append(
            '<p class="muted">Dropped: the record\'s text was not kept (an output keeps only '
            "its ledger row).</p>"
        )
    elif action == "redact":
        body.append(_redacted(item))
    elif item.stored is not None:
        body.append(_fields(item.stored))
    else:
        body.append('<p class="warn">The record was not found in the quarantine set.</p>')
    return f'<article class="record {escape(action)}">{"".join(body)}</article>'


def _redacted(item: Shown) -> str:
    sample = item.sample
    after = (
        _fields(item.stored)
        if item.stored is not None
        else '<p class="warn">The record was not found in the clean set.</p>'
    )
    if item.before is not None:
        before = _fields(item.before)
        note = "re-read from the input; cutting it again gives the record the clean set holds"
    else:
        before = (
            '<p class="muted">Not kept by the output: the clean set holds the record after the '
            f"cut, and the ledger its categories and rules.{_maybe(sample.before_note)}</p>"
        )
        note = ""
    return (
        '<div class="cols"><div><div class="fname">before the cut'
        f"{' (' + escape(note) + ')' if note else ''}</div>{before}</div>"
        f'<div><div class="fname">after the cut (in clean/)</div>{after}</div></div>'
    )


def _maybe(note: str) -> str:
    return f" {escape(note)}." if note else ""


def _fields(found: Findings) -> str:
    parts = [_field(view) for view in found.fields]
    if found.elsewhere:
        chips = "".join(_chip(h.rule, h.category, h.field, h.detail) for h in found.elsewhere)
        parts.append(f'<div class="field"><div class="fname">whole record</div>{chips}</div>')
    return "".join(parts)


def _field(view: FieldView) -> str:
    text = "".join(
        f'<span class="gap">{escape(p.text)}</span>'
        if p.gap
        else f'<mark class="{escape(p.category or "")}" title="{escape(", ".join(p.rules))}">'
        f"{escape(p.text)}</mark>"
        if p.rules
        else escape(p.text)
        for p in view.pieces
    )
    whole = "".join(_chip(h.rule, h.category, None, h.detail) for h in view.whole)
    kind = " (structured, as JSON)" if view.structured else ""
    return (
        f'<div class="field"><div class="fname">{escape(view.name)}{kind}</div>'
        f'{whole}<pre class="text">{text}</pre></div>'
    )


def _chip(rule: str, category: str, where: str | None, detail: str | None) -> str:
    extra = f" · {detail}" if detail else ""
    extra += f" · {where}" if where else ""
    return (
        f'<span class="chip" title="{escape(category)}"><mark class="{escape(category)}">'
        f"{escape(rule)}</mark>{escape(extra)}</span>"
    )


# -- reproducing and verifying -------------------------------------------------------------


def _reproduce(report: Report) -> str:
    manifest = report.manifest
    root = str(report.root)
    source = manifest.get("input", {})
    content = source.get("content_sha256") or {}
    inputs = "".join(
        f"<tr><td>{escape(split)}</td><td>{escape(str(source.get('rows', {}).get(split)))}</td>"
        f"<td class='mono'>{escape(str(content.get(split, '—')))}</td>"
        f"<td class='mono'>{escape(str(source.get('fingerprint', {}).get(split, '—')))}</td></tr>"
        for split in manifest["splits"]
    )
    commands = _commands(report)
    config = yaml.safe_dump(manifest["config"], sort_keys=False, allow_unicode=True)
    return (
        '<section id="reproduce"><h2>Reproduce and verify</h2>'
        f"<h3>Input</h3><p>Source <code>{escape(str(source.get('source')))}</code>, kind "
        f"<code>{escape(str(source.get('kind')))}</code>, revision "
        f"<code>{escape(str(source.get('revision') or '—'))}</code>.</p>"
        "<table><tr><th>split</th><th>rows</th><th>content sha256 (of its files)</th>"
        f"<th>datasets fingerprint</th></tr>{inputs}</table>"
        f'<h3>Commands</h3><pre class="text">{escape(commands)}</pre>'
        f"<h3>Output hashes</h3>{_hashes(report)}"
        f"<details><summary>The config the run resolved ({escape(manifest['config_sha256'][:16])}"
        f'…)</summary><pre class="text">{escape(config)}</pre></details>'
        f'<p class="muted">Manifest: <code>{escape(root)}/{MANIFEST}</code>, '
        f"manifest_sha256 <code>{escape(manifest[SELF_HASH])}</code>.</p></section>"
    )


def _commands(report: Report) -> str:
    manifest = report.manifest
    root = shlex.quote(str(report.root))
    chain = " ".join(shlex.quote(str(v.path)) for v in report.versions[1:])
    verify = f"xfilter verify {root}" + (f" --chain {chain}" if chain else "")
    lines = ["# check every file, count and record of the output against its manifest", verify]
    if manifest.get("previous"):
        previous = shlex.quote(str(report.versions[1].path)) if chain else "PREVIOUS_OUTPUT"
        refresh = manifest.get("refresh") or {}
        args = [f"xfilter refresh {previous} --output {root}-again"]
        if refresh.get("opt_out"):
            args.append(f"--opt-out {shlex.quote(str(manifest['config']['opt_out']['path']))}")
        for entry in (refresh.get("deleted") or {}).get("files", []):
            args.append(f"--deleted {shlex.quote(str(entry['kind']) + ':' + str(entry['path']))}")
        lines += [
            "",
            "# repeat the refresh (the compliance files must have the sha256 the manifest",
            "# records under refresh.deleted.files)",
            " ".join(args),
        ]
    else:
        lines += [
            "",
            "# run again: save the config below as config.yaml (its input and opt-out list",
            "# must have the hashes recorded here), then compare the new output's hashes",
            f"xfilter run config.yaml --output {root}-again",
            f"xfilter verify {root}-again",
        ]
    lines += [
        "",
        "# the data files, ledger and X index, by the sha256 the manifest records",
        f"cd {root} && sha256sum -c hashes.sha256   # hashes.sha256: the lines below",
    ]
    return "\n".join(lines)


def _hashes(report: Report) -> str:
    manifest = report.manifest
    files = manifest["outputs"]["files"]
    lines = [
        f"{manifest['ledger']['sha256']}  {LEDGER}",
        f"{manifest['index']['sha256']}  {INDEX}",
        *(f"{entry['sha256']}  {entry['path']}" for entry in files[:MAX_LISTED_FILES]),
    ]
    more = (
        f'<p class="muted">… and {len(files) - MAX_LISTED_FILES:,} more data files, listed with '
        f"their sha256 in {MANIFEST} (outputs.files).</p>"
        if len(files) > MAX_LISTED_FILES
        else ""
    )
    rows = sum(int(e["rows"]) for e in files)
    return (
        f"<p>{len(files):,} data files ({rows:,} rows), the ledger "
        f"({manifest['ledger']['rows']:,} rows) and the X index "
        f"({manifest['index']['rows']:,} rows):</p>"
        f'<pre class="text" id="hashes">{escape(chr(10).join(lines))}</pre>{more}'
    )


__all__ = ["render"]
