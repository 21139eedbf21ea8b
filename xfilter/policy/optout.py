"""Opt-out lists: X user ids and handles whose content must not be used.

Entries are held only as 64-bit prefixes of hashes, sorted in numpy arrays, so lookups are
vectorised and the list never sits in memory in the clear:

- a plain entry (id or handle) and a ``sha256:<hex>`` entry are ``sha256(lower(entry))``.
  A ``sha256:`` entry is a pseudonym, not a secret: X handles are few enough to enumerate, so
  anyone holding a list of candidates can test each of them against it.
- an ``hmac-sha256:<hex>`` entry is ``HMAC-SHA256(key, lower(entry))`` with a key the two
  parties share: without the key no one can test a handle. Authors are hashed with the key to
  be looked up.

The key is read from a file or an environment variable (``KeySource``) and kept out of
``repr``, messages and pickles: an unpickled list reads it again from the same place.

``python -m xfilter.policy.optout hash --key-env VAR LIST`` prints the keyed entries of a list.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from xfilter.errors import ConfigError
from xfilter.policy.optout_keys import (
    InvalidEntry,
    ListKeys,
    list_keys,
    plain_entry,
    sorted_unique,
)

if TYPE_CHECKING:
    from xfilter.config import OptOutConfig

# Column names accepted in CSV and JSONL lists.
ID_KEYS = ("id", "user_id", "id_str", "author_id")
HANDLE_KEYS = ("handle", "screen_name", "username", "user")
KEYED_PREFIX = "hmac-sha256:"
# A key anyone could guess would let them test handles as if the entries were plain sha256.
MIN_KEY_CHARS = 16
_KEY_CHECK = b"xfilter opt-out key check"
_BAD_ENTRY = "not an X user id, handle, sha256:<64 hex> or hmac-sha256:<64 hex> entry"


def _no_keys() -> np.ndarray:
    return np.zeros(0, dtype=np.uint64)


def entry_key(entry: str) -> int:
    """The stored form of a plain entry: the first 8 bytes of sha256 of its lower-case text."""
    return _prefix(hashlib.sha256(_normalised(entry)).digest())


def keyed_entry(handle: str, key: str | bytes) -> str:
    """The ``hmac-sha256:`` entry of an X handle or user id under ``key`` (surrounding
    whitespace removed, as when a key is read from a file or variable)."""
    text = plain_entry(handle)
    if text is None:
        # The value is not echoed: opt-out lists are personal data.
        raise ValueError("not an X user id or handle")
    secret = (_key_bytes(key) if isinstance(key, str) else key).strip()
    return KEYED_PREFIX + hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def _key_bytes(key: str) -> bytes:
    # surrogateescape: a variable holding bytes that are not UTF-8 keeps those bytes.
    return key.encode("utf-8", "surrogateescape")


def _normalised(entry: str) -> bytes:
    return entry.strip().lower().lstrip("@").encode()


def _prefix(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class KeySource:
    """Where the key of keyed entries is read from: a file or an environment variable.

    It names the place, never holds the key; the key is the file's or variable's text with
    surrounding whitespace removed.
    """

    file: str | None = None
    env: str | None = None

    def __str__(self) -> str:
        return f"environment variable {self.env}" if self.env is not None else str(self.file)

    def read(self) -> bytes:
        """The key; a ``ConfigError`` that names the place (never the key) if it is unusable."""
        if self.env is not None:
            text = os.environ.get(self.env)
            if text is None:
                raise ConfigError(f"{self} is not set; it must hold the opt-out list's key")
        else:
            text = self._read_file()
        key = text.strip()
        if not key:
            raise ConfigError(f"{self}: opt-out key is empty")
        if len(key) < MIN_KEY_CHARS:
            raise ConfigError(
                f"{self}: opt-out key is shorter than {MIN_KEY_CHARS} characters "
                "(make one with: python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        return _key_bytes(key)

    def _read_file(self) -> str:
        file = Path(str(self.file))
        if not file.is_file():
            raise ConfigError(f"{file}: opt-out key file not found")
        try:
            return file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"{file}: opt-out key file is not UTF-8 text") from None
        except OSError as exc:
            raise ConfigError(f"{file}: cannot read the opt-out key file: {exc.strerror}") from None


@dataclass(frozen=True)
class OptOutList:
    """A loaded opt-out list; ``sha256``, ``count`` and ``keyed`` describe it without revealing
    entries or the key.

    ``keys`` hold plain and ``sha256:`` entries, ``keyed_keys`` the ``hmac-sha256:`` ones,
    whose key is read from ``key_source`` when the list is made (or unpickled).
    """

    keys: np.ndarray = field(default_factory=_no_keys)
    sha256: str | None = None
    count: int = 0
    path: str | None = None
    keyed_keys: np.ndarray = field(default_factory=_no_keys)
    key_source: KeySource | None = None

    def __post_init__(self) -> None:
        key = self.key_source.read() if self.key_source else None
        if self.keyed_keys.size and key is None:
            raise ConfigError(
                f"{self.path or '<entries>'}: opt-out list has hmac-sha256 entries but no key "
                "(set opt_out.key_file or opt_out.key_env)"
            )
        # Not a field: out of repr, equality and pickles.
        object.__setattr__(self, "_key", key)

    @classmethod
    def empty(cls) -> OptOutList:
        return cls()

    @classmethod
    def from_entries(cls, entries: Iterable[str]) -> OptOutList:
        """A list of plain and ``sha256:`` entries given in code (keyed ones need a key)."""
        values = list(entries)
        keys = _list_keys(values, "<entries>", list(range(1, len(values) + 1)))
        return cls(
            keys=sorted_unique(keys.plain), keyed_keys=sorted_unique(keys.keyed), count=len(values)
        )

    @classmethod
    def from_config(cls, section: OptOutConfig) -> OptOutList:
        """The list an ``opt_out`` config section names, or an empty one."""
        if not section.path:
            return cls.empty()
        return cls.load(section.path, key_file=section.key_file, key_env=section.key_env)

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        key_file: str | None = None,
        key_env: str | None = None,
    ) -> OptOutList:
        """Read a txt, csv or jsonl list; the key of its keyed entries comes from ``key_file``
        or the environment variable ``key_env``."""
        file = Path(path)
        raw, listed = _read_list(file)
        if not listed:
            raise ConfigError(
                f"{file}: opt-out list has no entries (to run without one, set opt_out.path: null)"
            )
        keys = _list_keys([v for _, v in listed], str(file), [n for n, _ in listed])
        has_key = key_file is not None or key_env is not None
        return cls(
            keys=sorted_unique(keys.plain),
            sha256=hashlib.sha256(raw).hexdigest(),
            count=len(listed),
            path=str(file),
            keyed_keys=sorted_unique(keys.keyed),
            key_source=KeySource(file=key_file, env=key_env) if has_key else None,
        )

    @property
    def keyed(self) -> bool:
        """Whether the list holds keyed (``hmac-sha256:``) entries."""
        return bool(self.keyed_keys.size)

    @property
    def key_check(self) -> str | None:
        """A one-way check value of the key: pickles carry it so that fingerprints change with
        the key, and so that a worker reading another key refuses instead of deciding."""
        key: bytes | None = getattr(self, "_key", None)
        return None if key is None else hmac.new(key, _KEY_CHECK, hashlib.sha256).hexdigest()

    def __len__(self) -> int:
        return self.count

    def contains_any(self, authors: Iterable[str]) -> bool:
        """Whether any of ``authors`` (handles or ids, any case, ``@`` optional) opted out."""
        if not (self.keys.size or self.keyed_keys.size):
            return False
        names = [_normalised(a) for a in authors]
        if not names:
            return False
        if self.keys.size:
            hashed = [_prefix(hashlib.sha256(n).digest()) for n in names]
            if _any_in(self.keys, hashed):
                return True
        if self.keyed_keys.size:
            key: bytes = self._key  # type: ignore[attr-defined]
            keyed = [_prefix(hmac.digest(key, n, "sha256")) for n in names]
            return _any_in(self.keyed_keys, keyed)
        return False

    # -- pickling: plain data, never the key ------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        source = self.key_source
        return {
            "keys": self.keys.tobytes(),
            "keyed_keys": self.keyed_keys.tobytes(),
            "sha256": self.sha256,
            "count": self.count,
            "path": self.path,
            "key_source": None if source is None else [source.file, source.env],
            "key_check": self.key_check,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        source = state["key_source"]
        rebuilt = OptOutList(
            keys=np.frombuffer(state["keys"], dtype=np.uint64).copy(),
            keyed_keys=np.frombuffer(state["keyed_keys"], dtype=np.uint64).copy(),
            sha256=state["sha256"],
            count=state["count"],
            path=state["path"],
            key_source=None if source is None else KeySource(file=source[0], env=source[1]),
        )
        if rebuilt.key_check != state["key_check"]:
            raise ConfigError(
                f"{rebuilt.key_source}: opt-out key differs from the one the filter was built with"
            )
        self.__dict__.update(rebuilt.__dict__)


def _any_in(sorted_keys: np.ndarray, wanted: Sequence[int]) -> bool:
    probe = np.array(wanted, dtype=np.uint64)
    found = np.minimum(np.searchsorted(sorted_keys, probe), sorted_keys.size - 1)
    return bool(np.any(sorted_keys[found] == probe))


def _list_keys(values: list[str], origin: str, lines: list[int]) -> ListKeys:
    try:
        return list_keys(values)
    except InvalidEntry as error:
        # The entry itself is not echoed: opt-out lists are personal data.
        raise ConfigError(f"{origin}: line {lines[error.index]}: {_BAD_ENTRY}") from None


def _read_list(file: Path) -> tuple[bytes, list[tuple[int, str]]]:
    """A list file's bytes and its entries as (line number, value)."""
    if not file.is_file():
        raise ConfigError(f"{file}: opt-out list not found")
    raw = file.read_bytes()
    if b"\x00" in raw[:8192]:
        raise ConfigError(f"{file}: opt-out list is a binary file, expected txt, csv or jsonl")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: opt-out list is not UTF-8 text") from None
    suffix = file.suffix.lower()
    if suffix == ".csv":
        entries = _csv_entries(text, file)
    elif suffix in (".jsonl", ".ndjson"):
        entries = _jsonl_entries(text, file)
    else:
        entries = _txt_entries(text)
    return raw, list(entries)


