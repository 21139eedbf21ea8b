"""The provenance manifest: what was read, under which policy, what was written, with hashes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

from xfilter import __version__
from xfilter.outputs import SplitCounts
from xfilter.rules import ALL_RULES, RULESET_VERSION, ruleset_sha256
from xfilter.sources import InputInfo
from xfilter.transform import XFilter

SCHEMA = "xfilter.manifest/1"
SELF_HASH = "manifest_sha256"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def build_manifest(
    xf: XFilter,
    source: InputInfo,
    counts: Mapping[str, SplitCounts],
    engine: Mapping[str, Any],
    started: str,
) -> dict[str, Any]:
    """Everything but the output files, which the writer adds once they exist."""
    policy = xf.tagger.policy
    return {
        "schema": SCHEMA,
        "tool": {"name": "xfilter", "version": __version__},
        "created": now(),
        "started": started,
        "config": xf.config.as_dict(),
        "config_sha256": xf.config.sha256,
        "mode": policy.mode,
        "action": policy.action,
        "policy": dict(policy.rules),
        "terms": [asdict(t) for t in policy.terms],
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
        "opt_out": {"sha256": xf.opt_out.sha256, "entries": xf.opt_out.count}
        if xf.config.opt_out.path
        else None,
        "input": source.as_dict(),
        "engine": dict(engine),
        "splits": {split: c.as_dict() for split, c in counts.items()},
    }


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
