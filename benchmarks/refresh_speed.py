"""Refresh against a full re-run, measured side by side in one run.

    python benchmarks/refresh_speed.py [--mb 3300] [--shard-mb 16] [--small] [--keep-outputs]

Generates (once, seeded) the web-text corpus of ``benchmarks/generate.py``, runs the
collaborator mode on it into an output of many shards (``output.shard_mb``; by default
3,300 MB of text, whose output takes just over 1 GiB of zstd parquet in about 80 shards),
then times:

  (a) a full re-run: ``xfilter.run`` on the same input with the grown opt-out list;
  (b) a refresh that touches one clean shard: the opt-out of one author whose kept records all
      sit in one shard (or, when no such author exists, the deletion of one kept post);
  (c) a refresh that touches every clean shard: the deletion of one kept post in each.

Each job runs in a fresh process (start-up excluded from its time) whose peak RSS is read
from ``/proc/self/status``. The refreshes include their check that the earlier output
verifies (every file hashed). Printed: the times, their ratios to (a) beside the targets
(≤ 10 % and ≤ 50 %), how many data files each refresh carried over byte-identical, and the
peak RSS of each job. ``--small`` keeps the whole run to a minute or two. The outputs are
removed at the end unless ``--keep-outputs`` is given; the generated corpus stays for the
next run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scratch

_SCRATCH = scratch.folder()  # this run's datasets cache and outputs, removed at exit
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

import generate  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

TARGETS = {"one shard": 0.10, "every shard": 0.50}


def _peak_rss_mb() -> float:
    """This process's peak resident memory. ``VmHWM`` is this program's own (``ru_maxrss``
    keeps the peak of the parent it was forked from across ``exec``); elsewhere the latter."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(job: dict[str, Any]) -> None:
    """Run one job in this process; print its time and peak RSS as JSON. Module imports are
    start-up, left out of the time for both kinds of job."""
    import datasets  # noqa: F401
    import pyarrow.dataset  # noqa: F401

    import xfilter
    import xfilter.engines.local
    import xfilter.engines.refresh
    import xfilter.output.verify
    from xfilter.config import build_config

    started = time.perf_counter()
    if job["kind"] == "run":
        xfilter.run(build_config(job["config"]), overwrite=True)
    else:
        xfilter.refresh(
            job["out"],
            output=job["output"],
            opt_out=job.get("opt_out"),
            deleted=job.get("deleted", []),
            overwrite=True,
        )
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_rss_mb()}))


