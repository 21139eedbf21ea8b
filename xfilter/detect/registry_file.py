"""The known-datasets registry files: their entries (``KnownDataset``), read from the packaged
YAML and from the user's files, with every malformed key a ConfigError naming file and entry."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from xfilter.detect.dataset_names import compact, id_key
from xfilter.errors import ConfigError
from xfilter.yamlsafe import parse_yaml

SCHEMA_VERSION = 1
_BUILTIN_LABEL = "xfilter/data/known_datasets.yaml"
_TOP_KEYS = ("schema", "generic_names", "datasets")
_ENTRY_KEYS = (
    "id", "aliases", "evidence", "source", "paperswithcode_id", "partial", "configs", "verified",
)  # fmt: skip
_REQUIRED = ("id", "evidence", "source")


@dataclass(frozen=True)
class KnownDataset:
    """One X-derived dataset: its ids, why it counts and where that was read.

    ``partial``: only part of it comes from X. ``configs``: only these configs are X-derived.
    ``verified`` is False for leads the reference could not confirm and for matches made by a
    generic rule (a ``twitter`` tag), whose ``origin`` then starts with ``rule:``.
    """

    id: str
    evidence: str
    source: str
    aliases: tuple[str, ...] = ()
    paperswithcode_id: str | None = None
    partial: bool = False
    verified: bool = True
    configs: tuple[str, ...] = ()
    origin: str = field(default="", compare=False, repr=False)

    def content(self) -> dict[str, Any]:
        """The entry as plain data, without where it was loaded from (hashed into sha256)."""
        return {
            "id": self.id,
            "aliases": sorted(self.aliases),
            "evidence": self.evidence,
            "source": self.source,
            "paperswithcode_id": self.paperswithcode_id,
            "partial": self.partial,
            "verified": self.verified,
            "configs": sorted(self.configs),
        }


@cache
def builtin() -> tuple[tuple[KnownDataset, ...], tuple[str, ...]]:
    text = (
        resources.files("xfilter")
        .joinpath("data")
        .joinpath("known_datasets.yaml")
        .read_text(encoding="utf-8")
    )
    entries, generic = parse_registry(text, _BUILTIN_LABEL)
    return tuple(entries), tuple(generic)


def read_registry_file(label: str) -> str:
    try:
        return Path(label).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{label}: registry file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{label}: cannot read registry file: {exc}") from None


def parse_registry(text: str, label: str) -> tuple[list[KnownDataset], list[str]]:
    data = parse_yaml(text, label, "a registry file")
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: expected a mapping with keys 'schema' and 'datasets'")
    for key in data:
        if key not in _TOP_KEYS:
            raise ConfigError(f"{label}: unknown key {key!r}{_suggest(key, _TOP_KEYS)}")
    schema = data.get("schema")
    if schema is None:
        raise ConfigError(f"{label}: missing key 'schema' (write 'schema: {SCHEMA_VERSION}')")
    if isinstance(schema, bool) or schema != SCHEMA_VERSION:
        raise ConfigError(
            f"{label}: unsupported schema {schema!r} (this xfilter reads schema {SCHEMA_VERSION})"
        )
    generic = _string_list(data.get("generic_names", []), f"{label}: key 'generic_names'")
    raw_entries = data.get("datasets", [])
    if raw_entries is None:
        raw_entries = []
    if not isinstance(raw_entries, list):
        raise ConfigError(f"{label}: key 'datasets' must be a list of entries")
    entries: list[KnownDataset] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(raw_entries, start=1):
        entry = _parse_entry(raw, f"{label}: entry {number}")
        key = id_key(entry.id)
        if key in seen:
            raise ConfigError(
                f"{label}: entry {number}: duplicate id {entry.id!r} (entry {seen[key]})"
            )
        seen[key] = number
        entries.append(entry)
    return entries, generic


def _parse_entry(raw: object, where: str) -> KnownDataset:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(raw).__name__}")
    if isinstance(raw.get("id"), str):
        where = f"{where} ({raw['id']!r})"
    for key in raw:
        if key not in _ENTRY_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}{_suggest(str(key), _ENTRY_KEYS)}")
    for key in _REQUIRED:
        if key not in raw:
            raise ConfigError(f"{where}: missing key {key!r}")
    values = {key: _text(raw[key], f"{where}: key {key!r}") for key in _REQUIRED}
    aliases = tuple(_string_list(raw.get("aliases", []), f"{where}: key 'aliases'"))
    configs = tuple(_string_list(raw.get("configs", []), f"{where}: key 'configs'"))
    for name in (values["id"], *aliases):
        _check_id(name, where)
    pwc = raw.get("paperswithcode_id")
    if pwc is not None:
        pwc = _text(pwc, f"{where}: key 'paperswithcode_id'")
    return KnownDataset(
        id=values["id"],
        evidence=values["evidence"],
        source=values["source"],
        aliases=aliases,
        paperswithcode_id=pwc,
        partial=_flag(raw.get("partial", False), f"{where}: key 'partial'"),
        verified=_flag(raw.get("verified", True), f"{where}: key 'verified'"),
        configs=configs,
        origin=where,
    )


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} must be a non-empty string, got {_kind(value)}")
    return value.strip()


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {_kind(value)}")
    return value


def _string_list(value: object, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be a list of strings, got {_kind(value)}")
    return [_text(item, f"{where}: item {i}") for i, item in enumerate(value, start=1)]


def _check_id(name: str, where: str) -> None:
    parts = name.split("/")
    if len(parts) > 2 or not all(compact(p) for p in parts):
        raise ConfigError(f"{where}: {name!r} is not a dataset id ('name' or 'namespace/name')")


def _kind(value: object) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"


def _suggest(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def claim(index: dict[str, KnownDataset], key: str, entry: KnownDataset, raw: str) -> None:
    """Index ``entry`` under ``key``; a name given to two entries is a ConfigError."""
    held = index.get(key)
    if held is not None and held is not entry:
        raise ConfigError(
            f"{entry.origin or entry.id}: {raw!r} already names {held.id!r}"
            f" ({held.origin or 'registry'}); give each name to one entry"
        )
    index[key] = entry


def in_config(found: KnownDataset | None, config: str | None) -> KnownDataset | None:
    """``found``, unless it is X-derived only in some configs and ``config`` is another."""
    if found is None or not found.configs or not config:
        return found
    return found if compact(config) in {compact(c) for c in found.configs} else None
