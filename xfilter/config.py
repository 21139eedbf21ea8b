"""The job configuration: YAML in, a validated, hashable ``Config`` out.

Unknown keys and wrong values are errors that name the file and the key, with a suggestion
when a close key exists, because a misspelt policy key silently ignored is a compliance bug.
For the same reason a repeated key is an error (YAML would keep the last one), and aliases are
refused: a config never needs them, and nested aliases expand without bound.

A relative path in a config file names a place beside that file, so a job means the same
thing from whichever directory it is started; ``load_config`` makes such paths absolute. Paths
given any other way (a mapping, keywords, the command line) are relative to the current
directory, as a shell reads them.
"""

from __future__ import annotations

import difflib
import glob
import hashlib
import json
import os
import re
import reprlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from xfilter.errors import ConfigError
from xfilter.vocab import CATEGORIES, DEMO
from xfilter.yamlsafe import parse_yaml

Mode = Literal["strict", "collaborator", "first-party"]
Action = Literal["drop", "quarantine"]
# What a per-category override may say; "reject" means the configured ``action``.
CategoryRule = Literal["keep", "reject", "drop", "quarantine", "redact", "author-check", "opt-out"]
OutputFormat = Literal["parquet", "arrow", "jsonl"]
# A new shard of a set starts once the current one holds this many megabytes (MiB) of Arrow
# data (before compression): a run's default, and the bounds ``output.shard_mb`` accepts.
DEFAULT_SHARD_MB = 512
MAX_SHARD_MB = 16 * 1024


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputConfig(_Section):
    source: str = DEMO
    # Which part of a Hub dataset or dataset folder to read, as ``datasets.load_dataset``
    # takes them: a config (subset) name, a commit, branch or tag, the files of each split
    # (patterns inside the dataset), a folder inside the dataset.
    name: str | None = Field(default=None, min_length=1)
    revision: str | None = Field(default=None, min_length=1)
    data_files: dict[str, list[str]] | None = None
    data_dir: str | None = Field(default=None, min_length=1)
    split: str | None = None
    streaming: bool = False

    @field_validator("data_files", mode="before")
    @classmethod
    def _files_by_split(cls, value: object) -> object:
        """One pattern or a list of them is the ``train`` split, as ``datasets`` reads it."""
        if isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            value = {"train": value}
        if isinstance(value, Mapping):
            return {
                split: [files] if isinstance(files, str) else files
                for split, files in value.items()
            }
        return value

    @field_validator("data_files")
    @classmethod
    def _no_empty_patterns(cls, value: dict[str, list[str]] | None) -> object:
        for split, files in (value or {}).items():
            if not split.strip():
                raise ValueError("a split name is empty")
            if not files or any(not f.strip() for f in files):
                raise ValueError(f"split {split!r} has no file pattern, or an empty one")
        return value

    @model_validator(mode="after")
    def _selection_needs_a_dataset(self) -> InputConfig:
        if self.source == DEMO and self.selection():
            keys = ", ".join(self.selection())
            raise ValueError(
                f"{keys}: only for a Hub dataset or a dataset folder; the demo is two fixed files"
            )
        return self

    def selection(self) -> dict[str, Any]:
        """The keys set that choose what to read inside the source (name, revision, data
        files, data dir), as keyword arguments of ``datasets.load_dataset``."""
        chosen = {
            "name": self.name,
            "revision": self.revision,
            "data_files": self.data_files,
            "data_dir": self.data_dir,
        }
        return {key: value for key, value in chosen.items() if value is not None}