def _txt_entries(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        if value:
            yield number, value


def _csv_entries(text: str, file: Path) -> Iterator[tuple[int, str]]:
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    wanted = [c for c in columns if c in ID_KEYS + HANDLE_KEYS]
    if not wanted:
        raise ConfigError(
            f"{file}: line 1: CSV header needs an 'id' or 'handle' column, found {columns}"
        )
    reader.fieldnames = columns
    for row in reader:
        line = reader.line_num
        if None in row:
            raise ConfigError(f"{file}: line {line}: more fields than the header has")
        values = [row[c].strip() for c in wanted if row.get(c) and row[c].strip()]
        if not values:
            raise ConfigError(f"{file}: line {line}: no id or handle in this row")
        for value in values:
            yield line, value


def _jsonl_entries(text: str, file: Path) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            raise ConfigError(f"{file}: line {number}: not valid JSON") from None
        if not isinstance(obj, dict):
            raise ConfigError(f"{file}: line {number}: expected an object with 'id' or 'handle'")
        values = [_json_value(obj, k, f"{file}: line {number}") for k in ID_KEYS + HANDLE_KEYS]
        present = [v for v in values if v]
        if not present:
            raise ConfigError(f"{file}: line {number}: no 'id' or 'handle' key")
        for value in present:
            yield number, value


def _json_value(obj: dict[str, Any], name: str, where: str) -> str:
    """``obj[name]`` as entry text ('' if absent): ids are integers or strings, handles
    strings; ``true`` or ``1.0`` is a mistake, not the handle ``true`` or the id ``1.0``."""
    value = obj.get(name)
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if name in ID_KEYS and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    kind = "an integer or a string" if name in ID_KEYS else "a string"
    raise ConfigError(f"{where}: {name!r} must be {kind}, got {_json_type(value)}")


def _json_type(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "an object",
    }
    return names.get(type(value), type(value).__name__)


# -- the other party's helper ---------------------------------------------------------------


def keyed_entries(path: str | os.PathLike[str], key: bytes) -> list[str]:
    """The ``hmac-sha256:`` entry of each id and handle of a txt, csv or jsonl list, in order."""
    file = Path(path)
    _, listed = _read_list(file)
    entries = []
    for number, value in listed:
        try:
            entries.append(keyed_entry(value, key))
        except ValueError:
            raise ConfigError(
                f"{file}: line {number}: not an X user id or handle (only those can be keyed)"
            ) from None
    return entries


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m xfilter.policy.optout hash (--key-env VAR | --key-file FILE) LIST``: keyed
    entries of LIST on stdout, one per line, for sharing an opt-out list without revealing it."""
    parser = argparse.ArgumentParser(
        prog="python -m xfilter.policy.optout",
        description="Turn an opt-out list of X user ids and handles into keyed entries.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    hashing = commands.add_parser("hash", help="print the hmac-sha256: entry of each id/handle")
    key = hashing.add_mutually_exclusive_group(required=True)
    key.add_argument("--key-env", metavar="VAR", help="environment variable holding the key")
    key.add_argument("--key-file", metavar="FILE", help="file holding the key")
    hashing.add_argument("list", help="a txt, csv or jsonl list of X user ids and handles")
    args = parser.parse_args(argv)
    try:
        secret = KeySource(file=args.key_file, env=args.key_env).read()
        entries = keyed_entries(args.list, secret)
    except ConfigError as exc:
        print(f"xfilter: error: {exc}", file=sys.stderr)
        return exc.exit_code
    sys.stdout.write("".join(entry + "\n" for entry in entries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
