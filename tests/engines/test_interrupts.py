"""Ctrl-C stops a run cleanly whatever the engine; engine settings and Ray failures are one line.

A Ctrl-C must end a run with exit 130, one line on stderr and no thread still running, also when
it lands inside a Hyperscan scan or a second one lands while the first is being cleaned up. A
bad ``XFILTER_*`` variable, and any failure on the Ray engine, is one ``xfilter: error:`` line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
import pytest

from tests.helpers import REPO, run_cli
from xfilter.engines.inputs import demo_files
from xfilter.errors import ConfigError, InputError
from xfilter.threads import Background, prefetch

INTERRUPTED = "xfilter: interrupted; no output was written"
# Ray's own deprecation noise (DataContext.copy re-sets deprecated fields), not xfilter's.
pytestmark = [
    pytest.mark.filterwarnings("ignore:`use_push_based_shuffle` is deprecated"),
    pytest.mark.filterwarnings("ignore:`use_polars` is deprecated"),
    pytest.mark.filterwarnings("ignore:`use_arrow_tensor_v2` is deprecated"),
]
# A guard against a hung process, not a speed limit: a healthy run takes seconds.
HANG_SECONDS = 120


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
        **extra,
    }


def _xfilter(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess; a process still alive after ``HANG_SECONDS`` fails the test."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "xfilter", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=HANG_SECONDS,
        )
    except subprocess.TimeoutExpired as hung:
        pytest.fail(f"xfilter {' '.join(args)} still running after {HANG_SECONDS} s: {hung}")


def _assert_interrupted(done: subprocess.CompletedProcess[str], out: Path) -> None:
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines() == [INTERRUPTED], done.stderr
    assert not out.exists()


# -- Ctrl-C inside a Hyperscan scan ---------------------------------------------------------


@pytest.fixture
def hyperscan_engine() -> Any:
    return pytest.importorskip("xfilter.tagging.prefilter.hyperscan")


def test_ctrl_c_inside_a_hyperscan_match_is_a_keyboard_interrupt(
    hyperscan_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xfilter.tagging.scan import TEXT_PREFILTER

    values = pa.array(["see https://twitter.com/jack/status/20 for it"] * 50)
    assert hyperscan_engine.candidates(values, TEXT_PREFILTER).size == 50
    monkeypatch.setenv("XFILTER_FAULT", "scan")
    monkeypatch.setenv("XFILTER_FAULT_SIGNAL", "SIGINT")
    with pytest.raises(KeyboardInterrupt):
        hyperscan_engine.candidates(values, TEXT_PREFILTER)


@pytest.mark.usefixtures("hyperscan_engine")
@pytest.mark.parametrize("streaming", [False, True], ids=["in-memory", "streaming"])
def test_ctrl_c_during_a_hyperscan_scan_exits_130_with_one_line(
    tmp_path: Path, streaming: bool
) -> None:
    out = tmp_path / "out"
    args = ["run", "configs/strict.yaml", "--output", str(out)]
    env = _env(XFILTER_ENGINE="hyperscan", XFILTER_FAULT="scan", XFILTER_FAULT_SIGNAL="SIGINT")
    done = _xfilter(*args, *(["--streaming"] if streaming else []), env=env)
    _assert_interrupted(done, out)


@pytest.fixture(scope="module")
def many_batches(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 3 MB of the demo's records, repeated: a streaming run writes over 10 batches."""
    demo = pajson.read_json(demo_files()["train"])
    path = tmp_path_factory.mktemp("input") / "records.parquet"
    pq.write_table(pa.concat_tables([demo] * 80), path)
    return path


@pytest.mark.parametrize("engine", ["hyperscan", "re2"])
@pytest.mark.parametrize("streaming", [False, True], ids=["in-memory", "streaming"])
def test_ctrl_c_on_every_batch_written_exits_130_with_one_line(
    tmp_path: Path, many_batches: Path, engine: str, streaming: bool
) -> None:
    """The writer's fault point fires again on each batch it reaches: Ctrl-C pressed repeatedly
    while the run tags (in Hyperscan or RE2), stops, and waits for its threads."""
    if engine == "hyperscan":
        pytest.importorskip("xfilter.tagging.prefilter.hyperscan")
    out = tmp_path / "out"
    args = ["run", "configs/strict.yaml", "--input", str(many_batches), "--output", str(out)]
    env = _env(XFILTER_ENGINE=engine, XFILTER_FAULT="write-clean", XFILTER_FAULT_SIGNAL="SIGINT")
    done = _xfilter(*args, *(["--streaming"] if streaming else []), env=env)
    _assert_interrupted(done, out)
    assert [p.name for p in tmp_path.iterdir()] == [], "a work directory was left behind"