class FieldsConfig(_Section):
    text: list[str] | None = None
    url: list[str] | None = None
    author: list[str] | None = None

    @field_validator("text", "url", "author", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class OptOutConfig(_Section):
    path: str | None = None
    # Where the key of ``hmac-sha256:`` entries is read from: a file or an environment
    # variable. The config names the place only; the key itself is never in a config.
    key_file: str | None = Field(default=None, min_length=1)
    key_env: str | None = Field(default=None, min_length=1)
    unknown_author: Literal["keep", "drop", "quarantine"] = "quarantine"

    @model_validator(mode="after")
    def _one_key_source(self) -> OptOutConfig:
        if self.key_file is not None and self.key_env is not None:
            raise ValueError("set key_file or key_env, not both")
        if (self.key_file or self.key_env) and not self.path:
            raise ValueError("a key_file or key_env needs opt_out.path")
        return self


class OutputConfig(_Section):
    dir: str = "out/xfilter"
    format: OutputFormat = "parquet"
    # How large a shard may grow; it decides how the files are cut, never a record's fate.
    shard_mb: int = Field(default=DEFAULT_SHARD_MB, ge=1, le=MAX_SHARD_MB, strict=True)


class LedgerConfig(_Section):
    # Input columns (top-level names or dotted paths into structs) whose values the ledger and
    # the private X index carry as ``id.<name>``, so a reviewer can join them to the source.
    identity: list[str] = Field(default_factory=list)

    @field_validator("identity", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("identity")
    @classmethod
    def _distinct_names(cls, value: list[str]) -> list[str]:
        if any(not name.strip() for name in value):
            raise ValueError("an identity column name is empty")
        repeated = sorted({name for name in value if value.count(name) > 1})
        if repeated:
            raise ValueError(f"identity columns named twice: {', '.join(repeated)}")
        return value


class AllowlistConfig(_Section):
    # A reviewer's list of records to keep although the policy rejects them (false positives);
    # see ``xfilter.policy.allowlist`` for its entries.
    path: str | None = Field(default=None, min_length=1)


class Config(_Section):
    mode: Mode = "strict"
    action: Action = "quarantine"
    input: InputConfig = Field(default_factory=InputConfig)
    fields: FieldsConfig = Field(default_factory=FieldsConfig)
    opt_out: OptOutConfig = Field(default_factory=OptOutConfig)
    categories: dict[str, CategoryRule] = Field(default_factory=dict)
    known_datasets: list[str] = Field(default_factory=list)
    output: OutputConfig = Field(default_factory=OutputConfig)
    ledger: LedgerConfig = Field(default_factory=LedgerConfig)
    allowlist: AllowlistConfig = Field(default_factory=AllowlistConfig)

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: dict[str, str]) -> dict[str, str]:
        for name, rule in value.items():
            if name not in CATEGORIES:
                suggestion = _suggest(name[:60], CATEGORIES)
                raise ValueError(f"unknown category {short_repr(name)}{suggestion}")
            if rule == "redact" and name != "x_embed":
                raise ValueError(f"{name}: 'redact' applies only to x_embed")
        return value

    def as_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        if data["allowlist"]["path"] is None:
            # Unset, the section is left out, so configs (and outputs) written before it
            # existed keep their hash.
            del data["allowlist"]
        return data

    def policy_dict(self) -> dict[str, Any]:
        """What decides a record's fate: everything but where outputs go and how input is read."""
        data = self.as_dict()
        data.pop("output")
        data.pop("ledger")
        # Applied when the output is written, after tagging: it does not change a tag.
        data.pop("allowlist", None)
        data["input"] = {"source": data["input"]["source"]}
        return data

    @property
    def sha256(self) -> str:
        """Hash of the resolved config; it names the policy in manifests and fingerprints."""
        body = json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode()).hexdigest()

    def with_overrides(self, overrides: Mapping[str, Any], origin: str = "overrides") -> Config:
        """A new config with ``overrides`` merged in (nested sections merge key by key)."""
        return build_config(_merge(self.as_dict(), dict(overrides)), origin)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), dict(value))
        else:
            merged[key] = value
    return merged


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxdict = _SHORT.maxtuple = _SHORT.maxset = 4
_SHORT.maxlevel = 2


def short_repr(value: object, limit: int = 60) -> str:
    """A ``repr`` of at most about ``limit`` characters, computed without building the whole
    one (a value from a hostile file can be huge, or deeply shared)."""
    text = _SHORT.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _suggest(name: str, choices: object) -> str:
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1)  # type: ignore[attr-defined]
    return f" (did you mean {close[0]!r}?)" if close else ""


