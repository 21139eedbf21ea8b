"""A benchmark run leaves nothing behind: its scratch folder (``benchmarks/scratch.py``) is
shared with the processes the run starts and removed when the run's first process ends."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# A stand-in benchmark: it asks for its folder, starts a spawned worker (which imports the
# script again, as multiprocessing does) and a subprocess, and re-executes itself once.
SCRIPT = textwrap.dedent(
    """
    import json, multiprocessing, os, subprocess, sys
    sys.path.insert(0, sys.argv[1])
    import scratch

    def ask(_: int) -> str:
        return str(scratch.folder())

    if __name__ == "__main__":
        mine = scratch.folder()
        if len(sys.argv) == 3:  # the first process: re-execute with the same pid
            os.execv(sys.executable, [sys.executable, *sys.argv[:2]])
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            spawned = pool.map(ask, [0])[0]
        probe = "import sys; sys.path.insert(0, sys.argv[1]); import scratch; "
        probe += "print(scratch.folder())"
        started = subprocess.run(
            [sys.executable, "-c", probe, sys.argv[1]], capture_output=True, text=True, check=True
        ).stdout.strip()
        print(json.dumps({
            "mine": str(mine),
            "exists": mine.is_dir(),
            "spawned": spawned,
            "started": started,
            "cache": os.environ["HF_DATASETS_CACHE"],
        }))
    """
)


def test_one_folder_per_run_shared_with_its_processes_and_removed_at_the_end(
    tmp_path: Path,
) -> None:
    script = tmp_path / "bench.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, str(script), str(REPO / "benchmarks"), "first"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["exists"]
    assert seen["spawned"] == seen["started"] == seen["mine"]
    assert seen["cache"] == str(Path(seen["mine"]) / "datasets")
    assert not Path(seen["mine"]).exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bench.py"]  # nothing else left behind
