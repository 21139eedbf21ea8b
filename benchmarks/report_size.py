"""How big and how quick ``xfilter report`` is on a large output.

    python benchmarks/report_size.py [--records 1000000] [--x-share 0.3] [--out DIR]

Generates ``--records`` short web-like records (a share ``--x-share`` of them carrying X
content in varied forms, so the ledger and the quarantine set are large), runs xfilter on
them under strict with ``action: quarantine`` (the largest ledger and quarantine set a policy
writes), then times ``write_report`` on the output in a fresh process and prints the page's
size. When Chromium is installed it also opens the page headless and prints how long the page
took to load, and whether it made any request or logged any error.

The default ``DIR`` is in the system temp folder, so nothing generated is ever committed; the
run's output is kept there for a second measurement (``--reuse``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]

_PROSE = (
    "the of and to in a is that for it as was with be by on not this are from at which have "
    "an they you were her there one all we their has been would more when will can said about "
    "what so up out into time could only new some these two may first then do any like now "
    "over such our even most made after also did many before must through back years where "
    "much your way well down should because each just those people how too little state good "
    "very make world still own see work long get here between both life being under never day "
    "same another know while last might great old year off come since against go came right "
    "used take three small large next early public important during without government system "
    "program business level water development social community market report research service"
)
_WORDS = _PROSE.split()
# X content in the forms the detectors know, one per record that has any; {h}: a handle,
# {n}: a post id, {s}: a short code.
_X_FORMS = (
    "Read it here https://twitter.com/{h}/status/{n} and tell us what you think.",
    "See the photo pic.twitter.com/{s} shared this morning.",
    "Our statement: https://t.co/{s}",
    "Thanks to everyone who came out today pic.twitter.com/{s} — Jo Bloggs (@{h}) May 5, 2021",
    '<blockquote class="twitter-tweet"><p lang="en">Big day today</p>&mdash; Name (@{h}) '
    '<a href="https://twitter.com/{h}/status/{n}">March 3, 2020</a></blockquote>',
    "Update via https://x.com/{h}/status/{n} from the team.",
    "End of Twitter post by @{h}",
)
_MENTIONS = ("Follow us on Twitter for updates.", "Share on Twitter")


def generate(records: int, x_share: float, seed: int, out: Path) -> Path:
    """A parquet folder of ``records`` rows: ``id``, ``url``, ``text``."""
    rng = np.random.default_rng(seed)
    words = np.array(_WORDS)
    kinds = rng.random(records)
    forms = rng.integers(0, len(_X_FORMS), records)
    texts = []
    for i in range(records):
        body = " ".join(rng.choice(words, int(rng.integers(20, 60)))).capitalize() + "."
        if kinds[i] < x_share:
            handle = f"user{int(rng.integers(1, 50_000))}"
            post = int(rng.integers(10**17, 10**18))
            code = "".join(rng.choice(list("abcdefghijkLMNOPQ0123456789"), 10))
            body += " " + _X_FORMS[forms[i]].format(h=handle, n=post, s=code)
        elif kinds[i] < x_share + 0.05:
            body += " " + _MENTIONS[forms[i] % len(_MENTIONS)]
        texts.append(body)
    table = pa.table(
        {
            "id": [f"doc-{i:08d}" for i in range(records)],
            "url": [f"https://example{i % 997}.org/page/{i}" for i in range(records)],
            "text": texts,
        }
    )
    data = out / "input" / "data"
    data.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, data / "train-00000-of-00001.parquet", row_group_size=50_000)
    return data.parent


def _timed_report(output: Path, html: Path, verify: str) -> float:
    """``write_report`` in a fresh process (imports not counted), in seconds."""
    code = (
        "import sys, time\n"
        "from xfilter.report import write_report\n"
        "import xfilter.report.build, xfilter.transform\n"
        "started = time.perf_counter()\n"
        "write_report(sys.argv[1], sys.argv[2], verify=sys.argv[3])\n"
        "print(time.perf_counter() - started)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(output), str(html), verify],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--x-share", type=float, default=0.3, help="records with X content")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="folder (default: temp dir)")
    parser.add_argument("--reuse", action="store_true", help="keep an output already there")
    args = parser.parse_args()
    base = args.out or Path(tempfile.gettempdir()) / f"xfilter-report-{args.records}"
    output = base / "output"
    if not (args.reuse and (output / "manifest.json").is_file()):
        import xfilter
        from xfilter.config import build_config

        started = time.perf_counter()
        source = generate(args.records, args.x_share, args.seed, base)
        print(f"generated {args.records:,} records in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        config = {
            "mode": "strict",
            "action": "quarantine",
            "input": {"source": str(source)},
            "ledger": {"identity": ["id"]},
            "output": {"dir": str(output)},
        }
        xfilter.run(build_config(config), overwrite=True)
        print(f"xfilter run: {time.perf_counter() - started:.1f} s")
    manifest = pq.read_metadata(output / "ledger.parquet")
    html = base / "output-report.html"
    alone = _timed_report(output, html, "none")
    seconds = _timed_report(output, html, "quick")
    size = html.stat().st_size
    quarantine = sum(p.stat().st_size for p in (output / "quarantine").rglob("*.parquet"))
    print(f"records: {args.records:,}; ledger rows: {manifest.num_rows:,}")
    print(f"quarantine set on disk: {quarantine / 2**20:,.1f} MiB")
    print(f"report built in {alone:.2f} s without verify, {seconds:.2f} s with a quick verify")
    print(f"page: {size / 2**10:,.0f} KiB")
    sys.path.insert(0, str(REPO))
    from tests.report.chromium import chromium_path, open_page

    if chromium_path() is None:
        print("no Chromium here: page load not measured")
        return
    with open_page(html) as page:
        marks = page.evaluate("document.querySelectorAll('pre mark').length")
        bars = page.evaluate("document.querySelectorAll('svg.chart rect.bar').length")
        print(
            f"headless Chromium: loaded in {page.load_seconds:.2f} s; {bars} bars, {marks} "
            f"marks; requests besides the page: {len(page.requests) - 1}; "
            f"errors: {len(page.errors)}"
        )


if __name__ == "__main__":
    main()
