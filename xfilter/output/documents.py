"""The card and the Croissant file, bound to the manifest they describe.

Both quote the manifest's ``manifest_sha256``, so the manifest cannot simply hold their hashes
(that hash would depend on itself). Instead they are rendered with ``PLACEHOLDER`` where that
hash goes, the manifest records the sha256 of those texts under ``documents`` and is sealed,
and the files are written with the real hash in place of the placeholder. A reader reverses the
substitution and compares: any other edit, or a missing file, shows. The texts are never rebuilt
at check time, so a card merged with a local input's README stays checkable after that README
changes or goes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from xfilter.output.card import build_card
from xfilter.output.croissant import croissant_text
from xfilter.output.layout import CARD, CROISSANT, DOCUMENT_FILES
from xfilter.output.manifest import SELF_HASH, seal

DOCUMENTS = "documents"
# Stands for the manifest hash while the texts are hashed: 64 hex digits, so the texts have the
# same shape (YAML quoting, widths) with either; all letters, so YAML never reads it as a number.
PLACEHOLDER = "f" * 64


def bind_documents(
    manifest: dict[str, Any], directory: str | Path
) -> tuple[dict[str, Any], dict[str, str]]:
    """Seal ``manifest`` with the hashes of its card and Croissant file; return the sealed
    manifest and the two texts to write beside it. A seal or documents already in ``manifest``
    are replaced.

    ``directory`` holds the output's data files and ledger, which the texts describe.
    """
    manifest = {k: v for k, v in manifest.items() if k not in (SELF_HASH, DOCUMENTS)}
    draft = {**manifest, SELF_HASH: PLACEHOLDER}
    texts = {
        CROISSANT: croissant_text(draft, directory),
        CARD: build_card(draft, directory),
    }
    hashes = {
        name: hashlib.sha256(texts[name].encode("utf-8")).hexdigest() for name in DOCUMENT_FILES
    }
    sealed = seal({**manifest, DOCUMENTS: hashes})
    real = sealed[SELF_HASH]
    return sealed, {name: text.replace(PLACEHOLDER, real) for name, text in texts.items()}


def document_sha256(data: bytes, manifest_sha256: str) -> str | None:
    """The sha256 a written document had when it was bound, or None if it cannot be one of
    ours (it holds the placeholder itself, so the substitution would not reverse)."""
    if PLACEHOLDER.encode() in data:
        return None
    return hashlib.sha256(data.replace(manifest_sha256.encode(), PLACEHOLDER.encode())).hexdigest()
