"""The provenance manifest: what was read, under which policy, what was written, with hashes.

``ManifestShape`` is the structure every reader may rely on once ``check_shape`` has passed:
``verify`` and ``publish`` index into a manifest only after it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Annotated, Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from xfilter import __version__
from xfilter.config import Config, OutputFormat
from xfilter.detect.ruleset import ALL_RULES, RULESET_VERSION, ruleset_sha256
from xfilter.errors import VerifyError
from xfilter.output.layout import CLEAN, QUARANTINE, SetName
from xfilter.output.writer import SplitCounts
from xfilter.policy import Policy
from xfilter.policy.allowlist import REASON_RELEASED, Allowlist, from_entries, load_allowlist
from xfilter.transform import XFilter


# /2: the card and the Croissant file are bound to the manifest by ``documents``.
@dataclass
class InputInfo:
    """Where the records came from, recorded in the manifest."""

    source: str
    kind: str
    path: str | None = None
    # The part of the source read, as ``datasets.load_dataset`` takes it (None: not chosen).
    name: str | None = None
    data_dir: str | None = None
    data_files: dict[str, list[str]] | None = None
    revision: str | None = None
    revision_verified: bool = False
    fingerprints: dict[str, str] = field(default_factory=dict)
    features: dict[str, Any] | None = None
    rows: dict[str, int | None] = field(default_factory=dict)
    # A hash of each split's input files' bytes, the same whichever engine read them (for
    # inputs read from files; a Hub id is named by its revision instead).
    content: dict[str, str] = field(default_factory=dict)
    # The local files read (not in the manifest): errors found while reading name one of them.
    files: list[str] = field(default_factory=list)
    # Each split's files, in reading order (not in the manifest): what ``content`` hashes.
    split_files: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "path": self.path,
            "name": self.name,
            "data_dir": self.data_dir,
            "data_files": self.data_files,
            "revision": self.revision,
            "revision_verified": self.revision_verified,
            "fingerprint": dict(self.fingerprints),
            "content_sha256": dict(self.content),
            "features": self.features,
            "rows": dict(self.rows),
        }


# /3: the ledger's reasons and identity columns, ``by_reason``, the private X index, RFC 8785
# record hashes.
SCHEMA = "xfilter.manifest/3"
OLDER_SCHEMAS = {
    "xfilter.manifest/1": "whose card and Croissant file are not bound to the manifest",
    "xfilter.manifest/2": "without reasons in its ledger, nor an X index (and another record hash)",
}
SELF_HASH = "manifest_sha256"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def build_manifest(
    xf: XFilter,
    source: InputInfo,
    counts: Mapping[str, SplitCounts],
    engine: Mapping[str, Any],
    started: str,
    allowlist: Allowlist | None = None,
) -> dict[str, Any]:
    """Everything but the output files and documents, which the writer adds once they exist.
    ``allowlist``: the list the writer applied; what it released is added when the output is
    sealed (``allowlist_facts``). A config's list that no writer applied is read here all the
    same, so that sealing refuses the output instead of leaving the list out."""
    if allowlist is None and xf.config.allowlist.path:
        allowlist = load_allowlist(xf.config.allowlist.path)
    return {
        "schema": SCHEMA,
        "tool": {"name": "xfilter", "version": __version__},
        "created": now(),
        "started": started,
        "config": xf.config.as_dict(),
        "config_sha256": xf.config.sha256,
        **policy_section(xf.config),
        "ruleset": {
            "version": RULESET_VERSION,
            "sha256": ruleset_sha256(),
            "rules": sorted(ALL_RULES),
        },
        "registry": {
            "sha256": xf.registry.sha256,
            "entries": len(xf.registry),
            "files": list(xf.config.known_datasets),
        },
        # Whether the list was keyed, never its entries or key.
        "opt_out": {
            "sha256": xf.opt_out.sha256,
            "entries": xf.opt_out.count,
            "keyed": xf.opt_out.keyed,
        }
        if xf.config.opt_out.path
        else None,
        **(
            {"allowlist": allowlist_section(allowlist, xf.config.allowlist.path)}
            if allowlist is not None and xf.config.allowlist.path
            else {}
        ),
        "input": source.as_dict(),
        "engine": dict(engine),
        "splits": {split: c.as_dict() for split, c in counts.items()},
    }


def policy_section(config: Config) -> dict[str, Any]:
    """The manifest's description of the policy ``config`` implies: its mode, what reject
    means, the effective rule per category and the dated terms. ``verify`` rebuilds it from the
    recorded config and requires every key to match, so a key added here is checked too."""
    policy = Policy.from_config(config)
    section = {
        "mode": policy.mode,
        "action": policy.action,
        "policy": dict(policy.rules),
        "terms": [asdict(t) for t in policy.terms],
        "policy_description": policy.describe(),
    }
    result: dict[str, Any] = json.loads(json.dumps(section))  # as it reads back from JSON
    return result


def allowlist_section(allowlist: Allowlist, path: str) -> dict[str, Any]:
    """What the manifest says of a list before the ledger exists: where it was read, its hash,
    its reviewers and a copy of its entries (small, and it makes ``verify`` self-contained)."""
    return {
        "path": path,
        "sha256": allowlist.sha256,
        "entries": len(allowlist),
        "by": allowlist.reviewers,
        "list": allowlist.as_list(),
    }


def allowlist_facts(
    section: Mapping[str, Any], ledger: pa.Table, splits: Iterable[str], mode: str, origin: str
) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """What the embedded list released, from the ledger's ``released`` rows: the count per
    split, the entries that named no released record, how many records were kept for a reason
    other than ``false_positive`` (against the policy's terms), and a sentence saying so.
    Also the released rows (split, row) that no entry names, which must be none."""
    allowlist = from_entries(section["list"], f"{origin}: allowlist.list")
    rows = ledger.filter(pc.equal(ledger.column("reason"), REASON_RELEASED))
    ids = [c for c in rows.column_names if c.startswith("id.")]
    released = dict.fromkeys(splits, 0)
    matched: set[int] = set()
    against = 0
    orphans: list[tuple[str, int]] = []
    for row in rows.select(["split", "row", "record_sha256", *ids]).to_pylist():
        found = allowlist.match(row["record_sha256"], {c: row[c] for c in ids})
        if found is None:
            orphans.append((row["split"], row["row"]))
            continue
        matched.add(found)
        released[row["split"]] = released.get(row["split"], 0) + 1
        against += not allowlist.entries[found].within_terms
    if against:
        terms = (
            f"{against} record(s) released for a reason other than false_positive: kept "
            f"against the terms of the {mode} policy"
        )
    else:
        terms = "every released record is a reviewer-declared false positive: within terms"
    facts = {
        "released": released,
        "unmatched": len(allowlist) - len(matched),
        "against_terms": against,
        "terms": terms,
    }
    return facts, orphans


def seal(manifest: dict[str, Any]) -> dict[str, Any]:
    """Add the sha256 of the manifest body, so an edited field is detectable."""
    body = {k: v for k, v in manifest.items() if k != SELF_HASH}
    return {**body, SELF_HASH: body_sha256(body)}


def body_sha256(manifest: Mapping[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != SELF_HASH}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def dumps(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


class Imbalance(NamedTuple):
    """Why a manifest's counts do not add up. ``in_files``: its data files hold other numbers
    of rows than it counts (else the counts contradict themselves or the input's size)."""

    message: str
    in_files: bool


def conservation_fault(manifest: Mapping[str, Any]) -> Imbalance | None:
    """The first way ``manifest`` loses or invents a record, or None. Per split: ``input =
    kept + dropped + quarantined``, redacted records are among the kept, the clean and
    quarantine files hold exactly the kept and quarantined rows, and the input's recorded size
    (when known) is what was counted. The writer checks this before it commits, ``verify``
    after."""
    rows: Counter[tuple[str, str]] = Counter()
    for entry in manifest["outputs"]["files"]:
        rows[(entry["set"], entry["split"])] += entry["rows"]
    for name, split in manifest["splits"].items():
        total = split["kept"] + split["dropped"] + split["quarantined"]
        if split["input"] != total:
            return Imbalance(
                f"split {name!r}: input {split['input']} != kept {split['kept']} + dropped "
                f"{split['dropped']} + quarantined {split['quarantined']}",
                in_files=False,
            )
        if split["redacted"] > split["kept"]:
            return Imbalance(
                f"split {name!r}: redacted {split['redacted']} > kept {split['kept']} "
                "(redacted records are kept)",
                in_files=False,
            )
        if rows[(CLEAN, name)] != split["kept"]:
            return Imbalance(
                f"split {name!r}: clean files hold {rows[(CLEAN, name)]} rows, "
                f"kept is {split['kept']}",
                in_files=True,
            )
        if rows[(QUARANTINE, name)] != split["quarantined"]:
            return Imbalance(
                f"split {name!r}: quarantine files hold {rows[(QUARANTINE, name)]} rows, "
                f"quarantined is {split['quarantined']}",
                in_files=True,
            )
        expected = manifest["input"]["rows"].get(name)
        if expected is not None and expected != split["input"]:
            return Imbalance(
                f"split {name!r}: input had {expected} rows, {split['input']} were counted",
                in_files=False,
            )
    return None


# --- the structure a reader may rely on ----------------------------------------------------------

Count = Annotated[int, Field(ge=0)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Shape(BaseModel):
    # Strict: a count written as "196" or true is an error, not a number. Extra keys are kept
    # (they are covered by the manifest hash and, for the policy, by ``policy_section``).
    model_config = ConfigDict(strict=True, extra="allow")


class _Tool(_Shape):
    name: str
    version: str


class _Terms(_Shape):
    id: str


class _Registry(_Shape):
    sha256: str
    files: list[str]


class _OptOut(_Shape):
    sha256: str
    entries: Count
    keyed: bool


class _Input(_Shape):
    source: str
    rows: dict[str, Count | None]  # None: unknown until read (streaming)


class _Split(_Shape):
    input: Count
    kept: Count
    dropped: Count
    quarantined: Count
    redacted: Count
    by_category: dict[str, Count]
    by_rule: dict[str, Count]
    by_reason: dict[str, Count]


class _File(_Shape):
    model_config = ConfigDict(strict=True, extra="forbid")
    path: str
    set: SetName
    split: str
    rows: Count
    sha256: Sha256


class _Outputs(_Shape):
    format: OutputFormat
    files: list[_File]


class _Ledger(_Shape):
    path: str
    rows: Count
    sha256: Sha256


class _Documents(_Shape):
    model_config = ConfigDict(strict=True, extra="forbid")
    # layout.CARD and layout.CROISSANT, spelt out: mypy's pydantic plugin wants literals here.
    card: Sha256 = Field(alias="README.md")
    croissant: Sha256 = Field(alias="manifest.croissant.json")


class ManifestShape(_Shape):
    schema_: str = Field(alias="schema")
    tool: _Tool
    created: str
    config: dict[str, Any]
    config_sha256: str
    mode: str
    action: str
    policy: dict[str, str]
    terms: list[_Terms]
    registry: _Registry
    opt_out: _OptOut | None
    input: _Input
    splits: dict[str, _Split]
    outputs: _Outputs
    ledger: _Ledger
    index: _Ledger
    documents: _Documents
    manifest_sha256: str


def check_shape(manifest: object, origin: str) -> dict[str, Any]:
    """``manifest`` if it has the structure of this schema; else ``VerifyError`` naming
    ``origin`` and the first key at fault, on one line."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("schema"), str):
        raise VerifyError(f"{origin}: not an xfilter manifest (schema {SCHEMA!r} expected)")
    found = manifest["schema"]
    if found in OLDER_SCHEMAS:
        raise VerifyError(
            f"{origin}: schema {found!r} was written by an older xfilter, "
            f"{OLDER_SCHEMAS[found]}; this version checks {SCHEMA!r} only: re-run the job to "
            "write a current output"
        )
    if found != SCHEMA:
        raise VerifyError(f"{origin}: not an xfilter manifest (schema {SCHEMA!r} expected)")
    try:
        ManifestShape.model_validate(manifest)
    except ValidationError as exc:
        raise VerifyError(f"{origin}: {_describe(exc.errors()[0])}") from None
    return manifest


def _describe(error: Mapping[str, Any]) -> str:
    """``splits.train.kept: expected a valid integer, got '196'`` from one pydantic error."""
    key = ""
    for part in error["loc"]:
        key += f"[{part}]" if isinstance(part, int) else f".{part}" if key else str(part)
    key = key or "(top level)"
    if error["type"] == "missing":
        return f"{key}: missing"
    message = re.sub(r" or instance of \w+$", "", str(error["msg"]))
    if error["type"] == "string_pattern_mismatch":  # the only pattern is a sha256
        message = "expected a sha256 (64 lowercase hex digits)"
    elif message.startswith("Input should be "):
        message = "expected " + message.removeprefix("Input should be ")
    else:
        message = message[:1].lower() + message[1:]
    got = repr(error.get("input"))
    got = got if len(got) <= 40 else got[:37] + "..."
    return f"{key}: {message}, got {got}"
