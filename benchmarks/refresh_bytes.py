"""How many bytes a new version of a clean set costs to upload, with and without
content-defined chunking (CDC) of its parquet pages.

    python benchmarks/refresh_bytes.py [--mb 100] [--seed 0] [--removed 0.001 0.01]

Writes a generated web-text clean set as one parquet file the way xfilter writes its shards
(zstd, row groups of ``ROW_GROUP_ROWS`` rows), then a second version with a share of the rows
removed at random positions, once with CDC (xfilter's parquet options) and once without. For
each pair it reports the share of the new file's bytes that a content-defined deduplicating
uploader must send: both files are cut with a gear-hash chunker with the parameters of the
Hub's Xet storage (64 KiB average, 8 KiB minimum, 128 KiB maximum chunks, a 64-byte window),
and the bytes of the new file's chunks that the old file does not hold are counted. No timing
is measured and nothing is asserted: the table is the result.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from generate import generate_table  # benchmarks/ is the script's folder, so on sys.path

from xfilter.output import formats
from xfilter.output.writer import ROW_GROUP_ROWS

TARGET_CHUNK = 64 * 1024
MIN_CHUNK = TARGET_CHUNK // 8
MAX_CHUNK = TARGET_CHUNK * 2
WINDOW = 64  # a gear hash forgets a byte after 64 shifts of its 64-bit state
BOUNDARY_BITS = 16  # log2(TARGET_CHUNK): a boundary where the hash's top 16 bits are zero
_GEAR = np.random.default_rng(0x5EED).integers(0, 2**64, size=256, dtype=np.uint64)


def gear_hashes(data: bytes) -> np.ndarray:
    """The streaming gear hash ``h = (h << 1) + GEAR[byte]`` at every position, computed as
    the sum over the last 64 bytes, so numpy does it in 64 vector passes."""
    gear = _GEAR[np.frombuffer(data, dtype=np.uint8)]
    hashes = gear.copy()
    for shift in range(1, WINDOW):
        hashes[shift:] += gear[:-shift] << np.uint64(shift)
    return hashes


def chunk_ends(data: bytes) -> list[int]:
    """Where the chunks of ``data`` end: the first candidate past the minimum size, else the
    maximum size, as Xet's chunker cuts them."""
    candidates = np.flatnonzero((gear_hashes(data) >> np.uint64(64 - BOUNDARY_BITS)) == 0) + 1
    ends, start = [], 0
    while start < len(data):
        at = int(np.searchsorted(candidates, start + MIN_CHUNK))
        end = int(candidates[at]) if at < len(candidates) else len(data)
        end = min(end, start + MAX_CHUNK, len(data))
        ends.append(end)
        start = end
    return ends


def chunks(data: bytes) -> Iterator[tuple[bytes, int]]:
    """(digest, size) of every chunk of ``data``."""
    view, start = memoryview(data), 0
    for end in chunk_ends(data):
        yield hashlib.sha256(view[start:end]).digest(), end - start
        start = end


@dataclass(frozen=True)
class Upload:
    """What a deduplicating uploader sends for ``new`` when the store already holds ``old``."""

    new_bytes: int
    chunks: int
    sent_chunks: int
    sent_bytes: int

    @property
    def share(self) -> float:
        return self.sent_bytes / self.new_bytes


def upload(old: bytes, new: bytes) -> Upload:
    stored = {digest for digest, _ in chunks(old)}
    sent = [(digest, size) for digest, size in chunks(new) if digest not in stored]
    unique_sent = dict(sent)  # a chunk repeated inside the new file is sent once
    return Upload(
        new_bytes=len(new),
        chunks=len(chunk_ends(new)),
        sent_chunks=len(unique_sent),
        sent_bytes=sum(unique_sent.values()),
    )


def write_parquet(table: pa.Table, path: Path, cdc: bool) -> bytes:
    """One shard as xfilter writes it (CDC on), or the same without CDC."""
    if cdc:
        writer = formats.get("parquet").open_writer(path, table.schema, ROW_GROUP_ROWS)
        writer.write(table)
        writer.close()
    else:
        plain = pq.ParquetWriter(path, table.schema, compression="zstd")
        plain.write_table(table, row_group_size=ROW_GROUP_ROWS)
        plain.close()
    return path.read_bytes()


def without_random_rows(table: pa.Table, share: float, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    removed = rng.choice(table.num_rows, size=max(1, round(share * table.num_rows)), replace=False)
    keep = np.ones(table.num_rows, dtype=bool)
    keep[removed] = False
    return table.filter(pa.array(keep))


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100, help="text megabytes (default 100)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--removed", type=float, nargs="+", default=[0.001, 0.01])
    args = parser.parse_args()
    if not formats.CONTENT_DEFINED_CHUNKING:
        sys.exit(f"pyarrow {pa.__version__} has no content-defined chunking (needs 21 or later)")

    table = generate_table(int(args.mb * 1024 * 1024), args.seed)
    print(
        f"clean set: {table.num_rows} rows, {_mib(table.nbytes)} in Arrow, pyarrow {pa.__version__}"
    )
    print(f"row groups of {ROW_GROUP_ROWS} rows; chunker: gear hash, {TARGET_CHUNK // 1024} KiB")
    print(f"average, {MIN_CHUNK // 1024}–{MAX_CHUNK // 1024} KiB\n")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        old = {cdc: write_parquet(table, base / f"v1-{cdc}.parquet", cdc) for cdc in (True, False)}
        for share in args.removed:
            smaller = without_random_rows(table, share, args.seed + 1)
            for cdc in (True, False):
                new = write_parquet(smaller, base / f"v2-{cdc}.parquet", cdc)
                rows.append((share, table.num_rows - smaller.num_rows, cdc, upload(old[cdc], new)))

    header = f"{'rows removed':>16}  {'CDC':>3}  {'new file':>10}  {'chunks':>6}  "
    header += f"{'sent chunks':>11}  {'sent':>10}  {'share sent':>10}"
    print(header)
    print("-" * len(header))
    for share, count, cdc, result in rows:
        print(
            f"{share:>8.1%} ({count:>5})  {'on' if cdc else 'off':>3}  "
            f"{_mib(result.new_bytes):>10}  {result.chunks:>6}  {result.sent_chunks:>11}  "
            f"{_mib(result.sent_bytes):>10}  {result.share:>10.1%}"
        )
    print(
        f"\nreproduce: python benchmarks/refresh_bytes.py --mb {args.mb:g} --seed {args.seed}",
        end="",
    )
    print(f" --removed {' '.join(f'{s:g}' for s in args.removed)}")


if __name__ == "__main__":
    main()
