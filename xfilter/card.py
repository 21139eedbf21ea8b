"""The dataset card (README.md) of an output: the filtering summary in YAML, prose below."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huggingface_hub import DatasetCard, DatasetCardData

_REJECTED = {
    "drop": "**dropped** (counted in the manifest, not kept)",
    "quarantine": "**quarantined** (in `quarantine/`, with their reasons)",
}


def _data_files(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    splits = sorted({f["split"] for f in manifest["outputs"]["files"] if f["set"] == "clean"})
    ext = manifest["outputs"]["format"]
    return [{"split": s, "path": f"clean/data/{s}-*.{ext}"} for s in splits]


def build_card(manifest: Mapping[str, Any]) -> str:
    source = manifest["input"]
    totals = {
        key: sum(split[key] for split in manifest["splits"].values())
        for key in ("input", "kept", "dropped", "quarantined", "redacted")
    }
    summary = {
        "tool": manifest["tool"],
        "mode": manifest["mode"],
        "action": manifest["action"],
        "terms": [t["id"] for t in manifest["terms"]],
        "config_sha256": manifest["config_sha256"],
        "ruleset_sha256": manifest["ruleset"]["sha256"],
        "manifest_sha256": manifest["manifest_sha256"],
        "counts": totals,
        "splits": {
            name: {k: v for k, v in split.items() if k != "by_rule"}
            for name, split in manifest["splits"].items()
        },
    }
    data = DatasetCardData(
        pretty_name=f"{source['source']} (X content filtered, {manifest['mode']})",
        source_datasets=[source["source"]] if source["kind"] == "hub" else None,
        tags=["x-content-filtered", "xfilter"],
        configs=[{"config_name": "default", "data_files": _data_files(manifest)}],
        xfilter=summary,
    )
    policy_rows = "\n".join(f"| `{cat}` | {rule} |" for cat, rule in manifest["policy"].items())
    split_rows = "\n".join(
        f"| {name} | {s['input']} | {s['kept']} | {s['dropped']} | {s['quarantined']} "
        f"| {s['redacted']} |"
        for name, s in manifest["splits"].items()
    )
    terms = "\n".join(
        f"- **{t['title']}** ({t['effective']}, `{t['id']}`): {t['clause']}. <{t['url']}>"
        for t in manifest["terms"]
    )
    body = f"""# {data.pretty_name}

This dataset is `{source["source"]}` with records derived from X (formerly Twitter) removed by
[xfilter](https://pypi.org/project/xfilter/) {manifest["tool"]["version"]} in
**{manifest["mode"]}** mode. Rejected records were
{_REJECTED[manifest["action"]]}; `clean/` holds what was kept.

## Terms implemented

{terms}

## Policy applied

| category | rule |
|---|---|
{policy_rows}

## Counts

| split | input | kept | dropped | quarantined | redacted |
|---|---|---|---|---|---|
{split_rows}

Every input record is kept, dropped or quarantined: `input = kept + dropped + quarantined`
for each split (redacted records are kept with embedded posts cut out).

## Verify

`manifest.json` lists every output file with its row count and sha256, the resolved config,
the rule set, and the decisions ledger (`ledger.parquet`, one row per record not kept as-is,
no record text). Check this directory against it with:

```
xfilter verify <this directory>
```
"""
    return str(DatasetCard(f"---\n{data.to_yaml()}\n---\n{body}"))
