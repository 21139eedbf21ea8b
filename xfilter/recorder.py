"""``Recorder``: the evidence of a filtering loop (counts, ledger, X index, manifest) for a
training script that filters a stream on the fly instead of running a job.

    rec = xfilter.Recorder(xf, "runs/epoch-1-evidence")
    for batch in ids.filter(rec.keep, batched=True):   # an IterableDataset
        ...
    rec.save()

``rec.keep`` answers as ``xf.keep`` does and remembers, per split, what it saw: the counts,
one ledger row per record not kept and one X index row per record with X content (record
hash, reasons, position in what it saw), and the quarantined records if asked to. ``save``
and ``checkpoint`` write that as an output directory, which ``xfilter verify`` checks like
any other; it has no clean set, since the loop consumed the kept records.
"""

from __future__ import annotations

import copy
import os
import threading
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pyarrow as pa

from xfilter.errors import ConfigError, InputError, OutputError
from xfilter.output.layout import QUARANTINE, SETS
from xfilter.output.manifest import InputInfo, build_manifest, now
from xfilter.output.reader import Output
from xfilter.output.verify import RECORDED
from xfilter.output.write import seal_and_commit
from xfilter.output.writer import (
    OutputWriter,
    SplitCounts,
    check_identity,
    check_output_dir,
    check_tag_columns,
    index_schema,
    ledger_and_index_rows,
    ledger_schema,
    shard_bytes,
    x_bearing,
)
from xfilter.tagging.tagger import with_record_columns
from xfilter.transform import XFilter, _as_table, reads_as_row
from xfilter.vocab import ACTION, RECORD_COLUMNS, TAG_COLUMNS

# What a recorded output's manifest says ran: one process, streaming.
ENGINE = {"name": "recorder", "streaming": True, "num_proc": 1}
# The input kind a recorded output's manifest names: records handed to ``keep``.
STREAM_KIND = "stream"


