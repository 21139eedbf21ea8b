"""``xfilter refresh``: bring an earlier output up to date with a grown opt-out list and with
X's deletions, from its private X index alone (no text is scanned again).

For every row of the index:

- a post id the record carries (``post_ids``; not a post it only links to, which is not that
  post's content) among the deleted posts, or an author id among the deleted, deactivated,
  protected or suspended users, removes the record with that reason. Such a removal is a drop
  whatever the configured action: a record kept in ``quarantine/`` would still be X content
  stored offline, so it leaves ``quarantine/`` too. ``scrub_geo`` removes a record only when
  it holds location data (a ``geo``, ``coordinates`` or ``place`` value); the ids of such a
  record are also forgotten by the new index.
- otherwise a kept record is decided again under the recorded policy with the new opt-out
  list (``Policy.decide`` on the index's categories, handles and author ids); a record the
  policy no longer keeps is removed with the configured action and the policy's reason.

A refresh only removes: records removed before stay removed, with their recorded reason. The
new output is written by the same writer as a run, and its manifest names the previous one.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from xfilter import __version__
from xfilter.config import Config, build_config
from xfilter.errors import ConfigError, VerifyError
from xfilter.output import formats
from xfilter.output.layout import CLEAN, INDEX, LEDGER, QUARANTINE
from xfilter.output.manifest import SCHEMA, SELF_HASH, now
from xfilter.output.reader import Output
from xfilter.output.verify import load_manifest, verify
from xfilter.output.write import seal_and_commit
from xfilter.output.writer import IDENTITY_PREFIX, OutputWriter, index_schema, ledger_schema
from xfilter.policy import Policy
from xfilter.policy.compliance import ComplianceSet, read_compliance
from xfilter.policy.optout import OptOutList
from xfilter.vocab import (
    ACTION,
    AUTHORS_COLUMN,
    CATEGORIES_COLUMN,
    RULES_COLUMN,
    TAG_COLUMNS,
    TAG_SCHEMA,
)

# What a compliance reason becomes in the ledger, for a post id and for a user id. A reason X
# has not documented still removes (its action is ``delete``): as a deletion.
_POST_REASONS = {
    "deleted": "post_deleted",
    "deactivated": "account_deactivated",
    "protected": "account_protected",
    "suspended": "account_suspended",
}
_USER_REASONS = {**_POST_REASONS, "deleted": "account_deleted"}
SCRUB_GEO = "scrub_geo"
# Keys under which a post object holds its location.
_GEO_KEYS = frozenset({"geo", "coordinates", "place"})
_GEO_TEXT = re.compile(r'"(?:geo|coordinates|place)"\s*:\s*(?!null\b)[\[{"0-9-]')
_KEEPS = ("keep", "redact")
_LEDGER_FROM_INDEX = ("split", "row", "record_sha256", "categories")
# The new index forgets the X ids of a record removed for a compliance reason.
_ID_LISTS = ("post_ids", "linked_post_ids", "author_ids", "handles")


@dataclass(frozen=True)
class Removal:
    """What a refresh does to one record: its new action and reason."""

    action: str
    reason: str
    compliance: bool


@dataclass
class _Plan:
    """The removals of one refresh, by (split, input row), and what it counted."""

    removals: dict[tuple[str, int], Removal] = field(default_factory=dict)
    geo_kept: int = 0


def refresh(
    out: str | os.PathLike[str],
    *,
    output: str | os.PathLike[str],
    opt_out: str | os.PathLike[str] | None = None,
    deleted: Iterable[str | os.PathLike[str]] = (),
    overwrite: bool = False,
) -> Output:
    """Write ``output``: the output ``out`` without the records a new opt-out list or X's
    compliance results (``deleted``: ``[posts:|users:]FILE``) remove; return it."""
    started = now()
    root, new = Path(out).expanduser(), Path(output).expanduser()
    manifest = _verified(root)
    config = build_config(manifest["config"], f"{root}: config")
    compliance = read_compliance(deleted)
    new_config, listed = _new_config(config, opt_out, new)
    policy = Policy.from_config(new_config, listed) if listed is not None else None
    index = pq.read_table(root / INDEX).to_pylist()
    ledger = pq.read_table(root / LEDGER).to_pylist()
    sets = _SetReader(root, manifest, ledger)
    plan = _plan(index, compliance, policy, sets)
    writer = OutputWriter(new, manifest["outputs"]["format"], overwrite, config.ledger.identity)
    try:
        clean_removed = _write_sets(writer, manifest, sets, index, plan)
        new_index = _new_index(index, plan, clean_removed)
        new_ledger = _new_ledger(ledger, index, plan, list(manifest["splits"]))
        writer.set_records(
            pa.Table.from_pylist(new_ledger, ledger_schema(config.ledger.identity)),
            pa.Table.from_pylist(new_index, index_schema(config.ledger.identity)),
        )
        writer.close()
        body = _manifest(manifest, new_config, listed, new_ledger, index, plan, started)
        body["refresh"]["deleted"] = compliance.describe()
        body["refresh"].update(_id_counts(index, compliance))
        sealed = seal_and_commit(writer, body)
    except BaseException:
        writer.abort()
        raise
    return Output.written(new, sealed)


def _verified(root: Path) -> dict[str, Any]:
    """The manifest of ``root``, once ``root`` verifies (without re-scanning its text)."""
    try:
        verify(root, quick=True)
    except VerifyError as exc:
        raise VerifyError(f"refusing to refresh {root}: it does not verify: {exc}") from None
    return load_manifest(root)


def _new_config(
    config: Config, opt_out: str | os.PathLike[str] | None, new: Path
) -> tuple[Config, OptOutList | None]:
    """The recorded config with the new output directory and, when given, the new opt-out
    list (read with the recorded key settings)."""
    overrides: dict[str, Any] = {"output": {"dir": str(new)}}
    if opt_out is None:
        return config.with_overrides(overrides, "refresh"), None
    overrides["opt_out"] = {"path": os.fspath(opt_out)}
    new_config = config.with_overrides(overrides, "refresh")
    listed = OptOutList.from_config(new_config.opt_out)
    if listed.sha256 is None:
        raise ConfigError(f"{opt_out}: opt-out list could not be read")
    return new_config, listed


class _SetReader:
    """The clean and quarantine rows of an output, per split, with each quarantined record's
    input row (the quarantine set holds them in input order, as the ledger lists them)."""

    def __init__(self, root: Path, manifest: Mapping[str, Any], ledger: list[dict[str, Any]]):
        fmt = formats.get(manifest["outputs"]["format"])
        self.tables: dict[tuple[str, str], pa.Table] = {}
        parts: dict[tuple[str, str], list[pa.Table]] = {}
        for entry in sorted(manifest["outputs"]["files"], key=lambda e: e["path"]):
            parts.setdefault((entry["set"], entry["split"]), []).append(
                fmt.read_table(root / entry["path"])
            )
        for key, tables in parts.items():
            self.tables[key] = pa.concat_tables(tables)
        self.quarantine_rows: dict[str, list[int]] = {}
        for row in sorted(ledger, key=lambda r: r["row"]):
            if row["action"] == "quarantine":
                self.quarantine_rows.setdefault(row["split"], []).append(row["row"])
        for split, rows in self.quarantine_rows.items():
            held = self.table(QUARANTINE, split)
            if held is None or held.num_rows != len(rows):
                raise VerifyError(f"{root}: split {split!r}: quarantine set and ledger disagree")

    def table(self, name: str, split: str) -> pa.Table | None:
        return self.tables.get((name, split))

    def record(self, split: str, row: Mapping[str, Any]) -> dict[str, Any] | None:
        """The stored record of an index row: from the clean or the quarantine set."""
        if row["clean_row"] is not None:
            table, position = self.table(CLEAN, split), row["clean_row"]
        elif row["action"] == "quarantine":
            table = self.table(QUARANTINE, split)
            position = bisect.bisect_left(self.quarantine_rows[split], row["row"])
        else:
            return None
        assert table is not None
        record: dict[str, Any] = table.slice(position, 1).to_pylist()[0]
        return record


def _plan(
    index: list[dict[str, Any]],
    compliance: ComplianceSet,
    policy: Policy | None,
    sets: _SetReader,
) -> _Plan:
    plan = _Plan()
    for row in index:
        if row["action"] == "drop":
            continue  # removed before: stays removed, with its recorded reason
        key = (row["split"], row["row"])
        reason = _compliance_reason(row, compliance)
        if reason is None and _geo_scrubbed(row, compliance):
            if _has_geo(sets.record(row["split"], row)):
                reason = SCRUB_GEO
            else:
                plan.geo_kept += 1
        if reason is not None:
            plan.removals[key] = Removal("drop", reason, compliance=True)
            continue
        if policy is not None and row["action"] in _KEEPS:
            decision = policy.decide(row["categories"], [*row["handles"], *row["author_ids"]])
            if decision.action in ("drop", "quarantine"):
                plan.removals[key] = Removal(decision.action, decision.reason, compliance=False)
    return plan


def _compliance_reason(row: Mapping[str, Any], compliance: ComplianceSet) -> str | None:
    """The ledger reason of the first carried post or author the compliance results name."""
    for post in row["post_ids"]:
        if post in compliance.posts:
            return _POST_REASONS.get(compliance.posts[post], "post_deleted")
    for user in row["author_ids"]:
        if user in compliance.users:
            return _USER_REASONS.get(compliance.users[user], "account_deleted")
    return None


def _geo_scrubbed(row: Mapping[str, Any], compliance: ComplianceSet) -> bool:
    return bool(
        set(row["post_ids"]) & compliance.geo_posts or set(row["author_ids"]) & compliance.geo_users
    )


def _has_geo(value: Any) -> bool:
    """Whether a record holds location data: a non-empty ``geo``, ``coordinates`` or ``place``
    field at any depth, or such a key in JSON text."""
    if isinstance(value, Mapping):
        return any(
            (str(k) in _GEO_KEYS and v not in (None, "", [], {})) or _has_geo(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_has_geo(v) for v in value)
    return isinstance(value, str) and _GEO_TEXT.search(value) is not None


def _write_sets(
    writer: OutputWriter,
    manifest: Mapping[str, Any],
    sets: _SetReader,
    index: list[dict[str, Any]],
    plan: _Plan,
) -> dict[str, list[int]]:
    """Write every split's clean and quarantine sets; return the removed clean rows."""
    by_row = {(r["split"], r["row"]): r for r in index}
    clean_removed: dict[str, list[int]] = {}
    for split in manifest["splits"]:
        removed = {row: removal for (name, row), removal in plan.removals.items() if name == split}
        moved = [by_row[(split, row)] for row in sorted(removed)]
        from_clean = [r for r in moved if r["clean_row"] is not None]
        clean_removed[split] = sorted(r["clean_row"] for r in from_clean)
        clean, quarantine = sets.table(CLEAN, split), sets.table(QUARANTINE, split)
        schema, features = _split_schema(clean, quarantine)
        if schema is None:
            continue  # no record of this split was ever written to a set
        writer.open_split(split, schema, features)
        if clean is not None:
            keep = [True] * clean.num_rows
            for position in clean_removed[split]:
                keep[position] = False
            writer.write_set(CLEAN, split, clean.filter(pa.array(keep)))
        quarantined = [r for r in from_clean if removed[r["row"]].action == "quarantine"]
        table = _new_quarantine(split, quarantine, clean, quarantined, removed, sets, schema)
        if table is not None:
            writer.write_set(QUARANTINE, split, table)
    return clean_removed


