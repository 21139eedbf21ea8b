"""``xfilter verify``: an output directory against its manifest and its recorded policy."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from xfilter.config import Config
from xfilter.errors import VerifyError
from xfilter.manifest import SCHEMA, SELF_HASH, body_sha256
from xfilter.outputs import LEDGER, MANIFEST, file_sha256

_TOP_LEVEL = {MANIFEST, LEDGER, "README.md", "manifest.croissant.json", "clean", "quarantine"}


def _rows(path: Path, fmt: str) -> int:
    if fmt == "parquet":
        return pq.ParquetFile(path).metadata.num_rows
    if fmt == "arrow":
        with ipc.open_stream(str(path)) as reader:
            return sum(batch.num_rows for batch in reader)
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def load_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise VerifyError(f"{path}: missing; {directory} is not a finished xfilter output")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise VerifyError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
        raise VerifyError(f"{path}: not an xfilter manifest (schema {SCHEMA!r} expected)")
    return manifest


def verify(directory: str | os.PathLike[str], quick: bool = False) -> list[str]:
    """Raise ``VerifyError`` naming the first problem; return what was checked."""
    root = Path(directory)
    manifest = load_manifest(root)
    checked: list[str] = []
    if manifest.get(SELF_HASH) != body_sha256(manifest):
        raise VerifyError(f"{root / MANIFEST}: its fields were edited ({SELF_HASH} does not match)")
    checked.append("manifest body sha256")
    fmt = manifest["outputs"]["format"]
    listed = {entry["path"] for entry in manifest["outputs"]["files"]}
    for entry in manifest["outputs"]["files"]:
        path = root / entry["path"]
        if not path.is_file():
            raise VerifyError(f"{path}: listed in the manifest but missing")
        if file_sha256(path) != entry["sha256"]:
            raise VerifyError(f"{path}: modified (sha256 differs from the manifest)")
        if _rows(path, fmt) != entry["rows"]:
            raise VerifyError(f"{path}: {_rows(path, fmt)} rows, the manifest says {entry['rows']}")
    checked.append(f"{len(listed)} data files: sha256 and rows")
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and relative not in listed and relative not in _TOP_LEVEL:
            raise VerifyError(f"{path}: not listed in the manifest (added after the run)")
    for name in os.listdir(root):
        if name not in _TOP_LEVEL:
            raise VerifyError(f"{root / name}: not part of an xfilter output")
    checked.append("no unlisted files")
    _check_croissant(root, manifest)
    _check_counts(root, manifest)
    checked.append("input = kept + dropped + quarantined, per split")
    _check_ledger(root, manifest)
    checked.append("ledger agrees with the counts")
    if not quick:
        rejected = rescan_clean(root, manifest)
        if rejected:
            split, row, rules = rejected[0]
            raise VerifyError(
                f"{root}: the clean set still holds {len(rejected)} record(s) the recorded policy "
                f"rejects (first: split {split!r}, row {row}, rules {rules})"
            )
        checked.append("clean set re-scanned under the recorded policy: nothing rejected")
    return checked


def _check_croissant(root: Path, manifest: dict[str, Any]) -> None:
    """The Croissant file is written after the manifest: its file hashes must agree with it."""
    path = root / "manifest.croissant.json"
    if not path.is_file():
        return
    try:
        described = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise VerifyError(f"{path}: not valid JSON") from None
    hashes = {f["path"]: f["sha256"] for f in manifest["outputs"]["files"]}
    for entry in described.get("distribution", []):
        url, sha = entry.get("contentUrl"), entry.get("sha256")
        if url in hashes and sha != hashes[url]:
            raise VerifyError(f"{path}: {url} sha256 differs from the manifest")


def _check_counts(root: Path, manifest: dict[str, Any]) -> None:
    rows: Counter[tuple[str, str]] = Counter()
    for entry in manifest["outputs"]["files"]:
        rows[(entry["set"], entry["split"])] += entry["rows"]
    for name, split in manifest["splits"].items():
        total = split["kept"] + split["dropped"] + split["quarantined"]
        if split["input"] != total:
            raise VerifyError(
                f"{root / MANIFEST}: split {name!r}: input {split['input']} != kept {split['kept']}"
                f" + dropped {split['dropped']} + quarantined {split['quarantined']}"
            )
        if rows[("clean", name)] != split["kept"]:
            raise VerifyError(
                f"{root}: split {name!r}: clean files hold {rows[('clean', name)]} rows, "
                f"kept is {split['kept']}"
            )
        if rows[("quarantine", name)] != split["quarantined"]:
            raise VerifyError(
                f"{root}: split {name!r}: quarantine files hold {rows[('quarantine', name)]} rows,"
                f" quarantined is {split['quarantined']}"
            )
        expected_rows = manifest["input"]["rows"].get(name)
        if expected_rows is not None and expected_rows != split["input"]:
            raise VerifyError(
                f"{root / MANIFEST}: split {name!r}: input had {expected_rows} rows, "
                f"{split['input']} were counted"
            )


def _check_ledger(root: Path, manifest: dict[str, Any]) -> None:
    entry = manifest["ledger"]
    path = root / entry["path"]
    if not path.is_file():
        raise VerifyError(f"{path}: ledger missing")
    if file_sha256(path) != entry["sha256"]:
        raise VerifyError(f"{path}: modified (sha256 differs from the manifest)")
    ledger = pq.read_table(path, columns=["split", "action"])
    if ledger.num_rows != entry["rows"]:
        raise VerifyError(f"{path}: {ledger.num_rows} rows, the manifest says {entry['rows']}")
    pairs = zip(
        ledger.column("split").to_pylist(), ledger.column("action").to_pylist(), strict=True
    )
    found = Counter(pairs)
    for name, split in manifest["splits"].items():
        for action, key in (
            ("drop", "dropped"),
            ("quarantine", "quarantined"),
            ("redact", "redacted"),
        ):
            if found[(name, action)] != split[key]:
                raise VerifyError(
                    f"{path}: split {name!r}: {found[(name, action)]} {action} rows, "
                    f"the manifest counts {key} = {split[key]}"
                )


def rescan_clean(root: Path, manifest: dict[str, Any]) -> list[tuple[str, int, list[str]]]:
    """Re-tag the clean set under the recorded config; return the records it would not keep."""
    from xfilter.kernel import ACTION, RULES_COLUMN
    from xfilter.transform import XFilter

    config = Config.model_validate(manifest["config"])
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
    result = _read_sets(root, manifest, "clean")
    rejected: list[tuple[str, int, list[str]]] = []
    for split, tables in result.items():
        offset = 0
        for table in tables:
            tagged = xf.tag_table(table)
            actions = tagged.column(ACTION).to_pylist()
            rules = tagged.column(RULES_COLUMN).to_pylist()
            rejected.extend(
                (split, offset + i, rules[i]) for i, a in enumerate(actions) if a != "keep"
            )
            offset += table.num_rows
    return rejected


def _read_sets(root: Path, manifest: dict[str, Any], name: str) -> dict[str, list[Any]]:
    import pyarrow.json as pajson

    fmt = manifest["outputs"]["format"]
    out: dict[str, list[Any]] = {}
    for entry in manifest["outputs"]["files"]:
        if entry["set"] != name:
            continue
        path = root / entry["path"]
        if fmt == "parquet":
            table = pq.read_table(path)
        elif fmt == "arrow":
            with ipc.open_stream(str(path)) as reader:
                table = reader.read_all()
        else:
            table = pajson.read_json(path)
        out.setdefault(entry["split"], []).append(table)  # a split with no rows has no file
    return out
