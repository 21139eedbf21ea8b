"""Writing one output directory from tagged batches: data files, ledger, manifest, Croissant
file and card, made to appear atomically."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from xfilter.config import Config
from xfilter.errors import OutputError, XFilterError
from xfilter.faults import checkpoint
from xfilter.output.documents import bind_documents
from xfilter.output.layout import LEDGER, MANIFEST
from xfilter.output.manifest import InputInfo, allowlist_facts, build_manifest, dumps
from xfilter.output.verify import counts_fault
from xfilter.output.writer import OutputWriter, shard_bytes
from xfilter.policy.allowlist import Allowlist, load_allowlist
from xfilter.threads import Background, quick_gil_handoff
from xfilter.transform import XFilter


class SplitStream:
    """One split to write: its input schema and features, and its tagged Arrow batches."""

    def __init__(
        self,
        name: str,
        schema: pa.Schema,
        features: dict[str, Any] | None,
        batches: Iterable[pa.Table],
    ) -> None:
        self.name, self.schema, self.features, self.batches = name, schema, features, batches


# The output directories this process has moved into place: after a late Ctrl-C, the CLI
# says the output was written instead of "no output was written".
COMMITTED: list[Path] = []


def write_output(
    xf: XFilter,
    splits: Iterable[SplitStream],
    source: InputInfo,
    out_dir: str | os.PathLike[str],
    engine: Mapping[str, Any],
    started: str,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Write clean, quarantine, ledger, X index, manifest and card; the directory appears
    atomically. Every batch carries the record columns beside the tag columns."""
    output = xf.config.output
    allowlist = read_allowlist(xf.config)
    writer = OutputWriter(
        out_dir,
        output.format,
        overwrite,
        xf.config.ledger.identity,
        shard_bytes(output.shard_mb),
        allowlist=allowlist,
    )
    try:
        # Files are written (encoded, compressed, hashed) on a background thread while the
        # next batch is tagged on this one (and read on another), handing the GIL on quickly.
        with quick_gil_handoff(), Background() as background:
            for split in splits:
                background.submit(writer.open_split, split.name, split.schema, split.features)
                first_row = 0
                batches = iter(split.batches)
                try:
                    for tagged in batches:
                        background.submit(writer.write, split.name, tagged, first_row)
                        first_row += tagged.num_rows
                finally:  # on an error, stop a stream's read-ahead thread now
                    getattr(batches, "close", lambda: None)()
            background.submit(writer.close)
        manifest = build_manifest(xf, source, writer.counts, engine, started, allowlist)
        manifest = seal_and_commit(writer, manifest)
    except BaseException:
        writer.abort()
        raise
    return manifest


def read_allowlist(config: Config) -> Allowlist | None:
    """The config's allowlist, read and checked against its identity columns; None if unset."""
    if not config.allowlist.path:
        return None
    allowlist = load_allowlist(config.allowlist.path)
    allowlist.check_identity(config.ledger.identity)
    return allowlist


def _add_allowlist_facts(writer: OutputWriter, manifest: dict[str, Any]) -> None:
    """What the list released, read from the ledger just written. A released record reaches
    the clean set only through a writer that applied the list (or a refresh, which carries the
    releases it finds): any other writer refuses an allowlist rather than ignore it."""
    engine = manifest.get("engine", {}).get("name")
    if writer.allowlist is None and engine != "refresh":
        raise OutputError(
            f"allowlist.path is set but the {engine} engine does not apply an allowlist; "
            "run with the local or ray engine, or remove allowlist.path"
        )
    ledger = pq.read_table(writer.tmp / LEDGER)
    facts, orphans = allowlist_facts(
        manifest["allowlist"], ledger, manifest["splits"], manifest["mode"], MANIFEST
    )
    if orphans:  # a released row no entry names: a bug, never a silent release
        split, row = orphans[0]
        raise OutputError(f"split {split!r} row {row}: released but named by no allowlist entry")
    manifest["allowlist"].update(facts)


def seal_and_commit(writer: OutputWriter, manifest: dict[str, Any]) -> dict[str, Any]:
    """Add the closed ``writer``'s files to ``manifest``, check that nothing was lost, bind the
    card and the Croissant file, write them and move the directory into place; return the
    sealed manifest. Both a run and a refresh finish this way."""
    manifest["outputs"] = {"format": writer.fmt, "files": writer.files}
    manifest["ledger"] = writer.ledger_entry
    manifest["index"] = writer.index_entry
    if manifest.get("allowlist") is not None:
        _add_allowlist_facts(writer, manifest)
    fault = counts_fault(manifest)
    if fault is not None:  # nothing may be lost: outputs that do not add up are not written
        raise XFilterError(f"{fault.message}; nothing written")
    # The card and Croissant file are hashed into the manifest before it is sealed.
    manifest, documents = bind_documents(manifest, writer.tmp)
    writer.write_text(MANIFEST, dumps(manifest))
    checkpoint("write-manifest")
    for name, text in documents.items():
        writer.write_text(name, text)
    COMMITTED.append(writer.commit())
    checkpoint("commit")
    return manifest
