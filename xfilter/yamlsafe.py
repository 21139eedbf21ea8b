"""YAML from files a user or a dataset supplies: safe loading, no aliases, no repeated keys.

Nested aliases expand without bound (a few hundred bytes can fill memory), and a repeated key
silently keeps its last value; neither is ever needed in a config, a registry or a card header.
Every problem is a one-line ``ConfigError`` naming the file and the line.
"""

from __future__ import annotations

import reprlib
from typing import Any

import yaml

from xfilter.errors import ConfigError


def _short(value: object, limit: int = 60) -> str:
    short = reprlib.Repr()
    short.maxstring = short.maxother = limit
    return short.repr(value)


def parse_yaml(text: str, origin: str, what: str = "a config") -> object:
    """The data of a YAML document, loaded by ``_StrictLoader``; every problem is a one-line
    ``ConfigError`` naming ``origin`` and the line."""
    loader = _StrictLoader(text)
    loader.what = what
    try:
        return loader.get_single_data()
    except _Refused as exc:
        raise ConfigError(f"{origin}: line {exc.line}: {exc.message}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        problem = " ".join(str(exc.problem or exc.context or "").split())
        raise ConfigError(f"{origin}: {where}not valid YAML: {problem[:200]}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {str(exc).splitlines()[0][:200]}") from None
    except RecursionError:
        raise ConfigError(f"{origin}: not valid YAML: nested too deeply") from None
    finally:
        loader.dispose()


class _Refused(yaml.YAMLError):  # type: ignore[misc]  # PyYAML ships no types
    """YAML that parses but that a config may not hold."""

    def __init__(self, message: str, mark: yaml.Mark) -> None:
        super().__init__(message)
        self.message = message
        self.line = mark.line + 1


class _StrictLoader(yaml.SafeLoader):  # type: ignore[misc]
    """``SafeLoader`` that refuses aliases and repeated mapping keys."""

    what = "a config"

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            name = str(event.anchor)[:40]
            raise _Refused(
                f"YAML aliases (*{name}) are not allowed in {self.what}", event.start_mark
            )
        node: yaml.Node = super().compose_node(parent, index)
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                seen = first_line.get(key)
            except TypeError:  # an unhashable key: SafeLoader names it below
                continue
            if seen is not None:
                raise _Refused(
                    f"duplicate key {_short(key)} (first on line {seen})", key_node.start_mark
                )
            first_line[key] = key_node.start_mark.line + 1
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping
