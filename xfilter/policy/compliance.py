"""Deletion inputs: X's batch compliance results and plain id lists, read into one set.

X's batch compliance endpoints take an upload of post ids or of user ids (one job per kind)
and answer with one JSON object per line for every id that needs action, for example::

    {"id":"1265324480517361664","action":"delete","created_at":"2019-10-29T17:02:47.000Z",
     "redacted_at":"2020-07-29T17:02:47.000Z","reason":"deleted"}

``action`` is ``delete``; ``reason`` says why: ``deleted``, ``deactivated``, ``protected``,
``suspended`` (the post's author or the account) or ``scrub_geo`` (the geo data must go, not
the post); ``redacted_at`` is not on every line. An id that needs no action is not in the
results. A line does not say whether its id is a post or a user, so a file's kind comes from
the caller: ``posts:FILE`` or ``users:FILE``, or the name twarc gives a download
(``tweets_compliance_<job>.json``, ``users_compliance_<job>.json``). The ids of a file of
unknown kind are matched both as post ids and as user ids: removing too much is the safe
side of a deletion.

A plain id list (one decimal id per line, ``#`` comments and blank lines allowed) is read the
same way; its ids count as ``deleted``. A file is a result file when its first entry is a JSON
object, else an id list; either way every later line must be of the same form.

Only hashes and counts of these files ever reach an output: post and user ids are X content.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from xfilter.errors import InputError

Kind = Literal["posts", "users", "any"]
FileFormat = Literal["results", "ids"]

KIND_PREFIXES: dict[str, Kind] = {"posts:": "posts", "users:": "users"}
# twarc's ``compliance-job download`` names its file after the job's type and id.
_TWARC_NAMES: dict[str, Kind] = {"tweets_compliance_": "posts", "users_compliance_": "users"}

DELETE_ACTION = "delete"
SCRUB_GEO = "scrub_geo"
LISTED_REASON = "deleted"  # what an id of a plain list means
# The reasons X documents; a reason X adds later still removes (``action`` is ``delete``).
KNOWN_REASONS = frozenset({"deleted", "deactivated", "protected", "suspended", SCRUB_GEO})

_ID = re.compile(r"[1-9][0-9]{0,19}")
_REASON = re.compile(r"[a-z][a-z0-9_]{0,39}")
_MAX_ID = 2**64 - 1  # X ids are unsigned 64-bit integers
_BAD_ID = "'id' must be a decimal X id (digits only, no leading zero, at most 2^64 - 1)"


@dataclass(frozen=True)
class ComplianceFile:
    """What one input file held: its identity and counts, never its ids."""

    path: str
    kind: Kind
    format: FileFormat
    sha256: str
    lines: int  # entry lines: not blank, not a comment
    ids: int  # distinct ids
    by_reason: Mapping[str, int]

    def describe(self) -> dict[str, Any]:
        """The file as a manifest records it."""
        return {
            "path": self.path,
            "kind": self.kind,
            "format": self.format,
            "sha256": self.sha256,
            "lines": self.lines,
            "ids": self.ids,
            "by_reason": dict(sorted(self.by_reason.items())),
        }


@dataclass(frozen=True)
class ComplianceSet:
    """Every post and user that must leave a dataset, with the first reason given for it.

    ``posts`` and ``users`` map an id to its reason (``scrub_geo`` is never among them: those
    ids are in ``geo_posts`` and ``geo_users``). ``either`` holds the ids of files of unknown
    kind, which are in both maps.
    """

    files: tuple[ComplianceFile, ...] = ()
    posts: Mapping[str, str] = field(default_factory=dict)
    users: Mapping[str, str] = field(default_factory=dict)
    geo_posts: frozenset[str] = frozenset()
    geo_users: frozenset[str] = frozenset()
    either: frozenset[str] = frozenset()

    @property
    def by_reason(self) -> dict[str, int]:
        """Entry lines per reason, over all files."""
        total: Counter[str] = Counter()
        for file in self.files:
            total.update(file.by_reason)
        return dict(sorted(total.items()))

    def unknown(self, post_ids: Set[str], user_ids: Set[str]) -> int:
        """How many distinct ids of these files name no post and no user of ``post_ids`` and
        ``user_ids`` (an id of a file of unknown kind is known if either set has it)."""
        wanted_posts = set(self.posts) | self.geo_posts
        wanted_users = set(self.users) | self.geo_users
        missing = 0
        for number in wanted_posts | wanted_users:
            as_post = number in wanted_posts and number in post_ids
            as_user = number in wanted_users and number in user_ids
            missing += not (as_post or as_user)
        return missing

    def describe(self) -> dict[str, Any]:
        """The inputs as a manifest records them: per file hashes and counts, no ids."""
        return {
            "files": [file.describe() for file in self.files],
            "posts": len(self.posts),
            "users": len(self.users),
            "geo_posts": len(self.geo_posts),
            "geo_users": len(self.geo_users),
            "by_reason": self.by_reason,
        }


@dataclass(frozen=True)
class _Entry:
    line: int
    id: str
    reason: str


def read_compliance(paths: Iterable[str | os.PathLike[str]]) -> ComplianceSet:
    """Read result files and id lists, each ``[posts:|users:]PATH``, into one set."""
    files: list[ComplianceFile] = []
    removed: dict[str, dict[str, str]] = {"posts": {}, "users": {}}
    geo: dict[str, set[str]] = {"posts": set(), "users": set()}
    either: set[str] = set()
    for spec in paths:
        path, kind = parse_spec(spec)
        described, entries = _read_file(path, kind)
        files.append(described)
        targets = ("posts", "users") if kind == "any" else (kind,)
        for entry in entries:
            for target in targets:
                if entry.reason == SCRUB_GEO:
                    geo[target].add(entry.id)
                else:  # the first reason given for an id is the one recorded
                    removed[target].setdefault(entry.id, entry.reason)
        if kind == "any":
            either.update(entry.id for entry in entries)
    return ComplianceSet(
        files=tuple(files),
        posts=removed["posts"],
        users=removed["users"],
        geo_posts=frozenset(geo["posts"]),
        geo_users=frozenset(geo["users"]),
        either=frozenset(either),
    )


def parse_spec(spec: str | os.PathLike[str]) -> tuple[Path, Kind]:
    """``posts:FILE``, ``users:FILE`` or ``FILE`` → the path and its kind."""
    text = os.fspath(spec)
    for prefix, kind in KIND_PREFIXES.items():
        if text.startswith(prefix):
            return Path(text[len(prefix) :]), kind
    path = Path(text)
    for stem, named in _TWARC_NAMES.items():
        if path.name.startswith(stem):
            return path, named
    return path, "any"


def _read_file(path: Path, kind: Kind) -> tuple[ComplianceFile, list[_Entry]]:
    raw = _read_bytes(path)
    lines = _entry_lines(raw, path)
    is_results = bool(lines) and lines[0][1].startswith("{")
    parse = _result_entry if is_results else _listed_entry
    entries = [parse(number, text, path) for number, text in lines]
    described = ComplianceFile(
        path=str(path),
        kind=kind,
        format="results" if is_results else "ids",
        sha256=hashlib.sha256(raw).hexdigest(),
        lines=len(entries),
        ids=len({entry.id for entry in entries}),
        by_reason=dict(sorted(Counter(entry.reason for entry in entries).items())),
    )
    return described, entries


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise InputError(f"{path}: compliance file not found")
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise InputError(f"{path}: compliance file is binary, expected JSON lines or ids")
    return raw


def _entry_lines(raw: bytes, path: Path) -> list[tuple[int, str]]:
    """(line number, text) of every line that is not blank and not a ``#`` comment."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: compliance file is not UTF-8 text") from None
    return list(_content(text))


