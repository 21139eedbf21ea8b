"""``xfilter verify``: an output directory against its manifest and its recorded policy."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from xfilter.config import Config, build_config
from xfilter.errors import ConfigError, VerifyError
from xfilter.output import formats
from xfilter.output.documents import document_sha256
from xfilter.output.layout import (
    CLEAN,
    DOCUMENT_FILES,
    INDEX,
    LEDGER,
    MANIFEST,
    QUARANTINE,
    TOP_LEVEL,
    SetName,
    shard_numbers,
)
from xfilter.output.manifest import (
    SELF_HASH,
    Imbalance,
    allowlist_facts,
    body_sha256,
    check_shape,
    conservation_fault,
    policy_section,
)
from xfilter.output.writer import file_sha256, index_schema, ledger_schema, record_sha256
from xfilter.policy.allowlist import REASON_RELEASED, from_entries
from xfilter.vocab import ACTION_COUNTS, REASONS


def _rows(path: Path, fmt: str) -> int:
    try:
        return formats.get(fmt).count_rows(path)
    except pa.ArrowException as exc:
        raise VerifyError(f"{path}: not a readable {fmt} file ({_first_line(exc)})") from None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__


def load_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of ``directory``, checked to have this schema's structure (not its seal)."""
    path = directory / MANIFEST
    if not path.is_file():
        raise VerifyError(f"{path}: missing; {directory} is not a finished xfilter output")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise VerifyError(f"{path}: not valid JSON ({str(exc)[:200]})") from None
    return check_shape(manifest, str(path))


def confined(root: Path, relative: str) -> Path:
    """``root / relative``, refused unless it stays inside ``root``: no absolute path, no
    ``..``, no symbolic link out of the directory."""
    pure = PurePosixPath(relative)
    if (
        not relative
        or "\\" in relative
        or "\0" in relative
        or pure.is_absolute()
        or PureWindowsPath(relative).drive
        or ".." in pure.parts
    ):
        raise VerifyError(
            f"{root / MANIFEST}: path {_short(relative)} may reach outside the output directory "
            "(absolute, '..' or a backslash)"
        )
    path = root / relative
    if not path.resolve().is_relative_to(root.resolve()):
        raise VerifyError(f"{path}: resolves outside the output directory (a symbolic link)")
    return path


def verify(
    directory: str | os.PathLike[str],
    quick: bool = False,
    chain: Sequence[str | os.PathLike[str]] = (),
    *,
    hash_files: bool = True,
) -> list[str]:
    """Raise ``VerifyError`` naming the first problem; return what was checked. ``chain``:
    the earlier versions a refreshed output derives from, newest first, checked link by
    link. ``hash_files=False`` leaves the data files' sha256 to the caller, who must call
    ``check_file_hashes`` before trusting them (a refresh hashes them while it works)."""
    try:
        checked = _verify(Path(directory), quick, hash_files)
        if chain:
            checked.extend(verify_chain(Path(directory), [Path(p) for p in chain]))
        return checked
    except OSError as exc:  # unreadable, or a name the file system refuses
        where = exc.filename if exc.filename is not None else directory
        raise VerifyError(f"{where}: cannot be read ({exc.strerror or exc})") from None


def verify_chain(head: Path, older: Sequence[Path]) -> list[str]:
    """Each version names the next one as its previous version by that one's own manifest
    hash, each earlier version verifies (without re-scanning its text: its opt-out list may
    have grown in place since), and every clean record of a version is a clean record of its
    previous version (by record hash)."""
    checked = []
    newer = head
    for previous in older:
        try:
            _verify(previous, quick=True)
        except VerifyError as exc:
            raise VerifyError(f"chain: {previous} does not verify: {exc}") from None
        _check_link(newer, previous)
        checked.append(f"chain: {newer} is a refresh of {previous}, its clean records a subset")
        newer = previous
    return checked