def _split_schema(
    clean: pa.Table | None, quarantine: pa.Table | None
) -> tuple[pa.Schema | None, dict[str, Any] | None]:
    """A split's record columns and their ``datasets`` features, from its stored files."""
    source = clean if clean is not None else quarantine
    if source is None:
        return None, None
    schema = pa.schema([f for f in source.schema if f.name not in TAG_COLUMNS])
    meta = (source.schema.metadata or {}).get(b"huggingface")
    features = json.loads(meta).get("info", {}).get("features") if meta else None
    return schema.remove_metadata(), features


def _new_quarantine(
    split: str,
    old: pa.Table | None,
    clean: pa.Table | None,
    moved: list[dict[str, Any]],
    removed: Mapping[int, Removal],
    sets: _SetReader,
    schema: pa.Schema,
) -> pa.Table | None:
    """The split's quarantine set: the old one without the records a compliance reason removes,
    plus the clean records the policy now quarantines (with their tag columns), in input
    order."""
    rows = sets.quarantine_rows.get(split, [])
    tables: list[pa.Table] = []
    order: list[int] = []
    if old is not None:
        kept = [row not in removed for row in rows]
        tables.append(old.filter(pa.array(kept, pa.bool_())))
        order.extend(row for row, stays in zip(rows, kept, strict=True) if stays)
    if moved and clean is not None:
        taken = clean.take([r["clean_row"] for r in moved]).select(schema.names)
        for name, values in _tags(moved).items():
            column = TAG_SCHEMA.field(name)
            taken = taken.append_column(column, pa.array(values, column.type))
        target = tables[0].schema if tables else pa.schema([*schema, *TAG_SCHEMA])
        tables.append(taken.cast(target))
        order.extend(r["row"] for r in moved)
    if not tables:
        return None
    joined = pa.concat_tables(tables)
    return joined.take(sorted(range(len(order)), key=order.__getitem__))


def _tags(moved: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The tag columns of records a refresh quarantines, from their index rows. The rules
    that found them are not in the index (it lists kept records), so none is named."""
    return {
        ACTION: ["quarantine"] * len(moved),
        CATEGORIES_COLUMN: [r["categories"] for r in moved],
        RULES_COLUMN: [[] for _ in moved],
        AUTHORS_COLUMN: [[*r["handles"], *r["author_ids"]] for r in moved],
    }


def _new_index(
    index: list[dict[str, Any]], plan: _Plan, clean_removed: Mapping[str, list[int]]
) -> list[dict[str, Any]]:
    """The index with the new actions and reasons, and clean rows renumbered."""
    rows = []
    for row in index:
        row = dict(row)
        removal = plan.removals.get((row["split"], row["row"]))
        if removal is not None:
            row.update(action=removal.action, reason=removal.reason, clean_row=None)
            if removal.compliance:
                row.update({name: [] for name in _ID_LISTS})
        elif row["clean_row"] is not None:
            before = bisect.bisect_left(clean_removed.get(row["split"], []), row["clean_row"])
            row["clean_row"] -= before
        rows.append(row)
    return rows


def _new_ledger(
    ledger: list[dict[str, Any]],
    index: list[dict[str, Any]],
    plan: _Plan,
    splits: list[str],
) -> list[dict[str, Any]]:
    """The ledger with the changed rows updated and one new row per newly removed kept record,
    in split and input order."""
    rows: dict[tuple[str, int], dict[str, Any]] = {(r["split"], r["row"]): dict(r) for r in ledger}
    by_row = {(r["split"], r["row"]): r for r in index}
    for key, removal in plan.removals.items():
        listed = rows.get(key)
        if listed is None:  # a kept record: its ledger row comes from its index row
            source = by_row[key]
            listed = {name: source[name] for name in source if name in _LEDGER_FROM_INDEX}
            listed.update({n: v for n, v in source.items() if n.startswith(IDENTITY_PREFIX)})
            listed["rules"] = []
            rows[key] = listed
        listed.update(action=removal.action, reason=removal.reason)
    order = {name: i for i, name in enumerate(splits)}
    return [rows[key] for key in sorted(rows, key=lambda k: (order[k[0]], k[1]))]


def _manifest(
    previous: Mapping[str, Any],
    config: Config,
    listed: OptOutList | None,
    ledger: list[dict[str, Any]],
    index: list[dict[str, Any]],
    plan: _Plan,
    started: str,
) -> dict[str, Any]:
    """The new manifest body: the previous one's, with the new config, counts and links."""
    skipped = {SELF_HASH, "documents", "outputs", "ledger", "index", "previous", "changes"}
    body = {k: v for k, v in previous.items() if k not in skipped | {"refresh"}}
    opt_out = (
        {"sha256": listed.sha256, "entries": listed.count, "keyed": listed.keyed}
        if listed is not None
        else previous["opt_out"]
    )
    body.update(
        schema=SCHEMA,
        tool={"name": "xfilter", "version": __version__},
        created=now(),
        started=started,
        config=config.as_dict(),
        config_sha256=config.sha256,
        opt_out=opt_out,
        engine={"name": "refresh"},
        splits=_counts(previous["splits"], ledger, index, plan),
        previous={
            SELF_HASH: previous[SELF_HASH],
            "schema": previous["schema"],
            "created": previous["created"],
        },
        changes=_changes(index, plan),
        refresh={"opt_out": opt_out if listed is not None else None},
    )
    return body


def _counts(
    previous: Mapping[str, Mapping[str, Any]],
    ledger: list[dict[str, Any]],
    index: list[dict[str, Any]],
    plan: _Plan,
) -> dict[str, dict[str, Any]]:
    """Each split's counts: the categories and rules found are the same records' as before;
    what was kept, dropped and quarantined, and why, follows the new ledger."""
    by_row = {(r["split"], r["row"]): r for r in index}
    splits = {}
    for name, old in previous.items():
        actions = Counter(r["action"] for r in ledger if r["split"] == name)
        reasons = Counter(
            r["reason"] for r in ledger if r["split"] == name and r["action"] != "keep"
        )
        left = [by_row[k]["action"] for k in plan.removals if k[0] == name]
        kept_left = sum(a in _KEEPS for a in left)
        splits[name] = {
            **old,
            "kept": old["kept"] - kept_left,
            "dropped": actions["drop"],
            "quarantined": actions["quarantine"],
            "redacted": old["redacted"] - left.count("redact"),
            "by_reason": dict(sorted(reasons.items())),
        }
    return splits


def _changes(index: list[dict[str, Any]], plan: _Plan) -> dict[str, Any]:
    """What left the clean and quarantine sets since the previous version."""
    by_row = {(r["split"], r["row"]): r for r in index}
    by_reason: Counter[str] = Counter()
    by_split: Counter[str] = Counter()
    from_clean = 0
    for key, removal in plan.removals.items():
        by_reason[removal.reason] += 1
        by_split[key[0]] += 1
        from_clean += by_row[key]["clean_row"] is not None
    return {
        "removed": len(plan.removals),
        "removed_from_clean": from_clean,
        "by_reason": dict(sorted(by_reason.items())),
        "by_split": dict(sorted(by_split.items())),
        "scrub_geo_kept": plan.geo_kept,
    }


def _id_counts(index: list[dict[str, Any]], compliance: ComplianceSet) -> dict[str, int]:
    """How many ids of the compliance inputs name nothing in the output, and how many name
    posts the output only links to (those records stay)."""
    carried = {p for r in index for p in r["post_ids"]}
    linked = {p for r in index for p in r["linked_post_ids"]}
    users = {u for r in index for u in r["author_ids"]}
    wanted = set(compliance.posts) | compliance.geo_posts
    return {
        "unknown_ids": compliance.unknown(carried | linked, users),
        "linked_only_ids": len((wanted & linked) - carried),
    }
