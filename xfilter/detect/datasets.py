"""Dataset identity: is the input, a mixture row's source, or a local dataset card X-derived?

Three questions, one registry (``xfilter/data/known_datasets.yaml`` plus the user's files):

- ``match_id``: the dataset id or local path handed to xfilter (rule ``dataset.registry``);
- ``match_source_value``: a value of a ``source``/``dataset``/``origin``-like column in a mixture
  (rule ``dataset.source_column``);
- ``match_card``: the YAML header of a local README.md (rule ``dataset.card``), and the sentence
  of its prose that says the data was collected from X (rule ``dataset.card_prose``);
- ``match_info``: a ``datasets.DatasetInfo`` (name, config, builder, files, description) handed
  to ``ds.map(xf)`` without an input source.

Names are compared case-insensitively with ``-``, ``_``, ``.`` and spaces ignored, and inside
longer strings only at word boundaries (``twi_text_c3`` never matches ``tweet…``). Names listed
in the registry's ``generic_names`` (``emotion``…) count only as a whole dataset id.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xfilter.detect.cards import card_strings, read_card_text, split_card, x_origin_sentence
from xfilter.detect.cards import read_card_yaml as read_card_yaml
from xfilter.detect.dataset_names import (
    DATA_SUFFIX,
    HUB_PREFIX,
    NOISE_DIR,
    SEGMENT_SPLIT,
    compact,
    id_key,
    looks_like_path,
    split_id,
    word_pieces,
    x_word,
)
from xfilter.detect.evidence import Evidence, Rule, hit
from xfilter.detect.registry_file import (
    SCHEMA_VERSION,
    builtin,
    claim,
    in_config,
    parse_registry,
    read_registry_file,
)
from xfilter.detect.registry_file import KnownDataset as KnownDataset
from xfilter.vocab import DEMO

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
RULE_CARD_PROSE = Rule(
    "dataset.card_prose",
    "x_dataset",
    "a sentence of the local dataset card's prose says the data was collected from X",
)
RULES: tuple[Rule, ...] = (RULE_REGISTRY, RULE_SOURCE_COLUMN, RULE_CARD, RULE_CARD_PROSE)

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


# Source-column values longer than this are prose (a translation pair's "source" side), not labels.
_MAX_LABEL_CHARS = 200
_MAX_LABEL_WORDS = 8
_MAX_GENERIC_WORDS = 5
_CACHE_LIMIT = 1 << 16
# Names this short must be one whole token: "ce-dr" is not "cedr".
_SHORT_NAME = 4

# Host names and URLs in a source value are left to the URL detector (twitter-dash.com is no X).
_HOSTLIKE = re.compile(
    r"://|\bwww\.|[a-z0-9-]\.(?:com|net|org|io|co|me|ai|app|dev|info|biz|xyz|social|site|"
    r"online|news|tv|us|uk|de|fr|jp|ru|br|in|it|es|nl|pl|ca|au|cn)\b",
    re.IGNORECASE,
)


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
        entries, generic = builtin()
        merged = {id_key(e.id): e for e in entries}
        generic_names = set(generic)
        for path in extra_paths:
            label = os.fspath(path)
            file_entries, file_generic = parse_registry(read_registry_file(label), label)
            merged.update((id_key(e.id), e) for e in file_entries)
            generic_names.update(file_generic)
        return cls(merged.values(), generic_names)

    def _build(self) -> None:
        self._full: dict[str, KnownDataset] = {}  # "ns/name" of ids and namespaced aliases
        self._whole: dict[str, KnownDataset] = {}  # bare ids and bare aliases, generic included
        self._names: dict[str, KnownDataset] = {}  # names matched at word boundaries
        self._pwc: dict[str, KnownDataset] = {}
        self._id_cache: dict[str, KnownDataset | None] = {}
        self._value_cache: dict[str, KnownDataset | None] = {}
        generic = {compact(n) for n in self._generic_names}
        implicit: list[tuple[str, KnownDataset]] = []
        for entry in self._entries:
            for raw in (entry.id, *entry.aliases):
                namespace, name = split_id(raw)
                if namespace:
                    claim(self._full, f"{namespace}/{name}", entry, raw)
                    implicit.append((name, entry))
                else:
                    claim(self._whole, name, entry, raw)
                    if name not in generic:
                        claim(self._names, name, entry, raw)
            if entry.paperswithcode_id:
                claim(
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
                e.content() for e in sorted(self._entries, key=lambda e: (id_key(e.id), e.id))
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
            for value in card_strings(card.get("source_datasets"))
            for part in value.split("|")
        ]
        pretty_names = card_strings(card.get("pretty_name"))
        for value in (*source_parts, *pretty_names):
            found = self._match_known(value)
            if found is not None:
                return found
        generic_keys = (
            ("source_datasets", source_parts),
            ("tags", card_strings(card.get("tags"))),
            ("pretty_name", pretty_names),
        )
        for key, values in generic_keys:
            for value in values:
                word = x_word(word_pieces(value))
                if word is not None:
                    return _generic_match(
                        f"card.{key}:{value}",
                        f"dataset card {key} {value!r} names X/Twitter ({word!r})",
                        RULE_CARD,
                    )
        return None

    def match_info(self, info: DatasetInfoFields) -> InfoMatch | None:
        """What a dataset's own info says of its X origin, if anything.

        Certain (``known`` set): a data file or cache path that names a registry dataset
        (``hf://datasets/cardiffnlp/tweet_eval@…``, ``…/cardiffnlp___tweet_eval/…``), or a
        ``dataset_name``/``builder_name`` that the registry knows and that is not generic.
        A clue only (``known`` None): a generic name (``emotion`` may be anyone's), or a
        description, citation title or homepage that says the data is tweets.
        """
        for path in info.files:
            found = self.match_id(path)
            if found is not None:
                return InfoMatch(found, f"its data file {path!r} is {found.id}")
        generic = {compact(n) for n in self._generic_names}
        clue: InfoMatch | None = None
        for key, name in (("dataset_name", info.dataset_name), ("builder_name", info.builder_name)):
            if not name:
                continue
            found = self.match_id(f"{name}:{info.config_name}" if info.config_name else name)
            if found is None:
                continue
            why = f"its {key} {name!r} names {found.id} ({found.evidence})"
            if compact(name) in generic:
                clue = clue or InfoMatch(None, why)
            else:
                return InfoMatch(found, why)
        return clue or _prose_clue(info)

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
        prefixed = HUB_PREFIX.match(text)
        if prefixed:
            rest = text[prefixed.end() :]
            parts = [p for p in rest.split("/") if p][:3]
            parts = [p.split("@", 1)[0] for p in parts]
            return self._match_hub(parts[:2], None) if parts else None
        if looks_like_path(text):
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
            found = self._whole.get(compact(parts[0])) or self._find_name(word_pieces(parts[0]))
            return in_config(found, config)
        namespace, name = parts
        found = self._full.get(f"{compact(namespace)}/{compact(name)}")
        if found is not None:
            return in_config(found, config)
        # "tweet_eval/emotion": a legacy name and its config.
        found = self._names.get(compact(namespace))
        if found is not None and config is None:
            return in_config(found, name)
        # "myorg/tweet_eval_clean": a copy under another namespace.
        return in_config(self._find_name(word_pieces(name)), config)

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
            parts[-1] = DATA_SUFFIX.sub("", parts[-1]) or parts[-1]
        for _ in range(4):
            if len(parts) > 1 and NOISE_DIR.match(parts[-1]):
                parts.pop()
        if not parts:
            return None
        last = parts[-1]
        if len(parts) >= 2:
            found = self._full.get(f"{compact(parts[-2])}/{compact(last)}")
            if found is not None:
                return found
        found = self._find_name(word_pieces(last))
        if found is not None:
            return found
        if len(parts) >= 2:  # ".../tweet_eval/emotion": the parent is the dataset
            return in_config(self._find_name(word_pieces(parts[-2])), last)
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
        word = x_word(word_pieces(text))
        if word is None:
            return None
        return _generic_match(
            f"source:{text}",
            f"source value {text!r} names X/Twitter ({word!r})",
            RULE_SOURCE_COLUMN,
        )

    def _match_known(self, text: str) -> KnownDataset | None:
        """Registry entries named in a free-form value: a namespaced id, else a name."""
        segments = [s for s in SEGMENT_SPLIT.split(text) if s]
        expanded: list[str] = []
        for segment in segments:
            if segment.lower().startswith("datasets--"):
                expanded.extend(p for p in segment[len("datasets--") :].split("--", 1) if p)
            else:
                expanded.append(segment)
        for index in range(len(expanded) - 1):
            key = f"{compact(expanded[index])}/{compact(expanded[index + 1])}"
            found = self._full.get(key)
            if found is not None:
                following = expanded[index + 2] if index + 2 < len(expanded) else None
                return in_config(found, following)
        return self._find_name(word_pieces(text))

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
                if in_config(found, following) is not None:
                    return found
        return None


def _generic_match(identifier: str, evidence: str, rule: Rule) -> KnownDataset:
    return KnownDataset(
        id=identifier,
        evidence=evidence,
        source="generic rule (docs/x-content-reference.md §4.2)",
        verified=False,
        origin=f"rule:{rule.id}",
    )


@dataclass(frozen=True)
class DatasetInfoFields:
    """The parts of a ``datasets.DatasetInfo`` (and of its dataset's files) that can name it."""

    dataset_name: str | None = None
    config_name: str | None = None
    builder_name: str | None = None
    description: str | None = None
    citation: str | None = None
    homepage: str | None = None
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class InfoMatch:
    """What a dataset's info says of X: ``known`` when a registry entry is certain, and why."""

    known: KnownDataset | None
    why: str


_CITATION_TITLE = re.compile(r"\btitle\s*=\s*[{\"]+([^}\"\n]{1,300})", re.IGNORECASE)


def _prose_clue(info: DatasetInfoFields) -> InfoMatch | None:
    """A clue from the info's free text: a description sentence, citation title or homepage
    that says the data comes from X."""
    sentence = x_origin_sentence(info.description or "")
    if sentence is not None:
        return InfoMatch(None, f"its description says {sentence!r}")
    for title in _CITATION_TITLE.findall(info.citation or ""):
        word = x_word(word_pieces(title))
        if word is not None:
            return InfoMatch(None, f"its citation is titled {title.strip()!r}")
    homepage = HUB_PREFIX.sub("", info.homepage or "")
    path = homepage.split("://", 1)[-1].partition("/")[2]
    if path and x_word(word_pieces(path)) is not None and not _HOSTLIKE.search(path):
        return InfoMatch(None, f"its homepage {info.homepage!r} names X/Twitter")
    return None


def is_source_column(name: str) -> bool:
    """Whether a column (``source`` or a nested ``meta.source``) names a record's source."""
    leaf = re.split(r"[./]", name)[-1].lower()
    return leaf in SOURCE_COLUMN_NAMES


def dataset_level_evidence(source: str, registry: DatasetRegistry) -> tuple[Evidence, ...]:
    """Evidence that holds for every record: the input itself is a known X-derived dataset."""
    if source == DEMO:
        return ()
    found: list[Evidence] = []
    if registry.match_id(source) is not None:
        found.append(hit(RULE_REGISTRY))
    card = Path(source) / "README.md"
    if card.is_file():
        found += card_evidence(card, registry)
    return tuple(e.in_field("<dataset>") for e in found)


def card_evidence(card: Path, registry: DatasetRegistry) -> list[Evidence]:
    """A local card's verdict: its YAML header names X or a known dataset (``dataset.card``),
    else a sentence of its prose says the data was collected from X (``dataset.card_prose``,
    with that sentence as detail)."""
    if registry.match_card(read_card_yaml(card)) is not None:
        return [hit(RULE_CARD)]
    _, prose = split_card(read_card_text(card) or "")
    sentence = x_origin_sentence(prose)
    return [] if sentence is None else [hit(RULE_CARD_PROSE, detail=sentence)]