def _check_link(newer: Path, previous: Path) -> None:
    manifest, earlier = load_manifest(newer), load_manifest(previous)
    recorded = manifest.get("previous")
    if not isinstance(recorded, dict) or SELF_HASH not in recorded:
        raise VerifyError(f"chain: {newer} names no previous version, yet {previous} follows it")
    if recorded[SELF_HASH] != earlier[SELF_HASH]:
        raise VerifyError(
            f"chain: {previous} is not the previous version of {newer} (manifest_sha256 "
            f"{earlier[SELF_HASH][:12]}…, {newer} names {str(recorded[SELF_HASH])[:12]}…)"
        )
    # Both versions verify, so a clean file with the same bytes as one of the previous
    # version's holds clean records of it. Only the other files are hashed record by record:
    # first against the previous file of the same name (a refresh keeps names and only takes
    # records out), and against the whole previous clean set only when that does not settle it.
    before_files = _clean_entries(earlier)
    same_bytes = {e["sha256"] for e in before_files}
    same_name = {e["path"]: e for e in before_files}
    changed = [e for e in _clean_entries(manifest) if e["sha256"] not in same_bytes]
    if all(
        e["path"] in same_name
        and not _subtract(
            _clean_hashes(newer, manifest, [e]),
            _clean_hashes(previous, earlier, [same_name[e["path"]]]),
        )
        for e in changed
    ):
        return
    extra = _subtract(
        _clean_hashes(newer, manifest, changed), _clean_hashes(previous, earlier, before_files)
    )
    for split, hashes in extra.items():
        raise VerifyError(
            f"chain: {newer}: split {split!r}: {sum(hashes.values())} clean record(s) are "
            f"not clean records of {previous}"
        )


def _clean_entries(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in manifest["outputs"]["files"] if e["set"] == CLEAN]


def _subtract(
    these: dict[str, Counter[str]], those: dict[str, Counter[str]]
) -> dict[str, Counter[str]]:
    """Per split, the record hashes of ``these`` that ``those`` do not hold."""
    left = {split: hashes - those.get(split, Counter()) for split, hashes in these.items()}
    return {split: hashes for split, hashes in left.items() if hashes}


def _clean_hashes(
    root: Path, manifest: dict[str, Any], entries: list[dict[str, Any]]
) -> dict[str, Counter[str]]:
    """The record hashes of the clean files ``entries``, per split."""
    found: dict[str, Counter[str]] = {}
    for split, tables in _read_sets(root, manifest, CLEAN, entries).items():
        counter = found.setdefault(split, Counter())
        for table in tables:
            counter.update(record_sha256(row) for row in table.to_pylist())
    return found


def _verify(root: Path, quick: bool, hash_files: bool = True) -> list[str]:
    manifest = load_manifest(root)
    checked: list[str] = []
    if manifest[SELF_HASH] != body_sha256(manifest):
        raise VerifyError(f"{root / MANIFEST}: its fields were edited ({SELF_HASH} does not match)")
    checked.append("manifest body sha256")
    config = _check_config(root, manifest)
    checked.append("config_sha256, mode, action, policy and terms agree with config")
    _check_entries(root, manifest)
    checked.append("file entries: confined to the directory, named by set and split, none twice")
    unkept = sets_not_kept(manifest, str(root / MANIFEST))
    if unkept:
        checked.append(_recorded_line(manifest, unkept))
    _check_files(root, manifest, hash_files)
    hashed = "sha256 and rows" if hash_files else "rows (sha256 left to the caller)"
    checked.append(f"{len(manifest['outputs']['files'])} data files: {hashed}")
    _check_unlisted(root, manifest)
    checked.append("no unlisted files")
    _check_documents(root, manifest)
    checked.append(f"{' and '.join(DOCUMENT_FILES)}: as bound to the manifest")
    _check_counts(root, manifest)
    checked.append("input = kept + dropped + quarantined, per split")
    ledger = _check_ledger(root, manifest, config.ledger.identity)
    checked.append("ledger agrees with the counts, categories, rules and reasons")
    if manifest.get("allowlist") is not None or config.allowlist.path:
        checked.append(_check_allowlist(root, manifest, config, ledger))
    _check_index(root, manifest, config.ledger.identity, ledger)
    checked.append("X index: sha256, rows, agrees with the ledger and the clean set")
    if not quick and CLEAN in unkept:
        checked.append("no clean set was kept (a recorded loop consumed it): nothing to re-scan")
    elif not quick:
        rejected = rescan_clean(root, manifest, config, released_hashes(ledger))
        if rejected:
            split, row, rules = rejected[0]
            raise VerifyError(
                f"{root}: the clean set still holds {len(rejected)} record(s) the recorded policy "
                f"rejects (first: split {split!r}, row {row}, rules {rules})"
            )
        checked.append("clean set re-scanned under the recorded policy: nothing rejected")
    return checked