class Recorder:
    """Filters as ``xf.keep`` does and records what it removed, for ``save`` or
    ``checkpoint`` to write to ``out_dir``.

    ``split`` names the split ``keep`` records; ``for_split(name).keep`` records another.
    ``quarantine=True`` holds the quarantined records in memory and writes them to
    ``quarantine/``; ``False`` keeps only their counts, ledger and X index rows. An existing
    output at ``out_dir`` is replaced only with ``overwrite=True``; the recorder's own
    checkpoints are always replaced.

    One process only: a copy of the recorder in a worker process (a ``DataLoader`` worker, a
    ``num_proc`` map) could not report back, so it refuses to be pickled, and ``keep``
    raises when called in a process other than the one that made it.
    """

    def __init__(
        self,
        xf: XFilter,
        out_dir: str | os.PathLike[str],
        *,
        split: str = "train",
        quarantine: bool = True,
        overwrite: bool = False,
    ) -> None:
        if xf.tagger.policy.redacts:
            raise ConfigError(
                "Recorder: this policy redacts, and a filter cannot rewrite text (keep would "
                "drop those records); redact with a map, ds.map(xf, batched=True), or a job, "
                "xfilter.run"
            )
        self.xfilter = xf
        self.path = Path(out_dir).expanduser()
        self.split = split
        self.keeps_quarantine = quarantine
        self._overwrite = overwrite
        # Refused now rather than when the loop ends, hours later.
        check_output_dir(self.path, overwrite)
        self._started = now()
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._splits: dict[str, _SplitEvidence] = {}
        self._written = False
        self._complete = False

    def keep(self, batch: Any) -> bool | list[bool]:
        """For ``ds.filter(rec.keep, batched=True)``: whether the policy keeps each record,
        as ``xf.keep`` answers, recorded in split ``self.split``."""
        return self._record(self.split, batch)

    def for_split(self, name: str) -> SplitRecorder:
        """The recorder of split ``name``: ``rec.for_split("validation").keep``."""
        return SplitRecorder(self, name)

    @property
    def counts(self) -> dict[str, dict[str, Any]]:
        """Per split, the counts so far, as a manifest records them."""
        with self._lock:
            return {name: split.counts.as_dict() for name, split in self._splits.items()}

    def checkpoint(self) -> Output:
        """Write what was recorded so far, replacing an earlier checkpoint atomically; the
        manifest says it is not complete. Recording goes on."""
        return self._write(complete=False)

    def save(self) -> Output:
        """Write what was recorded, as complete; the recorder then refuses more records (a
        second pass over the data is another recorder's)."""
        output = self._write(complete=True)
        self._complete = True
        return output

    def __repr__(self) -> str:
        counts = self.counts
        splits = "; ".join(
            f"{n}: {c['input']} seen, {c['kept']} kept, {c['dropped']} dropped, "
            f"{c['quarantined']} quarantined"
            for n, c in counts.items()
        )
        state = "saved" if self._complete else "checkpointed" if self._written else "not written"
        return (
            f"Recorder({str(self.path)!r}, {self.xfilter.tagger.policy.name}, "
            f"{splits or 'nothing seen yet'}; {state})"
        )

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "xfilter.Recorder cannot be copied to another process: its counts would stay "
            "there; filter in the process that saves (no DataLoader workers, no num_proc)"
        )

    # -- recording ---------------------------------------------------------------------------

    def _record(self, split: str, batch: Any) -> bool | list[bool]:
        if os.getpid() != self._pid:
            raise OutputError(
                f"Recorder {self.path}: keep called in process {os.getpid()}, not the one that "
                f"made it ({self._pid}), such as a DataLoader worker: what it records there "
                "never reaches save; filter in the main process (num_workers=0)"
            )
        if self._complete:
            raise OutputError(
                f"Recorder {self.path}: already saved as complete; record another pass with a "
                "new Recorder (and another directory)"
            )
        xf = self.xfilter
        row = reads_as_row(batch)
        table = _as_table(batch, row)
        # The tagger xf.keep uses (with the calling dataset's info when it reads one), and the
        # whole tagging rather than keep's shortcut: the counts need every category.
        tags, tagged = xf.tag_with_tags(table, xf._caller_tagger())
        tagged = with_record_columns(tagged, tags)
        with self._lock:
            evidence = self._splits.get(split)
            if evidence is None:
                check_tag_columns(split, table.schema)
                check_identity(split, table.schema, xf.config.ledger.identity)
                evidence = _SplitEvidence(split, xf.config.ledger.identity, self.keeps_quarantine)
                self._splits[split] = evidence
            evidence.add(tagged)
        answers = [action == "keep" for action in tags.action]
        return answers[0] if row else answers

    # -- writing -----------------------------------------------------------------------------

    def _write(self, complete: bool) -> Output:
        with self._lock:
            splits = [evidence.snapshot() for evidence in self._splits.values()]
        if not splits:
            raise OutputError(
                f"{self.path}: nothing recorded yet: no record has passed through the "
                "recorder's keep"
            )
        xf = self.xfilter
        config = xf.config
        identity = config.ledger.identity
        writer = OutputWriter(
            self.path,
            config.output.format,
            self._overwrite or self._written,
            identity,
            shard_bytes(config.output.shard_mb),
        )
        try:
            for evidence in splits:
                writer.open_split(evidence.name, evidence.schema, evidence.features())
                for table in evidence.quarantine:
                    writer.write_set(QUARANTINE, evidence.name, _conformed(table, evidence))
            writer.set_records(
                _concat([e.ledger for e in splits], ledger_schema(identity)),
                _concat([e.index for e in splits], index_schema(identity)),
            )
            writer.close()
            for name in SETS:  # no empty folder where a set was not kept
                for folder in (writer.tmp / name / "data", writer.tmp / name):
                    if folder.is_dir() and not any(folder.iterdir()):
                        folder.rmdir()
            source = InputInfo(
                source=config.input.source,
                kind=STREAM_KIND,
                features=splits[0].features(),
                rows={e.name: None for e in splits},
            )
            counts = {e.name: e.counts for e in splits}
            manifest = build_manifest(xf, source, counts, ENGINE, self._started)
            manifest[RECORDED] = {
                "clean": False,
                "quarantine": self.keeps_quarantine,
                "complete": complete,
            }
            sealed = seal_and_commit(writer, manifest)
        except BaseException:
            writer.abort()
            raise
        self._written = True
        return Output.written(self.path, sealed)


