"""A manifest as typed, read-only values: ``Output.provenance``.

``manifest.json`` is a dict for tools in any language; in Python, ``Manifest.from_dict`` gives
the same facts with names an editor completes and a type checker checks: the policy and its
dated terms, the input, the counts per split, every file with its hash, and the links a refresh
records. Only a manifest that ``verify.load_manifest`` has accepted is read, so the keys its
schema requires are there; the keys older runs of this schema may lack read as empty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from xfilter.vocab import COUNTS


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class Terms:
    """A dated text the policy implements (the X Developer Agreement, X's privacy policy)."""

    id: str
    title: str
    clause: str
    effective: str
    url: str

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Terms:
        return cls(
            id=raw["id"],
            title=raw.get("title", ""),
            clause=raw.get("clause", ""),
            effective=raw.get("effective", ""),
            url=raw.get("url", ""),
        )


@dataclass(frozen=True)
class Counts:
    """What happened to one split's records; ``redacted`` records are among the ``kept``."""

    input: int
    kept: int
    dropped: int
    quarantined: int
    redacted: int
    by_category: Mapping[str, int]
    by_rule: Mapping[str, int]
    # The ledger's rows per reason (records not kept as they were).
    by_reason: Mapping[str, int]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Counts:
        return cls(
            **{name: raw[name] for name in COUNTS},
            by_category=_frozen(raw["by_category"]),
            by_rule=_frozen(raw["by_rule"]),
            by_reason=_frozen(raw["by_reason"]),
        )

    @classmethod
    def total(cls, splits: Mapping[str, Counts]) -> Counts:
        """The counts of every split together."""
        tallies: dict[str, Counter[str]] = {
            "by_category": Counter(),
            "by_rule": Counter(),
            "by_reason": Counter(),
        }
        for split in splits.values():
            for key, counter in tallies.items():
                counter.update(getattr(split, key))
        totals = {name: sum(getattr(s, name) for s in splits.values()) for name in COUNTS}
        return cls.from_dict(
            {**totals, **{key: dict(sorted(c.items())) for key, c in tallies.items()}}
        )

    def summary(self) -> str:
        """``304 in → 196 kept, 0 dropped, 108 quarantined``, redactions when there are any."""
        kept = f"{self.kept} kept" + (f" ({self.redacted} redacted)" if self.redacted else "")
        return f"{self.input} in → {kept}, {self.dropped} dropped, {self.quarantined} quarantined"


@dataclass(frozen=True)
class DataFile:
    """One data file of the clean or quarantine set."""

    path: str
    set: str
    split: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class RecordFile:
    """The ledger or the private X index: where, how many rows, its sha256."""

    path: str
    rows: int
    sha256: str

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RecordFile:
        return cls(path=raw["path"], rows=raw["rows"], sha256=raw["sha256"])


@dataclass(frozen=True)
class OptOut:
    """The opt-out list a run used: its hash and size, never its entries."""

    sha256: str
    entries: int
    keyed: bool


@dataclass(frozen=True)
class Input:
    """Where the records came from."""

    source: str
    kind: str
    path: str | None
    revision: str | None
    revision_verified: bool
    # Rows per split; None where a stream's size was not known before it was read.
    rows: Mapping[str, int | None]
    content_sha256: Mapping[str, str]
    fingerprint: Mapping[str, str]
    features: Mapping[str, Any] | None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Input:
        features = raw.get("features")
        return cls(
            source=raw["source"],
            kind=raw.get("kind", ""),
            path=raw.get("path"),
            revision=raw.get("revision"),
            revision_verified=bool(raw.get("revision_verified", False)),
            rows=_frozen(raw["rows"]),
            content_sha256=_frozen(raw.get("content_sha256")),
            fingerprint=_frozen(raw.get("fingerprint")),
            features=None if features is None else _frozen(features),
        )


@dataclass(frozen=True)
class Previous:
    """The version a refresh started from, named by its manifest's own hash. ``path`` is
    where it was, when the refresh recorded that (relative to the newer output's parent
    directory unless absolute)."""

    manifest_sha256: str
    schema: str
    created: str
    path: str | None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Previous:
        return cls(
            manifest_sha256=raw["manifest_sha256"],
            schema=raw.get("schema", ""),
            created=raw.get("created", ""),
            path=raw.get("path"),
        )


@dataclass(frozen=True)
class Changes:
    """What a refresh removed since the previous version."""

    removed: int
    removed_from_clean: int
    by_reason: Mapping[str, int]
    by_split: Mapping[str, int]
    scrub_geo_kept: int

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Changes:
        return cls(
            removed=raw.get("removed", 0),
            removed_from_clean=raw.get("removed_from_clean", 0),
            by_reason=_frozen(raw.get("by_reason")),
            by_split=_frozen(raw.get("by_split")),
            scrub_geo_kept=raw.get("scrub_geo_kept", 0),
        )


@dataclass(frozen=True)
class Recorded:
    """An output a ``Recorder`` wrote from a filtering loop: no clean set (the loop consumed
    its records), the quarantine set when it was kept, and whether the loop had finished
    (``complete``) or this is a checkpoint of the counts so far."""

    quarantine: bool
    complete: bool

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Recorded:
        return cls(quarantine=bool(raw["quarantine"]), complete=bool(raw["complete"]))


@dataclass(frozen=True, repr=False)
class Manifest:
    """The facts of one ``manifest.json``. ``Output.manifest`` is the dict it was read from."""

    schema: str
    tool_version: str
    created: str
    started: str | None
    mode: str
    action: str
    # The effective rule per category: reject, keep, quarantine, redact, author-check…
    policy: Mapping[str, str]
    # "strict", or "custom (derived from strict)" when overrides keep what the terms forbid.
    policy_name: str
    custom: bool
    terms: tuple[Terms, ...]
    config: Mapping[str, Any]
    config_sha256: str
    ruleset_version: str | None
    ruleset_sha256: str | None
    registry_sha256: str
    opt_out: OptOut | None
    input: Input
    engine: Mapping[str, Any]
    splits: Mapping[str, Counts]
    format: str
    files: tuple[DataFile, ...]
    ledger: RecordFile
    index: RecordFile
    previous: Previous | None
    changes: Changes | None
    # What the refresh read: opt-out list and compliance files, by hash and count.
    refresh: Mapping[str, Any] | None
    recorded: Recorded | None
    manifest_sha256: str

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Manifest:
        described = raw.get("policy_description") or {}
        ruleset = raw.get("ruleset") or {}
        opt_out, previous = raw.get("opt_out"), raw.get("previous")
        changes, refresh, recorded = raw.get("changes"), raw.get("refresh"), raw.get("recorded")
        return cls(
            schema=raw["schema"],
            tool_version=raw["tool"]["version"],
            created=raw["created"],
            started=raw.get("started"),
            mode=raw["mode"],
            action=raw["action"],
            policy=_frozen(raw["policy"]),
            policy_name=described.get("name", raw["mode"]),
            custom=bool(described.get("custom", False)),
            terms=tuple(Terms.from_dict(t) for t in raw["terms"]),
            config=_frozen(raw["config"]),
            config_sha256=raw["config_sha256"],
            ruleset_version=ruleset.get("version"),
            ruleset_sha256=ruleset.get("sha256"),
            registry_sha256=raw["registry"]["sha256"],
            opt_out=None
            if opt_out is None
            else OptOut(opt_out["sha256"], opt_out["entries"], opt_out["keyed"]),
            input=Input.from_dict(raw["input"]),
            engine=_frozen(raw.get("engine")),
            splits=_frozen({n: Counts.from_dict(s) for n, s in raw["splits"].items()}),
            format=raw["outputs"]["format"],
            files=tuple(DataFile(**entry) for entry in raw["outputs"]["files"]),
            ledger=RecordFile.from_dict(raw["ledger"]),
            index=RecordFile.from_dict(raw["index"]),
            previous=None if previous is None else Previous.from_dict(previous),
            changes=None if changes is None else Changes.from_dict(changes),
            refresh=None if refresh is None else _frozen(refresh),
            recorded=None if recorded is None else Recorded.from_dict(recorded),
            manifest_sha256=raw["manifest_sha256"],
        )

    @property
    def totals(self) -> Counts:
        """The counts of every split together."""
        return Counts.total(self.splits)

    @property
    def by_reason(self) -> Mapping[str, int]:
        """The ledger's rows per reason, over every split."""
        return self.totals.by_reason

    @property
    def implements(self) -> tuple[str, ...]:
        """The ids of the dated terms the policy implements; none for a custom policy."""
        return () if self.custom else tuple(t.id for t in self.terms)

    def describe(self) -> list[str]:
        """One line each: the policy, the input, every split's counts, and what kind of
        version this is (a refresh of which manifest, a recorded stream)."""
        terms = ", ".join(self.implements) or "no terms (custom policy)"
        lines = [
            f"policy {self.policy_name} (reject = {self.action}), implements {terms}",
            f"input {self.input.source} ({self.input.kind or 'unknown kind'})",
        ]
        lines += [f"{name}: {counts.summary()}" for name, counts in self.splits.items()]
        if self.previous is not None:
            removed = f", {self.changes.removed} removed" if self.changes is not None else ""
            lines.append(
                f"refresh of manifest {self.previous.manifest_sha256[:12]}… "
                f"({self.previous.created}){removed}"
            )
        if self.recorded is not None:
            state = "complete" if self.recorded.complete else "checkpoint, counts so far"
            held = "quarantine kept" if self.recorded.quarantine else "no quarantine set"
            lines.append(f"recorded from a filtering loop ({state}): no clean set, {held}")
        return lines

    def __repr__(self) -> str:
        body = "".join(f"\n    {line}" for line in self.describe())
        return f"Manifest({self.manifest_sha256[:12]}…, {self.schema}, {self.created}{body}\n)"


__all__ = [
    "Changes",
    "Counts",
    "DataFile",
    "Input",
    "Manifest",
    "OptOut",
    "Previous",
    "RecordFile",
    "Recorded",
    "Terms",
]
