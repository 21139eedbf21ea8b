"""Crash safety: a run killed at any stage leaves nothing that verifies; a rerun is identical."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, run_cli, run_on_tmpfs
from xfilter.faults import POINTS


def _hashes(out: Path) -> dict[str, str]:
    manifest = json.loads((out / "manifest.json").read_text())
    files = {f["path"]: f["sha256"] for f in manifest["outputs"]["files"]}
    return {**files, "ledger": manifest["ledger"]["sha256"]}


def _run(out: Path, *extra: str, fault: str | None = None, signal: str = "SIGKILL") -> int:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_DISABLE_PROGRESS_BARS": "1"}
    if fault:
        env |= {"XFILTER_FAULT": fault, "XFILTER_FAULT_SIGNAL": signal}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "xfilter",
            "run",
            "configs/strict.yaml",
            "--output",
            str(out),
            *extra,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if signal == "SIGINT" and fault and done.returncode == 130:
        assert "interrupted" in done.stderr and "Traceback" not in done.stderr
    return done.returncode


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("ref") / "out"
    assert _run(out) == 0
    return _hashes(out)


@pytest.mark.parametrize("signal", ["SIGKILL", "SIGINT"])
@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("streaming", [False, True], ids=["in-memory", "streaming"])
def test_killed_run_leaves_nothing_then_rerun_is_identical(
    tmp_path: Path, reference: dict[str, str], point: str, signal: str, streaming: bool
) -> None:
    out = tmp_path / "out"
    extra = ("--streaming",) if streaming else ()
    code = _run(out, *extra, fault=point, signal=signal)
    expected = -9 if signal == "SIGKILL" else 130
    if point == "commit":
        # Killed after the rename: the run had completed, and its output verifies.
        assert code == expected
        assert run_cli("verify", str(out)).returncode == 0
        extra = (*extra, "--overwrite")
    else:
        assert code == expected
        assert run_cli("verify", "--quick", str(out)).returncode != 0
        assert not out.exists()
    assert _run(out, *extra) == 0
    assert run_cli("verify", str(out)).returncode == 0
    if streaming:
        assert set(_hashes(out)) == set(reference)
    else:
        assert _hashes(out) == reference
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "out"]
    assert not leftovers, leftovers


def test_full_disk_gives_a_clear_error_and_no_output(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    command = (
        f"{sys.executable} -m xfilter run configs/strict.yaml --output {disk}/out; "
        f"echo exit=$?; ls -a {disk}"
    )
    done = run_on_tmpfs(disk, "size=48k", command)
    assert "exit=2" in done.stdout, done.stdout + done.stderr
    assert "no space left on device" in done.stderr
    assert "Traceback" not in done.stderr
    listing = done.stdout.split("exit=2", 1)[1].split()
    assert sorted(listing) == [".", ".."], listing
