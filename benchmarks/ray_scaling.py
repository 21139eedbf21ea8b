"""Throughput of the Ray engine against the number of tagging actors, beside the local engine.

    python benchmarks/ray_scaling.py [--mb 200] [--actors 1 2 4] [--cpus N] [--repeat 1]

Generates (once, seeded, in the system temp folder) web-text parquet corpora with ~2 % X
content (``benchmarks/generate.py``): a large one (``--mb``) and a small one (``SMALL_MB``).
Starts a local Ray with ``--cpus`` CPUs and times, in one run, strict mode, on both corpora:

- ``local job``: the local engine (``xfilter run`` in a fresh process with an empty
  ``datasets`` cache, as a first run is): the baseline;
- ``tag_table only``: the batch function over the input already in memory, one core: the
  scan rate per core, the figure to size a cluster with;
- ``ray N``: the Ray engine end to end (read, tag on N actors, ordered stream to the driver,
  the same writer and manifest);
- ``ray tag only N``: the same read-and-tag pipeline with its blocks counted and dropped: how
  tagging scales without the driver's writer;
- ``writer only``: the driver's writer fed with already tagged tables: the ceiling of a job
  whose outputs all pass through one driver.

Ray pays a start-up cost per split (actor processes import xfilter and compile the scanner,
read tasks start), so besides wall-clock MB/s the table gives the *steady* MB/s: the extra
megabytes of the large corpus over the extra seconds they took, ``(MB_L - MB_S) / (t_L - t_S)``,
which is what a long job approaches. MB is the input's Arrow (in-memory) size; each time is the
best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import default_dir, write_corpus  # the shared, seeded web-text generator

import xfilter.engines.ray as xray
from xfilter.output.manifest import now
from xfilter.output.write import SplitStream, write_output
from xfilter.transform import XFilter

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "strict.yaml"
SMALL_MB = 5


@dataclass
class Corpus:
    source: str
    mb: float
    rows: int


@dataclass
class Row:
    engine: str
    actors: str
    small_s: float
    large_s: float


def corpus(mb: float) -> Corpus:
    # A folder of its own beside generate.py's default, so that another benchmark regenerating
    # its corpus cannot pull the files from under this one.
    folder = write_corpus(default_dir(mb, 0).with_name(f"ray-scaling-{mb:g}mb"), mb)
    table = pq.read_table(folder / "data")
    return Corpus(str(folder), table.nbytes / 1e6, table.num_rows)


def best_of(repeat: int, job: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return min(times)


def ray_tag_only(source: str, actors: int, cpus: float) -> int:
    """Read and tag on the cluster; count the tagged rows from block metadata, fetch nothing."""
    xf = XFilter.from_config(CONFIG, input={"source": source})
    splits, _ = xray.resolve_input(source, None)
    rows = 0
    for split in splits:
        tagged = xray._tagged_dataset(xf, split, actors, xray._actor_cpus(cpus, actors))
        for bundle in tagged.iter_internal_ref_bundles():
            rows += bundle.num_rows()
    return rows


def writer_only(data: Corpus, out: Path) -> Callable[[], object]:
    """A job that writes already tagged tables (tagged here, outside the timing)."""
    xf = XFilter.from_config(CONFIG, input={"source": data.source})
    table = pq.read_table(Path(data.source) / "data")
    tagged = [xf.tag_table(pa.Table.from_batches([b])) for b in table.to_batches(10_000)]
    _, source = xray.resolve_input(data.source, None)

    def job() -> object:
        split = SplitStream("train", table.schema, None, iter(tagged))
        return write_output(xf, [split], source, out, {"name": "bench"}, now(), overwrite=True)

    return job


def local_job(data: Corpus, out: Path, work: Path) -> None:
    """``xfilter run`` in a fresh process with an empty ``datasets`` cache, as a user runs it
    the first time: a warm cache would skip the conversion of the input to Arrow."""
    cache = tempfile.mkdtemp(prefix="cache-", dir=work)
    command = [sys.executable, "-m", "xfilter", "run", str(CONFIG), "--input", data.source]
    subprocess.run(
        [*command, "--output", str(out), "--overwrite"],
        env={**os.environ, "HF_DATASETS_CACHE": cache},
        check=True,
        capture_output=True,
    )
    shutil.rmtree(cache)


def tag_only_job(data: Corpus) -> Callable[[], object]:
    """The batch function alone over the input in memory: what one core scans per second."""
    xf = XFilter.from_config(CONFIG, input={"source": data.source})
    batches = [
        pa.Table.from_batches([b])
        for b in pq.read_table(Path(data.source) / "data").to_batches(xray.BATCH_ROWS)
    ]
    xf.tag_table(batches[0])  # compile the scanner outside the timing
    return lambda: [xf.tag_table(b) for b in batches]


def _splits(out: Path) -> dict[str, object]:
    return json.loads((out / "manifest.json").read_text())["splits"]


Job = Callable[[Corpus, Path], object]


def on_both(repeat: int, job: Job, small: Corpus, large: Corpus, out: Path) -> tuple[float, float]:
    """Best times of ``job`` on the small and on the large corpus."""
    return (
        best_of(repeat, lambda: job(small, out / "small")),
        best_of(repeat, lambda: job(large, out / "large")),
    )


def measure(args: argparse.Namespace, small: Corpus, large: Corpus, work: Path) -> list[Row]:
    import ray

    def local(c: Corpus, out: Path) -> None:
        local_job(c, out, work)

    rows = [
        Row("local job", "1 process", *on_both(args.repeat, local, small, large, work / "local"))
    ]
    tags = tag_only_job(small), tag_only_job(large)
    rows.append(Row("tag_table only", "1 core", *(best_of(args.repeat, j) for j in tags)))
    # writer_only tags in its set-up; only the returned job (the write) is timed.
    jobs = writer_only(small, work / "w-small"), writer_only(large, work / "w-large")
    rows.append(Row("writer only", "driver", *(best_of(args.repeat, j) for j in jobs)))

    ray.init(num_cpus=args.cpus, include_dashboard=False, logging_level=logging.WARNING)
    xray.run(CONFIG, output=work / "warm-up", overwrite=True, num_actors=1)  # start the workers
    for actors in args.actors:

        def on_ray(c: Corpus, out: Path, a: int = actors) -> object:
            return xray.run(CONFIG, input=c.source, output=out, overwrite=True, num_actors=a)

        out = work / f"ray-{actors}"
        rows.append(Row("ray", str(actors), *on_both(args.repeat, on_ray, small, large, out)))
        # A fast wrong answer is worth nothing: the counts must be the local engine's.
        assert _splits(out / "large") == _splits(work / "local" / "large"), f"{actors} actors"
    for actors in args.actors:

        def tag_only(c: Corpus, out: Path, a: int = actors) -> object:
            return ray_tag_only(c.source, a, args.cpus)

        times = on_both(args.repeat, tag_only, small, large, work)
        rows.append(Row("ray tag only", str(actors), *times))
    ray.shutdown()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200, help="large corpus, text MB (200)")
    parser.add_argument("--actors", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--cpus", type=int, default=os.cpu_count(), help="CPUs given to Ray")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    small, large = corpus(SMALL_MB), corpus(args.mb)
    work = Path(tempfile.mkdtemp(prefix="xfilter-ray-bench-"))
    print(f"large: {large.source}: {large.rows} rows, {large.mb:.0f} MB in Arrow")
    print(f"small: {small.source}: {small.rows} rows, {small.mb:.1f} MB in Arrow")
    print(f"{args.cpus} CPUs given to Ray; {os.cpu_count()} on this machine")
    try:
        rows = measure(args, small, large, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # outputs only; the corpora stay for next time

    print("\n| engine | actors | small s | large s | large MB/s | large rows/s | steady MB/s |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        steady = (large.mb - small.mb) / max(r.large_s - r.small_s, 1e-9)
        print(
            f"| {r.engine} | {r.actors} | {r.small_s:.1f} | {r.large_s:.1f} | "
            f"{large.mb / r.large_s:.0f} | {large.rows / r.large_s:,.0f} | {steady:.0f} |"
        )


if __name__ == "__main__":
    main()