def _measure(job: dict[str, Any]) -> dict[str, Any]:
    """``job`` run in a fresh Python process: its time and peak RSS."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(job)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _config(source: Path, opt_out: Path, out: Path, shard_mb: int) -> dict[str, Any]:
    return {
        "mode": "collaborator",
        "action": "drop",
        "input": {"source": str(source)},
        "opt_out": {"path": str(opt_out), "unknown_author": "quarantine"},
        "output": {"dir": str(out), "shard_mb": shard_mb},
    }


def _opt_out(path: Path, handles: list[str]) -> Path:
    path.write_text("id,handle\n" + "".join(f",{h}\n" for h in handles), encoding="utf-8")
    return path


def _manifest(out: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def _clean_shard_of(out: Path) -> dict[tuple[str, int], int]:
    """For each kept record (split, clean_row): the number of its clean file."""
    where: dict[tuple[str, int], int] = {}
    files = [e for e in _manifest(out)["outputs"]["files"] if e["set"] == "clean"]
    starts: dict[str, int] = {}
    for number, entry in enumerate(sorted(files, key=lambda e: e["path"])):
        start = starts.get(entry["split"], 0)
        for position in range(start, start + entry["rows"]):
            where[(entry["split"], position)] = number
        starts[entry["split"]] = start + entry["rows"]
    return where


def _pick(out: Path) -> tuple[list[str], list[str]]:
    """An author whose kept records sit in one clean file (none: empty), and one kept post
    id per clean file."""
    where = _clean_shard_of(out)
    index = pq.read_table(out / "x_index.parquet").to_pylist()
    kept = [r for r in index if r["clean_row"] is not None]
    files_of: dict[str, set[int]] = {}
    for row in index:
        for handle in row["handles"]:
            shard = where.get((row["split"], row["clean_row"]), -1)  # -1: not kept
            files_of.setdefault(handle, set()).add(shard)
    single = sorted(h for h, shards in files_of.items() if len(shards) == 1 and -1 not in shards)
    per_file: dict[int, str] = {}
    for row in kept:
        if row["post_ids"]:
            per_file.setdefault(where[(row["split"], row["clean_row"])], row["post_ids"][0])
    return single[:1], [per_file[n] for n in sorted(per_file)]


def _deleted(path: Path, posts: list[str]) -> Path:
    lines = [{"id": p, "action": "delete", "reason": "deleted"} for p in posts]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def _carried(old: Path, new: Path) -> tuple[int, int]:
    """(data files of ``new`` with the same name and sha256 as in ``old``, all of them)."""
    before = {e["path"]: e["sha256"] for e in _manifest(old)["outputs"]["files"]}
    after = {e["path"]: e["sha256"] for e in _manifest(new)["outputs"]["files"]}
    same = sum(before.get(path) == sha for path, sha in after.items())
    return same, len(after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=3300, help="text megabytes (default 3300)")
    parser.add_argument("--shard-mb", type=int, default=16, help="output.shard_mb (default 16)")
    parser.add_argument("--small", action="store_true", help="64 MB input, 4 MB shards")
    parser.add_argument("--keep-outputs", action="store_true", help="leave the outputs on disk")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(json.loads(args.child))
        return
    mb, shard_mb = (64.0, 4) if args.small else (args.mb, args.shard_mb)
    work = _SCRATCH / "work"
    if args.keep_outputs:
        work = Path(tempfile.mkdtemp(prefix="xfilter-refresh-bench-"))
    work.mkdir(exist_ok=True)
    source = generate.write_corpus(generate.default_dir(mb, 0), mb)
    v1 = work / "v1"
    listed = _opt_out(work / "opt-out-v1.csv", ["twitterdev"])
    first = _measure({"kind": "run", "config": _config(source, listed, v1, shard_mb)})
    files = _manifest(v1)["outputs"]["files"]
    size = sum((v1 / e["path"]).stat().st_size for e in files) / 2**20
    clean = sum(e["set"] == "clean" for e in files)
    print(f"input: {source} ({mb:g} MB of text); output v1: {len(files)} data files ")
    print(f"({clean} clean), {size:.0f} MiB on disk; first run {first['seconds']:.1f} s")
    print(f"one shard touched = {1 / clean:.1%} of the clean shards")

    author, posts = _pick(v1)
    grown = _opt_out(work / "opt-out-v2.csv", ["twitterdev", *author])
    one: dict[str, Any] = {"kind": "refresh", "out": str(v1), "output": str(work / "one")}
    if author:
        one["opt_out"] = str(grown)
        what = f"opt-out of one author (@{author[0]})"
    else:
        one["deleted"] = [str(_deleted(work / "posts-one.jsonl", posts[:1]))]
        what = "deletion of one kept post"
    every = {
        "kind": "refresh",
        "out": str(v1),
        "output": str(work / "every"),
        "deleted": [str(_deleted(work / "posts-every.jsonl", posts))],
    }
    rerun = {"kind": "run", "config": _config(source, grown, work / "rerun", shard_mb)}
    rows = [
        ("full re-run", _measure(rerun), None),
        ("one shard", _measure(one), work / "one"),
        ("every shard", _measure(every), work / "every"),
    ]
    print(f"one shard: {what}; every shard: deletion of {len(posts)} posts, one per clean file")
    base = rows[0][1]["seconds"]
    print(f"{'job':<14}{'time s':>9}{'ratio':>8}{'target':>8}{'carried':>14}{'peak RSS MB':>13}")
    for name, result, out in rows:
        ratio = result["seconds"] / base
        target = f"≤{TARGETS[name]:.0%}" if name in TARGETS else ""
        carried = "{}/{}".format(*_carried(v1, out)) if out is not None else ""
        print(
            f"{name:<14}{result['seconds']:>9.2f}{ratio:>8.1%}{target:>8}{carried:>14}"
            f"{result['peak_mb']:>13.0f}"
        )
    kept = {n: _manifest(p)["splits"]["train"]["kept"] for n, p in (("rerun", work / "rerun"),)}
    refreshed = _manifest(work / "one")["splits"]["train"]["kept"]
    if author:
        print(f"kept records: full re-run {kept['rerun']}, refresh {refreshed} (same list)")
    if args.keep_outputs:
        print(f"outputs in {work} (delete when done)")


if __name__ == "__main__":
    main()
