"""Croissant 1.1 JSON-LD for the clean set, with the run's provenance in W3C PROV-O.

Hub pages, dataset search and ML loaders read Croissant. Saying there which input the clean set
came from, which xfilter run made it and under which terms (``prov:wasDerivedFrom``,
``prov:wasGeneratedBy``, ``rai:dataPreprocessingProtocol``) lets the provenance travel with the
data in a format reviewers already use.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa

from xfilter.output import formats
from xfilter.output.card import (
    TOOL_URL,
    against_terms,
    card_yaml,
    found_by_category,
    load_input_card,
    policy_description,
    pretty_name,
    rule_text,
    tags,
    total,
)
from xfilter.output.layout import CLEAN, shard_glob
from xfilter.vocab import CATEGORY_MEANING

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
# The Croissant 1.1 context (spec Appendix 1, with the ``https`` schema.org namespace that
# mlcroissant and the Hub use for data types) plus PROV-O and XSD (for typed times).
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "annotation": "cr:annotation",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "excludes": "cr:excludes",
    "extract": "cr:extract",
    "field": "cr:field",
    "fileObject": "cr:fileObject",
    "fileProperty": "cr:fileProperty",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "readLines": "cr:readLines",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sdVersion": "cr:sdVersion",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
    "unArchive": "cr:unArchive",
    "value": "cr:value",
}
_HUB = "https://huggingface.co/datasets"
_LICENSE_URL = "https://choosealicense.com/licenses/{}/"
_OUTCOME = {"drop": "dropped", "quarantine": "quarantined apart, for review"}


def build_croissant(
    manifest: Mapping[str, Any], directory: str | os.PathLike[str]
) -> dict[str, Any]:
    """The Croissant document of the output in ``directory`` (its clean files must exist)."""
    root = Path(directory)
    original = load_input_card(manifest)
    card = card_yaml(original)
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": pretty_name(manifest, card),
        "description": _description(manifest),
        "keywords": _keywords(manifest),
        "dateCreated": manifest["created"],
    }
    license_ = _license(card.get("license"))
    if license_:
        doc["license"] = license_
    doc["prov:wasDerivedFrom"] = input_entity(manifest["input"])
    previous = manifest.get("previous")
    if previous:  # a refresh: derived from the previous version, and a revision of it
        earlier = previous_entity(previous)
        doc["prov:wasRevisionOf"] = earlier
        doc["prov:wasDerivedFrom"] = [doc["prov:wasDerivedFrom"], {"@id": earlier["@id"]}]
    doc["prov:wasGeneratedBy"] = activity(manifest)
    doc["rai:dataPreprocessingProtocol"] = preprocessing_protocol(manifest)
    doc["distribution"], doc["recordSet"] = _resources(manifest, root)
    return doc


def croissant_text(manifest: Mapping[str, Any], directory: str | os.PathLike[str]) -> str:
    """The Croissant file's text, as written beside the manifest."""
    return json.dumps(build_croissant(manifest, directory), indent=2, ensure_ascii=False) + "\n"


def input_entity(source: Mapping[str, Any]) -> dict[str, Any]:
    """The input as a PROV entity: a Hub dataset at its revision, or a named local source."""
    name, revision = str(source["source"]), source.get("revision")
    entity: dict[str, Any] = {"@type": "prov:Entity", "name": name}
    if source["kind"] == "hub":
        page = f"{_HUB}/{name}"
        entity["@id"] = f"{page}/tree/{revision}" if revision else page
        entity["url"] = page
        if revision:
            entity["version"] = revision
        checked = "verified against the Hub" if source.get("revision_verified") else "unverified"
        entity["description"] = f"Hub dataset {name}, revision {revision or 'unknown'} ({checked})"
    else:
        entity["@id"] = "_:input"
        entity["description"] = f"{source['kind']} input {name}"
    return entity


def previous_entity(previous: Mapping[str, Any]) -> dict[str, Any]:
    """The version a refresh was made from, named by its manifest hash."""
    sha = previous["manifest_sha256"]
    return {
        "@type": "prov:Entity",
        "@id": f"urn:xfilter:manifest:sha256:{sha}",
        "name": f"previous version (manifest_sha256 {sha})",
        "dateCreated": previous["created"],
    }


def activity(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The xfilter run as a PROV activity: when, by which tool, using which input and terms."""
    tool = manifest["tool"]
    description = policy_description(manifest)
    terms = [
        {
            "@type": "prov:Entity",
            "identifier": t["id"],
            "name": t["title"],
            "description": t["clause"],
            "datePublished": t["effective"],
            "url": t["url"],
        }
        for t in manifest["terms"]
    ]
    ids = ", ".join(t["id"] for t in manifest["terms"])
    if description["custom"]:
        # The run did not act on the terms, so they are not among what it used.
        terms = []
        label = f"xfilter filtering under a {_custom(description)}"
        policy = f"a {_custom(description)}, which does not implement {ids},"
    else:
        label = f"xfilter {manifest['mode']} filtering of X-derived records"
        policy = f"the {manifest['mode']} policy ({ids})"
    return {
        "@type": "prov:Activity",
        "prov:label": label,
        "description": (
            f"xfilter {tool['version']} tagged every input record, decided it under {policy} "
            f"and wrote the kept records; rejected records were {_OUTCOME[manifest['action']]}."
        ),
        "prov:startedAtTime": _date_time(manifest["started"]),
        "prov:endedAtTime": _date_time(manifest["created"]),
        "prov:wasAssociatedWith": {
            "@type": "prov:SoftwareAgent",
            "name": tool["name"],
            "softwareVersion": tool["version"],
            "url": TOOL_URL,
        },
        "prov:used": [{"@id": input_entity(manifest["input"])["@id"]}, *terms],
        "additionalProperty": [
            {"@type": "PropertyValue", "name": key, "sc:value": value}
            for key, value in _run_properties(manifest).items()
        ],
    }


def _date_time(value: str) -> dict[str, str]:
    """A typed ``xsd:dateTime``, as PROV-O ranges require (not a language-tagged string)."""
    return {"@value": value, "@type": "xsd:dateTime"}


def preprocessing_protocol(manifest: Mapping[str, Any]) -> list[str]:
    """``rai:dataPreprocessingProtocol``: the filtering in sentences a reviewer can check."""
    ruleset = manifest["ruleset"]
    found = found_by_category(manifest)
    description = policy_description(manifest)
    terms = "; ".join(f"{t['title']} ({t['effective']})" for t in manifest["terms"])
    detected = (
        f"Records derived from X (formerly Twitter) were detected with xfilter "
        f"{manifest['tool']['version']} (rule set {ruleset['version']}, sha256 "
        f"{ruleset['sha256']})"
    )
    if description["custom"]:
        decided = (
            f" and decided under a {_custom(description)}; it does not implement {terms}: its "
            f"overrides keep {', '.join(description['kept_against_terms'])}, which those "
            "terms forbid, so this dataset may contain X content"
        )
    else:
        decided = f" and decided under the {manifest['mode']} policy, which implements: {terms}"
    steps = [detected + decided]
    steps += [
        f"{category} ({CATEGORY_MEANING.get(category, category)}): "
        f"{rule_text(rule, manifest)}{against_terms(category, description)}; "
        f"found in {found.get(category, 0)} records"
        for category, rule in manifest["policy"].items()
    ]
    steps.append(
        f"Of {total(manifest, 'input')} input records, {total(manifest, 'kept')} were kept "
        f"({total(manifest, 'redacted')} of them redacted), {total(manifest, 'dropped')} "
        f"dropped and {total(manifest, 'quarantined')} quarantined; only kept records are in "
        "this dataset"
    )
    steps.append(
        f"Every decision is recorded in manifest.json (manifest_sha256 "
        f"{manifest['manifest_sha256']}) and its decisions ledger; `xfilter verify` re-checks "
        "the output against them"
    )
    return steps


def _description(manifest: Mapping[str, Any]) -> str:
    """One sentence that claims no more than the policy did."""
    description = policy_description(manifest)
    source, version = manifest["input"]["source"], manifest["tool"]["version"]
    if description["custom"]:
        what = (
            f"{source} filtered by xfilter {version} under a {_custom(description)}, which "
            f"keeps {', '.join(description['kept_against_terms'])} against the "
            f"{description['derived_from']} mode's terms (it may contain X content)"
        )
    elif description["x_content_filtered"]:
        what = (
            f"{source} with records derived from X (formerly Twitter) removed by xfilter "
            f"{version} in {manifest['mode']} mode"
        )
    else:
        what = (
            f"{source} filtered by xfilter {version} in {manifest['mode']} mode, which keeps "
            "the X content that mode allows"
        )
    return f"{what}: {total(manifest, 'kept')} of {total(manifest, 'input')} records kept."


def _keywords(manifest: Mapping[str, Any]) -> list[str]:
    """The card's tags and the mode; a custom policy is only derived from the mode."""
    description = policy_description(manifest)
    kind = "derived-from" if description["custom"] else "mode"
    return [*tags(description), f"xfilter-{kind}-{manifest['mode']}"]


def _custom(description: Mapping[str, Any]) -> str:
    return f"custom policy derived from {description['derived_from']}"


def _run_properties(manifest: Mapping[str, Any]) -> dict[str, Any]:
    description = policy_description(manifest)
    return {
        "mode": manifest["mode"],
        "policy": description["name"],
        "x_content_filtered": description["x_content_filtered"],
        "kept_against_terms": description["kept_against_terms"],
        "action": manifest["action"],
        "terms": [t["id"] for t in manifest["terms"]],
        "config_sha256": manifest["config_sha256"],
        "ruleset_sha256": manifest["ruleset"]["sha256"],
        "registry_sha256": manifest["registry"]["sha256"],
        "manifest_sha256": manifest["manifest_sha256"],
    }


def _license(value: Any) -> list[str] | None:
    ids = [value] if isinstance(value, str) else list(value or [])
    urls = [_LICENSE_URL.format(i) for i in ids if i not in ("other", "unknown")]
    return urls or None


def _resources(
    manifest: Mapping[str, Any], root: Path
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One FileObject per clean file; one record set per split.

    A split in one file is read from its FileObject, so Croissant readers check its sha256;
    a split in several shards is read through a FileSet of its files.
    """
    fmt = formats.get(manifest["outputs"]["format"])
    by_split: dict[str, list[Mapping[str, Any]]] = {}
    for entry in manifest["outputs"]["files"]:
        if entry["set"] == CLEAN:
            by_split.setdefault(entry["split"], []).append(entry)
    distribution: list[dict[str, Any]] = []
    record_sets = []
    for split, entries in by_split.items():
        entries = sorted(entries, key=lambda e: e["path"])
        distribution += [_file_object(root, entry, fmt) for entry in entries]
        if len(entries) == 1:
            source = {"fileObject": {"@id": entries[0]["path"]}}
        else:
            file_set = _file_set(split, fmt)
            distribution.append(file_set)
            source = {"fileSet": {"@id": file_set["@id"]}}
        schema = _schema(root / entries[0]["path"], fmt, manifest)
        record_sets.append(_record_set(split, schema, source, manifest))
    return distribution, record_sets


def _file_object(root: Path, entry: Mapping[str, Any], fmt: formats.Format) -> dict[str, Any]:
    path = root / entry["path"]
    obj: dict[str, Any] = {
        "@type": "cr:FileObject",
        "@id": entry["path"],
        "name": entry["path"],
        "description": f"Clean {entry['split']} records ({entry['rows']} rows).",
        "contentUrl": entry["path"],
        "encodingFormat": fmt.mime,
        "sha256": entry["sha256"],
    }
    if path.is_file():
        obj["contentSize"] = f"{path.stat().st_size} B"
    return obj


def _file_set(split: str, fmt: formats.Format) -> dict[str, Any]:
    return {
        "@type": "cr:FileSet",
        "@id": f"clean-{split}-files",
        "name": f"clean-{split}-files",
        "description": f"The shards of the clean {split} split.",
        "encodingFormat": fmt.mime,
        "includes": shard_glob(CLEAN, split, fmt.extension),
    }


def _schema(path: Path, fmt: formats.Format, manifest: Mapping[str, Any]) -> pa.Schema:
    """The clean columns: from the file itself, or for JSON lines from the input features."""
    declared = fmt.read_schema(path)
    if declared is not None:
        return declared
    from datasets import Features

    from xfilter.vocab import TAG_COLUMNS

    features = manifest["input"].get("features") or {}
    schema = Features.from_dict(features).arrow_schema
    return pa.schema([f for f in schema if f.name not in TAG_COLUMNS])


def _record_set(
    split: str, schema: pa.Schema, source: Mapping[str, Any], manifest: Mapping[str, Any]
) -> dict[str, Any]:
    counts = manifest["splits"].get(split, {})
    return {
        "@type": "cr:RecordSet",
        "@id": split,
        "name": split,
        "description": (
            f"The clean {split} split: {counts.get('kept', '?')} of "
            f"{counts.get('input', '?')} input records, kept by the xfilter policy."
        ),
        "field": [_field(split, f.name, f.type, source) for f in schema],
    }


def _field(parent: str, name: str, type_: pa.DataType, source: Mapping[str, Any]) -> dict[str, Any]:
    """A Croissant field for a top-level column (lists become arrays, structs subfields)."""
    field_id = f"{parent}/{quote(name, safe='')}"
    field: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": field_id,
        "name": name,
        "description": f"Column '{name}' of the clean files.",
    }
    base, depth = _unwrap_lists(type_)
    if depth:
        field["isArray"] = True
        field["arrayShape"] = ",".join(["-1"] * depth)
    extract = {**source, "extract": {"column": name}}
    field["source"] = extract
    if pa.types.is_struct(base):
        field["subField"] = [_sub_field(field_id, name, child, source) for child in base]
    else:
        field["dataType"] = data_type(base)
    return field


def _sub_field(
    parent_id: str, column: str, child: pa.Field, source: Mapping[str, Any]
) -> dict[str, Any]:
    base, depth = _unwrap_lists(child.type)
    sub: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{parent_id}/{quote(child.name, safe='')}",
        "name": child.name,
        # Nested structs are described as text (JSON); Croissant readers still get the value.
        "dataType": "sc:Text" if pa.types.is_struct(base) else data_type(base),
        "source": {
            **source,
            "extract": {"column": column},
            "transform": {"jsonPath": child.name},
        },
    }
    if depth:
        sub["isArray"] = True
        sub["arrayShape"] = ",".join(["-1"] * depth)
    return sub


def _unwrap_lists(type_: pa.DataType) -> tuple[pa.DataType, int]:
    depth = 0
    while isinstance(type_, (pa.ListType, pa.LargeListType, pa.FixedSizeListType)):
        type_, depth = type_.value_type, depth + 1
    return type_, depth


def data_type(type_: pa.DataType) -> str:
    """The Croissant data type of an Arrow scalar type (text when Croissant has none)."""
    if pa.types.is_dictionary(type_):
        type_ = type_.value_type
    if pa.types.is_boolean(type_):
        return "sc:Boolean"
    if pa.types.is_integer(type_):
        signed = "Int" if pa.types.is_signed_integer(type_) else "UInt"
        return f"cr:{signed}{type_.bit_width}"
    if pa.types.is_floating(type_):
        return f"cr:Float{type_.bit_width}"
    if pa.types.is_decimal(type_):
        return "sc:Float"
    if pa.types.is_timestamp(type_):
        return "sc:DateTime"
    if pa.types.is_date(type_):
        return "sc:Date"
    if pa.types.is_time(type_):
        return "sc:Time"
    # Strings, and binary or map values Croissant has no type for: readers get them as bytes.
    return "sc:Text"
