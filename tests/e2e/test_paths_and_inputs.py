"""Output paths: only xfilter's own directories are ever replaced or removed. Inputs: every
record is read, or the run is refused with one line naming the file (and line or row)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.helpers import REPO, run_cli, run_on_tmpfs
from xfilter.engines.inputs import demo_files
from xfilter.errors import InputError, OutputError
from xfilter.output.verify import verify
from xfilter.output.writer import OutputWriter, check_output_dir, remove_stale_siblings
from xfilter.vocab import TAG_SCHEMA

STATUS = "https://x.com/jack/status/20"


def _xfilter(*args: str, cwd: Path = REPO, home: Path | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, cwd=cwd, env={"HOME": str(home)} if home is not None else None)


def _run(*args: str, **kwargs: Path) -> subprocess.CompletedProcess:
    return _xfilter("run", str(REPO / "configs/strict.yaml"), *args, **kwargs)


def _refused(done: subprocess.CompletedProcess, *named: str) -> str:
    """The run exited 2 with one ``xfilter: error:`` line that names each of ``named``."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("xfilter: error: "), done.stderr
    for name in named:
        assert name in lines[0], (name, lines[0])
    return lines[0]


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


@pytest.fixture(scope="module")
def small_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished xfilter output of a few records, to copy."""
    root = tmp_path_factory.mktemp("small")
    source = root / "in.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in ("hello", STATUS)))
    out = root / "out"
    done = _run("--input", str(source), "--output", str(out))
    assert done.returncode == 0, done.stderr
    return out


def _copy(output: Path, to: Path) -> Path:
    shutil.copytree(output, to)
    return to


def _dead_pid() -> int:
    """The pid of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# Replacing an output ------------------------------------------------------------------------


def test_overwrite_refuses_a_directory_whose_manifest_is_not_an_xfilter_one(
    tmp_path: Path,
) -> None:
    webapp = tmp_path / "webapp"
    (webapp / "src").mkdir(parents=True)
    (webapp / "manifest.json").write_text('{"manifest_version": 3}')
    (webapp / "src" / "main.js").write_text("code")
    _refused(_run("--output", str(webapp), "--overwrite"), str(webapp), "not an xfilter output")
    assert (webapp / "src" / "main.js").read_text() == "code"


def test_overwrite_refuses_an_xfilter_output_holding_foreign_files(
    tmp_path: Path, small_output: Path
) -> None:
    out = _copy(small_output, tmp_path / "out")
    (out / "notes.txt").write_text("mine")
    (out / "clean" / "data" / "extra.parquet").write_bytes(b"mine")
    line = _refused(_run("--output", str(out), "--overwrite"), str(out), "notes.txt")
    assert "clean/data/extra.parquet" in line
    assert (out / "notes.txt").read_text() == "mine"


def test_overwrite_replaces_a_genuine_xfilter_output(tmp_path: Path, small_output: Path) -> None:
    out = _copy(small_output, tmp_path / "out")
    writer = OutputWriter(out, "parquet", overwrite=True)
    writer.close()
    writer.write_text("manifest.json", json.dumps({"schema": "xfilter.manifest/1"}))
    writer.commit()
    assert sorted(p.name for p in out.iterdir()) == [
        "ledger.parquet",
        "manifest.json",
        "x_index.parquet",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_commit_checks_the_directory_again(tmp_path: Path, small_output: Path) -> None:
    out = _copy(small_output, tmp_path / "out")
    writer = OutputWriter(out, "parquet", overwrite=True)
    (out / "added-meanwhile.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"added-meanwhile\.txt"):
        writer.commit()
    writer.abort()
    assert (out / "added-meanwhile.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_manifest_that_is_not_json_is_not_an_xfilter_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text("{ not json")
    with pytest.raises(OutputError, match="not an xfilter output"):
        check_output_dir(out, overwrite=True)


# Work directories beside the output ---------------------------------------------------------


def test_only_marked_work_directories_of_dead_runs_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "results"
    pid = _dead_pid()
    kept = [
        tmp_path / ".results.old-2023-06-01",  # a user's backup
        tmp_path / f".results.tmp-{pid}-0a1b2c3d",  # the old naming, without a marker
        tmp_path / f".results.xfilter-tmp-{pid}-0a1b2c3d",  # the new naming, without a marker
    ]
    for path in kept:
        path.mkdir()
        (path / "notes.txt").write_text("backup")
    # A work directory the way a run left it when it was killed before finishing.
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"from xfilter.output.writer import OutputWriter;OutputWriter({str(out)!r}, 'parquet')",
        ],
        check=True,
    )
    (work,) = (p for p in tmp_path.iterdir() if p not in kept)
    assert work.name.startswith(".results.xfilter-tmp-")
    remove_stale_siblings(out)
    assert not work.exists()
    for path in kept:
        assert (path / "notes.txt").read_text() == "backup"


def test_a_replaced_output_left_by_a_killed_run_is_removed(
    tmp_path: Path, small_output: Path
) -> None:
    pid = _dead_pid()
    replaced = _copy(small_output, tmp_path / f".results.xfilter-old-{pid}-0a1b2c3d")
    edited = _copy(small_output, tmp_path / f".results.xfilter-old-{pid}-4e5f6a7b")
    (edited / "notes.txt").write_text("mine")
    remove_stale_siblings(tmp_path / "results")
    assert not replaced.exists()
    assert (edited / "notes.txt").read_text() == "mine"


def test_a_run_keeps_a_backup_named_like_a_work_directory(tmp_path: Path) -> None:
    backup = tmp_path / ".results.old-2023-06-01"
    backup.mkdir()
    (backup / "notes.txt").write_text("backup")
    done = _run("--input", demo_files()["validation"], "--output", str(tmp_path / "results"))
    assert done.returncode == 0, done.stderr
    assert (backup / "notes.txt").read_text() == "backup"


# Where an output may go ---------------------------------------------------------------------


def test_an_output_inside_an_xfilter_output_is_refused(tmp_path: Path, small_output: Path) -> None:
    out = _copy(small_output, tmp_path / "s")
    _refused(_run("--output", str(out / "sub")), str(out))
    assert not (out / "sub").exists()
    verify(out, quick=True)


def test_tilde_in_the_output_path_means_home(tmp_path: Path) -> None:
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    done = _run("--input", demo_files()["validation"], "--output", "~/x", cwd=cwd, home=home)
    assert done.returncode == 0, done.stderr
    assert _manifest(home / "x")["splits"]["train"]["input"] == 102
    assert list(cwd.iterdir()) == []


def test_a_read_only_filesystem_is_one_clear_error(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    command = f"{sys.executable} -m xfilter run configs/strict.yaml --output {disk}/out"
    done = run_on_tmpfs(disk, "ro,size=48k", command)
    line = _refused(done, f"{disk}/out", "Read-only file system")
    assert ".out." not in line  # names the output, not a hidden work directory


# Columns that clash with xfilter's ------------------------------------------------------------


def test_an_input_column_named_like_a_tag_column_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "xa.parquet"
    pq.write_table(pa.table({"text": ["plain"], "xfilter_action": [7]}), source)
    _refused(
        _run("--input", str(source), "--output", str(tmp_path / "out")),
        "column 'xfilter_action' of split 'train' clashes with xfilter's own columns",
    )
    assert not (tmp_path / "out").exists()


def test_a_tagged_input_is_tagged_again(tmp_path: Path, small_output: Path) -> None:
    done = _run("--input", str(small_output / "quarantine"), "--output", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert _manifest(tmp_path / "out")["splits"]["train"]["quarantined"] == 1


def test_open_split_refuses_tag_columns_of_other_types(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path / "out", "parquet")
    try:
        writer.open_split("train", pa.schema([pa.field("text", pa.string()), *TAG_SCHEMA]))
        clash = pa.schema([("text", pa.string()), ("xfilter_rules", pa.string())])
        with pytest.raises(InputError, match="column 'xfilter_rules' of split 'test' clashes"):
            writer.open_split("test", clash)
    finally:
        writer.abort()


# Inputs that are read whole or refused -----------------------------------------------------


@pytest.mark.parametrize("pattern", ["", "*"])
def test_a_folder_of_mixed_formats_is_refused(tmp_path: Path, pattern: str) -> None:
    folder = tmp_path / "mf"
    folder.mkdir()
    pq.write_table(pa.table({"text": ["a", "b"]}), folder / "a.parquet")
    (folder / "b.jsonl").write_text(json.dumps({"text": "c"}) + "\n")
    source = str(folder / pattern) if pattern else str(folder)
    line = _refused(_run("--input", source, "--output", str(tmp_path / "out")), str(folder))
    assert "parquet" in line and "json" in line


@pytest.mark.parametrize("streaming", [False, True], ids=["in-memory", "streaming"])
def test_a_zero_row_parquet_file_is_an_empty_split(tmp_path: Path, streaming: bool) -> None:
    source = tmp_path / "z.parquet"
    pq.write_table(pa.table({"text": pa.array([], pa.string())}), source)
    extra = ("--streaming",) if streaming else ()
    done = _run("--input", str(source), "--output", str(tmp_path / "out"), *extra)
    assert done.returncode == 0, done.stderr
    assert _manifest(tmp_path / "out")["splits"]["train"]["input"] == 0
    verify(tmp_path / "out")


def test_a_folder_with_one_empty_split(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    pq.write_table(pa.table({"text": ["hello", STATUS]}), folder / "train.parquet")
    pq.write_table(pa.table({"text": pa.array([], pa.string())}), folder / "test.parquet")
    done = _run("--input", str(folder), "--output", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    splits = _manifest(tmp_path / "out")["splits"]
    assert splits["train"]["input"] == 2 and splits["test"]["input"] == 0


def test_an_empty_jsonl_file_is_one_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "empty.jsonl"
    source.write_text("")
    line = _refused(_run("--input", str(source), "--output", str(tmp_path / "o")), str(source))
    assert "StopIteration" not in line and "empty" in line


def test_a_corrupt_parquet_file_is_one_clear_error(tmp_path: Path) -> None:
    good, bad = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pq.write_table(pa.table({"text": ["hello"]}), good)
    bad.write_bytes(b"garbage, not parquet")
    done = _run("--input", str(tmp_path / "*.parquet"), "--output", str(tmp_path / "o"))
    line = _refused(done, str(bad))
    assert "DatasetGenerationError" not in line


BAD_LINE = '{"text": "ok"}\n{"text": "unterminated\n{"text": "x"}\n'


@pytest.mark.parametrize("streaming", [False, True], ids=["in-memory", "streaming"])
def test_a_bad_jsonl_line_is_one_clear_error(tmp_path: Path, streaming: bool) -> None:
    source = tmp_path / "badline.jsonl"
    source.write_text(BAD_LINE)
    extra = ("--streaming",) if streaming else ()
    line = _refused(
        _run("--input", str(source), "--output", str(tmp_path / "o"), *extra), str(source)
    )
    assert "line 2" in line


def test_a_late_bad_jsonl_line_while_streaming_is_one_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "late.jsonl"
    good = "".join(json.dumps({"text": f"record {i} " + "x" * 200}) + "\n" for i in range(60_000))
    source.write_text(good + '{"text": "cut\n')
    done = _run("--input", str(source), "--output", str(tmp_path / "o"), "--streaming")
    line = _refused(done, str(source))
    assert "line 60001" in line
    assert not (tmp_path / "o").exists()


def test_a_bad_csv_row_is_one_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text('text,n\nok,1\n"a,b,c\nx,2\n')
    line = _refused(_run("--input", str(source), "--output", str(tmp_path / "o")), str(source))
    assert "DatasetGenerationError" not in line and "row" in line


@pytest.mark.parametrize("streaming", [False, True], ids=["in-memory", "streaming"])
def test_invalid_utf8_in_a_jsonl_string_is_one_clear_error(tmp_path: Path, streaming: bool) -> None:
    source = tmp_path / "badutf8.jsonl"
    source.write_bytes(b'{"text": "ok"}\n{"text": "\xff\xfe ' + STATUS.encode() + b'"}\n')
    extra = ("--streaming",) if streaming else ()
    line = _refused(
        _run("--input", str(source), "--output", str(tmp_path / "o"), *extra), str(source)
    )
    assert "UTF-8" in line


def test_scan_of_a_bad_file_exits_2_not_the_found_code(tmp_path: Path) -> None:
    source = tmp_path / "badline.jsonl"
    source.write_text(BAD_LINE)
    _refused(_xfilter("scan", str(source), "--fail-on", "x_post"), str(source))