def _content(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, stripped


def _listed_entry(number: int, text: str, path: Path) -> _Entry:
    where = f"{path}: line {number}"
    value = text.split("#", 1)[0].strip()
    if value.startswith("{"):
        raise InputError(f"{where}: a JSON line in an id list (one id per line expected)")
    return _Entry(number, _checked_id(value, where), LISTED_REASON)


def _result_entry(number: int, text: str, path: Path) -> _Entry:
    where = f"{path}: line {number}"
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        raise InputError(f"{where}: not valid JSON (a compliance result line expected)") from None
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object with 'id', 'action' and 'reason'")
    number_text = _json_id(obj.get("id"), where)
    action = obj.get("action")
    if action != DELETE_ACTION:
        raise InputError(f"{where}: 'action' must be {DELETE_ACTION!r}, got {action!r}")
    reason = obj.get("reason")
    if not isinstance(reason, str) or not _REASON.fullmatch(reason):
        raise InputError(f"{where}: 'reason' must be a word such as 'deleted', got {reason!r}")
    return _Entry(number, number_text, reason)


def _json_id(value: object, where: str) -> str:
    if value is None:
        raise InputError(f"{where}: no 'id'")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise InputError(f"{where}: {_BAD_ID}")
    return _checked_id(value, where)


def _checked_id(value: str, where: str) -> str:
    # The value is not echoed: a wrong line may hold a handle, which is personal data.
    if not _ID.fullmatch(value) or int(value) > _MAX_ID:
        raise InputError(f"{where}: {_BAD_ID}")
    return value
