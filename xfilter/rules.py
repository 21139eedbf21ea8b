"""The rule set: every rule id any detector can fire, and a hash that names this exact set."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING

from xfilter import __version__
from xfilter.detect import datasets, ids, posts, text, urls
from xfilter.detect.evidence import Rule

if TYPE_CHECKING:
    from importlib.abc import Traversable

RULESET_VERSION = __version__
_MODULES = (urls, text, posts, ids, datasets)
ALL_RULES: Mapping[str, Rule] = MappingProxyType(
    {rule.id: rule for module in _MODULES for rule in module.RULES}
)

# Everything in the package that can change a decision, relative to the package folder: the
# detectors, the batch scan and the tagger, the regex back ends, the dataset evidence, the
# policy and its opt-out lists, and the packaged dataset registry. Folders count with every
# ``.py`` below them, at any depth, so a module added or moved inside them is hashed too.
_DECIDING_FOLDERS = ("detect", "engines")
_DECIDING_FILES = (
    "scan.py",
    "kernel.py",
    "transform.py",
    "policy.py",
    "optout.py",
    "data/known_datasets.yaml",
)


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

    A named file that is missing raises ``FileNotFoundError`` rather than dropping out of the
    hash.
    """
    found: dict[str, Traversable] = {}
    for folder in _DECIDING_FOLDERS:
        found.update(_python_files(root.joinpath(folder), folder))
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
