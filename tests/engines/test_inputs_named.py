"""Inputs as users name them: a config (subset) of a dataset folder, its files and folders
(``input.name``, ``data_files``, ``data_dir``), a revision, fsspec URIs, and paths in a config
read from the config's own folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.helpers import REPO
from xfilter.config import InputConfig, build_config, load_config
from xfilter.engines.inputs import (
    commits_read,
    content_sha256,
    dataset_files,
    hub_root,
    load_input,
    load_source,
)
from xfilter.engines.local import run
from xfilter.errors import ConfigError, InputError

STATUS = "https://x.com/jack/status/20"
CARD = """---
configs:
- config_name: en
  data_files:
  - split: train
    path: en/train.jsonl
  - split: test
    path: en/test.jsonl
- config_name: fr
  data_files:
  - split: train
    path: fr/*.jsonl
---
# Two configs
"""


def _jsonl(path: Path, texts: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    return path


@pytest.fixture
def two_configs(tmp_path: Path) -> Path:
    """A local dataset whose card declares two configs, as a Hub dataset with subsets has."""
    folder = tmp_path / "two"
    _jsonl(folder / "en" / "train.jsonl", ["hello", STATUS])
    _jsonl(folder / "en" / "test.jsonl", ["bye"])
    _jsonl(folder / "fr" / "a.jsonl", ["bonjour", "salut", f"voir {STATUS}"])
    _jsonl(folder / "fr" / "b.jsonl", ["au revoir"])
    (folder / "README.md").write_text(CARD)
    return folder


def _config(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "job.yaml"
    path.write_text(text)
    return path


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_DISABLE_PROGRESS_BARS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "xfilter", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done


# input.name -------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_command_runs_a_two_config_dataset_by_name(two_configs: Path, tmp_path: Path) -> None:
    """A config beside the dataset names it and its subset; run from anywhere."""
    config = _config(
        two_configs.parent,
        "mode: strict\ninput: {source: two, name: fr}\noutput: {dir: out/fr}\n",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = _cli("run", str(config), cwd=elsewhere)
    manifest = json.loads((two_configs.parent / "out" / "fr" / "manifest.json").read_text())
    assert (manifest["input"]["source"], manifest["input"]["name"]) == (str(two_configs), "fr")
    assert manifest["splits"]["train"]["input"] == 4
    assert manifest["splits"]["train"]["quarantined"] == 1
    assert "train" in done.stdout and list(elsewhere.iterdir()) == []
    # The other config, named on the command line; scan's source is from the current directory.
    scanned = _cli("scan", "two", "--name", "en", cwd=two_configs.parent)
    assert "scanned 3 records of two" in scanned.stdout


# input.name -------------------------------------------------------------------------------


@pytest.mark.parametrize("streaming", [False, True])
def test_a_config_of_a_local_dataset_is_read_by_name(two_configs: Path, streaming: bool) -> None:
    data, info = load_input(InputConfig(source=str(two_configs), name="fr", streaming=streaming))
    assert list(data) == ["train"]
    texts = [row["text"] for row in data["train"]]
    assert texts == ["bonjour", "salut", f"voir {STATUS}", "au revoir"]
    assert info.as_dict()["name"] == "fr"
    # Hashed by the files the config names, in reading order, as any input is.
    fr = [str(two_configs / "fr" / "a.jsonl"), str(two_configs / "fr" / "b.jsonl")]
    assert info.content == {"train": content_sha256(fr)}


def test_a_run_with_input_name_writes_that_config_and_records_it(
    two_configs: Path, tmp_path: Path
) -> None:
    config = _config(
        tmp_path / "jobs",
        f"mode: strict\ninput: {{source: {two_configs}, name: en}}\noutput: {{dir: out}}\n",
    )
    out = run(config)
    assert out.saved_to == tmp_path / "jobs" / "out"  # beside the config, not the cwd
    manifest = out.manifest
    assert manifest["input"]["name"] == "en"
    assert manifest["config"]["input"]["name"] == "en"
    splits = manifest["splits"]
    assert (splits["train"]["input"], splits["test"]["input"]) == (2, 1)
    assert splits["train"]["quarantined"] == 1
    out.verify()


def test_several_configs_and_no_name_is_an_error_naming_them(two_configs: Path) -> None:
    with pytest.raises(ConfigError, match=r"input\.name: .*several configs \(en, fr\)"):
        load_input(InputConfig(source=str(two_configs)))
    with pytest.raises(
        ConfigError, match=r"input\.name: 'de' is not a config of .*\(it has en, fr\)"
    ):
        load_input(InputConfig(source=str(two_configs), name="de"))


def test_one_config_marked_default_needs_no_name(two_configs: Path) -> None:
    card = CARD.replace("- config_name: fr\n", "- config_name: fr\n  default: true\n")
    (two_configs / "README.md").write_text(card)
    data, _ = load_input(InputConfig(source=str(two_configs)))
    assert data["train"].num_rows == 4


# data_files and data_dir ------------------------------------------------------------------


def test_data_files_take_every_form_datasets_takes() -> None:
    def files(value: object) -> object:
        return build_config({"input": {"source": "x", "data_files": value}}).input.data_files

    assert files("a/*.jsonl") == {"train": ["a/*.jsonl"]}
    assert files(["a.jsonl", "b.jsonl"]) == {"train": ["a.jsonl", "b.jsonl"]}
    assert files({"train": "a.jsonl", "test": ["b.jsonl"]}) == {
        "train": ["a.jsonl"],
        "test": ["b.jsonl"],
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (3, r"input\.data_files"),
        ({"train": []}, r"input\.data_files: split 'train' has no file pattern"),
        ({"train": [""]}, r"input\.data_files: split 'train' has no file pattern"),
        ({"": "a.jsonl"}, r"input\.data_files: a split name is empty"),
    ],
)
def test_bad_data_files_are_named(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_config({"input": {"source": "x", "data_files": value}}, "c.yaml")


@pytest.mark.parametrize("key", ["name", "revision", "data_dir"])
def test_bad_selection_keys_are_named(key: str) -> None:
    with pytest.raises(ConfigError, match=rf"c\.yaml: input\.{key}"):
        build_config({"input": {"source": "x", key: ""}}, "c.yaml")
    with pytest.raises(ConfigError, match=r"unknown key 'input\.nme' \(did you mean 'name'\?\)"):
        build_config({"input": {"source": "x", "nme": "en"}}, "c.yaml")


def test_data_files_and_data_dir_choose_inside_a_plain_folder(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    _jsonl(folder / "2024" / "train.jsonl", ["a", "b"])
    _jsonl(folder / "2024" / "test.jsonl", ["c"])
    _jsonl(folder / "2025" / "train.jsonl", ["d"])
    data, info = load_input(InputConfig(source=str(folder), data_dir="2024"))
    assert {name: ds.num_rows for name, ds in data.items()} == {"train": 2, "test": 1}
    assert info.as_dict()["data_dir"] == "2024"
    picked = {"train": ["2025/*.jsonl", "2024/test.jsonl"]}
    data, info = load_input(InputConfig(source=str(folder), data_files=picked))
    assert [row["text"] for row in data["train"]] == ["d", "c"]
    assert info.as_dict()["data_files"] == picked
    with pytest.raises(InputError, match=r"input\.data_files: no data files found for split 'tr"):
        load_input(InputConfig(source=str(folder), data_files="2026/*.jsonl"))


def test_data_files_override_a_cards_config(two_configs: Path) -> None:
    chosen = InputConfig(source=str(two_configs), name="en", data_files={"train": "fr/b.jsonl"})
    data, info = load_input(chosen)
    assert [row["text"] for row in data["train"]] == ["au revoir"]
    assert info.content == {"train": content_sha256([str(two_configs / "fr" / "b.jsonl")])}


@pytest.mark.parametrize(
    ("kind", "key", "message"),
    [
        ("file", "name", r"input\.name: cannot apply: .* names files"),
        ("saved", "data_dir", r"input\.data_dir: cannot apply: .* save_to_disk folder"),
        ("plain", "name", r"input\.name: cannot apply: .* declares no configs"),
        ("plain", "revision", r"input\.revision: cannot apply: .* a local folder"),
    ],
)
def test_a_key_that_cannot_apply_is_an_error_not_ignored(
    tmp_path: Path, kind: str, key: str, message: str
) -> None:
    plain = tmp_path / "plain"
    _jsonl(plain / "train.jsonl", ["a"])
    datasets.Dataset.from_dict({"text": ["a"]}).save_to_disk(str(tmp_path / "saved"))
    source = {"file": plain / "train.jsonl", "saved": tmp_path / "saved", "plain": plain}[kind]
    with pytest.raises(ConfigError, match=message):
        load_input(InputConfig(source=str(source), **{key: "x"}))


def test_the_demo_takes_no_selection() -> None:
    with pytest.raises(ConfigError, match=r"c\.yaml: input: name, data_dir: only for a Hub"):
        build_config({"input": {"name": "en", "data_dir": "x"}}, "c.yaml")


# revisions and hf:// ----------------------------------------------------------------------


def test_an_hf_uri_of_a_dataset_root_is_a_hub_id_with_its_revision() -> None:
    assert hub_root("hf://datasets/HuggingFaceFW/fineweb") == ("HuggingFaceFW/fineweb", None)
    assert hub_root("hf://datasets/allenai/c4@v1.0/") == ("allenai/c4", "v1.0")
    assert hub_root("hf://datasets/imdb") == ("imdb", None)
    # Below the root: files of the dataset, read through fsspec.
    assert hub_root("hf://datasets/allenai/c4/en/*.json.gz") == (None, None)
    assert hub_root("s3://bucket/data") == (None, None)


def test_two_revisions_for_one_input_are_refused() -> None:
    chosen = InputConfig(source="hf://datasets/owner/name@v1", revision="v2")
    with pytest.raises(ConfigError, match=r"input\.revision 'v2' differs from the URI's @v1"):
        load_input(chosen)


def test_the_commit_read_is_taken_from_the_files_the_loader_resolved() -> None:
    commit, other = "a" * 40, "b" * 40
    files = {
        "train": [f"hf://datasets/owner/name@{commit}/data/train-0.parquet"],
        "test": [f"hf://datasets/owner/name@{commit}/data/test-0.parquet"],
    }
    assert commits_read("owner/name", files) == {commit}
    # Files of the parquet conversion (another commit) do not verify the pinned one.
    files["test"] = [f"hf://datasets/owner/name@{other}/default/test/0.parquet"]
    assert commits_read("owner/name", files) == {commit, other}
    assert commits_read("owner/name", {"train": ["/local/train.parquet"]}) == {""}


def test_an_uncached_hub_id_offline_is_named() -> None:
    with pytest.raises(InputError, match=r"owner/name: cannot load this Hub dataset \(HF_HUB_OFF"):
        load_input(InputConfig(source="owner/name", revision="c" * 40))


# fsspec URIs ------------------------------------------------------------------------------


def test_a_file_uri_reads_and_hashes_as_the_plain_path(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    pq.write_table(pa.table({"text": ["a", STATUS]}), folder / "train.parquet")
    pq.write_table(pa.table({"text": ["c"]}), folder / "test.parquet")
    _, plain_info = load_source(str(folder))
    uri, uri_info = load_source(f"file://{folder}")
    assert {k: v.num_rows for k, v in uri.items()} == {"train": 2, "test": 1}
    assert uri_info.content == plain_info.content  # the bytes, not the way they were named
    assert uri_info.kind == "uri" and uri_info.source == f"file://{folder}"
    one, one_info = load_source(f"file://{folder}/train.parquet", streaming=True)
    assert [row["text"] for row in one["train"]] == ["a", STATUS]
    assert one_info.content["train"] == plain_info.content["train"]
    with pytest.raises(InputError, match=r"file:///no/such/\*\.parquet: input not found"):
        load_source("file:///no/such/*.parquet")
    with pytest.raises(InputError, match=r"nope://x: cannot read input: Protocol not known"):
        load_source("nope://x")


@pytest.fixture
def local_s3() -> Iterator[dict[str, str]]:
    """A real S3 server (moto's) on 127.0.0.1, and the environment that points fsspec at it:
    endpoints and keys come from the environment, never from a config."""
    pytest.importorskip("s3fs", reason="s3:// needs s3fs (pip install s3fs)")
    server_module = pytest.importorskip("moto.server", reason="needs moto[server]")
    import logging

    import boto3

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
    }
    s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], **_keys(env))
    s3.create_bucket(Bucket="corpus")
    body = "".join(json.dumps({"text": t}) + "\n" for t in ["hello", STATUS, "bye"])
    for key in ("web/train.jsonl", "web/test.jsonl"):
        s3.put_object(Bucket="corpus", Key=key, Body=body.encode())
    try:
        yield env
    finally:
        server.stop()


def _keys(env: dict[str, str]) -> dict[str, str]:
    return {
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        "region_name": env["AWS_DEFAULT_REGION"],
    }


@pytest.mark.slow
def test_an_s3_folder_runs_in_memory_and_streaming(
    local_s3: dict[str, str], tmp_path: Path
) -> None:
    manifests = {}
    for streaming in (False, True):
        out = tmp_path / f"out-{streaming}"
        args = ["--input", "s3://corpus/web", "--output", str(out)]
        # datasets downloads no remote file with HF_HUB_OFFLINE set: an in-memory read of a
        # remote URI runs online, with the Hub pointed at a closed local port.
        offline = {"HF_HUB_OFFLINE": "1"} if streaming else {"HF_HUB_OFFLINE": "0"}
        env = {**os.environ, **local_s3, **offline, "HF_ENDPOINT": "http://127.0.0.1:9"}
        done = subprocess.run(
            [sys.executable, "-m", "xfilter", "run", str(REPO / "configs/strict.yaml"), *args]
            + (["--streaming"] if streaming else []),
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        manifests[streaming] = json.loads((out / "manifest.json").read_text())
    for manifest in manifests.values():
        assert manifest["input"]["kind"] == "uri"
        assert {s: c["quarantined"] for s, c in manifest["splits"].items()} == {
            "train": 1,
            "test": 1,
        }
    # The content hash is of the bytes read from S3, the same in both modes, and the same as
    # those bytes' hash as a local file.
    local = _jsonl(tmp_path / "same.jsonl", ["hello", STATUS, "bye"])
    assert (
        manifests[False]["input"]["content_sha256"]
        == manifests[True]["input"]["content_sha256"]
        == {"train": content_sha256([str(local)]), "test": content_sha256([str(local)])}
    )


# paths in a config ------------------------------------------------------------------------


def test_paths_in_a_config_are_read_from_its_folder(tmp_path: Path) -> None:
    jobs = tmp_path / "project" / "jobs"
    _jsonl(jobs / "data" / "train.jsonl", ["a"])
    shutil.copy(REPO / "configs" / "opt-out.example.csv", jobs / "optout.csv")
    path = _config(
        jobs,
        "mode: collaborator\ninput: {source: data/train.jsonl}\n"
        "opt_out: {path: optout.csv}\nknown_datasets: []\noutput: {dir: ../out/run}\n",
    )
    config = load_config(path)
    assert config.input.source == str(jobs / "data" / "train.jsonl")
    assert config.opt_out.path == str(jobs / "optout.csv")
    assert config.output.dir == str(tmp_path / "project" / "out" / "run")
    # A Hub id stays one; a mapping or keywords name paths from the current directory.
    hub = _config(tmp_path / "hub", "input: {source: cardiffnlp/tweet_eval, name: emotion}\n")
    assert load_config(hub).input.source == "cardiffnlp/tweet_eval"
    assert build_config({"output": {"dir": "out/x"}}).output.dir == "out/x"


def test_a_path_written_from_the_current_directory_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _jsonl(tmp_path / "data" / "train.jsonl", ["a"])
    path = _config(tmp_path / "jobs", "input: {source: data/train.jsonl}\n")
    with pytest.raises(
        ConfigError,
        match=r"input\.source: 'data/train\.jsonl' is not beside the config .* "
        r"write '\.\./data/train\.jsonl'",
    ):
        load_config(path)
    # A bare name could be a Hub id or that folder: the error offers both.
    (tmp_path / "corpus").mkdir()
    path.write_text("input: {source: corpus}\n")
    with pytest.raises(ConfigError, match=r"write '\.\./corpus' .* 'hf://datasets/corpus'"):
        load_config(path)


@pytest.mark.slow
def test_the_command_line_reads_its_paths_from_the_current_directory(tmp_path: Path) -> None:
    cwd = tmp_path / "cwd"
    _jsonl(cwd / "in" / "train.jsonl", ["a", STATUS])
    config = _config(tmp_path / "jobs", "mode: strict\noutput: {dir: from-config}\n")
    _cli("run", str(config), "--input", "in", "--output", "o", cwd=cwd)
    manifest = json.loads((cwd / "o" / "manifest.json").read_text())
    assert manifest["splits"]["train"]["input"] == 2
    assert not (tmp_path / "jobs" / "from-config").exists()


# the Ray engine's files -------------------------------------------------------------------


def test_the_ray_engine_reads_the_files_the_local_engine_reads(two_configs: Path) -> None:
    from xfilter.engines.ray import resolve_input

    splits, info = resolve_input(str(two_configs), None, {"name": "fr"})
    fr = sorted(str(p) for p in (two_configs / "fr").glob("*.jsonl"))
    assert [(s.name, s.files, s.builder) for s in splits] == [("train", fr, "json")]
    assert info.as_dict()["name"] == "fr"
    _, local = load_input(InputConfig(source=str(two_configs), name="fr"))
    assert info.content == local.content
    assert dataset_files(str(two_configs), {"data_dir": "en"}) == {
        "train": [str(two_configs / "en" / "train.jsonl")],
        "test": [str(two_configs / "en" / "test.jsonl")],
    }
    with pytest.raises(ConfigError, match=r"input\.revision: cannot apply: .* read as files"):
        resolve_input(str(two_configs), None, {"revision": "main"})
