"""Spark on a real local session: the DataFrame functions decide as ``ds.map(xf)`` does, and
``--engine spark`` writes the local engine's output (counts, clean rows, ledger, X index) in a
directory ``xfilter verify`` accepts.

One ``local[2]`` session serves the module; the engine uses the active session. Starting a
JVM and Spark's Python workers takes tens of seconds, so the whole module is slow.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from tests.helpers import REPO, run_cli
from xfilter.engines.inputs import demo_files
from xfilter.engines.local import run as run_local
from xfilter.errors import InputError, OutputError
from xfilter.output.verify import load_manifest
from xfilter.output.writer import record_sha256
from xfilter.transform import XFilter
from xfilter.vocab import TAG_COLUMNS

# Skips only where the extra is not installed; CI installs it, so these tests run there.
pyspark = pytest.importorskip("pyspark")
from pyspark.sql import SparkSession  # noqa: E402  (needs pyspark)

from xfilter.engines import spark as xspark  # noqa: E402
from xfilter.integrations.spark import keep, tag, tag_schema  # noqa: E402

MODES = ("strict", "collaborator", "first-party")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(300),
    # pyspark's own notice about the installed pandas, not xfilter's.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
]


@pytest.fixture(scope="module")
def spark() -> Any:
    session = (
        SparkSession.builder.master("local[2]")
        .appName("xfilter-tests")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


@pytest.fixture(scope="module")
def demo_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo as parquet, as ``datasets`` reads it, in row groups of 40 rows: with tasks of
    80 rows each split runs as several Spark tasks."""
    import datasets

    folder = tmp_path_factory.mktemp("input")
    for split, path in demo_files().items():
        table = datasets.load_dataset("json", data_files=path, split="train").data.table
        pq.write_table(table, folder / f"{split}.parquet", row_group_size=40)
    return folder


def _config(tmp_path: Path, mode: str, **changes: Any) -> Path:
    """``configs/<mode>.yaml`` with absolute paths, written beside the test's files."""
    config = yaml.safe_load((REPO / "configs" / f"{mode}.yaml").read_text(encoding="utf-8"))
    if config["opt_out"]["path"]:
        config["opt_out"]["path"] = str(REPO / "configs" / Path(config["opt_out"]["path"]).name)
    config.update(changes)
    path = tmp_path / f"{mode}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _rows(out: Path, name: str) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for entry in load_manifest(out)["outputs"]["files"]:
        if entry["set"] == name:
            rows.setdefault(entry["split"], []).extend(
                pq.read_table(out / entry["path"]).to_pylist()
            )
    return rows


def _outcome(out: Path) -> dict[str, Any]:
    """Counts, the input record, clean and quarantined rows in order, ledger and X index."""
    manifest = load_manifest(out)
    return {
        "splits": manifest["splits"],
        "input": {k: v for k, v in manifest["input"].items() if k != "fingerprint"},
        "clean": _rows(out, "clean"),
        "quarantine": _rows(out, "quarantine"),
        "ledger": pq.read_table(out / "ledger.parquet").to_pylist(),
        "index": pq.read_table(out / "x_index.parquet").to_pylist(),
    }


def _work_dirs(out: Path) -> list[str]:
    return [p.name for p in out.parent.iterdir() if ".xfilter-spark-" in p.name]


