"""How the local job scales with its tagging workers, measured side by side in one run.

    python benchmarks/scaling.py [--small] [--mb 300] [--repeat 2]

On the seeded web-text corpus of ``benchmarks/generate.py`` it prints one table:

  (a) tagging alone: the same Arrow batches (of 2,000 rows), already in memory, tagged by a
      pool of 1 and of 2 worker processes (started and warmed before the clock starts; batches
      travel to the workers and back as Arrow IPC, as in a job), and in this process;
  (b) the full job (``xfilter.run``: read, tag, write zstd parquet, hash, manifest) in memory
      and streaming, with 1 worker and with every core, each in a fresh process, beside the
      same I/O without tagging (``throughput.copy_job``): the floor any job stands on;
  (c) the peak memory of the streaming job (default workers) at 1x and 4x the input: the sum
      of the proportional set sizes (PSS) of the job, its fork server and its workers, sampled.

Runs are interleaved (1, 2, 1, 2, ...) and the best of ``--repeat`` kept: the machine is shared
and noisy, and ratios within one run are what to read. ``--small`` takes a few minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scratch

_WORK = scratch.folder()  # this run's datasets cache and outputs, removed at exit
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

import generate  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import throughput  # noqa: E402

import xfilter  # noqa: E402
from xfilter.config import Config  # noqa: E402
from xfilter.engines.local import STREAM_BATCH_ROWS, OutputTagging, tag_for_output  # noqa: E402
from xfilter.engines.workers import OrderedPool, default_workers, usable_cores  # noqa: E402

MIN_BATCHES = 16  # for tagging alone
TARGET_SPEEDUP = 1.7  # tagging alone, 2 workers vs 1
TARGET_FLOOR = 0.8  # the full job's rate as a share of its I/O floor's
TARGET_GROWTH = 0.10  # streaming peak memory, 4x the input vs 1x
TARGET_PEAK_MB = 1024


def text_mb(tables: list[pa.Table]) -> float:
    lengths = (pc.sum(pc.binary_length(t.column("text"))).as_py() or 0 for t in tables)
    return sum(lengths) / 1e6


def best(times: list[float]) -> float:
    return min(times)


# ------------------------------------------------------------------------------------------
# (a) tagging alone


def tagging_alone(folder: Path, repeat: int) -> list[dict[str, Any]]:
    """Measured in a child process of a session of its own: Linux shares CPU time fairly
    between sessions (autogroups), so this measures what a job's workers get, not what is left
    beside whatever else this benchmark's session runs."""
    done = subprocess.run(
        [sys.executable, __file__, "--child-tagging", json.dumps([str(folder), repeat])],
        capture_output=True,
        text=True,
        start_new_session=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"tagging alone failed:\n{done.stderr[-3000:]}")
    rows: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return rows


def child_tagging(folder: Path, repeat: int) -> list[dict[str, Any]]:
    files = sorted((folder / "data").glob("*.parquet"))
    table = pa.concat_tables(pq.read_table(f) for f in files)
    # Batches of a streaming run's size: enough of them that two workers share them evenly.
    # A small corpus is gone round again, so that no worker's last batch dominates.
    size = STREAM_BATCH_ROWS
    batches = [table.slice(i, size) for i in range(0, table.num_rows, size)]
    while len(batches) < MIN_BATCHES:
        batches += batches
    mb = text_mb(batches)
    xf = xfilter.XFilter(config=Config())
    tagging = OutputTagging(xf)
    first = start_up(tagging, batches[0].slice(0, 10))
    times: dict[str, list[float]] = {"in this process": [], "1 worker": [], "2 workers": []}
    cpu: dict[str, list[float]] = {label: [] for label in times}
    with OrderedPool(tagging, 1) as pool_1, OrderedPool(tagging, 2) as pool_2:
        for pool in (pool_1, pool_2):  # warm: each worker builds its patterns once
            list(pool.map(batches[:2]))
        tag_for_output(xf, batches[0])
        for _ in range(repeat):
            for label, pids, run in (
                ("in this process", [os.getpid()], lambda: [tag_for_output(xf, b) for b in batches]),  # noqa: E501
                ("1 worker", _pids(pool_1), lambda: list(pool_1.map(batches))),
                ("2 workers", _pids(pool_2), lambda: list(pool_2.map(batches))),
            ):  # fmt: skip
                before = [cpu_seconds(pid) for pid in pids]
                started = time.perf_counter()
                run()
                times[label].append(time.perf_counter() - started)
                spent = [cpu_seconds(pid) - b for pid, b in zip(pids, before, strict=True)]
                cpu[label] = spent if not cpu[label] else min(cpu[label], spent, key=sum)
    measured: list[dict[str, Any]] = [
        {"section": "a", "name": f"tagging alone, {label}", "seconds": best(spent), "mb": mb}
        for label, spent in times.items()
    ]
    here, one, two = measured
    speedup = one["seconds"] / two["seconds"]
    shares = " + ".join(f"{c:.2f}" for c in cpu["2 workers"])
    # When the machine is busy, the workers share what CPU time their session gets: the speed
    # with two cores to themselves is what one worker's CPU time says, over the busiest's.
    idle = cpu["1 worker"][0] / max(cpu["2 workers"])
    two["note"] = (
        f"{speedup:.2f}x the speed of 1 worker; worker CPU {shares} s "
        f"(on 2 free cores: {idle:.2f}x)"
    )
    two["target"] = f">= {TARGET_SPEEDUP}x"
    two["verdict"] = mark(speedup >= TARGET_SPEEDUP)
    one["note"] = (
        f"{here['seconds'] / one['seconds']:.2f}x the speed in this process; "
        f"worker CPU {cpu['1 worker'][0]:.2f} s"
    )
    here["note"] = f"CPU {cpu['in this process'][0]:.2f} s"
    return [first, here, one, two]