# -- a second Ctrl-C while the first is being cleaned up ------------------------------------


def _main_thread_joining() -> bool:
    """Whether the main thread is waiting in ``Thread.join``."""
    frame = sys._current_frames().get(threading.main_thread().ident or 0)
    while frame is not None:
        if frame.f_code.co_name == "join" and frame.f_code.co_filename == threading.__file__:
            return True
        frame = frame.f_back
    return False


def _press_ctrl_c_while_joining(release: threading.Event) -> threading.Event:
    """A thread that sends SIGINT to the main thread once it waits in a join (as a terminal's
    Ctrl-C may reach it), then lets the awaited work finish a moment later. Every wait is
    bounded: if the join is not seen within five seconds (a loaded machine can keep the main
    thread from reaching it for a second or more), the Ctrl-C is sent anyway (the main thread
    is then in its cleanup, since the work it awaits is blocked until ``release``)."""

    pressed = threading.Event()

    def press() -> None:
        deadline = time.monotonic() + 5.0
        while not _main_thread_joining() and time.monotonic() < deadline:
            time.sleep(0.005)
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
        time.sleep(0.3)  # a join cut short by the Ctrl-C would return now, work unfinished
        release.set()
        pressed.set()

    threading.Thread(target=press, daemon=True).start()
    return pressed


def _wait_for(pressed: threading.Event) -> None:
    """Wait for the pressing thread. A Ctrl-C that the interpreter handles only once the
    cleanup is over may still arrive here; it comes late, not lost, and is not the failure
    these tests look for (cleanup cut short while its threads still run)."""
    deadline = time.monotonic() + HANG_SECONDS
    while time.monotonic() < deadline:
        try:
            if pressed.wait(0.1):
                return
        except KeyboardInterrupt:
            continue
    pytest.fail(f"the pressing thread did not finish within {HANG_SECONDS} s")


def _busy_until(release: threading.Event, finished: list[str]) -> Callable[[], None]:
    def work() -> None:
        release.wait(HANG_SECONDS)
        finished.append("done")

    return work


def test_a_second_ctrl_c_while_stopping_the_reader_still_waits_for_it() -> None:
    release, finished = threading.Event(), list[str]()
    busy = _busy_until(release, finished)

    def items() -> Any:
        yield 1
        busy()  # the reader is inside a read when the consumer stops
        yield 2

    stream = prefetch(items(), name="test-read")
    try:
        with pytest.raises(KeyboardInterrupt):
            try:
                next(stream)
                raise KeyboardInterrupt  # the first Ctrl-C, while the batch is tagged
            finally:
                pressed = _press_ctrl_c_while_joining(release)
                stream.close()
        _wait_for(pressed)
        assert finished == ["done"]
        assert "test-read" not in [t.name for t in threading.enumerate()]
    finally:
        release.set()


def test_a_second_ctrl_c_while_stopping_the_writer_still_waits_for_it() -> None:
    release, finished = threading.Event(), list[str]()
    try:
        with pytest.raises(KeyboardInterrupt), Background(name="test-write") as background:
            started = threading.Event()
            busy = _busy_until(release, finished)
            background.submit(lambda: (started.set(), busy()))
            # A call not yet started is cancelled by design: wait until this one runs.
            assert started.wait(HANG_SECONDS)
            pressed = _press_ctrl_c_while_joining(release)
            raise KeyboardInterrupt  # the first Ctrl-C, while the write runs
        _wait_for(pressed)
        assert finished == ["done"], "the block was left while a write was still running"
        assert not [t for t in threading.enumerate() if t.name.startswith("test-write")]
    finally:
        release.set()


def test_a_ctrl_c_held_during_cleanup_is_raised_after_it() -> None:
    """A stream that ends normally while Ctrl-C is pressed still reports the Ctrl-C."""
    release, finished = threading.Event(), list[str]()
    busy = _busy_until(release, finished)

    def items() -> Any:
        yield 1
        busy()

    stream = prefetch(items(), name="test-read")
    try:
        assert next(stream) == 1
        pressed = _press_ctrl_c_while_joining(release)
        with pytest.raises(KeyboardInterrupt):
            stream.close()
        _wait_for(pressed)
        assert finished == ["done"]
    finally:
        release.set()


# -- engine settings ------------------------------------------------------------------------


def test_an_unknown_engine_name_is_one_line() -> None:
    done = _xfilter("scan", "demo", env=_env(XFILTER_ENGINE="bogus"))
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "xfilter: error: XFILTER_ENGINE: 'bogus' is not one of re2, hyperscan (or auto)"
    ]


def test_an_unknown_engine_name_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from xfilter.tagging.prefilter import engine_name

    monkeypatch.setenv("XFILTER_ENGINE", "bogus")
    with pytest.raises(ConfigError, match="XFILTER_ENGINE"):
        engine_name()


