"""Dataset cards: the YAML front matter of a local README.md, read safely, and the sentence of
its prose (or of any dataset description) that says the data was collected from X."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from xfilter.errors import ConfigError, InputError
from xfilter.yamlsafe import parse_yaml

# The prose read for an origin sentence: cards put it in the summary, near the top.
_MAX_PROSE_CHARS = 60_000
_MAX_SENTENCE_CHARS = 600

# How X is named as a place data comes from. A bare "X" only with a word that makes it the
# platform ("X (formerly Twitter)", "X posts", "the X API").
_X_PLACE = (
    r"(?:twitter(?:\.com)?|x\.com|tweetdeck"
    r"|x\s*\((?:formerly|previously|former|ex)[\s-]+(?:known\s+as\s+)?twitter\)"
    r"|x\s*/\s*twitter|twitter\s*/\s*x"
    r"|x(?=\s+(?:api|platform|posts?|social\s+(?:media|network)))"
    r"|the\s+x\s+platform)"
)
# What a post of X is called as a data item.
_X_ITEMS = (
    r"(?:tweets|retweets|tweet\s+ids|twitter\s+(?:posts|messages|data|conversations|threads|"
    r"replies|texts|comments|users|accounts|timelines|corpus|stream)|x\s+posts|"
    r"posts\s+(?:from|on)\s+(?:twitter|x\b))"
)
_GATHERED = (
    r"(?:collected|crawled|scraped|gathered|harvested|retrieved|downloaded|extracted|sampled|"
    r"sourced|obtained|mined|fetched|streamed|queried|pulled|selected|taken|drawn|compiled|"
    r"acquired|captured|curated|built|constructed|created)"
)
_FEW_WORDS = r"(?:[\w,.'’()#@&/+-]+\s+){0,6}?"

_ORIGIN_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # "collected from Twitter", "crawled via the Twitter API", "scraped from X (formerly…)"
        rf"\b{_GATHERED}\b[^.;!?]{{0,80}}?\b(?:from|via|using|through|with|on|off)\s+"
        rf"(?:the\s+)?(?:public\s+|official\s+)?{_X_PLACE}",
        # "the Twitter API", "Twitter Streaming API", "X API v2"
        rf"\b{_X_PLACE}\s+(?:streaming\s+|search\s+|academic\s+|public\s+|rest\s+|v2\s+)?api\b",
        # "a corpus of tweets", "a dataset of 10,000 Arabic tweets", "English Twitter messages"
        rf"\b(?:dataset|data\s+set|corpus|collection|sample|set|benchmark|database|compilation)"
        rf"\s+(?:of|containing|comprising|consisting\s+of|made\s+of|built\s+from|built\s+on|"
        rf"drawn\s+from|based\s+on)\s+{_FEW_WORDS}{_X_ITEMS}\b",
        # "consists of 1.6M tweets", "contains Arabic tweets"
        rf"\b(?:consists?|consisting|composed|comprised|made\s+up)\s+of\s+{_FEW_WORDS}{_X_ITEMS}\b",
        rf"\b(?:contains|containing|comprises|comprising|includes)\s+{_FEW_WORDS}{_X_ITEMS}\b",
        # "tweets were collected", "Tweets annotated for sarcasm"
        rf"\b{_X_ITEMS}\s+(?:(?:were|was|are|is|have\s+been|had\s+been)\s+)?"
        rf"(?:manually\s+|randomly\s+|automatically\s+)?(?:{_GATHERED}|annotated|labell?ed|tagged)\b",
        # "annotated Arabic tweets", "labelled tweets"
        rf"\b(?:annotated|labell?ed|tagged|hand-labell?ed)\s+(?:[\w-]+\s+){{0,3}}?{_X_ITEMS}\b",
        # "an annotated dataset for hate speech detection on tweets"
        rf"\b(?:dataset|data\s+set|corpus|benchmark)\b[^.;!?]{{0,80}}?\b(?:on|from|of|in)\s+"
        rf"(?:[\w-]+\s+){{0,2}}?{_X_ITEMS}\b",
        # "Collected as tweets", "sampled from 5,000 tweets"
        rf"\b{_GATHERED}\s+(?:as|from)\s+{_FEW_WORDS}{_X_ITEMS}\b",
        # "posts from X (formerly Twitter)", "tweets from Twitter"
        rf"\b(?:posts|messages|tweets|texts)\s+(?:from|on|of)\s+{_X_PLACE}",
    )
)

# A sentence with any of these does not say the data came from X: it removes X data, compares
# with it, negates it, or points readers to an account.
_NOT_ORIGIN = re.compile(
    r"\b(?:(?:remov|exclud|discard|delet|filter(?:ed|ing)?\s+out|dropp)\w*"
    r"|unlike|not|no|never|without|except|rather\s+than|instead\s+of|other\s+than"
    r"|follow\s+(?:us|me|our)|contact|reach\s+(?:us|me|out)|bootstrap|birds?|birdsong)\b"
    r"|@\w",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z0-9\"'(*_\[])|\n\s*\n|\n(?=\s*(?:[-*+|#>]|\d+\.)\s)"
)
_CODE_FENCE = re.compile(r"```.*?```|~~~.*?~~~", re.DOTALL)
_MARKUP = re.compile(r"[*`>#|]+|\[([^\]\n]{0,200})\]\([^)\n]{0,300}\)|<[^>\n]{0,200}>")


def read_card_text(path: str | os.PathLike[str]) -> str | None:
    """The text of a local README.md (or of ``<dir>/README.md``); None for a directory
    without one."""
    card = Path(path)
    if card.is_dir():
        card = card / "README.md"
        if not card.is_file():
            return None
    try:
        return card.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{card}: no such dataset card") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{card}: cannot read dataset card: {exc}") from None


def read_card_yaml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The YAML front matter of a local README.md (or of ``<dir>/README.md``), else ``{}``.

    An opening ``---`` without a closing one is a Markdown rule, not front matter. Malformed
    YAML is a ConfigError naming the file.
    """
    text = read_card_text(path)
    if text is None:
        return {}
    header, _ = split_card(text)
    if header is None:
        return {}
    card = Path(path)
    label = card / "README.md" if card.is_dir() else card
    data = parse_yaml(header, f"{label} (card header)", "a dataset card")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{label}: the card header must be a YAML mapping, got {type(data).__name__}"
        )
    return data


