"""The dataset card (README.md) of an output: Hub metadata and the filtering summary in YAML,
what was removed and why in prose, merged with the input's own card when it has one.

Reviewers read the card on the Hub, so it states the terms, the policy and the counts itself;
``manifest.json`` stays the authority and the card quotes its ``manifest_sha256``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from huggingface_hub import DatasetCard, DatasetCardData

from xfilter.config import build_config
from xfilter.output import formats
from xfilter.output.layout import CARD, CLEAN, LEDGER, MANIFEST, shard_glob
from xfilter.policy import Policy
from xfilter.vocab import ACTION_COUNTS, CATEGORY_MEANING, COUNTS, DEMO

FILTERED_TAG = "x-content-filtered"
CUSTOM_TAG = "xfilter-custom-policy"
# Tags this card decides; an input card's own copies of them describe another run.
OWN_TAGS = (FILTERED_TAG, CUSTOM_TAG, "xfilter")
TOOL_URL = "https://pypi.org/project/xfilter/"

# Keys of an input card that describe the input's files, size or identity rather than its
# content or rights: the output's own values replace them (stale ones would mislead).
_REPLACED = (
    "configs",
    "config_names",
    "dataset_info",
    "size_categories",
    "pretty_name",
    "xfilter",
)
_SIZES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
)
_REJECTED = {
    "drop": "**dropped**: counted in the manifest and the ledger, not kept",
    "quarantine": "**quarantined**: written to `quarantine/` with their reasons, for review",
}
_HEADING = re.compile(r"^(#{1,5})(\s)")
# The policy label an earlier xfilter run put at the end of an input's pretty name.
_OWN_LABEL = re.compile(
    r"\s*\((?:X content filtered, |filtered under |custom policy derived from )[^()]*\)\s*$"
)
_FENCE = re.compile(r"^\s*(```|~~~)")


def build_card(manifest: Mapping[str, Any], directory: str | Path | None = None) -> str:
    """The card text. ``directory`` (the output being written) adds removals per category,
    read from its ledger; without it the card still holds every count the manifest has."""
    original = load_input_card(manifest)
    removed = removed_by_category(Path(directory)) if directory is not None else None
    data = card_data(manifest, card_yaml(original), removed)
    body = card_body(manifest, data, removed, original.text if original else None)
    return str(DatasetCard(f"---\n{data.to_yaml()}\n---\n{body}"))


def card_yaml(card: DatasetCard | None) -> dict[str, Any]:
    """The YAML header of an input card as a plain mapping (empty without a card)."""
    if card is None:
        return {}
    data: dict[str, Any] = card.data.to_dict()  # type: ignore[no-untyped-call]
    return data


def load_input_card(manifest: Mapping[str, Any]) -> DatasetCard | None:
    """The input's own README.md, when the input is a local folder that has one."""
    source = manifest["input"]
    if source.get("kind") != "local" or not source.get("path"):
        return None
    path = Path(source["path"]) / CARD
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    try:
        return DatasetCard(text, ignore_metadata_errors=True)
    except Exception:
        # A broken YAML header must not fail the run; keep the whole text as prose.
        return DatasetCard(f"---\n{{}}\n---\n{text}")


def policy_description(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The run's policy as ``Policy.describe`` states it, computed from the config the manifest
    records, so no output can claim more than that config does."""
    config = build_config(manifest["config"], f"{MANIFEST}: config")
    return Policy.from_config(config).describe()


def policy_label(description: Mapping[str, Any]) -> str:
    """What the title says of the policy: a claim only as strong as the policy is."""
    mode = description["derived_from"]
    if description["custom"]:
        return f"custom policy derived from {mode}; keeps {_kept(description)}"
    if description["x_content_filtered"]:
        return f"X content filtered, {mode}"
    return f"filtered under {mode}"


def tags(description: Mapping[str, Any]) -> list[str]:
    """``x-content-filtered`` only when every X-content category was removed."""
    own = [FILTERED_TAG] if description["x_content_filtered"] else []
    if description["custom"]:
        own.append(CUSTOM_TAG)
    return [*own, "xfilter"]


def against_terms(category: str, description: Mapping[str, Any]) -> str:
    """A note for a category the policy keeps against its mode's terms ("" otherwise)."""
    mode, kept = description["derived_from"], description["kept_against_terms"]
    if category in kept:
        return f" (kept against the {mode} terms)"
    if f"{category} (unknown authors)" in kept:
        return f" (unknown authors kept against the {mode} terms)"
    return ""


def _kept(description: Mapping[str, Any]) -> str:
    return ", ".join(description["kept_against_terms"])


def summary(
    manifest: Mapping[str, Any], removed: Mapping[str, Mapping[str, int]] | None = None
) -> dict[str, Any]:
    """The custom ``xfilter`` YAML key: what a reviewer needs without opening the manifest."""
    source = manifest["input"]
    found = found_by_category(manifest)
    totals: dict[str, Any] = {key: total(manifest, key) for key in COUNTS}
    totals["by_category"] = found
    out: dict[str, Any] = {
        "tool": dict(manifest["tool"]),
        "manifest_sha256": manifest["manifest_sha256"],
        "created": manifest["created"],
        "mode": manifest["mode"],
        "action": manifest["action"],
        "terms": [dict(t) for t in manifest["terms"]],
        "policy": dict(manifest["policy"]),
        "policy_description": policy_description(manifest),
        "input": {k: source.get(k) for k in ("source", "kind", "revision", "revision_verified")},
        "config_sha256": manifest["config_sha256"],
        "ruleset": {k: manifest["ruleset"][k] for k in ("version", "sha256")},
        "registry_sha256": manifest["registry"]["sha256"],
        "opt_out": manifest["opt_out"],
        "counts": totals,
        "splits": {
            name: {k: v for k, v in split.items() if k != "by_rule"}
            for name, split in manifest["splits"].items()
        },
    }
    if removed is not None:
        out["removed_by_category"] = {k: dict(v) for k, v in removed.items()}
    return out


def card_data(
    manifest: Mapping[str, Any],
    original: Mapping[str, Any] | None = None,
    removed: Mapping[str, Mapping[str, int]] | None = None,
) -> DatasetCardData:
    """The YAML header: the input card's keys (license, language, …) plus ours."""
    kept = {k: v for k, v in (original or {}).items() if k not in _REPLACED and v is not None}
    theirs = kept.pop("tags", None) or []
    theirs = [theirs] if isinstance(theirs, str) else list(theirs)
    ours = tags(policy_description(manifest))
    all_tags = list(dict.fromkeys([*(t for t in theirs if t not in OWN_TAGS), *ours]))
    sources = _source_datasets(manifest["input"], kept.pop("source_datasets", None))
    return DatasetCardData(
        **kept,
        pretty_name=pretty_name(manifest, original),
        source_datasets=sources,
        size_categories=[_size_category(total(manifest, "kept"))],
        tags=all_tags,
        configs=[{"config_name": "default", "data_files": _data_files(manifest)}],
        xfilter=summary(manifest, removed),
    )


def pretty_name(manifest: Mapping[str, Any], original: Mapping[str, Any] | None = None) -> str:
    """The input's own pretty name (or its id or folder name), with what the policy did."""
    theirs = (original or {}).get("pretty_name")
    base = _OWN_LABEL.sub("", str(theirs)) if theirs else _input_name(manifest["input"])
    return f"{base} ({policy_label(policy_description(manifest))})"


def found_by_category(manifest: Mapping[str, Any]) -> dict[str, int]:
    """Records in which each category was found, over all splits, whatever their action."""
    found: Counter[str] = Counter()
    for split in manifest["splits"].values():
        found.update(split["by_category"])
    return dict(sorted(found.items()))


def removed_by_category(directory: Path) -> dict[str, dict[str, int]] | None:
    """Records not kept as-is per action, each counted once under its strongest category
    (so the numbers add up to the totals), from the ledger, which holds no record text."""
    import pyarrow.parquet as pq

    from xfilter.vocab import CATEGORIES

    path = directory / LEDGER
    if not path.is_file():
        return None
    rank = {category: i for i, category in enumerate(CATEGORIES)}
    ledger = pq.read_table(path, columns=["action", "categories"])
    counts: dict[str, Counter[str]] = {}
    for action, categories in zip(
        ledger.column("action").to_pylist(), ledger.column("categories").to_pylist(), strict=True
    ):
        strongest = min(categories or ["(none)"], key=lambda c: rank.get(c, len(rank)))
        counts.setdefault(strongest, Counter())[ACTION_COUNTS.get(action, action)] += 1
    return {category: dict(sorted(c.items())) for category, c in sorted(counts.items())}


def card_body(
    manifest: Mapping[str, Any],
    data: DatasetCardData,
    removed: Mapping[str, Mapping[str, int]] | None,
    original_text: str | None,
) -> str:
    """The prose: what was removed and why, the policy, the counts, how to verify."""
    description = policy_description(manifest)
    parts = [
        f"# {data.pretty_name}\n",
        _intro(manifest, description),
        "## Terms implemented\n",
        _terms_section(manifest, description),
        "## What was removed and why\n",
        _category_table(manifest, removed),
        "A record can have several categories; the most removing outcome wins (`drop` > "
        '`quarantine` > `redact` > `keep`). "Found" counts every record with the category; '
        "the last columns count each record not kept as-is once, under its strongest "
        "category (the table's order), so they add up to the totals below.\n",
        "## Counts\n",
        _split_table(manifest),
        "Every input record is kept, dropped or quarantined: `input = kept + dropped + "
        "quarantined` for each split (redacted records are kept with the embedded posts cut "
        "out).\n",
        *_released_section(manifest),
        _verify_section(manifest),
        *_changes_section(manifest),
    ]
    if original_text is not None and original_text.strip():
        parts += ["## Original dataset card\n", _demote_headings(original_text.strip()) + "\n"]
    return "\n".join(parts)


def _released_section(manifest: Mapping[str, Any]) -> list[str]:
    """Records a reviewer kept although the policy rejects them, and whether that is within
    the policy's terms."""
    section = manifest.get("allowlist")
    if not section:
        return []
    released = sum(section["released"].values())
    by = ", ".join(section["by"]) or "nobody"
    return [
        "## Released by review\n",
        f"{released} record(s) the policy rejects were kept in `clean/` because a reviewer's "
        f"allowlist released them ({section['entries']} entries by {by}; list sha256 "
        f"`{section['sha256']}`). The ledger lists each with reason `released` and the "
        f"categories and rules that fired. {section['terms'][:1].upper()}"
        f"{section['terms'][1:]}.\n",
    ]


def _changes_section(manifest: Mapping[str, Any]) -> list[str]:
    """For a refresh: what left the dataset since the version it was made from."""
    changes, previous = manifest.get("changes"), manifest.get("previous")
    if not changes or not previous:
        return []
    reasons = "".join(f"| {r} | {n} |\n" for r, n in changes["by_reason"].items())
    return [
        "## Changes since the previous version\n",
        f"This version refreshes the one whose manifest_sha256 is `{previous['manifest_sha256']}` "
        f"({previous['created']}): {changes['removed']} record(s) left it, "
        f"{changes['removed_from_clean']} of them from the clean set; no record was added. "
        "`xfilter verify . --chain PREVIOUS` checks the link.\n",
        "| reason | records |\n|---|---|\n" + reasons if reasons else "",
    ]


def _intro(manifest: Mapping[str, Any], description: Mapping[str, Any]) -> str:
    """The first paragraph: what this dataset is, claiming only what the policy did."""
    source = _input_line(manifest["input"])
    by = f"[xfilter]({TOOL_URL}) {manifest['tool']['version']}"
    mode = description["derived_from"]
    if description["custom"]:
        what = (
            f"This is {source}, filtered by {by} under a **custom policy derived from {mode} "
            f"mode**: its overrides keep {_kept(description)}, which the {mode} mode's terms "
            "forbid, so **this dataset may contain X content**."
        )
    elif description["x_content_filtered"]:
        what = (
            f"This is {source}, with records derived from X (formerly Twitter) removed by {by} "
            f"in **{mode}** mode."
        )
    else:
        what = (
            f"This is {source}, filtered by {by} in **{mode}** mode, which keeps X content the "
            "policy allows: records derived from X (formerly Twitter) were removed only where "
            "the table below says so."
        )
    if manifest.get("recorded") is not None:
        kept = (
            "The kept records were consumed by a training loop as it filtered them and are not "
            "stored: this output is the evidence of what was removed, not a dataset to load."
        )
    else:
        kept = (
            "`clean/` holds what was kept; it is what this card describes and what "
            "`load_dataset` loads."
        )
    return f"{what} Records the policy rejects were {_REJECTED[manifest['action']]}. {kept}\n"


def _terms_section(manifest: Mapping[str, Any], description: Mapping[str, Any]) -> str:
    """The mode's dated terms; for a custom policy, a plain statement that it breaks them."""
    listing = "\n".join(
        f"- **{t['title']}** ({t['effective']}, `{t['id']}`): {t['clause']}. <{t['url']}>"
        for t in manifest["terms"]
    )
    if not description["custom"]:
        return listing + "\n"
    mode = description["derived_from"]
    return (
        f"**None.** This run does not implement the terms of {mode} mode, from which its "
        f"policy is derived: its overrides keep {_kept(description)}, which these terms "
        f"forbid:\n\n{listing}\n"
    )


def _category_table(
    manifest: Mapping[str, Any], removed: Mapping[str, Mapping[str, int]] | None
) -> str:
    found = found_by_category(manifest)
    description = policy_description(manifest)
    head = "| category | what it means | policy applied | records where found |"
    rule = "|---|---|---|---|"
    if removed is not None:
        head += " dropped | quarantined | redacted |"
        rule += "---|---|---|"
    rows = []
    for category, policy in manifest["policy"].items():
        row = (
            f"| `{category}` | {CATEGORY_MEANING.get(category, '')} | "
            f"{rule_text(policy, manifest)}{against_terms(category, description)} | "
            f"{found.get(category, 0)} |"
        )
        if removed is not None:
            mine = removed.get(category, {})
            row += "".join(f" {mine.get(k, 0)} |" for k in ("dropped", "quarantined", "redacted"))
        rows.append(row)
    return "\n".join([head, rule, *rows]) + "\n"


def _split_table(manifest: Mapping[str, Any]) -> str:
    rows = [
        f"| {name} | " + " | ".join(str(split[key]) for key in COUNTS) + " |"
        for name, split in manifest["splits"].items()
    ]
    sums = "| **total** | " + " | ".join(str(total(manifest, k)) for k in COUNTS) + " |"
    head = "| split | " + " | ".join(COUNTS) + " |\n|---|---|---|---|---|---|"
    return "\n".join([head, *rows, sums]) + "\n"


def _verify_section(manifest: Mapping[str, Any]) -> str:
    return f"""## Verify

`manifest.json` records the resolved config and its sha256, the rule set, the terms, the input
(source, revision, fingerprints), the counts per split, and every output file with its rows and
sha256. Its `manifest_sha256` (`{manifest["manifest_sha256"]}`) detects an edited field.
`manifest.croissant.json` describes the clean files in Croissant 1.1 with their sha256 and the
run's PROV-O provenance (input, activity, tool).

On the complete output directory (clean set, quarantine set, ledger, the private X index and
manifest; the X index names X posts and authors, so it stays with whoever ran the job and is
never published):

```
xfilter verify <directory>
```

checks every file's sha256 and rows, that no file was added, `input = kept + dropped +
quarantined` per split, the decisions ledger (`ledger.parquet`: one row per record not kept
as-is, with its reason and no record text) and its agreement with the X index, the manifest
hash, that this card and the Croissant file are the
ones the manifest binds (`documents`: their sha256 with the manifest's own hash left out), that
the recorded mode, policy and terms follow from the recorded config, and re-scans the clean set
under the recorded policy. A published copy without the quarantine set can be checked file by
file: each `clean/data/*` file's sha256 must equal its entry in `outputs.files` of
`manifest.json`, and this card, with `{manifest["manifest_sha256"]}` replaced by 64 `f`s, must
hash to `documents["README.md"]`. The manifest hash is not a signature: whoever can write the
directory can re-seal it.
"""


def rule_text(rule: str, manifest: Mapping[str, Any]) -> str:
    """Say what a policy rule did in this run, with the configured outcomes."""
    action = manifest["action"]
    unknown = manifest["config"]["opt_out"]["unknown_author"]
    no_list = "" if manifest.get("opt_out") else " — no opt-out list was given, so none did"
    return {
        "reject": f"reject ({action})",
        "author-check": f"keep if every author is known and none opted out{no_list}; opted "
        f"out: {action}; author unknown: {unknown}",
        "opt-out": f"keep unless an author opted out ({action}){no_list}",
    }.get(rule, rule)


def _input_line(source: Mapping[str, Any]) -> str:
    name, kind, revision = source["source"], source["kind"], source.get("revision")
    if kind == "hub":
        if revision is None:
            return f"the Hub dataset `{name}` (revision unknown: read offline from the cache)"
        checked = (
            "checked against the Hub at run time"
            if source.get("revision_verified")
            else "unverified: read offline from the local cache"
        )
        return f"the Hub dataset `{name}` at revision `{revision}` ({checked})"
    if kind == DEMO:
        return "xfilter's bundled demo dataset"
    if kind == "in-memory":
        return f"an in-memory `datasets` object (input named `{name}`)"
    return f"the local dataset `{_input_name(source)}`"


def _input_name(source: Mapping[str, Any]) -> str:
    if source["kind"] == "local":
        return Path(str(source["source"]).rstrip("/")).name or str(source["source"])
    return str(source["source"])


def _source_datasets(source: Mapping[str, Any], original: Any) -> list[str] | None:
    """The Hub id of a Hub input; a local input keeps its own card's sources but not
    ``original``, which would now be false."""
    if source["kind"] == "hub":
        return [str(source["source"])]
    if isinstance(original, str):
        original = [original]
    kept = [s for s in original or [] if s != "original"]
    return kept or None


def _size_category(rows: int) -> str:
    return next((label for limit, label in _SIZES if rows < limit), "n>1B")


def total(manifest: Mapping[str, Any], key: str) -> int:
    """A count summed over the splits."""
    return sum(int(split[key]) for split in manifest["splits"].values())


def _data_files(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    splits = sorted({f["split"] for f in manifest["outputs"]["files"] if f["set"] == CLEAN})
    ext = formats.get(manifest["outputs"]["format"]).extension
    return [{"split": s, "path": shard_glob(CLEAN, s, ext)} for s in splits]  # empty: no file


def _demote_headings(text: str) -> str:
    """Nest the input card's headings under ours, leaving code blocks alone."""
    lines, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        lines.append(line if fenced else _HEADING.sub(r"#\1\2", line))
    return "\n".join(lines)