def _check_config(root: Path, manifest: dict[str, Any]) -> Config:
    """The recorded config, its hash, and everything the manifest says it implies agree."""
    path = root / MANIFEST
    try:
        config = build_config(manifest["config"], f"{path}: config")
    except ConfigError as exc:
        raise VerifyError(str(exc)) from None
    if config.as_dict() != manifest["config"]:
        raise VerifyError(
            f"{path}: config: not as the run resolved it (a value was changed or a default dropped)"
        )
    if config.sha256 != manifest["config_sha256"]:
        raise VerifyError(f"{path}: config_sha256 does not match config")
    implied = {
        **policy_section(config),
        "opt_out": "recorded" if config.opt_out.path else None,
    }
    found = {
        **{key: manifest.get(key) for key in implied},
        "opt_out": "recorded" if manifest["opt_out"] is not None else None,
    }
    for key, value in implied.items():
        if found[key] != value:
            raise VerifyError(
                f"{path}: {key}: {_short(found[key])} but its config implies {_short(value)}"
            )
    if manifest["registry"]["files"] != config.known_datasets:
        raise VerifyError(f"{path}: registry.files: differ from config.known_datasets")
    return config


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_entries(root: Path, manifest: dict[str, Any]) -> None:
    """Every file entry is inside the directory, listed once, for a counted split, and named
    as the writer names shards (``<set>/data/<split>-NNNNN-of-NNNNN.<ext>``, all of them)."""
    path = root / MANIFEST
    ext = formats.get(manifest["outputs"]["format"]).extension
    seen: set[str] = set()
    shards: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for entry in manifest["outputs"]["files"]:
        relative, name, split = entry["path"], entry["set"], entry["split"]
        confined(root, relative)
        if relative in seen:
            raise VerifyError(f"{path}: {_short(relative)} is listed twice in outputs.files")
        seen.add(relative)
        if split not in manifest["splits"]:
            raise VerifyError(f"{path}: {relative!r}: split {split!r} is not counted in splits")
        shard = shard_numbers(relative, name, split, ext)
        if shard is None:
            raise VerifyError(
                f"{path}: {relative!r} is not where xfilter writes a {name} file of split "
                f"{split!r} in {ext}"
            )
        shards.setdefault((name, split), []).append(shard)
    for (name, split), numbers in shards.items():
        count = len(numbers)
        if sorted(numbers) != [(index, count) for index in range(count)]:
            raise VerifyError(f"{path}: the {name} files of split {split!r} are not a full set")
    for key, name in (("ledger", LEDGER), ("index", INDEX)):
        confined(root, manifest[key]["path"])
        if manifest[key]["path"] != name:
            raise VerifyError(f"{path}: {key}.path: {name!r} expected")


def _check_files(root: Path, manifest: dict[str, Any], hash_files: bool = True) -> None:
    fmt = manifest["outputs"]["format"]
    entries = manifest["outputs"]["files"]
    for entry in entries:
        path = root / entry["path"]
        if not path.is_file():
            raise VerifyError(f"{path}: listed in the manifest but missing")
    if hash_files:
        check_file_hashes(root, manifest)
    for entry in entries:
        path = root / entry["path"]
        rows = _rows(path, fmt)
        if rows != entry["rows"]:
            raise VerifyError(f"{path}: {rows} rows, the manifest says {entry['rows']}")