def _section_model(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Config
    for part in loc[:-1]:
        field = model.model_fields.get(str(part)) if model else None
        annotation = field.annotation if field else None
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    return model


def _describe(error: Mapping[str, Any]) -> str:
    loc = tuple(error["loc"])
    key = ".".join(str(p)[:60] for p in loc) or "<top>"
    if error["type"] == "extra_forbidden":
        model = _section_model(loc)
        known = list(model.model_fields) if model else []
        return f"unknown key {short_repr(key)}{_suggest(str(loc[-1])[:60], known)}"
    if error["type"] == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{key}: {short_repr(error['input'])} is not one of {expected}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{key}: {message}"


def build_config(data: object, origin: str = "config") -> Config:
    """Validate a mapping into a ``Config``; every problem is named, all at once."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"{origin}: the config must be a mapping of keys, got {type(data).__name__}"
        )
    try:
        return Config.model_validate(dict(data))
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise ConfigError(f"{origin}: {problems}") from None


def as_config(config: object) -> Config:
    """``config`` as a ``Config``: a ``Config``, a mapping, the path of a YAML file, or None
    for the defaults; anything else is a ``ConfigError``."""
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    if isinstance(config, (str, os.PathLike)):
        return load_config(config)
    if isinstance(config, Mapping):
        return build_config(config)
    raise ConfigError(
        "config: expected a Config, a mapping or the path of a YAML file, "
        f"got {type(config).__name__}"
    )


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read a YAML config with safe loading only: no ``!!python`` tags, no aliases, no
    repeated keys. Its relative paths are made absolute from the file's own folder."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"{file}: config file not found")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not a UTF-8 text file") from None
    config = build_config(parse_yaml(text, str(file)), str(file))
    return _paths_from(config, Path(os.path.abspath(file.expanduser())).parent, str(file))


# A Hub dataset id: ``name`` or ``owner/name``. An input source of this shape is a file or
# folder only where one exists; a data file's suffix or a leading dot always means a path.
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(?:/[\w.-]+)?")
_DATA_FILE = re.compile(
    r"\.(?:parquet|jsonl|json|ndjson|csv|tsv|arrow|txt)(?:\.(?:gz|zst|bz2|xz|lz4|zip))?$", re.I
)


def is_hub_id(source: str) -> bool:
    """Whether ``source`` has the shape of a Hub dataset id (it may still be a local path)."""
    return bool(_HUB_ID.fullmatch(source)) and not _DATA_FILE.search(source)


def _paths_from(config: Config, base: Path, origin: str) -> Config:
    """``config`` with every relative path made absolute from ``base``, the config's folder.

    ``input.data_files`` and ``input.data_dir`` stay as written: they are inside the dataset
    that ``input.source`` names, as ``datasets.load_dataset`` reads them.
    """

    def beside(value: str) -> str:
        return os.path.normpath(base / Path(value).expanduser())

    def found(path: str) -> bool:
        return os.path.exists(path) or bool(glob.glob(path))

    def place(key: str, value: str, must_exist: bool = True) -> str:
        path = beside(value)
        if must_exist and not found(path) and found(os.path.expanduser(value)):
            # Written as if from the current directory: say so, rather than "not found".
            raise ConfigError(
                f"{origin}: {key}: {value!r} is not beside the config (in {base}) but is in "
                "the current directory; a path in a config file is relative to the file's "
                f"folder: write {os.path.relpath(os.path.abspath(value), base)!r} or an "
                "absolute path"
            )
        return path

    source = config.input.source
    if source != DEMO and "://" not in source:
        if found(beside(source)) or not is_hub_id(source):
            source = place("input.source", source)
        elif found(source):
            raise ConfigError(
                f"{origin}: input.source: {source!r} is not beside the config (in {base}) but "
                "is in the current directory; a path in a config file is relative to the "
                f"file's folder: write {os.path.relpath(os.path.abspath(source), base)!r} for "
                f"it, or 'hf://datasets/{source}' for the Hub dataset"
            )
    opt_out = config.opt_out
    return config.model_copy(
        update={
            "input": config.input.model_copy(update={"source": source}),
            "opt_out": opt_out.model_copy(
                update={
                    "path": opt_out.path and place("opt_out.path", opt_out.path),
                    "key_file": opt_out.key_file and place("opt_out.key_file", opt_out.key_file),
                }
            ),
            "known_datasets": [place("known_datasets", f) for f in config.known_datasets],
            "allowlist": config.allowlist.model_copy(
                update={
                    "path": config.allowlist.path and place("allowlist.path", config.allowlist.path)
                }
            ),
            "output": config.output.model_copy(
                update={"dir": place("output.dir", config.output.dir, must_exist=False)}
            ),
        }
    )