def _pids(pool: OrderedPool) -> list[int]:
    return [p.pid for p in pool._processes]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_up(tagging: OutputTagging, tiny: pa.Table) -> dict[str, Any]:
    """Seconds from asking for 2 workers to their first answers: the fork server's start (it
    imports xfilter) the first time in a process, then a fork and an unpickling per worker."""
    spent = []
    for _ in range(2):  # cold (no fork server yet), then warm
        started = time.perf_counter()
        with OrderedPool(tagging, 2) as pool:
            list(pool.map([tiny, tiny]))
        spent.append(time.perf_counter() - started)
    return {
        "section": "a", "name": "start 2 workers, tag 2 tiny batches, stop", "seconds": spent[0],
        "mb": 0, "note": f"first in a process; {spent[1]:.2f} s once the fork server runs",
    }  # fmt: skip


# ------------------------------------------------------------------------------------------
# (b), (c) the job in a fresh process


def child_job(spec: dict[str, Any]) -> None:
    """Inside the subprocess: a warm-up job on the demo (lazy imports), then the job or its
    I/O alone; its time and this process's peak RSS as JSON on stdout."""
    xfilter.run(Config(), input="demo", output=spec["output"] + "-warmup", overwrite=True)
    started = time.perf_counter()
    if spec["copy_only"]:
        throughput.copy_job(spec["input"], Path(spec["output"]), spec["streaming"])
    else:
        xfilter.run(
            Config(),
            input=spec["input"],
            output=spec["output"],
            streaming=spec["streaming"],
            overwrite=True,
            workers=spec["workers"],
        )
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": throughput.peak_rss_mb()}))