class SplitRecorder:
    """``rec.for_split(name)``: ``keep`` records into split ``name`` of its recorder."""

    def __init__(self, recorder: Recorder, name: str) -> None:
        self.recorder, self.name = recorder, name

    def keep(self, batch: Any) -> bool | list[bool]:
        """As ``Recorder.keep``, for this split."""
        return self.recorder._record(self.name, batch)

    def __repr__(self) -> str:
        return f"SplitRecorder({str(self.recorder.path)!r}, split={self.name!r})"


class _SplitEvidence:
    """What a recorder keeps of one split: counts, ledger and X index rows, quarantined
    records, and the schema of what it saw. Its ledger and X index rows are the output
    writer's own for the same batches, so the files match a job's."""

    def __init__(self, name: str, identity: list[str], keeps_quarantine: bool) -> None:
        self.name = name
        self.identity = tuple(identity)
        self.keeps_quarantine = keeps_quarantine
        self.counts = SplitCounts()
        self.schema: pa.Schema | None = None
        self.quarantine: list[pa.Table] = []
        self.ledger: list[pa.Table] = []
        self.index: list[pa.Table] = []
        self.kept = 0

    def add(self, tagged: pa.Table) -> None:
        """One tagged batch (with the record columns), the next records of the split."""
        self._widen(tagged)
        first_row = self.counts.input
        self.counts.update(tagged)
        actions = tagged.column(ACTION).to_numpy(zero_copy_only=False)
        kept = actions == "keep"  # a policy that redacts is refused
        # Where each kept record is among the kept ones: the loop's view of the "clean set".
        clean_rows = np.where(kept, np.cumsum(kept) - 1 + self.kept, -1)
        self.kept += int(kept.sum())
        if self.keeps_quarantine and (actions == "quarantine").any():
            records = tagged.drop_columns(list(RECORD_COLUMNS))
            self.quarantine.append(records.filter(pa.array(actions == "quarantine")))
        listed, indexed = ~kept, x_bearing(tagged)
        if listed.any() or indexed.any():
            ledger, index = ledger_and_index_rows(
                self.identity, self.name, tagged, first_row, listed, indexed, clean_rows
            )
            self.ledger.append(ledger)
            self.index.append(index)

    def _widen(self, tagged: pa.Table) -> None:
        """The split's schema, widened to hold this batch too (a column null in the first
        batches and text later is text)."""
        ours = (*TAG_COLUMNS, *RECORD_COLUMNS)
        schema = pa.schema([f for f in tagged.schema if f.name not in ours])
        if self.schema is None or self.schema.equals(schema):
            self.schema = schema
            return
        try:
            self.schema = pa.unify_schemas([self.schema, schema], promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InputError(
                f"split {self.name!r}: row {self.counts.input} on has other column types than "
                f"the rows before ({str(exc).splitlines()[0][:200]})"
            ) from None

    def features(self) -> dict[str, Any] | None:
        from datasets import Features

        if self.schema is None:
            return None
        features: dict[str, Any] = Features.from_arrow_schema(self.schema).to_dict()
        return features

    def snapshot(self) -> _SplitEvidence:
        """A copy that later batches do not change (the tables themselves are immutable)."""
        copied = copy.copy(self)
        copied.counts = copy.deepcopy(self.counts)
        copied.quarantine, copied.ledger, copied.index = (
            list(self.quarantine),
            list(self.ledger),
            list(self.index),
        )
        return copied


def _conformed(table: pa.Table, evidence: _SplitEvidence) -> pa.Table:
    """Quarantined records of an earlier batch in the split's final columns: a column that
    appeared later is null in them, a widened one is cast."""
    assert evidence.schema is not None  # set by the split's first batch
    columns = [
        table.column(f.name).cast(f.type)
        if f.name in table.column_names
        else pa.nulls(table.num_rows, f.type)
        for f in evidence.schema
    ]
    columns += [table.column(name) for name in TAG_COLUMNS]
    return pa.Table.from_arrays(columns, names=[*evidence.schema.names, *TAG_COLUMNS])


def _concat(parts: list[list[pa.Table]], schema: pa.Schema) -> pa.Table:
    tables = [table for tables in parts for table in tables]
    return pa.concat_tables(tables) if tables else schema.empty_table()


__all__ = ["Recorder", "SplitRecorder"]
