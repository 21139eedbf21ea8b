"""Outputs: tagged batches into a directory that proves itself (data, ledger, manifest, card,
Croissant), and ``Output``, which reads one back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xfilter.output.reader import Output

__all__ = ["Output"]


def __getattr__(name: str) -> Any:
    """``Output`` on first use, so the writer's modules do not load ``datasets``."""
    if name == "Output":
        from xfilter.output.reader import Output

        return Output
    raise AttributeError(f"module 'xfilter.output' has no attribute {name!r}")
