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

A record a reviewer's allowlist released (reason ``released``) is never decided again by the
policy: only a compliance result removes it, and ``changes.released_removed`` counts those.

A refresh only removes: records removed before stay removed, with their recorded reason. The
new output is written by the same writer as a run, and its manifest names the previous one.
"""

from __future__ import annotations

import bisect
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from xfilter import __version__
from xfilter.config import Config, build_config
from xfilter.errors import ConfigError, VerifyError
from xfilter.output import formats
from xfilter.output.layout import CLEAN, INDEX, LEDGER, QUARANTINE, shard_path
from xfilter.output.manifest import SCHEMA, SELF_HASH, now
from xfilter.output.reader import Output
from xfilter.output.verify import check_file_hashes, load_manifest, verify
from xfilter.output.write import seal_and_commit
from xfilter.output.writer import (
    IDENTITY_PREFIX,
    OutputWriter,
    index_schema,
    ledger_schema,
    quarantine_schema,
    shard_bytes,
)
from xfilter.policy import Policy
from xfilter.policy.allowlist import REASON_RELEASED
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
# Files rewritten at once: reading and writing parquet run outside the GIL, and two per core
# keep every core busy while a thread is back in Python between row groups (measured: about
# 7 % faster than one per core on two cores). Memory holds a row group per thread.
_WORKERS = max(2, min(8, 2 * (os.cpu_count() or 1)))
_I = TypeVar("_I")
_T = TypeVar("_T")
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
    # The data files' hashes are checked on other threads while the refresh works; nothing is
    # committed before they match (a file that fails them fails the refresh).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xfilter-verify") as pool:
        hashes = pool.submit(_hashes_match, root, manifest)
        try:
            return _refresh(root, new, manifest, hashes, started, opt_out, deleted, overwrite)
        except BaseException:
            hashes.result()  # a file that fails its hash is the error to report
            raise


def _refresh(
    root: Path,
    new: Path,
    manifest: dict[str, Any],
    hashes: Future[None],
    started: str,
    opt_out: str | os.PathLike[str] | None,
    deleted: Iterable[str | os.PathLike[str]],
    overwrite: bool,
) -> Output:
    config = build_config(manifest["config"], f"{root}: config")
    compliance = read_compliance(deleted)
    new_config, listed = _new_config(config, opt_out, new)
    policy = Policy.from_config(new_config, listed) if listed is not None else None
    index = pq.read_table(root / INDEX).to_pylist()
    ledger = pq.read_table(root / LEDGER).to_pylist()
    sets = _Sets(root, manifest, ledger)
    plan = _plan(index, compliance, policy, sets)
    writer = OutputWriter(
        new,
        manifest["outputs"]["format"],
        overwrite,
        config.ledger.identity,
        shard_bytes(config.output.shard_mb),
    )
    try:
        clean_removed, shards = _write_sets(writer, manifest, sets, index, plan)
        new_index = _new_index(index, plan, clean_removed)
        new_ledger = _new_ledger(ledger, index, plan, list(manifest["splits"]))
        writer.set_records(
            pa.Table.from_pylist(new_ledger, ledger_schema(config.ledger.identity)),
            pa.Table.from_pylist(new_index, index_schema(config.ledger.identity)),
        )
        writer.files.sort(key=lambda e: (e["set"], e["split"], e["path"]))
        writer.close()
        body = _manifest(manifest, new_config, listed, new_ledger, index, plan, started)
        body["refresh"]["deleted"] = compliance.describe()
        body["refresh"].update(_id_counts(index, compliance))
        body["refresh"]["shards"] = shards.as_dict()
        # Where the previous version was, relative to the new one's parent folder (so that
        # versions kept side by side, out/2026-w01 and out/2026-w02, still find each other
        # when the folder moves); ``Output.previous`` follows it and checks the hash.
        body["previous"]["path"] = os.path.relpath(root.resolve(), new.resolve().parent)
        hashes.result()
        sealed = seal_and_commit(writer, body)
    except BaseException:
        writer.abort()
        raise
    return Output.written(new, sealed)


def _verified(root: Path) -> dict[str, Any]:
    """The manifest of ``root``, once ``root`` verifies (without re-scanning its text), all
    but its data files' hashes: ``_hashes_match`` checks those."""
    try:
        verify(root, quick=True, hash_files=False)
    except VerifyError as exc:
        raise _refused(root, exc) from None
    return load_manifest(root)


