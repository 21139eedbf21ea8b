"""Dataset identity: is the input, a mixture row's source, or a local dataset card X-derived?

Three questions, one registry (``xfilter/data/known_datasets.yaml`` plus the user's files):

- ``match_id``: the dataset id or local path handed to xfilter (rule ``dataset.registry``);
- ``match_source_value``: a value of a ``source``/``dataset``/``origin``-like column in a mixture
  (rule ``dataset.source_column``);
- ``match_card``: the YAML header of a local README.md (rule ``dataset.card``).

Names are compared case-insensitively with ``-``, ``_``, ``.`` and spaces ignored, and inside
longer strings only at word boundaries (``twi_text_c3`` never matches ``tweet…``). Names listed
in the registry's ``generic_names`` (``emotion``…) count only as a whole dataset id.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from xfilter.detect.evidence import Rule
from xfilter.errors import ConfigError, InputError
from xfilter.yamlsafe import parse_yaml

RULE_REGISTRY = Rule(
    "dataset.registry",
    "x_dataset",
    "the input dataset id or path is a known X-derived dataset",
)
RULE_SOURCE_COLUMN = Rule(
    "dataset.source_column",
    "x_dataset",
    "a source/dataset/origin-like column of a mixture row names a known X-derived dataset or X",
)
RULE_CARD = Rule(
    "dataset.card",
    "x_dataset",
    "the local dataset card's YAML (pretty_name, tags, source_datasets, paperswithcode_id) "
    "points to X origin",
)
RULES: tuple[Rule, ...] = (RULE_REGISTRY, RULE_SOURCE_COLUMN, RULE_CARD)

# Lower-case leaf names (``meta.source`` → ``source``) of columns that name a record's source
# dataset. Left out on purpose: ``src`` (the source sentence of translation pairs), ``source_id``
# (a record's id in its source, possibly a post id) and ``domain`` (usually a host name: lookalike
# hosts belong to the URL detector).
SOURCE_COLUMN_NAMES: frozenset[str] = frozenset(
    {
        "source", "sources", "_source", "source_name", "source_dataset",
        "source_datasets", "source_dataset_name", "dataset", "datasets", "_dataset",
        "dataset_name", "dataset_id", "dataset_source", "data_source", "datasource",
        "origin", "origin_dataset", "original_dataset", "subset", "subset_name", "corpus",
        "corpus_name", "collection", "task_name", "_task_name", "task_source", "hf_dataset",
        "hf_dataset_name", "hf_dataset_id", "provenance", "pile_set_name",
        "redpajama_set_name",
    }
)  # fmt: skip

SCHEMA_VERSION = 1
_BUILTIN_LABEL = "xfilter/data/known_datasets.yaml"
_TOP_KEYS = ("schema", "generic_names", "datasets")
_ENTRY_KEYS = (
    "id", "aliases", "evidence", "source", "paperswithcode_id", "partial", "configs", "verified",
)  # fmt: skip
_REQUIRED = ("id", "evidence", "source")

# Source-column values longer than this are prose (a translation pair's "source" side), not labels.
_MAX_LABEL_CHARS = 200
_MAX_LABEL_WORDS = 8
_MAX_GENERIC_WORDS = 5
_CACHE_LIMIT = 1 << 16
# Names this short must be one whole token: "ce-dr" is not "cedr".
_SHORT_NAME = 4

_NON_WORD = re.compile(r"[\W_]+")
# Word pieces: camelCase humps, digit runs and other letters ("SemEval2018Task1" → sem eval 2018
# task 1). A name matches a contiguous run of whole pieces, so "TweetEval" = "tweet_eval".
_PIECE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_]+")
_SEGMENT_SPLIT = re.compile(r"___|[\s/\\:|,;()\[\]{}@]+")
_HUB_PREFIX = re.compile(
    r"^(?:hf://datasets/|https?://(?:www\.)?huggingface\.co/datasets/|hf:(?://)?|hub:)",
    re.IGNORECASE,
)
_DATA_SUFFIX = re.compile(
    r"(?:\.(?:parquet|arrow|jsonl|json|csv|tsv|txt|zip|tar|xml|zst|gz|bz2|xz))+$", re.IGNORECASE
)
_NOISE_DIR = re.compile(
    r"^(?:data|train|test|validation|valid|dev|default|raw|processed|splits?|snapshots|blobs|"
    r"refs|main|\d+(?:\.\d+)+|[0-9a-f]{16,}|.*-\d{5}-of-\d{5}.*)$",
    re.IGNORECASE,
)
# Host names and URLs in a source value are left to the URL detector (twitter-dash.com is no X).
_HOSTLIKE = re.compile(
    r"://|\bwww\.|[a-z0-9-]\.(?:com|net|org|io|co|me|ai|app|dev|info|biz|xyz|social|site|"
    r"online|news|tv|us|uk|de|fr|jp|ru|br|in|it|es|nl|pl|ca|au|cn)\b",
    re.IGNORECASE,
)
_X_PREFIXES = ("tweet", "twitter", "retweet")


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


class DatasetRegistry:
    """Known X-derived datasets, indexed for the three matchers.

    Build with :meth:`load`. Matching is memoised per instance because the caller asks once per
    distinct value of a column; the caches are dropped when pickled.
    """

    def __init__(self, entries: Iterable[KnownDataset] = (), generic_names: Iterable[str] = ()):
        self._entries = tuple(entries)
        self._generic_names = tuple(sorted({n.strip().lower() for n in generic_names}))
        self._build()

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def load(cls, extra_paths: Sequence[str | os.PathLike[str]] = ()) -> DatasetRegistry:
        """The built-in registry merged with the user's files, in order.

        A user entry whose id equals an earlier one replaces it (the later file wins);
        ``generic_names`` are unioned. Any malformed file is a ConfigError naming file,
        entry and key.
        """
        entries, generic = _builtin()
        merged = {_id_key(e.id): e for e in entries}
        generic_names = set(generic)
        for path in extra_paths:
            label = os.fspath(path)
            file_entries, file_generic = _parse_registry(_read_registry_file(label), label)
            merged.update((_id_key(e.id), e) for e in file_entries)
            generic_names.update(file_generic)
        return cls(merged.values(), generic_names)

    def _build(self) -> None:
        self._full: dict[str, KnownDataset] = {}  # "ns/name" of ids and namespaced aliases
        self._whole: dict[str, KnownDataset] = {}  # bare ids and bare aliases, generic included
        self._names: dict[str, KnownDataset] = {}  # names matched at word boundaries
        self._pwc: dict[str, KnownDataset] = {}
        self._id_cache: dict[str, KnownDataset | None] = {}
        self._value_cache: dict[str, KnownDataset | None] = {}
        generic = {_compact(n) for n in self._generic_names}
        implicit: list[tuple[str, KnownDataset]] = []
        for entry in self._entries:
            for raw in (entry.id, *entry.aliases):
                namespace, name = _split_id(raw)
                if namespace:
                    _claim(self._full, f"{namespace}/{name}", entry, raw)
                    implicit.append((name, entry))
                else:
                    _claim(self._whole, name, entry, raw)
                    if name not in generic:
                        _claim(self._names, name, entry, raw)
            if entry.paperswithcode_id:
                _claim(
                    self._pwc, entry.paperswithcode_id.strip().lower(), entry, "paperswithcode_id"
                )
        # The bare part of "ns/name" is a name too, unless generic or already an explicit name:
        # explicit claims win, so a user's copy "myorg/sentiment140" leaves "sentiment140" alone.
        for name, entry in implicit:
            if name not in generic:
                self._names.setdefault(name, entry)
        self._max_name = max(map(len, self._names), default=0)

    def __getstate__(self) -> dict[str, Any]:
        return {"entries": self._entries, "generic_names": self._generic_names}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._entries = state["entries"]
        self._generic_names = state["generic_names"]
        self._build()

    # -- identity of the registry ------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def entries(self) -> tuple[KnownDataset, ...]:
        return self._entries

    @property
    def generic_names(self) -> tuple[str, ...]:
        return self._generic_names

    @property
    def sha256(self) -> str:
        """Hash of the merged content: formatting, comments and entry order do not change it."""
        payload = {
            "schema": SCHEMA_VERSION,
            "generic_names": list(self._generic_names),
            "datasets": [
                e.content() for e in sorted(self._entries, key=lambda e: (_id_key(e.id), e.id))
            ],
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    # -- matchers ----------------------------------------------------------------------------

    def match_id(self, dataset_id: str) -> KnownDataset | None:
        """The known dataset that ``dataset_id`` (a Hub id or a local path) is, if any.

        Accepted: ``ns/name``, ``name`` (legacy canonical), any case and ``-``/``_`` spelling;
        a config (``ns/name:cfg``, ``name/cfg``, ``ns/name/cfg``), a revision (``@main``);
        ``hf://datasets/…`` and ``https://huggingface.co/datasets/…``; a copy under another
        namespace (``myorg/tweet_eval``, by the name at word boundaries); a local path whose
        last component or parent/last names the dataset, after dropping split, shard, version
        and hash components (``/data/tweet_eval/train``), and HF cache directory names
        (``cardiffnlp___tweet_eval``, ``datasets--cardiffnlp--tweet_eval``) anywhere in it.
        Generic names (``emotion``) match only as the whole id, never as a path or a copy.
        """
        if dataset_id in self._id_cache:
            return self._id_cache[dataset_id]
        found = self._match_id(dataset_id.strip())
        self._remember(self._id_cache, dataset_id, found)
        return found

    def match_source_value(self, value: str) -> KnownDataset | None:
        """The known dataset a mixture's source-column value names, if any.

        ``sentiment140``, ``cardiffnlp/tweet_eval:emotion``, ``TweetEval (emotion)``,
        ``hf:dair-ai/emotion`` match; so does a value that names X itself (``twitter``,
        ``tweets_2020``), as a generic match with ``verified=False``. Generic names alone
        (``emotion``), other datasets (``c4``, ``emo``, ``mastodon``), host names and URLs
        (the URL detector's job) and prose (more than a few words) do not.
        """
        if value in self._value_cache:
            return self._value_cache[value]
        found = self._match_source_value(value)
        self._remember(self._value_cache, value, found)
        return found

    def match_card(self, card: Mapping[str, object]) -> KnownDataset | None:
        """The known dataset a local card's YAML header points to, if any.

        First the registry: ``paperswithcode_id``, then ids and names in ``source_datasets``
        (each ``|``-separated part) and ``pretty_name``. Then the generic rule: a tag,
        ``source_datasets`` part or ``pretty_name`` whose words name X (``twitter``, ``tweets``,
        ``other-tweet-datasets``) gives a synthetic entry whose evidence names the key. Only
        these keys are read: prose such as "Facebook and Twitter pages" in a description, or a
        ``language: [tw]`` (Twi), never counts.
        """
        if not isinstance(card, Mapping):
            return None
        pwc = card.get("paperswithcode_id")
        if isinstance(pwc, str) and pwc.strip().lower() in self._pwc:
            return self._pwc[pwc.strip().lower()]
        source_parts = [
            part.strip()
            for value in _strings(card.get("source_datasets"))
            for part in value.split("|")
        ]
        pretty_names = _strings(card.get("pretty_name"))
        for value in (*source_parts, *pretty_names):
            found = self._match_known(value)
            if found is not None:
                return found
        generic_keys = (
            ("source_datasets", source_parts),
            ("tags", _strings(card.get("tags"))),
            ("pretty_name", pretty_names),
        )
        for key, values in generic_keys:
            for value in values:
                word = _x_word(_pieces(value))
                if word is not None:
                    return _generic_match(
                        f"card.{key}:{value}",
                        f"dataset card {key} {value!r} names X/Twitter ({word!r})",
                        RULE_CARD,
                    )
        return None

    # -- internals ---------------------------------------------------------------------------

    def _remember(
        self, cache_: dict[str, KnownDataset | None], key: str, found: KnownDataset | None
    ) -> None:
        if len(cache_) >= _CACHE_LIMIT:
            cache_.clear()
        cache_[key] = found

    def _match_id(self, text: str) -> KnownDataset | None:
        if not text:
            return None
        prefixed = _HUB_PREFIX.match(text)
        if prefixed:
            rest = text[prefixed.end() :]
            parts = [p for p in rest.split("/") if p][:3]
            parts = [p.split("@", 1)[0] for p in parts]
            return self._match_hub(parts[:2], None) if parts else None
        if _looks_like_path(text):
            return self._match_path(text)
        return self._match_hub_text(text) or self._match_path(text)

    def _match_hub_text(self, text: str) -> KnownDataset | None:
        config: str | None = None
        if ":" in text:
            text, config = text.split(":", 1)
        if "@" in text:
            text = text.split("@", 1)[0]
        if text.lower().startswith("datasets--"):
            parts = text[len("datasets--") :].split("--", 1)
        elif "___" in text and "/" not in text:
            parts = text.split("___", 1)
        else:
            parts = text.split("/")
        if not 1 <= len(parts) <= 3 or not all(parts):
            return None
        if len(parts) == 3:
            config = parts[2]
        return self._match_hub(parts[:2], config)

    def _match_hub(self, parts: list[str], config: str | None) -> KnownDataset | None:
        if len(parts) == 1:
            found = self._whole.get(_compact(parts[0])) or self._find_name(_pieces(parts[0]))
            return _in_config(found, config)
        namespace, name = parts
        found = self._full.get(f"{_compact(namespace)}/{_compact(name)}")
        if found is not None:
            return _in_config(found, config)
        # "tweet_eval/emotion": a legacy name and its config.
        found = self._names.get(_compact(namespace))
        if found is not None and config is None:
            return _in_config(found, name)
        # "myorg/tweet_eval_clean": a copy under another namespace.
        return _in_config(self._find_name(_pieces(name)), config)

    def _match_path(self, text: str) -> KnownDataset | None:
        parts = [p for p in re.split(r"[\\/]+", text) if p and p not in (".", "..", "~")]
        for part in parts:  # HF cache directory names anywhere in the path
            if part.lower().startswith("datasets--"):
                pair = part[len("datasets--") :].split("--", 1)
            elif "___" in part:
                pair = part.split("___", 1)
            else:
                continue
            if len(pair) == 2 and all(pair):
                found = self._match_hub(pair, None)
                if found is not None:
                    return found
        if parts:
            parts[-1] = _DATA_SUFFIX.sub("", parts[-1]) or parts[-1]
        for _ in range(4):
            if len(parts) > 1 and _NOISE_DIR.match(parts[-1]):
                parts.pop()
        if not parts:
            return None
        last = parts[-1]
        if len(parts) >= 2:
            found = self._full.get(f"{_compact(parts[-2])}/{_compact(last)}")
            if found is not None:
                return found
        found = self._find_name(_pieces(last))
        if found is not None:
            return found
        if len(parts) >= 2:  # ".../tweet_eval/emotion": the parent is the dataset
            return _in_config(self._find_name(_pieces(parts[-2])), last)
        return None

    def _match_source_value(self, value: str) -> KnownDataset | None:
        text = value.strip()
        words = len(text.split())
        if not text or len(text) > _MAX_LABEL_CHARS or words > _MAX_LABEL_WORDS:
            return None
        found = self._match_known(text)
        if found is not None:
            return found
        if words > _MAX_GENERIC_WORDS or _HOSTLIKE.search(text):
            return None
        word = _x_word(_pieces(text))
        if word is None:
            return None
        return _generic_match(
            f"source:{text}",
            f"source value {text!r} names X/Twitter ({word!r})",
            RULE_SOURCE_COLUMN,
        )

    def _match_known(self, text: str) -> KnownDataset | None:
        """Registry entries named in a free-form value: a namespaced id, else a name."""
        segments = [s for s in _SEGMENT_SPLIT.split(text) if s]
        expanded: list[str] = []
        for segment in segments:
            if segment.lower().startswith("datasets--"):
                expanded.extend(p for p in segment[len("datasets--") :].split("--", 1) if p)
            else:
                expanded.append(segment)
        for index in range(len(expanded) - 1):
            key = f"{_compact(expanded[index])}/{_compact(expanded[index + 1])}"
            found = self._full.get(key)
            if found is not None:
                following = expanded[index + 2] if index + 2 < len(expanded) else None
                return _in_config(found, following)
        return self._find_name(_pieces(text))

    def _find_name(self, pieces: list[str]) -> KnownDataset | None:
        """The longest registry name made of whole consecutive pieces, earliest first."""
        for start in range(len(pieces)):
            best: tuple[KnownDataset, int] | None = None
            joined = ""
            for end in range(start, len(pieces)):
                joined += pieces[end]
                if len(joined) > self._max_name:
                    break
                found = self._names.get(joined)
                if found is not None and (end == start or len(joined) > _SHORT_NAME):
                    best = (found, end + 1)
            if best is not None:
                found, after = best
                following = pieces[after] if after < len(pieces) else None
                if _in_config(found, following) is not None:
                    return found
        return None


# -- dataset cards -----------------------------------------------------------------------------


def read_card_yaml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The YAML front matter of a local README.md (or of ``<dir>/README.md``), else ``{}``.

    An opening ``---`` without a closing one is a Markdown rule, not front matter. Malformed
    YAML is a ConfigError naming the file.
    """
    card = Path(path)
    if card.is_dir():
        card = card / "README.md"
        if not card.is_file():
            return {}
    try:
        text = card.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{card}: no such dataset card") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{card}: cannot read dataset card: {exc}") from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return {}
    data = parse_yaml("\n".join(lines[1:end]), f"{card} (card header)", "a dataset card")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{card}: the card header must be a YAML mapping, got {type(data).__name__}"
        )
    return data


# -- registry files ----------------------------------------------------------------------------


@cache
def _builtin() -> tuple[tuple[KnownDataset, ...], tuple[str, ...]]:
    text = (
        resources.files("xfilter")
        .joinpath("data")
        .joinpath("known_datasets.yaml")
        .read_text(encoding="utf-8")
    )
    entries, generic = _parse_registry(text, _BUILTIN_LABEL)
    return tuple(entries), tuple(generic)


def _read_registry_file(label: str) -> str:
    try:
        return Path(label).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{label}: registry file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{label}: cannot read registry file: {exc}") from None


def _parse_registry(text: str, label: str) -> tuple[list[KnownDataset], list[str]]:
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
        key = _id_key(entry.id)
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
    if len(parts) > 2 or not all(_compact(p) for p in parts):
        raise ConfigError(f"{where}: {name!r} is not a dataset id ('name' or 'namespace/name')")


def _kind(value: object) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"


def _suggest(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# -- names -------------------------------------------------------------------------------------


def _compact(text: str) -> str:
    return _NON_WORD.sub("", text.lower())


def _pieces(text: str) -> list[str]:
    return [p.lower() for p in _PIECE.findall(text)]


def _split_id(raw: str) -> tuple[str, str]:
    namespace, _, name = raw.rpartition("/")
    return _compact(namespace), _compact(name)


def _id_key(raw: str) -> str:
    namespace, name = _split_id(raw)
    return f"{namespace}/{name}" if namespace else name


def _claim(index: dict[str, KnownDataset], key: str, entry: KnownDataset, raw: str) -> None:
    held = index.get(key)
    if held is not None and held is not entry:
        raise ConfigError(
            f"{entry.origin or entry.id}: {raw!r} already names {held.id!r}"
            f" ({held.origin or 'registry'}); give each name to one entry"
        )
    index[key] = entry


def _in_config(found: KnownDataset | None, config: str | None) -> KnownDataset | None:
    """``found``, unless it is X-derived only in some configs and ``config`` is another."""
    if found is None or not found.configs or not config:
        return found
    return found if _compact(config) in {_compact(c) for c in found.configs} else None


def _x_word(pieces: list[str]) -> str | None:
    """The word that names X in a label: tweet…, twitter…, retweet…, or "x posts"."""
    for index, piece in enumerate(pieces):
        if piece.startswith(_X_PREFIXES):
            return piece
        if piece == "x" and index + 1 < len(pieces) and pieces[index + 1] in ("post", "posts"):
            return f"x {pieces[index + 1]}"
    return None


def _generic_match(identifier: str, evidence: str, rule: Rule) -> KnownDataset:
    return KnownDataset(
        id=identifier,
        evidence=evidence,
        source="generic rule (X_REFERENCE §4.2)",
        verified=False,
        origin=f"rule:{rule.id}",
    )


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def _looks_like_path(text: str) -> bool:
    return (
        text.startswith(("/", "./", "../", "~", ".\\"))
        or "\\" in text
        or re.match(r"^[A-Za-z]:[\\/]", text) is not None
        or text.count("/") >= 3
        or _DATA_SUFFIX.search(text) is not None
    )


def is_source_column(name: str) -> bool:
    """Whether a column (``source`` or a nested ``meta.source``) names a record's source."""
    leaf = re.split(r"[./]", name)[-1].lower()
    return leaf in SOURCE_COLUMN_NAMES