def check_file_hashes(root: Path, manifest: Mapping[str, Any]) -> None:
    """Every data file has the sha256 its manifest entry records."""
    entries = manifest["outputs"]["files"]
    # Hashing is most of a quick verify; hashlib releases the GIL, so files hash on every core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        hashes = list(pool.map(file_sha256, (root / entry["path"] for entry in entries)))
    for entry, sha256 in zip(entries, hashes, strict=True):
        if sha256 != entry["sha256"]:
            path = root / entry["path"]
            raise VerifyError(f"{path}: modified (sha256 differs from the manifest)")


def _check_unlisted(root: Path, manifest: dict[str, Any]) -> None:
    """Nothing was added, and no symbolic link leads out of the directory."""
    listed = {entry["path"] for entry in manifest["outputs"]["files"]}
    inside = root.resolve()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink() and not path.resolve().is_relative_to(inside):
            raise VerifyError(f"{path}: resolves outside the output directory (a symbolic link)")
        if path.is_file() and relative not in listed and relative not in TOP_LEVEL:
            raise VerifyError(f"{path}: not listed in the manifest (added after the run)")
    for name in os.listdir(root):
        if name not in TOP_LEVEL:
            raise VerifyError(f"{root / name}: not part of an xfilter output")


def _check_documents(root: Path, manifest: dict[str, Any]) -> None:
    """The card and the Croissant file are the ones bound to this manifest, unedited."""
    expected = {name: manifest["documents"][name] for name in DOCUMENT_FILES}
    for name, sha in expected.items():
        path = confined(root, name)
        if not path.is_file():
            raise VerifyError(f"{path}: missing; the manifest lists it under documents")
        if document_sha256(path.read_bytes(), manifest[SELF_HASH]) != sha:
            raise VerifyError(
                f"{path}: modified (it is not the text bound to manifest.json's documents)"
            )


# -- outputs recorded from a filtering loop (xfilter.Recorder) ----------------------------------

RECORDED = "recorded"


def sets_not_kept(manifest: dict[str, Any], origin: str) -> tuple[SetName, ...]:
    """The sets an output holds no files of by design: none for a run; for an output a
    ``Recorder`` wrote, the clean set (the loop consumed it) and the quarantine set unless it
    was kept. ``VerifyError`` naming ``origin`` if the manifest's ``recorded`` entry is
    malformed or its files contradict it."""
    recorded = manifest.get(RECORDED)
    if recorded is None:
        return ()
    if not (
        isinstance(recorded, dict)
        and recorded.get("clean") is False
        and isinstance(recorded.get("quarantine"), bool)
        and isinstance(recorded.get("complete"), bool)
    ):
        raise VerifyError(
            f"{origin}: {RECORDED}: expected {{clean: false, quarantine: true|false, "
            f"complete: true|false}}, got {_short(recorded)}"
        )
    unkept: tuple[SetName, ...] = (CLEAN,) if recorded["quarantine"] else (CLEAN, QUARANTINE)
    for entry in manifest["outputs"]["files"]:
        if entry["set"] in unkept:
            raise VerifyError(
                f"{origin}: {entry['path']!r}: a recorded output keeps no {entry['set']} files"
            )
    return unkept


def _recorded_line(manifest: dict[str, Any], unkept: tuple[SetName, ...]) -> str:
    state = "complete" if manifest[RECORDED]["complete"] else "a checkpoint: counts so far"
    held = "no clean set" if len(unkept) == 1 else "no clean or quarantine set"
    return f"recorded from a filtering loop ({state}): {held} was kept, by design"


def counts_fault(manifest: dict[str, Any]) -> Imbalance | None:
    """``conservation_fault`` on the sets an output keeps: for a recorded output, the records
    of a set not kept are counted (and listed in the ledger when not kept) but have no files,
    so only the counts themselves are held to ``input = kept + dropped + quarantined``."""
    unkept = sets_not_kept(manifest, MANIFEST)
    if not unkept:
        return conservation_fault(manifest)
    held = {CLEAN: "kept", QUARANTINE: "quarantined"}
    files = [e for e in manifest["outputs"]["files"] if e["set"] not in unkept]
    # The records of each set not kept stand in for its files, so every other check holds.
    files += [
        {"set": name, "split": split, "rows": counts[held[name]]}
        for split, counts in manifest["splits"].items()
        for name in unkept
    ]
    return conservation_fault({**manifest, "outputs": {**manifest["outputs"], "files": files}})