# -- the engine against the local engine ---------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_same_output_as_the_local_engine(
    spark: Any, demo_parquet: Path, tmp_path: Path, mode: str
) -> None:
    config = _config(tmp_path, mode)
    out = xspark.run(config, input=str(demo_parquet), output=tmp_path / "spark", task_rows=80)
    run_local(config, input=str(demo_parquet), output=tmp_path / "local")
    spark_outcome, local_outcome = _outcome(tmp_path / "spark"), _outcome(tmp_path / "local")
    assert spark_outcome == local_outcome
    assert spark_outcome["clean"]["train"]  # something compared
    assert out.manifest["engine"]["name"] == "spark"
    assert out.manifest["engine"]["tasks"] == 6  # 304 rows in 4 tasks, 102 rows in 2
    done = run_cli("verify", str(tmp_path / "spark"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert _work_dirs(tmp_path / "spark") == []


def test_demo_jsonl_gives_the_same_output(spark: Any, tmp_path: Path) -> None:
    config = _config(tmp_path, "strict")
    xspark.run(config, output=tmp_path / "spark")
    run_local(config, output=tmp_path / "local")
    assert _outcome(tmp_path / "spark") == _outcome(tmp_path / "local")
    assert run_cli("verify", str(tmp_path / "spark")).returncode == 0


def test_files_of_one_split_keep_their_order(
    spark: Any, demo_parquet: Path, tmp_path: Path
) -> None:
    """A glob of three files, one of them empty: one split, rows numbered across the files in
    their order."""
    folder = tmp_path / "files"
    folder.mkdir()
    train = pq.read_table(demo_parquet / "train.parquet")
    pq.write_table(train, folder / "a.parquet", row_group_size=100)
    pq.write_table(train.schema.empty_table(), folder / "b.parquet")
    pq.write_table(pq.read_table(demo_parquet / "validation.parquet"), folder / "c.parquet")
    config, source = _config(tmp_path, "strict"), str(folder / "*.parquet")
    out = xspark.run(config, input=source, output=tmp_path / "spark", task_rows=150)
    run_local(config, input=source, output=tmp_path / "local")
    assert _outcome(tmp_path / "spark") == _outcome(tmp_path / "local")
    assert out.manifest["engine"]["tasks"] == 4  # a: 2 runs of row groups, b: 1, c: 1
    assert out.manifest["input"]["rows"] == {"train": 406}


def test_a_redacting_policy_gives_the_same_clean_text(
    spark: Any, demo_parquet: Path, tmp_path: Path
) -> None:
    config = _config(tmp_path, "strict", categories={"x_embed": "redact"})
    out = xspark.run(config, input=str(demo_parquet), output=tmp_path / "spark", task_rows=80)
    run_local(config, input=str(demo_parquet), output=tmp_path / "local")
    assert out.manifest["splits"]["train"]["redacted"] > 0
    assert _outcome(tmp_path / "spark") == _outcome(tmp_path / "local")


# -- errors --------------------------------------------------------------------------------


def test_a_missing_named_field_is_one_error_and_writes_nothing(
    spark: Any, demo_parquet: Path, tmp_path: Path
) -> None:
    config = _config(tmp_path, "strict", fields={"text": "body", "url": None, "author": None})
    with pytest.raises(InputError, match=r"fields.text: 'body' is not a field of split 'train'"):
        xspark.run(config, input=str(demo_parquet), output=tmp_path / "o")
    assert not (tmp_path / "o").exists()
    assert _work_dirs(tmp_path / "o") == []


def test_a_column_named_like_a_tag_column_is_refused(spark: Any, tmp_path: Path) -> None:
    pq.write_table(pa.table({"text": ["hi"], "xfilter_action": [1]}), tmp_path / "in.parquet")
    with pytest.raises(InputError, match=r"column 'xfilter_action' of split 'train' clashes"):
        xspark.run(
            _config(tmp_path, "strict"), input=str(tmp_path / "in.parquet"), output=tmp_path / "o"
        )
    assert not (tmp_path / "o").exists()


def test_a_broken_json_line_names_the_file(spark: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "fine"}\n{"text": "cut short\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.jsonl: cannot read input on Spark"):
        xspark.run(_config(tmp_path, "strict"), input=str(broken), output=tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_an_existing_output_is_refused_before_any_work(spark: Any, tmp_path: Path) -> None:
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError, match=r"not an xfilter output"):
        xspark.run(_config(tmp_path, "strict"), output=tmp_path / "o")
    assert (tmp_path / "o" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_without_pyspark_the_error_names_the_extra(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['pyspark'] = None\n"
        "from xfilter.errors import XFilterError\n"
        "from xfilter.engines.spark import run\n"
        "try:\n"
        "    run('configs/strict.yaml', output=sys.argv[1])\n"
        "except XFilterError as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "o")],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.stdout.strip() == "the Spark engine needs `pip install 'xfilter[spark]'`"


# -- the DataFrame functions ---------------------------------------------------------------


def test_tag_schema_is_xfilters_tag_columns() -> None:
    schema = tag_schema()
    assert schema.fieldNames() == list(TAG_COLUMNS)
    assert schema.simpleString() == (
        "struct<xfilter_action:string,xfilter_categories:array<string>,"
        "xfilter_rules:array<string>,xfilter_authors:array<string>>"
    )


def _by_id(table: pa.Table) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in table.to_pylist()}


def test_tag_decides_as_map_does(spark: Any, demo_parquet: Path) -> None:
    import datasets

    xf = XFilter(mode="strict", categories={"x_embed": "redact"})
    path = str(demo_parquet / "train.parquet")
    tagged = tag(spark.read.parquet(path), xf)
    assert tagged.columns[-4:] == list(TAG_COLUMNS)
    spark_rows = _by_id(pa.Table.from_pylist([r.asDict() for r in tagged.collect()]))
    mapped = datasets.Dataset(pq.read_table(path)).map(xf, batched=True)
    local_rows = _by_id(mapped.data.table)
    assert spark_rows == local_rows
    actions = {row["xfilter_action"] for row in spark_rows.values()}
    assert actions == {"keep", "quarantine", "redact"}


def test_keep_gives_the_records_a_run_keeps(spark: Any, demo_parquet: Path, tmp_path: Path) -> None:
    config = _config(tmp_path, "collaborator")
    local = run_local(config, input=str(demo_parquet), output=tmp_path / "local")
    xf = XFilter(config=config)
    frame = spark.read.parquet(str(demo_parquet / "validation.parquet"))
    kept = keep(frame, xf)
    assert kept.schema == frame.schema
    rows = [row.asDict() for row in kept.collect()]
    clean = _rows(tmp_path / "local", "clean")["validation"]
    assert sorted(map(record_sha256, rows)) == sorted(map(record_sha256, clean))
    assert len(rows) == local.counts["validation"]["kept"] < frame.count()


def test_tagging_a_tagged_frame_replaces_the_decision(spark: Any, demo_parquet: Path) -> None:
    frame = spark.read.parquet(str(demo_parquet / "validation.parquet"))
    strict = tag(frame, XFilter(mode="strict"))
    again = tag(strict, XFilter(mode="first-party"))
    assert again.columns == strict.columns
    actions = {r["xfilter_action"] for r in again.select("xfilter_action").collect()}
    assert "quarantine" not in actions  # first-party keeps what strict quarantined


# -- a session of its own, and the command line --------------------------------------------


def test_a_session_started_for_the_job_is_stopped(tmp_path: Path) -> None:
    """In a fresh process: ``run`` starts a local session and stops it after the job."""
    code = (
        "import sys\n"
        "from pyspark.sql import SparkSession\n"
        "from xfilter.engines.spark import run\n"
        "out = run(sys.argv[1], output=sys.argv[2], master='local[1]')\n"
        "print(out.manifest['engine']['master'], SparkSession.getActiveSession())\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_DISABLE_PROGRESS_BARS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(_config(tmp_path, "strict")), str(tmp_path / "o")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "local[1] None"


def test_the_command_line_runs_on_spark(demo_parquet: Path, tmp_path: Path) -> None:
    done = run_cli(
        "run", str(_config(tmp_path, "strict")), "--engine", "spark",
        "--input", str(demo_parquet), "--output", str(tmp_path / "o"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert load_manifest(tmp_path / "o")["engine"]["name"] == "spark"
    assert run_cli("verify", str(tmp_path / "o")).returncode == 0
