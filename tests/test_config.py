from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO
from xfilter.config import Config, build_config, load_config
from xfilter.errors import ConfigError


@pytest.mark.parametrize("name", ["strict", "collaborator", "first-party"])
def test_shipped_configs_load(name: str) -> None:
    config = load_config(REPO / "configs" / f"{name}.yaml")
    assert config.mode == name
    assert config.input.source == "demo"


def test_unknown_key_is_named_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("modee: strict\n")
    with pytest.raises(
        ConfigError, match=r"c\.yaml: unknown key 'modee' \(did you mean 'mode'\?\)"
    ):
        load_config(path)


def test_nested_unknown_key() -> None:
    with pytest.raises(
        ConfigError, match=r"unknown key 'output.formt' \(did you mean 'format'\?\)"
    ):
        build_config({"output": {"formt": "parquet"}}, "c.yaml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": "strictt"}, r"mode: 'strictt' is not one of"),
        ({"action": "delete"}, r"action: 'delete' is not one of"),
        (
            {"categories": {"x_lnk": "keep"}},
            r"unknown category 'x_lnk' \(did you mean 'x_link'\?\)",
        ),
        ({"categories": {"x_link": "redact"}}, r"'redact' applies only to x_embed"),
        ({"categories": {"x_link": "maybe"}}, r"categories.x_link: 'maybe' is not one of"),
        ({"input": {"streaming": "sometimes"}}, r"input.streaming"),
        ({"output": {"format": "csv"}}, r"output.format: 'csv' is not one of"),
        ({"opt_out": {"unknown_author": "ask"}}, r"opt_out.unknown_author"),
    ],
)
def test_bad_values_are_named(data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_config(data, "c.yaml")


def test_python_tags_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("mode: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path)


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- strict\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(path)


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config("no/such/config.yaml")


def test_overrides_merge_sections_and_change_the_hash() -> None:
    base = Config()
    changed = base.with_overrides({"output": {"format": "jsonl"}})
    assert changed.output.format == "jsonl"
    assert changed.output.dir == base.output.dir
    assert changed.sha256 != base.sha256
    assert Config().sha256 == base.sha256


def test_single_field_name_becomes_a_list() -> None:
    assert build_config({"fields": {"text": "body"}}).fields.text == ["body"]