def _check_counts(root: Path, manifest: dict[str, Any]) -> None:
    fault = counts_fault(manifest)
    if fault is not None:
        raise VerifyError(f"{root if fault.in_files else root / MANIFEST}: {fault.message}")


def _read_recorded(
    root: Path, manifest: dict[str, Any], key: str, schema: pa.Schema
) -> tuple[Path, pa.Table]:
    """The ledger or the X index: the recorded file, unmodified, with ``schema`` and the
    recorded number of rows."""
    entry = manifest[key]
    path = root / entry["path"]
    what = "ledger" if key == "ledger" else "X index"
    if not path.is_file():
        raise VerifyError(f"{path}: {what} missing")
    if file_sha256(path) != entry["sha256"]:
        raise VerifyError(f"{path}: modified (sha256 differs from the manifest)")
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise VerifyError(f"{path}: not a readable {what} ({str(exc)[:200]})") from None
    if not table.schema.remove_metadata().equals(schema):
        raise VerifyError(f"{path}: not the {what}'s columns ({', '.join(schema.names)})")
    if table.num_rows != entry["rows"]:
        raise VerifyError(f"{path}: {table.num_rows} rows, the manifest says {entry['rows']}")
    return path, table


def _check_ledger(root: Path, manifest: dict[str, Any], identity: list[str]) -> pa.Table:
    """The ledger is the recorded file, and its rows agree with the split counts: one row per
    record not kept, each a distinct input row, with no category or rule the counts lack and
    exactly the counted reasons."""
    path, ledger = _read_recorded(root, manifest, "ledger", ledger_schema(identity))
    columns = ("split", "row", "action", "categories", "rules", "reason")
    records = zip(*(ledger.column(c).to_pylist() for c in columns), strict=True)
    actions: Counter[tuple[str, str]] = Counter()
    categories: Counter[tuple[str, str]] = Counter()
    rules: Counter[tuple[str, str]] = Counter()
    reasons: Counter[tuple[str, str]] = Counter()
    seen: set[tuple[str, int]] = set()
    splits = manifest["splits"]
    released: Counter[str] = Counter()
    for split, row, action, found, fired, reason in records:
        if action == "keep" and reason == REASON_RELEASED and split in splits:
            released[split] += 1  # kept by a reviewer's allowlist: listed, among the kept
        elif split not in splits or action not in ACTION_COUNTS or reason not in REASONS:
            raise VerifyError(
                f"{path}: a row of split {split!r} with action {action!r}, reason {reason!r}"
            )
        if not 0 <= row < splits[split]["input"] or (split, row) in seen:
            raise VerifyError(f"{path}: split {split!r}: row {row} is out of range or repeated")
        seen.add((split, row))
        actions[(split, action)] += 1
        reasons[(split, reason)] += 1
        categories.update((split, c) for c in found or ())
        rules.update((split, r) for r in fired or ())
    for name, split in splits.items():
        if released[name] != split.get("released", 0) or released[name] > split["kept"]:
            raise VerifyError(
                f"{path}: split {name!r}: {released[name]} released rows, the manifest counts "
                f"released = {split.get('released', 0)} (of kept {split['kept']})"
            )
        for action, key in ACTION_COUNTS.items():
            if actions[(name, action)] != split[key]:
                raise VerifyError(
                    f"{path}: split {name!r}: {actions[(name, action)]} {action} rows, "
                    f"the manifest counts {key} = {split[key]}"
                )
    for kind, counted, key in (
        (("category", categories, "by_category")),
        ("rule", rules, "by_rule"),
    ):
        for (name, value), count in sorted(counted.items()):
            if count > splits[name][key].get(value, 0):
                raise VerifyError(
                    f"{path}: split {name!r}: {count} rows not kept have {kind} {value!r}, "
                    f"more than the {splits[name][key].get(value, 0)} records in {key}"
                )
    for name, split in splits.items():
        found_reasons = {r: n for (s, r), n in sorted(reasons.items()) if s == name}
        if found_reasons != split["by_reason"]:
            raise VerifyError(
                f"{path}: split {name!r}: the ledger's reasons {found_reasons} are not the "
                f"manifest's by_reason {split['by_reason']}"
            )
    return ledger