def _session_pss_mb(leader: int) -> float:
    """The summed PSS (RSS where PSS is unreadable) of every process in ``leader``'s session."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) != leader:
                continue
            text = (entry / "smaps_rollup").read_text()
            key = "Pss:"
        except OSError:
            continue
        total += sum(int(line.split()[1]) for line in text.splitlines() if line.startswith(key))
    return total / 1024


def run_job(folder: Path, streaming: bool, workers: int, copy_only: bool = False) -> dict[str, Any]:
    work = _WORK / "job"
    spec = {
        "input": str(folder),
        "output": str(work / "out"),
        "streaming": streaming,
        "copy_only": copy_only,
        "workers": workers,
    }
    env = {**os.environ, "HF_DATASETS_CACHE": str(work / "cache")}
    process = subprocess.Popen(
        [sys.executable, __file__, "--child-job", json.dumps(spec)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    peak = [0.0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _session_pss_mb(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"job failed:\n{stderr[-3000:]}")
    shutil.rmtree(work, ignore_errors=True)
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    result["tree_mb"] = peak[0]
    return result


def full_job(folder: Path, mb: float, repeat: int) -> list[dict[str, Any]]:
    cores = usable_cores()
    rows = []
    for streaming in (False, True):
        mode = "streaming" if streaming else "in memory"
        runs: dict[str, list[dict[str, Any]]] = {"floor": [], "1": [], str(cores): []}
        for _ in range(repeat):
            runs["floor"].append(run_job(folder, streaming, 1, copy_only=True))
            runs["1"].append(run_job(folder, streaming, 1))
            runs[str(cores)].append(run_job(folder, streaming, cores))
        floor = best([r["seconds"] for r in runs["floor"]])
        rows.append({"section": "b", "name": f"I/O floor, {mode}", "seconds": floor, "mb": mb})
        for workers in ("1", str(cores)):
            seconds = best([r["seconds"] for r in runs[workers]])
            share = floor / seconds
            default = " (default)" if int(workers) == default_workers() else ""
            rows.append({
                "section": "b", "name": f"xfilter.run, {mode}, {workers} worker(s){default}",
                "seconds": seconds, "mb": mb, "note": f"{share:.2f}x the floor's rate",
                "target": f">= {TARGET_FLOOR}x floor", "verdict": mark(share >= TARGET_FLOOR),
            })  # fmt: skip
    return rows


def streaming_memory(folder: Path, mb: float, base: int, repeat: int) -> list[dict[str, Any]]:
    """Peak memory at ``base`` and 4 x ``base`` times the corpus. Runs interleave and the
    median peak counts (a peak is noisy)."""
    cores = default_workers()  # the job a user runs: its default workers
    runs: dict[int, list[dict[str, Any]]] = {base: [], 4 * base: []}
    for _ in range(max(3, repeat)):
        for size, done in runs.items():
            done.append(run_job(throughput.multiplied(folder, size), True, cores))
    peak = {s: statistics.median(r["tree_mb"] for r in done) for s, done in runs.items()}
    rows = []
    for size, done in runs.items():
        spread = ", ".join(f"{r['tree_mb']:.0f}" for r in done)
        rows.append({
            "section": "c", "name": f"streaming job, {size}x input, {cores} workers",
            "seconds": best([r["seconds"] for r in done]), "mb": size * mb,
            "note": f"peak PSS of all its processes {peak[size]:.0f} MB (median of {spread})",
        })  # fmt: skip
    growth = peak[4 * base] / peak[base] - 1
    rows[-1]["note"] = f"{rows[-1]['note']}, {growth:+.1%} vs {base}x"
    rows[-1]["target"] = f"<= +{TARGET_GROWTH:.0%}, < {TARGET_PEAK_MB} MB"
    rows[-1]["verdict"] = mark(growth <= TARGET_GROWTH and peak[4 * base] < TARGET_PEAK_MB)
    return rows


# ------------------------------------------------------------------------------------------


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def report(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        f"xfilter {xfilter.__version__}; {args.mb:g} MB of text; {os.cpu_count()} CPUs "
        f"({usable_cores()} usable, {default_workers()} worker(s) by default); "
        f"best of {args.repeat}; load average now "
        f"{os.getloadavg()[0]:.1f} (other work on the machine takes cores from the workers)",
        "",
        f"{'':3}{'measurement':58} {'s':>8} {'MB/s':>8}  {'target':>18} {'':2} note",
    ]
    for row in rows:
        rate = f"{row['mb'] / row['seconds']:8.1f}" if row["seconds"] and row["mb"] else " " * 8
        lines.append(
            f"({row['section']}) {row['name']:56} {row['seconds']:8.2f} {rate}  "
            f"{row.get('target', ''):>18} {row.get('verdict', ''):2} {row.get('note', '')}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a 30 MB corpus: a few minutes")
    parser.add_argument("--mb", type=float, default=None, help="text megabytes (default 300)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child-job", help=argparse.SUPPRESS)
    parser.add_argument("--child-tagging", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_tagging:
        folder, repeat = json.loads(args.child_tagging)
        print(json.dumps(child_tagging(Path(folder), repeat)))
        return
    if args.child_job:
        child_job(json.loads(args.child_job))
        return
    args.mb = args.mb or (30 if args.small else 300)
    folder = generate.write_corpus(generate.default_dir(args.mb, args.seed), args.mb, args.seed)
    rows = tagging_alone(folder, args.repeat)
    print(report(rows, args), flush=True)
    # --small's corpus is one in-memory batch, which a job tags without workers: the job runs
    # on 4x the corpus there, and the memory check on 4x and 16x.
    base = 4 if args.small else 1
    mb = args.mb * base
    rows += full_job(throughput.multiplied(folder, base), mb, args.repeat)
    rows += streaming_memory(folder, args.mb, base, args.repeat)
    print()
    print(report(rows, args))


if __name__ == "__main__":
    main()