def split_card(text: str) -> tuple[str | None, str]:
    """A card's YAML front matter (None without one) and its prose body."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, text
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return None, text
    return "\n".join(lines[1:end]), "\n".join(lines[end + 1 :])


def x_origin_sentence(prose: str) -> str | None:
    """The first sentence of ``prose`` that says its data was collected from X, else None.

    Positive: "tweets collected via the Twitter API", "a corpus of tweets", "posts from X
    (formerly Twitter)". A sentence that removes, negates or compares X data ("we removed
    tweets", "unlike Twitter data"), or points to an account ("follow us on Twitter"), does not
    count. Code blocks are skipped.
    """
    text = _CODE_FENCE.sub(" ", prose[:_MAX_PROSE_CHARS])
    if not re.search(r"tweet|twitter|\bx\b", text, re.IGNORECASE):
        return None
    for raw in _SENTENCE_END.split(text):
        sentence = " ".join(_MARKUP.sub(r" \1 ", raw).split())
        if not sentence or len(sentence) > _MAX_SENTENCE_CHARS:
            continue
        if any(p.search(sentence) for p in _ORIGIN_PATTERNS) and not _NOT_ORIGIN.search(sentence):
            return sentence
    return None


def card_strings(value: object) -> list[str]:
    """The non-blank strings of a card value that is a string or a list."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []
