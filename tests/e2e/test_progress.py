"""Progress bars as a user sees them on stderr: the total, the rate and the time left where the
number of records is known, for ``run`` (in memory and streaming) and ``scan``; none at all
when ``TQDM_DISABLE`` or ``datasets``' own switch turns bars off."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.helpers import REPO

ROWS = 5
# "xfilter: train: 100%|██████████| 5/5 [00:01<00:00,  3.41 rows/s]": done of total, elapsed <
# time left, rate.
BAR = re.compile(rf"{ROWS}/{ROWS} \[\d\d:\d\d<\d\d:\d\d, +[\d.]+ rows/s\]")
# Any bar, of xfilter or of datasets (which reports "examples/s").
ANY_BAR = re.compile(r"\d+(/\d+)? \[\d\d:\d\d|it/s|rows/s|examples/s")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("progress") / "data"
    folder.mkdir()
    texts = ["hello", "https://x.com/jack/status/20", "a", "b", "c"]
    pq.write_table(pa.table({"text": texts[:3]}), folder / "train-00000-of-00002.parquet")
    pq.write_table(pa.table({"text": texts[3:]}), folder / "train-00001-of-00002.parquet")
    return folder


def _xfilter(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TQDM_DISABLE", "HF_DATASETS_DISABLE_PROGRESS_BARS")
    }
    done = subprocess.run(
        [sys.executable, "-m", "xfilter", *args],
        cwd=REPO,
        env={**base, "HF_HUB_OFFLINE": "1", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done


def _commands(source: Path, out: Path) -> dict[str, list[str]]:
    run = ["run", "configs/strict.yaml", "--input", str(source), "--overwrite"]
    return {
        "run": [*run, "--output", str(out / "in-memory")],
        "run --streaming": [*run, "--streaming", "--output", str(out / "streaming")],
        "scan": ["scan", str(source)],
    }


@pytest.mark.parametrize("command", ["run", "run --streaming", "scan"])
def test_a_bar_shows_the_total_rate_and_time_left(
    source: Path, tmp_path: Path, command: str
) -> None:
    done = _xfilter(*_commands(source, tmp_path)[command], env={})
    label = "xfilter scan: train" if command == "scan" else "xfilter: train"
    lines = [line for line in re.split(r"[\r\n]", done.stderr) if line.startswith(label)]
    assert lines, done.stderr
    assert BAR.search(lines[-1]), lines[-1]
    assert "100%" in lines[-1]


@pytest.mark.parametrize(
    "switch", [{"TQDM_DISABLE": "1"}, {"HF_DATASETS_DISABLE_PROGRESS_BARS": "1"}]
)
def test_either_switch_hides_every_bar(source: Path, tmp_path: Path, switch: dict) -> None:
    for args in _commands(source, tmp_path).values():
        done = _xfilter(*args, env=switch)
        assert not ANY_BAR.search(done.stderr), (args, done.stderr)
        assert re.search(rf"\b{ROWS}\b", done.stdout)  # it ran, and counted every record