def test_hyperscan_asked_for_but_not_importable_is_one_line(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "hyperscan.py").write_text("raise ImportError('no Hyperscan on this machine')\n")
    paths = [str(shadow), os.environ.get("PYTHONPATH", "")]
    env = _env(XFILTER_ENGINE="hyperscan", PYTHONPATH=os.pathsep.join(p for p in paths if p))
    done = _xfilter("scan", "demo", env=env)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("xfilter: error: XFILTER_ENGINE: 'hyperscan' cannot be imported")
    assert "no Hyperscan on this machine" in line and "xfilter[fast]" in line
    # Unset (auto), the same machine runs on RE2.
    env.pop("XFILTER_ENGINE")
    assert _xfilter("scan", "demo", env=env).returncode == 0


def test_the_cache_folder_expands_a_home_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    hs_cache = pytest.importorskip("xfilter.tagging.prefilter.hs_cache")
    monkeypatch.setenv("XFILTER_CACHE_DIR", "~/xfilter-cache")
    assert hs_cache.cache_dir() == Path.home() / "xfilter-cache"
    monkeypatch.setenv("XFILTER_CACHE_DIR", "off")
    assert hs_cache.cache_dir() is None


# -- the Ray engine fails like the local one ------------------------------------------------


@pytest.fixture(scope="module")
def ray_cluster() -> Any:
    import logging

    ray = pytest.importorskip("ray")
    # Two CPUs as on CI; tagging actors reserve half a CPU each, so reads always find a slot.
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    yield ray
    ray.shutdown()


def _demo_rows() -> list[dict[str, Any]]:
    with open(demo_files()["train"], encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _counts(manifest: dict[str, Any]) -> dict[str, Any]:
    return {name: {**split} for name, split in manifest["splits"].items()}


@pytest.mark.timeout(180)
def test_ray_reads_a_csv_whose_text_holds_newlines(
    ray_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xfilter.engines.ray as xray
    from xfilter.engines.local import run as run_local
    from xfilter.output.verify import verify

    monkeypatch.chdir(REPO)
    rows = [{k: v for k, v in r.items() if k != "post"} for r in _demo_rows()]
    table = pa.Table.from_pylist(rows * 8)  # over a megabyte: more than one CSV parse block
    assert any("\n" in (text or "") for text in table.column("text").to_pylist())
    path = tmp_path / "multiline.csv"
    pacsv.write_csv(table, path)
    local = run_local("configs/strict.yaml", input=str(path), output=tmp_path / "local")
    manifest = xray.run("configs/strict.yaml", input=str(path), output=tmp_path / "ray")
    verify(tmp_path / "ray")
    assert _counts(manifest) == _counts(local.manifest)
    assert manifest["splits"]["train"]["input"] == table.num_rows


@pytest.mark.timeout(180)
def test_ray_names_the_file_of_a_bad_jsonl_line_in_one_line(
    ray_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xfilter.engines.ray as xray

    monkeypatch.chdir(REPO)
    lines = Path(demo_files()["train"]).read_text(encoding="utf-8").splitlines()
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join([*lines[:50], '{"id": "x", "text": oops', *lines[50:]]) + "\n")
    with pytest.raises(InputError) as raised:
        xray.run("configs/strict.yaml", input=str(path), output=tmp_path / "out")
    message = str(raised.value)
    assert "\n" not in message and str(path) in message, message
    assert "JSON" in message, message
    assert not (tmp_path / "out").exists()


@pytest.mark.timeout(180)
def test_ray_names_a_corrupt_parquet_file_in_one_line(
    ray_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xfilter.engines.ray as xray

    monkeypatch.chdir(REPO)
    path = tmp_path / "corrupt.parquet"
    path.write_bytes(b"PAR1" + b"not parquet" * 50)
    with pytest.raises(InputError) as raised:
        xray.run("configs/strict.yaml", input=str(path), output=tmp_path / "out")
    message = str(raised.value)
    assert "\n" not in message and str(path) in message, message
    assert not (tmp_path / "out").exists()


@pytest.mark.timeout(300)
def test_ray_cli_failure_is_one_error_line(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    lines = Path(demo_files()["train"]).read_text(encoding="utf-8").splitlines()
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join([*lines[:50], "{not json", *lines[50:]]) + "\n")
    out = tmp_path / "out"
    done = run_cli(
        "run", "configs/strict.yaml", "--engine", "ray", "--input", str(path), "--output", str(out)
    )
    assert done.returncode == 2, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    last = done.stderr.splitlines()[-1]
    assert last.startswith("xfilter: error: ") and str(path) in last, last
    assert not out.exists()
