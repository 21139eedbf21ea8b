"""How dataset ids, names and paths are written and compared: compact spellings, word pieces,
namespace and name, Hub prefixes, data-file suffixes, and the words that name X in a label."""

from __future__ import annotations

import re

_NON_WORD = re.compile(r"[\W_]+")
# Word pieces: camelCase humps, digit runs and other letters ("SemEval2018Task1" → sem eval 2018
# task 1). A name matches a contiguous run of whole pieces, so "TweetEval" = "tweet_eval".
_PIECE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_]+")
_X_PREFIXES = ("tweet", "twitter", "retweet")

SEGMENT_SPLIT = re.compile(r"___|[\s/\\:|,;()\[\]{}@]+")
HUB_PREFIX = re.compile(
    r"^(?:hf://datasets/|https?://(?:www\.)?huggingface\.co/datasets/|hf:(?://)?|hub:)",
    re.IGNORECASE,
)
DATA_SUFFIX = re.compile(
    r"(?:\.(?:parquet|arrow|jsonl|json|csv|tsv|txt|zip|tar|xml|zst|gz|bz2|xz))+$", re.IGNORECASE
)
NOISE_DIR = re.compile(
    r"^(?:data|train|test|validation|valid|dev|default|raw|processed|splits?|snapshots|blobs|"
    r"refs|main|\d+(?:\.\d+)+|[0-9a-f]{16,}|.*-\d{5}-of-\d{5}.*)$",
    re.IGNORECASE,
)


def compact(text: str) -> str:
    return _NON_WORD.sub("", text.lower())


def word_pieces(text: str) -> list[str]:
    return [p.lower() for p in _PIECE.findall(text)]


def split_id(raw: str) -> tuple[str, str]:
    namespace, _, name = raw.rpartition("/")
    return compact(namespace), compact(name)


def id_key(raw: str) -> str:
    namespace, name = split_id(raw)
    return f"{namespace}/{name}" if namespace else name


def x_word(pieces: list[str]) -> str | None:
    """The word that names X in a label: tweet…, twitter…, retweet…, or "x posts"."""
    for index, piece in enumerate(pieces):
        if piece.startswith(_X_PREFIXES):
            return piece
        if piece == "x" and index + 1 < len(pieces) and pieces[index + 1] in ("post", "posts"):
            return f"x {pieces[index + 1]}"
    return None


def looks_like_path(text: str) -> bool:
    return (
        text.startswith(("/", "./", "../", "~", ".\\"))
        or "\\" in text
        or re.match(r"^[A-Za-z]:[\\/]", text) is not None
        or text.count("/") >= 3
        or DATA_SUFFIX.search(text) is not None
    )