def _hashes_match(root: Path, manifest: Mapping[str, Any]) -> None:
    try:
        check_file_hashes(root, manifest)
    except OSError as exc:
        raise _refused(root, VerifyError(f"{exc.filename}: cannot be read")) from None
    except VerifyError as exc:
        raise _refused(root, exc) from None


def _refused(root: Path, exc: VerifyError) -> VerifyError:
    return VerifyError(f"refusing to refresh {root}: it does not verify: {exc}")


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


@dataclass(frozen=True)
class _Shard:
    """One data file of the earlier output: its manifest entry and the position of its first
    row in its set's split."""

    entry: Mapping[str, Any]
    start: int

    @property
    def end(self) -> int:
        end: int = self.start + self.entry["rows"]
        return end


class _Sets:
    """The clean and quarantine files of an earlier output, per split, mapped to row positions
    by their recorded row counts; each quarantined record's input row (the quarantine set
    holds them in input order, as the ledger lists them). Files are read one at a time."""

    def __init__(self, root: Path, manifest: Mapping[str, Any], ledger: list[dict[str, Any]]):
        self.root = root
        self.format = formats.get(manifest["outputs"]["format"])
        self.shards: dict[tuple[str, str], list[_Shard]] = {}
        for entry in sorted(manifest["outputs"]["files"], key=lambda e: e["path"]):
            shards = self.shards.setdefault((entry["set"], entry["split"]), [])
            shards.append(_Shard(entry, shards[-1].end if shards else 0))
        self.quarantine_rows: dict[str, list[int]] = {}
        for row in sorted(ledger, key=lambda r: r["row"]):
            if row["action"] == "quarantine":
                self.quarantine_rows.setdefault(row["split"], []).append(row["row"])
        for split in manifest["splits"]:
            held = self.of(QUARANTINE, split)
            if (held[-1].end if held else 0) != len(self.quarantine_rows.get(split, [])):
                raise VerifyError(f"{root}: split {split!r}: quarantine set and ledger disagree")

    def of(self, name: str, split: str) -> list[_Shard]:
        return self.shards.get((name, split), [])

    def schema(self, shard: _Shard) -> pa.Schema:
        """The columns (and ``datasets`` features) a file was written with."""
        schema = self.format.read_schema(self.root / shard.entry["path"])
        return schema if schema is not None else self.read(shard).schema

    def read(self, shard: _Shard) -> pa.Table:
        return self.format.read_table(self.root / shard.entry["path"])

    def batches(self, shard: _Shard) -> Iterator[pa.RecordBatch]:
        """A file's rows, in order, a row group at a time where the format allows (xfilter
        writes row groups of at most ``ROW_GROUP_ROWS``; reading one whole is about twice as
        fast as ``iter_batches``)."""
        path = self.root / shard.entry["path"]
        if self.format.name == "parquet":
            file = pq.ParquetFile(path)
            for group in range(file.num_row_groups):
                yield from file.read_row_group(group).to_batches()
        else:
            yield from self.format.read_table(path).to_batches()

    def record(self, split: str, row: Mapping[str, Any]) -> dict[str, Any] | None:
        """The stored record of an index row: from the clean or the quarantine set."""
        if row["clean_row"] is not None:
            name, position = CLEAN, row["clean_row"]
        elif row["action"] == "quarantine":
            name = QUARANTINE
            position = bisect.bisect_left(self.quarantine_rows[split], row["row"])
        else:
            return None
        shards = self.of(name, split)
        shard = shards[bisect.bisect_right([s.start for s in shards], position) - 1]
        offset = position - shard.start
        for batch in self.batches(shard):
            if offset < batch.num_rows:
                record: dict[str, Any] = batch.slice(offset, 1).to_pylist()[0]
                return record
            offset -= batch.num_rows
        raise VerifyError(f"{self.root / shard.entry['path']}: fewer rows than recorded")


def _plan(
    index: list[dict[str, Any]],
    compliance: ComplianceSet,
    policy: Policy | None,
    sets: _Sets,
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
        if row["reason"] == REASON_RELEASED:
            continue  # a reviewer's release is not undone for a policy reason
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


@dataclass
class _ShardCounts:
    """How the data files of a refresh were made: carried over unchanged, or rewritten."""

    carried: int = 0
    rewritten: int = 0

    def add(self, done: Iterable[str]) -> None:
        """Count what was done to each file: ``carried``, ``rewritten`` or ``removed``."""
        for how in done:
            if how == "carried":
                self.carried += 1
            elif how == "rewritten":
                self.rewritten += 1

    def as_dict(self) -> dict[str, int]:
        return {"carried": self.carried, "rewritten": self.rewritten}


def _write_sets(
    writer: OutputWriter,
    manifest: Mapping[str, Any],
    sets: _Sets,
    index: list[dict[str, Any]],
    plan: _Plan,
) -> tuple[dict[str, list[int]], _ShardCounts]:
    """Write every split's clean and quarantine files, rewriting only those that hold an
    affected record; return the removed clean rows and how the files were made."""
    by_row = {(r["split"], r["row"]): r for r in index}
    clean_removed: dict[str, list[int]] = {}
    counts = _ShardCounts()
    for split in manifest["splits"]:
        removed = {row: removal for (name, row), removal in plan.removals.items() if name == split}
        moved = [by_row[(split, row)] for row in sorted(removed)]
        from_clean = [r for r in moved if r["clean_row"] is not None]
        clean_removed[split] = sorted(r["clean_row"] for r in from_clean)
        quarantined = [r for r in from_clean if removed[r["row"]].action == "quarantine"]
        taken = _write_clean(writer, sets, split, clean_removed[split], quarantined, counts)
        _write_quarantine(writer, sets, split, removed, quarantined, taken, counts)
    return clean_removed, counts


def _within(positions: list[int], shard: _Shard) -> list[int]:
    """The sorted ``positions`` that fall in ``shard``, relative to its first row."""
    low = bisect.bisect_left(positions, shard.start)
    high = bisect.bisect_left(positions, shard.end)
    return [p - shard.start for p in positions[low:high]]


def _write_clean(
    writer: OutputWriter,
    sets: _Sets,
    split: str,
    removed: list[int],
    quarantined: list[dict[str, Any]],
    counts: _ShardCounts,
) -> pa.Table | None:
    """The split's clean files without the ``removed`` positions: a file with none of them is
    carried over, the others are rewritten a row group at a time (with no row left, still a
    file, so that the other names stay), several at once. Return the records the policy now
    quarantines."""
    shards = sets.of(CLEAN, split)
    emptied = bool(shards) and len(removed) == shards[-1].end  # no file, as a run writes none
    wanted = sorted(r["clean_row"] for r in quarantined)

    def one(shard: _Shard) -> tuple[str, list[pa.Table]]:
        gone = _within(removed, shard)
        if not gone:
            writer.carry_shard(sets.root, shard.entry)
            return "carried", []
        taken: list[pa.Table] = []
        kept = _filtered(sets.batches(shard), set(gone), set(_within(wanted, shard)), taken)
        if emptied:
            for _ in kept:  # read for the quarantined records only
                pass
            return "removed", taken
        writer.write_shard(shard.entry["path"], CLEAN, split, sets.schema(shard), kept)
        return "rewritten", taken

    done = _in_parallel(one, shards)
    counts.add(how for how, _ in done)
    taken = [table for _, tables in done for table in tables]
    return pa.concat_tables(taken) if taken else None


def _in_parallel(call: Callable[[_I], _T], shards: list[_I]) -> list[_T]:
    """``call`` on every shard, on a few threads (reading and writing files release the
    GIL), results in shard order; memory holds a row group per thread."""
    pool = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="xfilter-refresh")
    try:
        return list(pool.map(call, shards))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _filtered(
    batches: Iterable[pa.RecordBatch], gone: set[int], take: set[int], taken: list[pa.Table]
) -> Iterator[pa.RecordBatch]:
    """``batches`` without the rows at positions ``gone``; the rows at ``take`` are added to
    ``taken`` on the way."""
    offset = 0
    for batch in batches:
        positions = range(offset, offset + batch.num_rows)
        offset += batch.num_rows
        picked = [i for i, p in enumerate(positions) if p in take]
        if picked:
            taken.append(pa.Table.from_batches([batch.take(pa.array(picked, pa.int64()))]))
        yield batch.filter(pa.array([p not in gone for p in positions], pa.bool_()))


def _write_quarantine(
    writer: OutputWriter,
    sets: _Sets,
    split: str,
    removed: Mapping[int, Removal],
    moved: list[dict[str, Any]],
    taken: pa.Table | None,
    counts: _ShardCounts,
) -> None:
    """The split's quarantine files: the old ones without the records a compliance reason
    removes, with each record the policy now quarantines inserted, in input order, into the
    file that holds its input region (the last file whose first record comes before it). A
    file neither change touches is carried over; the number of files stays the same (a split
    with no quarantine file gets one)."""
    shards = sets.of(QUARANTINE, split)
    rows = sets.quarantine_rows.get(split, [])
    gone = [i for i, row in enumerate(rows) if row in removed]
    additions = _with_tags(taken, moved) if taken is not None else None
    targets = _targets(shards, rows, [r["row"] for r in moved])
    if len(rows) - len(gone) + len(moved) == 0:
        return  # no record left: no file, as a run writes none
    if not shards:
        assert additions is not None
        path = shard_path(QUARANTINE, split, 0, 1, sets.format.extension)
        schema = quarantine_schema(sets.schema(sets.of(CLEAN, split)[0]))
        writer.write_shard(path, QUARANTINE, split, schema, [additions.cast(schema)])
        counts.add(["rewritten"])
        return

    def one(number_shard: tuple[int, _Shard]) -> str:
        number, shard = number_shard
        dropped = _within(gone, shard)
        inserted = [i for i, target in enumerate(targets) if target == number]
        if not dropped and not inserted:
            writer.carry_shard(sets.root, shard.entry)
            return "carried"
        schema = sets.schema(shard)
        batches: Iterable[pa.RecordBatch | pa.Table]
        if inserted:
            assert additions is not None
            held = rows[shard.start : shard.end]
            batches = [_merged(sets.read(shard), held, set(dropped), additions, moved, inserted)]
        else:
            batches = _filtered(sets.batches(shard), set(dropped), set(), [])
        writer.write_shard(shard.entry["path"], QUARANTINE, split, schema, batches)
        return "rewritten"

    counts.add(_in_parallel(one, list(enumerate(shards))))


def _targets(shards: list[_Shard], rows: list[int], moved: list[int]) -> list[int]:
    """For each input row in ``moved``, the quarantine file it goes to: the last file whose
    first record's input row comes before it (the first file for a row before them all)."""
    firsts = [(rows[s.start], number) for number, s in enumerate(shards) if s.end > s.start]
    starts = [first for first, _ in firsts]
    targets = []
    for row in moved:
        at = bisect.bisect_right(starts, row) - 1
        targets.append(firsts[max(at, 0)][1] if firsts else 0)
    return targets


def _merged(
    old: pa.Table,
    held: list[int],
    dropped: set[int],
    additions: pa.Table,
    moved: list[dict[str, Any]],
    inserted: list[int],
) -> pa.Table:
    """One quarantine file's rows: ``old`` without the ``dropped`` positions, with the
    ``inserted`` rows of ``additions``, in input order."""
    stays = [i not in dropped for i in range(old.num_rows)]
    order = [row for row, keep in zip(held, stays, strict=True) if keep]
    order.extend(moved[i]["row"] for i in inserted)
    added = additions.take(pa.array(inserted, pa.int64())).cast(old.schema)
    joined = pa.concat_tables([old.filter(pa.array(stays, pa.bool_())), added])
    return joined.take(pa.array(sorted(range(len(order)), key=order.__getitem__), pa.int64()))


def _with_tags(taken: pa.Table, moved: list[dict[str, Any]]) -> pa.Table:
    """Clean records the policy now quarantines, with the quarantine set's tag columns."""
    table = taken.select([n for n in taken.column_names if n not in TAG_COLUMNS])
    for name, values in _tags(moved).items():
        column = TAG_SCHEMA.field(name)
        table = table.append_column(column, pa.array(values, column.type))
    return table


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
            r["reason"]
            for r in ledger
            if r["split"] == name and (r["action"] != "keep" or r["reason"] == REASON_RELEASED)
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
        if "released" in old:  # still released: those no compliance result removed
            splits[name]["released"] = reasons[REASON_RELEASED]
    return splits


def _changes(index: list[dict[str, Any]], plan: _Plan) -> dict[str, Any]:
    """What left the clean and quarantine sets since the previous version."""
    by_row = {(r["split"], r["row"]): r for r in index}
    by_reason: Counter[str] = Counter()
    by_split: Counter[str] = Counter()
    from_clean = released = 0
    for key, removal in plan.removals.items():
        by_reason[removal.reason] += 1
        by_split[key[0]] += 1
        from_clean += by_row[key]["clean_row"] is not None
        released += by_row[key]["reason"] == REASON_RELEASED
    return {
        "removed": len(plan.removals),
        "removed_from_clean": from_clean,
        # Records a reviewer had released that X's compliance results removed all the same.
        "released_removed": released,
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
