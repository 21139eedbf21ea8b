"""Tagging on worker processes: the same bytes as one process, errors raised as themselves, a
killed worker fails the run, and neither Ctrl-C nor a killed run leaves a process behind.

The workers are real processes (started from a fork server) and the signals are real ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.json as pajson
import pyarrow.parquet as pq
import pytest

import xfilter
import xfilter.engines.local as local
import xfilter.engines.workers as workers_module
from tests.helpers import REPO
from xfilter.engines.inputs import demo_files
from xfilter.engines.local import OutputTagging, tag_for_output
from xfilter.engines.workers import OrderedPool, WorkerError, default_workers
from xfilter.errors import ConfigError

# A guard against a hung process, not a speed limit.
HANG_SECONDS = 120
STRICT = str(REPO / "configs" / "strict.yaml")


@pytest.fixture(scope="module")
def demo() -> pa.Table:
    return pajson.read_json(demo_files()["train"])


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory, demo: pa.Table) -> Path:
    """The demo's records ten times over: several batches of every size the tests use."""
    path = tmp_path_factory.mktemp("input") / "records.parquet"
    pq.write_table(pa.concat_tables([demo] * 10), path)
    return path


@pytest.fixture(scope="module")
def many_records(tmp_path_factory: pytest.TempPathFactory, demo: pa.Table) -> Path:
    """Enough records that a streaming run is still tagging when a test interrupts it."""
    path = tmp_path_factory.mktemp("input") / "many.parquet"
    pq.write_table(pa.concat_tables([demo] * 150), path)
    return path


# -- the pool ---------------------------------------------------------------------------------


@pytest.mark.parametrize("categories", [{}, {"x_embed": "redact"}], ids=["strict", "redact"])
def test_the_pool_answers_in_order_what_one_process_computes(
    demo: pa.Table, categories: dict[str, str]
) -> None:
    xf = xfilter.XFilter(mode="strict", categories=categories)
    tagging = OutputTagging(xf)
    # Batches of unequal sizes, so that workers finish out of step.
    tables = [demo.slice(start, size) for start, size in [(0, 120), (120, 7), (127, 177), (5, 1)]]
    with OrderedPool(tagging, workers=2, depth=3) as pool:
        answers = list(pool.map(tables))
    assert [table for table, _ in answers] == tables
    for table, answer in answers:
        assert tagging.joined(table, answer).equals(tag_for_output(xf, table))
    expected = tagging.whole
    assert ("text" in answers[0][1].column_names) == expected


def test_an_error_inside_a_worker_is_raised_as_itself(demo: pa.Table) -> None:
    with (
        pytest.raises(TypeError, match=r"pyarrow\.lib\.Table"),
        OrderedPool(int, workers=2) as pool,
    ):
        list(pool.map([demo, demo]))
    assert all(not p.is_alive() for p in pool._processes)


def test_a_killed_worker_is_a_worker_error_naming_it(demo: pa.Table) -> None:
    xf = xfilter.XFilter(mode="strict")
    with OrderedPool(OutputTagging(xf), workers=2) as pool:
        answers = pool.map([demo] * 6)
        next(answers)
        victim = pool._processes[1]
        os.kill(victim.pid or 0, signal.SIGKILL)
        with pytest.raises(
            WorkerError, match=rf"worker 1 \(pid {victim.pid}\) was killed by SIGKILL"
        ):
            list(answers)
    assert all(not p.is_alive() for p in pool._processes)


# -- the job ----------------------------------------------------------------------------------


def _hashes(out: Path) -> dict[str, str]:
    """Every file's sha256 (manifest aside) and the manifest without its times and engine."""
    found = {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.suffix == ".parquet"
    }
    manifest = json.loads((out / "manifest.json").read_text())
    volatile = {"created", "started", "manifest_sha256", "engine", "config", "config_sha256"}
    volatile |= {"documents"}
    found["manifest"] = json.dumps({k: v for k, v in manifest.items() if k not in volatile})
    return found


@pytest.mark.slow
@pytest.mark.parametrize("streaming", [False, True], ids=["in-memory", "streaming"])
@pytest.mark.parametrize("categories", [{}, {"x_embed": "redact"}], ids=["strict", "redact"])
def test_two_workers_write_the_bytes_of_one(
    tmp_path: Path,
    records: Path,
    streaming: bool,
    categories: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small batches, so that a small input is many batches; all of them go to the pool.
    monkeypatch.setattr(local, "BATCH_ROWS", 700)
    monkeypatch.setattr(local, "STREAM_BATCH_ROWS", 500)
    monkeypatch.setattr(local.BatchTagging, "wait_for_pool", True)
    monkeypatch.chdir(REPO)
    config = xfilter.XFilter(config=STRICT, categories=categories).config
    outputs = {}
    for workers in (1, 2):
        out = tmp_path / f"workers-{workers}"
        done = xfilter.run(
            config, input=str(records), output=out, streaming=streaming, workers=workers
        )
        assert done.manifest["engine"]["num_proc"] == workers
        outputs[workers] = _hashes(out)
    assert outputs[1] == outputs[2]
    assert len(outputs[1]) >= 5  # clean, quarantine, ledger, index, manifest


@pytest.mark.slow
def test_batches_tagged_here_while_the_workers_start_keep_their_order(
    tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first batches are tagged in the job's process until the pool is up, the rest by
    the pool: the bytes are those of one process whichever batch the switch falls on."""
    monkeypatch.setattr(local, "STREAM_BATCH_ROWS", 100)  # 30 batches
    monkeypatch.chdir(REPO)
    outputs = {}
    for workers in (1, 2):
        out = tmp_path / f"workers-{workers}"
        xfilter.run(STRICT, input=str(records), output=out, streaming=True, workers=workers)
        outputs[workers] = _hashes(out)
    assert outputs[1] == outputs[2]


def test_a_single_batch_is_tagged_without_starting_workers(tmp_path: Path) -> None:
    done = xfilter.run(STRICT, output=tmp_path / "out", workers=2)
    assert done.manifest["engine"]["num_proc"] == 1


def test_every_core_but_one_by_default() -> None:
    cores = workers_module.usable_cores()
    if hasattr(os, "sched_getaffinity"):
        assert cores == len(os.sched_getaffinity(0))
    assert local.resolve_workers(None, None) == default_workers() == max(1, cores - 1)


@pytest.mark.slow
def test_a_machine_of_three_cores_tags_on_two_workers_by_default(
    tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default follows the cores: with three, two workers tag (a real pool), and the
    output is the bytes of one process."""
    monkeypatch.setattr(workers_module, "usable_cores", lambda: 3)
    monkeypatch.setattr(local.BatchTagging, "wait_for_pool", True)
    monkeypatch.chdir(REPO)
    default = xfilter.run(STRICT, input=str(records), output=tmp_path / "default", streaming=True)
    assert default.manifest["engine"]["num_proc"] == 2
    xfilter.run(STRICT, input=str(records), output=tmp_path / "one", streaming=True, workers=1)
    assert _hashes(tmp_path / "default") == _hashes(tmp_path / "one")


def test_num_proc_is_the_older_name_of_workers() -> None:
    assert local.resolve_workers(None, 3) == local.resolve_workers(3, None) == 3


def test_workers_and_num_proc_together_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="num_proc is the older name of workers"):
        xfilter.run(STRICT, output=tmp_path / "o", workers=2, num_proc=2)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("workers", [0, -2, 1.5, True])
def test_a_bad_worker_count_is_a_config_error(tmp_path: Path, workers: Any) -> None:
    with pytest.raises(ConfigError, match=r"workers=.*whole number"):
        xfilter.run(STRICT, output=tmp_path / "o", workers=workers)


# -- real processes, real signals -----------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
        **extra,
    }


def _start(out: Path, source: Path, **env: str) -> subprocess.Popen[str]:
    """The CLI streaming ``source`` on two workers, in a session of its own (as a terminal
    starts a command in a process group of its own)."""
    args = ["run", STRICT, "--input", str(source), "--output", str(out), "--streaming"]
    return subprocess.Popen(
        [sys.executable, "-m", "xfilter", *args, "--num-proc", "2"],
        cwd=REPO,
        env=_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _session(leader: int) -> list[int]:
    """The processes of the session ``leader`` started (their parents may have gone)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == leader and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _wait_for_workers(process: subprocess.Popen[str]) -> None:
    """Until the two workers run (the job, its fork server, resource tracker and workers)."""
    deadline = time.monotonic() + HANG_SECONDS
    while len(_session(process.pid)) < 5:
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the workers never started: {process.communicate()}")
        time.sleep(0.05)


def _wait_until_gone(leader: int) -> list[int]:
    deadline = time.monotonic() + HANG_SECONDS
    while (left := _session(leader)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


# The tests below run the CLI in subprocesses (end to end, so slow) and find its processes by
# their session in /proc.
needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


@pytest.mark.slow
@needs_proc
def test_ctrl_c_stops_the_workers_and_writes_nothing(tmp_path: Path, many_records: Path) -> None:
    out = tmp_path / "out"
    process = _start(out, many_records)
    _wait_for_workers(process)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    _, stderr = process.communicate(timeout=HANG_SECONDS)
    assert process.returncode == 130, stderr
    assert stderr.splitlines() == ["xfilter: interrupted; no output was written"]
    assert not out.exists()
    assert _wait_until_gone(process.pid) == [], "a process outlived the run"


@pytest.mark.slow
@needs_proc
def test_a_worker_killed_mid_job_fails_the_run_with_no_output(
    tmp_path: Path, many_records: Path
) -> None:
    out = tmp_path / "out"
    process = _start(out, many_records)
    _wait_for_workers(process)
    victim = _workers(process.pid)[0]
    os.kill(victim, signal.SIGKILL)
    _, stderr = process.communicate(timeout=HANG_SECONDS)
    assert process.returncode == 2, stderr
    [line] = stderr.splitlines()
    assert line.startswith("xfilter: error: tagging worker ") and f"(pid {victim})" in line
    assert "was killed by SIGKILL" in line and "no output was written" in line
    assert [p.name for p in tmp_path.iterdir()] == [], "a work directory was left behind"
    assert _wait_until_gone(process.pid) == []


def _workers(leader: int) -> list[int]:
    """The job's workers: the children of its fork server."""
    parent = {pid: _parent(pid) for pid in _session(leader)}
    servers = {
        pid
        for pid, ppid in parent.items()
        if ppid == leader and b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    }
    return sorted(pid for pid, ppid in parent.items() if ppid in servers)


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@pytest.mark.slow
@needs_proc
def test_a_killed_run_leaves_no_worker_behind(tmp_path: Path, many_records: Path) -> None:
    out = tmp_path / "out"
    process = _start(out, many_records)
    _wait_for_workers(process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=HANG_SECONDS)
    assert process.returncode == -signal.SIGKILL
    assert _wait_until_gone(process.pid) == [], "workers outlived their killed run"
    assert not out.exists()  # its work directory stays: the next run beside it removes it


# -- a warm start ---------------------------------------------------------------------------


def _lazily_built(table: pa.Table) -> pa.Table:
    """Run in a worker before it tags anything: how many of detection's lazily built parts
    the worker already holds (inherited from the fork server)."""
    from xfilter.detect import dates, embeds, interface, registry_file

    built = [
        interface._header.cache_info().currsize,
        interface._stamp.cache_info().currsize,
        embeds._date.cache_info().currsize,
        dates.month_pattern.cache_info().currsize,
        registry_file.builtin.cache_info().currsize,
    ]
    return pa.table({"built": built})


def test_workers_start_with_detection_already_built(demo: pa.Table) -> None:
    """The fork server builds detection's lazy parts once (``engines.preload``); a worker
    forked from it holds them before its first batch, instead of building them then."""
    with OrderedPool(_lazily_built, workers=2) as pool:
        answers = [answer for _, answer in pool.map([demo.slice(0, 1)] * 2)]
    for answer in answers:
        assert all(size >= 1 for size in answer.column("built").to_pylist())


def test_a_fault_point_set_for_the_job_does_not_kill_the_fork_server_warming_up(
    tmp_path: Path,
) -> None:
    """The fork server warms up by tagging the demo, which passes the scan's fault point; a
    fault meant for the job's own tagging must not end the server before any worker starts."""
    script = (
        "import pyarrow as pa\n"
        "from xfilter.engines.workers import OrderedPool\n"
        "from tests.engines.test_workers import _lazily_built\n"
        "if __name__ == '__main__':\n"
        "    with OrderedPool(_lazily_built, workers=1) as pool:\n"
        "        answers = [a for _, a in pool.map([pa.table({'x': [1]})])]\n"
        "    print(answers[0].column('built').to_pylist())\n"
    )
    path = tmp_path / "pool.py"
    path.write_text(script)
    done = subprocess.run(
        [sys.executable, str(path)],
        cwd=REPO,
        env=_env(XFILTER_FAULT="scan", XFILTER_FAULT_SIGNAL="SIGKILL", PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert all(size >= 1 for size in json.loads(done.stdout.strip().splitlines()[-1]))
