"""The names of every file and folder of an output directory, in one place.

```text
<output>/
  manifest.json             MANIFEST
  ledger.parquet            LEDGER
  x_index.parquet           INDEX (private: never published)
  README.md                 CARD
  manifest.croissant.json   CROISSANT
  clean/data/<split>-NNNNN-of-NNNNN.<ext>        the SETS, their shards named by shard_path
  quarantine/data/<split>-NNNNN-of-NNNNN.<ext>
```
"""

from __future__ import annotations

import re
from typing import Literal

MANIFEST = "manifest.json"
LEDGER = "ledger.parquet"
CARD = "README.md"
CROISSANT = "manifest.croissant.json"
# The ledger's name in outputs of older versions: an output holding one may still be replaced.
OLD_LEDGER = "index.parquet"
# The private X index: never published, it names the X posts and authors of the records.
INDEX = "x_index.parquet"

SetName = Literal["clean", "quarantine"]
CLEAN: SetName = "clean"
QUARANTINE: SetName = "quarantine"
SETS: tuple[SetName, ...] = (CLEAN, QUARANTINE)

# The card and the Croissant file, which are bound to the manifest (``documents``).
DOCUMENT_FILES = (CARD, CROISSANT)
FILES = (MANIFEST, LEDGER, INDEX, *DOCUMENT_FILES)
# Everything a finished output holds at its top level; data files are listed in the manifest.
TOP_LEVEL = frozenset({*FILES, *SETS})

_DATA = "data"


def data_dir(name: SetName) -> str:
    """The folder of a set's shards: ``clean/data``."""
    return f"{name}/{_DATA}"


def shard_name(split: str, index: int, total: int, ext: str) -> str:
    """The file name of shard ``index`` of ``total`` of a split, in the Hub's naming:
    ``train-00000-of-00002.parquet``."""
    return f"{split}-{index:05d}-of-{total:05d}.{ext}"


def shard_path(name: str, split: str, index: int, total: int, ext: str) -> str:
    """Where that shard goes in set ``name``: ``clean/data/train-00000-of-00002.parquet``."""
    return f"{name}/{_DATA}/{shard_name(split, index, total, ext)}"


def shard_glob(name: str, split: str, ext: str) -> str:
    """The pattern that matches every shard of a split: ``clean/data/train-*.parquet``."""
    return f"{name}/{_DATA}/{split}-*.{ext}"


def shard_numbers(relative: str, name: str, split: str, ext: str) -> tuple[int, int] | None:
    """``(index, total)`` if ``relative`` is exactly where the writer puts a shard of ``split``
    in set ``name``, else None."""
    found = re.fullmatch(
        rf"{re.escape(name)}/{_DATA}/.*-(\d{{5,9}})-of-(\d{{5,9}})\.{re.escape(ext)}", relative
    )
    if found is None:
        return None
    index, total = int(found[1]), int(found[2])
    return (index, total) if relative == shard_path(name, split, index, total, ext) else None
