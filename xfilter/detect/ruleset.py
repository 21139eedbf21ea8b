"""The rule set: the closed tuple of detectors, every rule id they can fire, the prefilters that
stand for them, and a hash that names this exact set.

The set is closed on purpose: every manifest records the rule ids and the hash, so a detector
exists only by being listed in ``DETECTORS`` here, once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING

from xfilter import __version__
from xfilter.detect import datasets, ids, posts, text, urls
from xfilter.detect.evidence import Detector, Rule

if TYPE_CHECKING:
    from importlib.abc import Traversable

RULESET_VERSION = __version__

DETECTORS: tuple[Detector, ...] = (
    Detector("urls", urls.OWN_URL_RULES, reads=("url",), prefilter=urls.PREFILTER),
    Detector(
        "text",
        text.RULES,
        reads=("text",),
        prefilter=text.PREFILTER,
        strong_prefilter=text.STRONG_PREFILTER,
    ),
    Detector(
        "posts",
        posts.RULES,
        reads=("text", "json", "object"),
        prefilter=posts.PREFILTER,
        strong_prefilter=posts.PREFILTER,
    ),
    Detector("ids", ids.RULES, reads=("id",)),
    Detector("datasets", datasets.RULES, reads=("source", "dataset")),
)


def rules_by_id(detectors: tuple[Detector, ...]) -> Mapping[str, Rule]:
    """Every rule by id; a rule id declared twice, by one detector or two, is an error."""
    found: dict[str, Rule] = {}
    owner: dict[str, str] = {}
    for detector in detectors:
        for rule in detector.rules:
            if rule.id in found:
                raise ValueError(
                    f"rule {rule.id!r} is declared by detector {owner[rule.id]!r} "
                    f"and again by {detector.name!r}"
                )
            found[rule.id] = rule
            owner[rule.id] = detector.name
    return MappingProxyType(found)


ALL_RULES: Mapping[str, Rule] = rules_by_id(DETECTORS)


def _composed(role: str, strong: bool) -> str:
    """One RE2 alternation of the prefilters of every detector that reads ``role``, in
    ``DETECTORS`` order, each in its own group."""
    parts = [
        d.strong_prefilter if strong else d.prefilter
        for d in DETECTORS
        if role in d.reads and (d.strong_prefilter if strong else d.prefilter)
    ]
    return "|".join(f"(?:{part})" for part in parts)


def text_prefilter() -> str:
    """Matches every text on which a detector that reads text finds anything: one pass over a
    text column picks the rows to analyse (it also contains the URL detector's prefilter)."""
    return _composed("text", strong=False)


def strong_text_prefilter() -> str:
    """Matches every text on which a detector that reads text finds more than mentions: a text
    that ``text_prefilter`` matches but this one does not needs the mention rules only."""
    return _composed("text", strong=True)


# --------------------------------------------------------------------------- the rule set hash

# Everything in the package that can change a decision, relative to the package folder: the
# detectors, the batch scan, the tagger and its regex back ends, the policy and its opt-out
# lists, and the packaged dataset registry. Folders count with every ``.py`` below them, at any
# depth, so a module added or moved inside them is hashed too. Each must exist.
_DECIDING_FOLDERS = ("detect", "tagging", "policy")
_DECIDING_FILES = ("data/known_datasets.yaml",)


def _python_files(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for entry in folder.iterdir():
        path = f"{prefix}/{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _python_files(entry, path)
        elif entry.name.endswith(".py"):
            yield path, entry


def _deciding(root: Traversable) -> list[tuple[str, Traversable]]:
    """The deciding files under ``root`` as (relative POSIX path, file), sorted by path.

    A deciding folder or file that is missing raises ``FileNotFoundError`` rather than
    dropping out of the hash.
    """
    found: dict[str, Traversable] = {}
    for folder in _DECIDING_FOLDERS:
        entry = root.joinpath(folder)
        if not entry.is_dir():
            raise FileNotFoundError(f"{folder}/: a folder the rule set hash covers is missing")
        found.update(_python_files(entry, folder))
    for name in _DECIDING_FILES:
        entry = root.joinpath(*name.split("/"))
        if not entry.is_file():
            raise FileNotFoundError(f"{name}: a file the rule set hash covers is missing")
        found[name] = entry
    return sorted(found.items())


def ruleset_files(root: Traversable | None = None) -> list[str]:
    """Relative POSIX paths of the files :func:`ruleset_sha256` hashes, in hashing order."""
    return [path for path, _ in _deciding(root if root is not None else resources.files("xfilter"))]


def ruleset_sha256(root: Traversable | None = None) -> str:
    """Hash of every file that can change a decision: any change to a pattern, a detector, the
    tagger, the policy or the packaged registry changes it.

    ``root`` is a copy of the package folder to hash instead of the installed package.
    """
    return _installed_sha256() if root is None else _sha256(root)


@cache
def _installed_sha256() -> str:
    return _sha256(resources.files("xfilter"))


def _sha256(root: Traversable) -> str:
    digest = hashlib.sha256()
    for path, entry in _deciding(root):
        data = entry.read_bytes()
        digest.update(f"{path}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()