# The columns a ledger row and the X index row of the same record share.
_SHARED = ("action", "reason", "record_sha256", "categories")


def _check_index(
    root: Path, manifest: dict[str, Any], identity: list[str], ledger: pa.Table
) -> None:
    """The X index is the recorded file; each of its rows is a distinct input row; a removed
    or redacted record's row says what its ledger row says, and every ledger row with X content
    or authors is listed; ``clean_row`` is set exactly for the kept records, each a distinct
    row within the split's clean set."""
    path, index = _read_recorded(root, manifest, "index", index_schema(identity))
    shared = [*_SHARED, *(c for c in ledger.column_names if c.startswith("id."))]
    in_ledger = {
        (r["split"], r["row"]): r for r in ledger.select(["split", "row", *shared]).to_pylist()
    }
    splits = manifest["splits"]
    seen: set[tuple[str, int]] = set()
    clean: set[tuple[str, int]] = set()
    for record in index.select(["split", "row", "clean_row", *shared]).to_pylist():
        key = (record["split"], record["row"])
        if key[0] not in splits or not 0 <= key[1] < splits[key[0]]["input"] or key in seen:
            raise VerifyError(f"{path}: split {key[0]!r}: row {key[1]} is out of range or repeated")
        seen.add(key)
        _check_clean_row(path, record, splits[key[0]]["kept"], clean)
        listed = in_ledger.get(key)
        in_ledger_expected = record["action"] != "keep" or record["reason"] == REASON_RELEASED
        if in_ledger_expected != (listed is not None) or (
            listed is not None and any(listed[c] != record[c] for c in shared)
        ):
            raise VerifyError(
                f"{path}: split {key[0]!r} row {key[1]}: not as the ledger records it"
            )
    for key, listed in in_ledger.items():
        if key not in seen and set(listed["categories"] or ()) - {"x_mention"}:
            raise VerifyError(
                f"{path}: split {key[0]!r} row {key[1]}: in the ledger with X content, "
                "missing from the X index"
            )


def _check_clean_row(
    path: Path, record: dict[str, Any], kept: int, clean: set[tuple[str, int]]
) -> None:
    """A kept or redacted record has a distinct position within its split's clean set; any
    other record has none."""
    position, keeps = record["clean_row"], record["action"] in ("keep", "redact")
    where = f"{path}: split {record['split']!r} row {record['row']}"
    if keeps != (position is not None):
        raise VerifyError(f"{where}: clean_row {position!r} for action {record['action']!r}")
    if position is None:
        return
    if not 0 <= position < kept or (record["split"], position) in clean:
        raise VerifyError(f"{where}: clean_row {position} is outside the clean set or repeated")
    clean.add((record["split"], position))


def released_hashes(ledger: pa.Table) -> set[tuple[str, str]]:
    """(split, record hash) of every record the ledger says an allowlist released."""
    rows = ledger.filter(pc.equal(ledger.column("reason"), REASON_RELEASED))
    splits, hashes = rows.column("split").to_pylist(), rows.column("record_sha256").to_pylist()
    return set(zip(splits, hashes, strict=True))


