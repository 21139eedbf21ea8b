"""Everything the report page shows, gathered from an output directory: its manifest, whether
it verifies, the counts, the versions before it, and the sampled records with their spans.

Only the manifest, the ledger and the X index are read whole (the ledger and the index hold
no text); of the clean and quarantine sets, only the row groups of the sampled records.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from xfilter.config import build_config
from xfilter.detect.ruleset import ruleset_sha256
from xfilter.errors import VerifyError, XFilterError
from xfilter.output.card import policy_description, policy_label
from xfilter.output.layout import INDEX, LEDGER, MANIFEST
from xfilter.output.manifest import SELF_HASH
from xfilter.output.verify import load_manifest, verify
from xfilter.output.writer import record_sha256
from xfilter.report.samples import (
    Limits,
    Sample,
    attach_records,
    choose,
    read_input_rows,
    samples_of,
)
from xfilter.report.spans import Findings, SpanFinder, findings
from xfilter.report.tallies import Tallies, tally

VerifyMode = Literal["quick", "full", "none"]


@dataclass
class VerifyStatus:
    """What ``xfilter verify`` said of the output when the report was made."""

    mode: VerifyMode
    passed: bool | None  # None: not checked
    checked: list[str] = field(default_factory=list)
    problem: str | None = None


@dataclass
class Version:
    """One version of an output: a run, or a refresh of the version after it in the list."""

    path: Path
    manifest: dict[str, Any]
    # Whether the newer version names this one as its previous (None for the newest).
    linked: bool | None = None

    @property
    def removed_by_reason(self) -> dict[str, int]:
        """What this version removed: a refresh's ``changes``, or a run's ledger reasons."""
        changes = self.manifest.get("changes")
        if isinstance(changes, Mapping):
            return dict(changes.get("by_reason", {}))
        total: dict[str, int] = {}
        for split in self.manifest["splits"].values():
            for reason, n in split.get("by_reason", {}).items():
                total[reason] = total.get(reason, 0) + n
        return total


@dataclass
class Shown:
    """A sampled record and its fields as the page shows them: the stored record (after its
    cut, for a redacted one) and, when the input was read again, the record before."""

    sample: Sample
    stored: Findings | None = None
    before: Findings | None = None


@dataclass
class Report:
    """The page's data."""

    root: Path
    manifest: dict[str, Any]
    policy: dict[str, Any]
    policy_label: str
    status: VerifyStatus
    tallies: Tallies
    versions: list[Version]
    shown: list[Shown]
    ledger_rows: int
    limits: Limits
    input_source: str | None
    notes: list[str] = field(default_factory=list)


def gather(
    out: str | os.PathLike[str],
    *,
    chain: Sequence[str | os.PathLike[str]] = (),
    input: str | None = None,
    verify_mode: VerifyMode = "quick",
    limits: Limits | None = None,
) -> Report:
    """Read the output at ``out`` (and the earlier versions in ``chain``, newest first) into
    a ``Report``. ``input``, when given, is read again to show redacted records before their
    cut. A directory that does not verify is still reported, with the problem at the top."""
    root = Path(out).expanduser()
    manifest = load_manifest(root)
    older = [Path(p).expanduser() for p in chain]
    status = _status(root, verify_mode, older)
    ledger = _table(root, LEDGER)
    index = _table(root, INDEX)
    notes: list[str] = []
    recorded = manifest.get("ruleset", {}).get("sha256")
    if recorded != ruleset_sha256():
        notes.append(
            "this xfilter's rule set differs from the run's (sha256 "
            f"{str(recorded)[:12]}…): the spans shown are what the rules of xfilter "
            "installed here find, and may differ from what the run found"
        )
    limits = limits or Limits()
    chosen = samples_of(ledger, choose(ledger, limits))
    attach_records(root, manifest, ledger, index, chosen)
    finder = SpanFinder(build_config(manifest["config"], f"{root / MANIFEST}: config"))
    notes.extend(finder.notes)
    shown = [Shown(sample, _stored_findings(finder, sample)) for sample in chosen]
    if input is not None:
        _add_before(finder, input, shown)
    return Report(
        root=root,
        manifest=manifest,
        policy=policy_description(manifest),
        policy_label=policy_label(policy_description(manifest)),
        status=status,
        tallies=tally(manifest, ledger),
        versions=_versions(root, manifest, older),
        shown=shown,
        ledger_rows=ledger.num_rows,
        limits=limits,
        input_source=input,
        notes=notes,
    )


def _status(root: Path, mode: VerifyMode, chain: list[Path]) -> VerifyStatus:
    if mode == "none":
        return VerifyStatus(mode, None)
    try:
        checked = verify(root, quick=mode == "quick", chain=chain)
    except XFilterError as exc:
        return VerifyStatus(mode, False, problem=str(exc))
    return VerifyStatus(mode, True, checked)


def _table(root: Path, name: str) -> pa.Table:
    path = root / name
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise VerifyError(f"{path}: cannot be read for the report ({str(exc)[:200]})") from None


def _stored_findings(finder: SpanFinder, sample: Sample) -> Findings | None:
    if sample.table is None or sample.record is None:
        return None
    tags = finder.tag(sample.table)
    return findings(sample.record, tags.evidence.get(0, []))


def _add_before(finder: SpanFinder, source: str, shown: list[Shown]) -> None:
    """Read the redacted records' input rows again; show one as it was only if cutting it
    again gives exactly the record the output holds (its ledger record hash)."""
    redacted = [s for s in shown if s.sample.action == "redact"]
    wanted: dict[str, list[int]] = {}
    for item in redacted:
        wanted.setdefault(item.sample.split, []).append(item.sample.row)
    try:
        rows = read_input_rows(source, wanted) if wanted else {}
    except XFilterError as exc:
        for item in redacted:
            item.sample.before_note = f"the input could not be read again ({exc})"
        return
    for item in redacted:
        sample = item.sample
        table = rows.get((sample.split, sample.row))
        if table is None:
            sample.before_note = f"{source} has no row {sample.row} in split {sample.split!r}"
            continue
        tags = finder.tag(table)
        record = table.to_pylist()[0]
        after = {**record, **{c: rows_[0] for c, rows_ in tags.redacted.items() if 0 in rows_}}
        if tags.action[0] != "redact" or record_sha256(after) != sample.record_sha256:
            sample.before_note = (
                f"row {sample.row} of {source} does not give this record when cut again: the "
                "input has changed since the run, or is not the run's input"
            )
            continue
        sample.before = record
        item.before = findings(record, tags.evidence.get(0, []))


def _versions(root: Path, manifest: dict[str, Any], older: list[Path]) -> list[Version]:
    """This output and the earlier versions given, newest first, each marked with whether
    the newer one names it as its previous version (by its manifest hash)."""
    versions = [Version(root, manifest)]
    for path in older:
        earlier = load_manifest(path)
        newer = versions[-1].manifest.get("previous") or {}
        versions.append(Version(path, earlier, newer.get(SELF_HASH) == earlier.get(SELF_HASH)))
    return versions


__all__ = ["Report", "Shown", "VerifyMode", "VerifyStatus", "Version", "gather"]
