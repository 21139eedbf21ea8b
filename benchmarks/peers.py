"""xfilter beside its peers, measured side by side in one run.

    python benchmarks/peers.py [--small] [--mb 100] [--repeat 3] [--cpus N]

On the web-text corpus of ``benchmarks/generate.py`` (seeded; ~2 % X content), one table:

  (a) the naive filter: ``ds.filter`` per example with Python ``re`` over what a user would
      write for the same signals (X hosts and URL forms, "tweet"/"twitter", "(@handle)"): 1x;
  (p) datatrove's own filters over datatrove ``Document``s, per document, as a datatrove
      pipeline runs them (``filter.run``): ``URLFilter`` dropping X's domains, ``RegexFilter``
      with the naive text pattern, and the two in a row (the naive filter's decisions);
  (b) the bare scan of xfilter's text prefilter over the text column, on each engine: one
      pass of the pattern and nothing else, the practical limit of any filter built on it;
  (d) ``ds.filter(xf.keep, batched=True)`` and ``ds.map(xf, batched=True)`` in strict mode,
      on each installed engine.

Each rate is MB/s of the ``text`` column's UTF-8 bytes; each time is the best of
``--repeat`` rounds, every pass running twice a round (each the same number of times, so that
none has more chances to meet a quiet moment), so that passes compared with each other run
close together. Read the ratios, not the rates: the machine (stated in the first lines)
is shared and its speed moves between runs, but every row here ran under the same conditions.
The slow rows (a, p) run over the corpus's first rows only. ``--cpus N`` runs the whole table
on the first N usable CPUs (the process re-executes itself pinned to them, so xfilter's scan
threads see N): the same table at 1 and at 2 CPUs shows which ratios grow with cores.
``benchmarks/throughput.py`` builds on this table: kernels, the whole job, memory and
``num_proc``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scratch

scratch.folder()  # this run's datasets cache, removed at exit
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

import datasets  # noqa: E402
import generate  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

import xfilter  # noqa: E402
from xfilter.engines.workers import usable_cores  # noqa: E402
from xfilter.tagging import prefilter as engines  # noqa: E402
from xfilter.tagging.scan import STRONG_TEXT_PREFILTER, TEXT_PREFILTER  # noqa: E402

# What a user would write for the same signal families (X hosts and URL forms,
# "tweet"/"twitter", the "(@handle)" of an attribution), literal-led so that Python re runs as
# fast as a hand-written filter does. The datatrove rows use the same text pattern and the same
# hosts, so the naive filter and datatrove's pipeline make the same decisions.
NAIVE_TEXT = r"twitter|tweet|x\.com/|t\.co/|twimg\.com|\(@\w"
NAIVE_URL = r"(?:^|[/.])(?:twitter|x)\.com(?:/|$)"
X_DOMAINS = ("twitter.com", "x.com", "t.co", "twimg.com")
KEEP = "ds.filter(xf.keep, batched=True)"
BARE = "bare scan of the text prefilter"
BARE_STRONG = "bare scan of the strong prefilter"
MAP = "ds.map(xf, batched=True)"


@dataclass
class Row:
    section: str
    name: str
    engine: str
    seconds: float
    mb: float
    target: str = ""
    verdict: str = ""
    note: str = ""

    @property
    def rate(self) -> float:
        return self.mb / self.seconds if self.seconds and self.mb else float("nan")


def best_of(repeat: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def text_mb(table: pa.Table) -> float:
    column = table.column("text")
    return sum(pc.sum(pc.binary_length(c)).as_py() or 0 for c in column.chunks) / 1e6


def installed_engines() -> list[str]:
    return ["re2", "hyperscan"] if engines.hyperscan_available() else ["re2"]


class engine_env:
    """Run a block under ``XFILTER_ENGINE=name`` (the engine reads it on every call)."""

    def __init__(self, name: str) -> None:
        self.name, self.old = name, os.environ.get(engines.ENV_VAR)

    def __enter__(self) -> None:
        os.environ[engines.ENV_VAR] = self.name

    def __exit__(self, *_: object) -> None:
        if self.old is None:
            os.environ.pop(engines.ENV_VAR, None)
        else:
            os.environ[engines.ENV_VAR] = self.old


def load(folder: Path) -> datasets.Dataset:
    files = sorted(str(p) for p in (folder / "data").glob("*.parquet"))
    return datasets.load_dataset("parquet", data_files=files, split="train")


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine() -> str:
    """The machine and software the numbers were measured on, for the first lines."""
    model, flags = platform.processor() or "unknown CPU", ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model in ("unknown CPU", platform.processor()):
                model = value.strip()
            if key.strip() == "flags" and not flags:
                have = set(value.split())
                flags = "/".join(f for f in ("avx2", "avx512f") if f in have) or "no AVX2"
    return (
        f"{usable_cores()} of {os.cpu_count()} CPUs in use "
        f"({model}{', ' + flags if flags else ''}), "
        f"load average {os.getloadavg()[0]:.1f}; {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}; xfilter {xfilter.__version__}, "
        f"pyarrow {pa.__version__}, datasets {datasets.__version__}, "
        f"hyperscan {_package('hyperscan')}, datatrove {_package('datatrove')}"
    )


# ------------------------------------------------------------------------------------------
# The peers


def naive_filter(ds: datasets.Dataset) -> Callable[[], Any]:
    text_re = re.compile(NAIVE_TEXT, re.IGNORECASE)
    url_re = re.compile(NAIVE_URL, re.IGNORECASE)

    def run() -> Any:
        return ds.filter(
            lambda r: not (text_re.search(r["text"] or "") or url_re.search(r["url"] or "")),
            load_from_cache_file=False,
        )

    return run


def datatrove_filters() -> dict[str, Callable[[list[Any]], list[Any]]] | None:
    """datatrove's URL and regex filters, alone and in a row, each as a function from a list
    of ``Document``s to the documents it keeps; None without datatrove.

    ``URLFilter`` drops a document whose ``metadata["url"]`` is on X's domains (its own block
    lists are for adult content, so they are off); it splits URLs with tldextract, here on the
    public-suffix list bundled with it (no network). ``RegexFilter`` drops a document whose
    text matches the naive text pattern.
    """
    try:
        from datatrove.pipeline.filters import RegexFilter, URLFilter
        from tldextract import TLDExtract
    except ImportError:
        return None

    def url_filter() -> Any:
        step = URLFilter(extra_domains=X_DOMAINS, use_integrated_lists=False)
        step.tldextractor = TLDExtract(suffix_list_urls=())  # the bundled snapshot
        return step

    def regex_filter() -> Any:
        return RegexFilter(regex_exp=f"(?i){NAIVE_TEXT}")

    def run(*steps: Callable[[], Any]) -> Callable[[list[Any]], list[Any]]:
        def pipeline(documents: list[Any]) -> list[Any]:
            stream: Any = iter(documents)
            for step in steps:
                stream = step().run(stream)
            return list(stream)

        return pipeline

    return {
        "datatrove URLFilter (X domains)": run(url_filter),
        "datatrove RegexFilter (naive text pattern)": run(regex_filter),
        "datatrove URLFilter, then RegexFilter": run(url_filter, regex_filter),
    }


def documents(table: pa.Table) -> list[Any]:
    from datatrove.data import Document

    texts, urls = table["text"].to_pylist(), table["url"].to_pylist()
    return [
        Document(text=t or "", id=str(i), metadata={"url": u or ""})
        for i, (t, u) in enumerate(zip(texts, urls, strict=True))
    ]


# ------------------------------------------------------------------------------------------


def measure(ds: datasets.Dataset, repeat: int, peer_rows: int) -> list[Row]:
    """The peers table: (a), (p), (b), (d).

    Every pass runs twice per round, the rounds one after another, and each row keeps its
    best time: a pass and the pass it is compared with run minutes apart at most, never a
    whole table apart, so a change in the machine's speed meanwhile (other tenants) reaches
    both alike.
    """
    table = ds.data.table
    mb = text_mb(table)
    text = table.column("text").combine_chunks()
    head = ds.select(range(min(len(ds), peer_rows)))
    head_table = table.slice(0, len(head))
    head_mb = text_mb(head_table)
    timed: list[tuple[Row, Callable[[], Any], str | None]] = []

    kept = len(naive_filter(head)())
    row = Row("a", "naive ds.filter, Python re per example", "re", 0, head_mb)
    row.note = f"first {len(head):,} rows; drops {1 - kept / len(head):.1%}"
    timed.append((row, naive_filter(head), None))

    filters = datatrove_filters()
    if filters is None:
        timed.append((Row("p", "datatrove filters", "-", 0, 0), lambda: None, None))
        timed[-1][0].note = "datatrove is not installed"
    else:
        docs = documents(head_table)
        for name, pipeline in filters.items():
            kept = len(pipeline(docs))
            row = Row("p", name, "re", 0, head_mb)
            row.note = f"per Document; drops {1 - kept / len(docs):.1%}"
            timed.append((row, lambda pipeline=pipeline: pipeline(docs), None))  # type: ignore[misc]

    for engine in installed_engines():
        with engine_env(engine):
            row = Row("b", BARE, engine, 0, mb)
            row.note = "one pass over the text column, nothing else"
            timed.append((row, bare_scan(text, engine), engine))
            row = Row("b", BARE_STRONG, engine, 0, mb)
            row.note = "the part of the text prefilter that xf.keep scans in strict mode"
            timed.append((row, bare_scan(text, engine, STRONG_TEXT_PREFILTER), engine))
    xf = xfilter.XFilter(mode="strict")
    for engine in installed_engines():
        with engine_env(engine):
            xf.tag_table(table.slice(0, 100))  # compile outside the timing
            kept = len(ds.filter(xf.keep, batched=True, load_from_cache_file=False))
        row = Row("d", KEEP, engine, 0, mb)
        row.note = f"strict; drops {1 - kept / len(ds):.1%}"
        timed.append(
            (row, lambda: ds.filter(xf.keep, batched=True, load_from_cache_file=False), engine)
        )
        row = Row("d", MAP, engine, 0, mb)
        timed.append((row, lambda: ds.map(xf, batched=True, load_from_cache_file=False), engine))

    best: dict[int, float] = {}
    for _ in range(repeat):
        for index, (row, run, pass_engine) in enumerate(timed):
            if not row.mb:  # a peer that is not installed
                continue
            with engine_env(pass_engine) if pass_engine else nullcontext():
                seconds = best_of(2, run)
            best[index] = min(best.get(index, seconds), seconds)
    for index, (row, _, _) in enumerate(timed):
        row.seconds = best.get(index, 0.0)
    return [row for row, _, _ in timed]


def bare_scan(text: pa.Array, engine: str, pattern: str = TEXT_PREFILTER) -> Callable[[], Any]:
    """One pass of the text prefilter over ``text`` and nothing else: Arrow's RE2, or the
    whole data buffer through the compiled Hyperscan database (no row boundaries)."""
    if engine == "re2":
        return lambda: pc.match_substring_regex(text, pattern, ignore_case=True)
    import hyperscan

    from xfilter.tagging.prefilter import hyperscan as hs_engine

    compiled = hs_engine.compile_pattern(pattern)
    assert compiled is not None
    data, scratch = text.buffers()[2], hyperscan.Scratch(compiled.database)

    def scan() -> None:
        compiled.database.scan(  # type: ignore[type-var]  # vectored: a list of buffers
            [data], match_event_handler=lambda *_: None, scratch=scratch
        )

    return scan


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def judge(rows: list[Row]) -> None:
    """Targets: ``ds.filter(xf.keep)`` at 25x the naive filter and datatrove's, and 0.6x the
    bare scan of its engine; ``ds.map(xf)`` at 10x the naive filter."""
    baseline = rows[0].rate
    peers = [r.rate for r in rows if r.section == "p" and r.mb]
    bare = {r.engine: r.rate for r in rows if r.name == BARE}
    strong = {r.engine: r.rate for r in rows if r.name == BARE_STRONG}
    for row in rows:
        if row.name == KEEP:
            fastest_peer = max([baseline, *peers])
            ok = row.rate >= 25 * fastest_peer and row.rate >= 0.6 * bare[row.engine]
            row.target, row.verdict = ">= 25x (a) and (p); >= 0.6x (b)", mark(ok)
            if row.engine in strong:
                row.note += f"; {row.rate / strong[row.engine]:.2f}x the strong prefilter's scan"
        elif row.name == MAP:
            row.target, row.verdict = ">= 10x (a)", mark(row.rate >= 10 * baseline)


def report(rows: list[Row], header: list[str]) -> str:
    baseline = rows[0].rate
    bare = {r.engine: r.rate for r in rows if r.name == BARE}
    fastest_bare = max(bare.values())
    lines = [
        *header,
        "",
        "| | pass | engine | s | MB/s | vs (a) | vs (b) | target | met | note |",
        "|---|---|---|---:|---:|---:|---:|---|---|---|",
    ]
    for r in rows:
        rate, ratio, of_bare = "-", "-", "-"
        if r.mb and r.seconds:
            rate, ratio = f"{r.rate:,.0f}", f"{r.rate / baseline:,.1f}x"
            if r.section in ("a", "p", "b", "b/c", "d"):  # passes over the same column
                of_bare = f"{r.rate / bare.get(r.engine, fastest_bare):.2f}x"
        lines.append(
            f"| {r.section} | {r.name} | {r.engine} | {r.seconds:.2f} | {rate} | {ratio} | "
            f"{of_bare} | {r.target} | {r.verdict} | {r.note} |"
        )
    lines.append("")
    lines.append(
        "vs (b): against the bare scan on the same engine (the fastest one for rows of other "
        "engines)."
    )
    return "\n".join(lines)


def pin(cpus: int) -> None:
    """Run this process on its first ``cpus`` usable CPUs: re-executed under that affinity
    (inherited across ``exec``), so that everything imported sizes its threads for them."""
    if not hasattr(os, "sched_setaffinity"):
        raise SystemExit(f"--cpus {cpus}: {platform.system()} has no CPU affinity to pin to")
    usable = sorted(os.sched_getaffinity(0))
    if not 1 <= cpus <= len(usable):
        raise SystemExit(f"--cpus {cpus}: this machine has {len(usable)} usable CPUs")
    if len(usable) == cpus:
        return
    os.sched_setaffinity(0, usable[:cpus])
    os.execv(sys.executable, [sys.executable, *sys.argv])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a 40 MB corpus, for CI")
    parser.add_argument("--mb", type=float, default=None, help="text MB (default 100)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="best of N (default 3)")
    parser.add_argument("--peer-rows", type=int, default=None, help="rows for (a) and (p)")
    parser.add_argument("--cpus", type=int, default=None, help="run on the first N CPUs")
    args = parser.parse_args()
    if args.cpus is not None:
        pin(args.cpus)
    args.mb = args.mb or (40 if args.small else 100)
    args.peer_rows = args.peer_rows or (4000 if args.small else 12000)
    folder = generate.write_corpus(generate.default_dir(args.mb, args.seed), args.mb, args.seed)
    rows = measure(load(folder), args.repeat, args.peer_rows)
    judge(rows)
    header = [
        f"machine: {machine()}",
        f"corpus: {args.mb:g} MB of generated web text (seed {args.seed}); best of "
        f"{args.repeat} rounds of 2",
    ]
    print(report(rows, header))


if __name__ == "__main__":
    main()