def _check_allowlist(root: Path, manifest: dict[str, Any], config: Config, ledger: pa.Table) -> str:
    """The embedded list is the one recorded (its hash and size), every released ledger row is
    named by one of its entries, and the released counts, unmatched entries and the statement
    about the terms are what the ledger implies."""
    path = root / MANIFEST
    section = manifest.get("allowlist")
    if not isinstance(section, dict) or not config.allowlist.path:
        raise VerifyError(
            f"{path}: allowlist: the config and the manifest disagree on whether a list applied"
        )
    entries = section.get("list")
    if not isinstance(entries, list):
        raise VerifyError(f"{path}: allowlist.list: expected the list's entries")
    try:
        allowlist = from_entries(entries, f"{path}: allowlist.list")
    except ConfigError as exc:
        raise VerifyError(str(exc)) from None
    recorded = {key: section.get(key) for key in ("sha256", "entries", "by")}
    implied = {"sha256": allowlist.sha256, "entries": len(allowlist), "by": allowlist.reviewers}
    for key, value in implied.items():
        if recorded[key] != value:
            raise VerifyError(
                f"{path}: allowlist.{key}: {_short(recorded[key])} but its entries imply "
                f"{_short(value)}"
            )
    facts, orphans = allowlist_facts(
        section, ledger, manifest["splits"], manifest["mode"], str(path)
    )
    if orphans:
        split, row = orphans[0]
        raise VerifyError(
            f"{root / LEDGER}: split {split!r} row {row}: released, but no allowlist entry names it"
        )
    for key, value in facts.items():
        if section.get(key) != value:
            raise VerifyError(
                f"{path}: allowlist.{key}: {_short(section.get(key))} but the ledger implies "
                f"{_short(value)}"
            )
    released = sum(facts["released"].values())
    return (
        f"allowlist {allowlist.sha256[:12]}…: {len(allowlist)} entries, {released} released "
        "record(s), each named by an entry"
    )


def rescan_clean(
    root: Path,
    manifest: dict[str, Any],
    config: Config | None = None,
    released: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
) -> list[tuple[str, int, list[str]]]:
    """Re-tag the clean set under the recorded config; return the records it would not keep,
    but for those a reviewer's allowlist released (``released``: split and record hash)."""
    from xfilter.transform import XFilter
    from xfilter.vocab import ACTION, RULES_COLUMN

    config = config or _check_config(root, manifest)
    recorded = manifest.get("opt_out")
    if recorded and config.opt_out.path:
        path = Path(config.opt_out.path)
        if not path.is_file() or file_sha256(path) != recorded["sha256"]:
            raise VerifyError(
                f"{path}: the opt-out list used for this run is missing or changed; "
                "cannot re-scan (use --quick to skip the re-scan)"
            )
    xf = XFilter(config=config)
    if xf.registry.sha256 != manifest["registry"]["sha256"]:
        raise VerifyError(
            "the known-datasets registry differs from the recorded one; cannot re-scan "
            "(use --quick to skip the re-scan)"
        )
    result = _read_sets(root, manifest, CLEAN)
    rejected: list[tuple[str, int, list[str]]] = []
    for split, tables in result.items():
        offset = 0
        for table in tables:
            tagged = xf.tag_table(table)
            actions = tagged.column(ACTION).to_pylist()
            rules = tagged.column(RULES_COLUMN).to_pylist()
            unkept = [i for i, a in enumerate(actions) if a != "keep"]
            if released and unkept:
                rows = table.take(pa.array(unkept)).to_pylist()
                unkept = [
                    i
                    for i, row in zip(unkept, rows, strict=True)
                    if (split, record_sha256(row)) not in released
                ]
            rejected.extend((split, offset + i, rules[i]) for i in unkept)
            offset += table.num_rows
    return rejected


def _read_sets(
    root: Path,
    manifest: dict[str, Any],
    name: str,
    entries: list[dict[str, Any]] | None = None,
) -> dict[str, list[Any]]:
    """The tables of set ``name`` (of its files ``entries``, by default all), per split."""
    fmt = manifest["outputs"]["format"]
    out: dict[str, list[Any]] = {}
    for entry in manifest["outputs"]["files"] if entries is None else entries:
        if entry["set"] != name:
            continue
        path = confined(root, entry["path"])
        if entry.get("rows") == 0:
            continue  # a shard a refresh emptied: nothing to read (an empty JSON Lines file
            # is not valid input to Arrow's reader); its hash and row count are checked above
        try:
            table = formats.get(fmt).read_table(path)
        except pa.ArrowException as exc:
            raise VerifyError(f"{path}: not a readable {fmt} file ({_first_line(exc)})") from None
        out.setdefault(entry["split"], []).append(table)  # a split with no rows has no file
    return out
