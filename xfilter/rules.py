"""The rule set: every rule id any detector can fire, and a hash that names this exact set."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType

from xfilter import __version__
from xfilter.detect import datasets, ids, posts, text, urls
from xfilter.detect.evidence import Rule

RULESET_VERSION = __version__
_MODULES = (urls, text, posts, ids, datasets)
ALL_RULES: Mapping[str, Rule] = MappingProxyType(
    {rule.id: rule for module in _MODULES for rule in module.RULES}
)


@cache
def ruleset_sha256() -> str:
    """Hash of the detector sources: any change to a pattern changes it."""
    digest = hashlib.sha256()
    package = resources.files("xfilter")
    for name in ("scan.py", "kernel.py"):
        digest.update(name.encode() + b"\0" + package.joinpath(name).read_bytes())
    detect = package.joinpath("detect")
    for entry in sorted(detect.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()
