"""Dataset cards: the YAML front matter of a local README.md, read safely."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from xfilter.errors import ConfigError, InputError
from xfilter.yamlsafe import parse_yaml


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


def card_strings(value: object) -> list[str]:
    """The non-blank strings of a card value that is a string or a list."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []
