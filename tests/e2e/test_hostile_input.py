"""Broken and hostile input ends in a correct decision or a clear error, never a crash or a loss."""

from __future__ import annotations

import json
import os
from pathlib import Path

import datasets
import pyarrow as pa
import pytest

from tests.helpers import growth_ratio, run_cli
from xfilter import XFilter
from xfilter.output.verify import verify

STATUS = "https://twitter.com/jack/status/20"


def _save_and_verify(
    ds: datasets.Dataset | datasets.DatasetDict, tmp_path: Path, **config: object
) -> dict:
    xf = XFilter(mode="strict", **config)
    result = xf.split(ds.map(xf, batched=True))
    out = result.save(tmp_path / "out")
    verify(out)
    manifest = json.loads((out / "manifest.json").read_text())
    for counts in manifest["splits"].values():
        assert counts["input"] == counts["kept"] + counts["dropped"] + counts["quarantined"]
    return manifest


def _actions(table: pa.Table) -> list[str]:
    return XFilter(mode="strict").tag_table(table).column("xfilter_action").to_pylist()


def test_empty_dataset_and_empty_split(tmp_path: Path) -> None:
    empty = datasets.Dataset.from_dict(
        {"text": []}, features=datasets.Features({"text": datasets.Value("string")})
    )
    full = datasets.Dataset.from_dict({"text": [STATUS, "hello"]})
    manifest = _save_and_verify(
        datasets.DatasetDict({"train": full, "validation": empty}), tmp_path
    )
    assert manifest["splits"]["validation"]["input"] == 0
    assert manifest["splits"]["train"]["quarantined"] == 1


def test_nulls_in_every_field(tmp_path: Path) -> None:
    ds = datasets.Dataset.from_dict(
        {
            "text": [None, STATUS],
            "url": [None, None],
            "tweet_id": [None, None],
            "meta": [None, {"a": None}],
        }
    )
    manifest = _save_and_verify(ds, tmp_path)
    assert manifest["splits"]["train"]["quarantined"] == 1


def test_non_string_values_in_named_text_and_url_fields() -> None:
    table = pa.table({"text": [1, 2], "url": [3.5, None], "body": ["ok", STATUS]})
    tagged = XFilter(fields={"text": "text", "url": "url"}).tag_table(table)
    assert tagged.column("xfilter_action").to_pylist() == ["keep", "quarantine"]


def test_binary_columns_are_scanned() -> None:
    table = pa.table({"blob": pa.array([b"\xff\xfe not utf8", STATUS.encode(), None], pa.binary())})
    assert _actions(table) == ["keep", "quarantine", "keep"]


def test_deeply_nested_structs_and_lists() -> None:
    value: object = STATUS
    for depth in range(40):
        value = {"inner": value} if depth % 2 else [value]
    table = pa.table({"deep": [value, None]})
    assert _actions(table) == ["quarantine", "keep"]


def test_ten_megabyte_record() -> None:
    big = "lorem ipsum dolor sit amet " * 400_000
    table = pa.table({"text": [big, big + STATUS]})
    assert _actions(table) == ["keep", "quarantine"]


def test_hundred_thousand_urls_in_one_record() -> None:
    urls = " ".join(f"https://example.com/page/{i}" for i in range(100_000))
    xs = " ".join(f"https://twitter.com/user{i % 50}/status/{10**18 + i}" for i in range(100_000))
    table = pa.table({"text": [urls, xs]})
    tagged = XFilter().tag_table(table)
    assert tagged.column("xfilter_action").to_pylist() == ["keep", "quarantine"]
    assert tagged.column("xfilter_categories")[1].as_py() == ["x_link"]


PATHOLOGICAL = [
    "(" * 5000 + "@",
    "— " * 5000,
    "https://" + "a." * 5000,
    "twitter.com/" + "a/" * 5000,
    "<blockquote class=" + '"' * 5000,
    "pic.twitter.com/" + "x" * 20000,
    "@" * 20000,
    "window.YTD." + "a." * 5000,
    "{" * 5000,
    "t.co/" * 5000,
    "&mdash; " * 3000 + "(@",
]


@pytest.mark.parametrize("seed", range(len(PATHOLOGICAL)))
def test_no_catastrophic_backtracking(seed: int) -> None:
    """Time per byte stays flat: 8× the input may cost at most ~20× the time (noise margin)."""
    xf = XFilter()

    def tag(value: str) -> object:
        return xf.tag_table(pa.table({"text": [value], "post": [value]}))

    ratio = growth_ratio(tag, PATHOLOGICAL[seed], floor=0.002)
    assert ratio < 20, ratio


def test_invalid_json_in_a_json_column() -> None:
    table = pa.table(
        {"post": ['{"id_str": "20", "text": ', "[1, 2", '{"user": {"screen_name": "jack"}}}']}
    )
    assert _actions(table) == ["keep", "keep", "keep"]


def test_mixed_types_across_shards_is_a_clear_error(tmp_path: Path) -> None:
    shards = tmp_path / "in"
    shards.mkdir()
    (shards / "a.jsonl").write_text(json.dumps({"text": "a", "n": 1}) + "\n")
    (shards / "b.jsonl").write_text(json.dumps({"text": "b", "n": {"x": [1]}}) + "\n")
    done = run_cli(
        "run",
        "configs/strict.yaml",
        "--input",
        str(shards / "*.jsonl"),
        "--output",
        str(tmp_path / "o"),
    )
    if done.returncode == 0:  # datasets unified the types: then nothing may be lost
        manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
        assert manifest["splits"]["train"]["input"] == 2
    else:
        assert done.returncode == 2 and "cannot read input" in done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("url", "is_x"),
    [
        ("https://twitter\u200b.com/jack/status/20", True),
        ("https://twit\u200dter.com/jack/status/20", True),
        ("https://\u200ftwitter.com/jack/status/20", True),
        ("https://ｔｗｉｔｔｅｒ．ｃｏｍ/jack/status/20", True),
        ("https://TWITTER.COM/jack/status/20", True),
        ("https://tw\u0456tter.com/jack/status/20", False),  # Cyrillic і: another host
        ("https://twitter-dash.com/jack/status/20", False),
    ],
)
def test_unicode_tricks_inside_hosts(url: str, is_x: bool) -> None:
    table = pa.table({"url": [url], "text": [f"see {url}"]})
    tagged = XFilter().tag_table(table)
    categories = tagged.column("xfilter_categories").to_pylist()[0]
    assert ("x_post" in categories) is is_x, categories


def test_huge_opt_out_list_loads(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("".join(f"user_{i}\n" for i in range(300_000)))
    xf = XFilter(mode="collaborator", opt_out={"path": str(path)})
    assert xf.opt_out.count == 300_000
    assert xf.opt_out.contains_any(["USER_299999"])


def test_output_path_that_is_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    os.symlink(real, link)
    done = run_cli("run", "configs/strict.yaml", "--output", str(link))
    assert done.returncode == 2 and "symbolic link" in done.stderr


def test_output_escaping_into_the_input(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    datasets.Dataset.from_dict({"text": ["a"]}).to_parquet(str(data / "train.parquet"))
    for output in (str(data / "sub" / ".." / "out"), str(tmp_path / "x" / ".." / "data")):
        done = run_cli("run", "configs/strict.yaml", "--input", str(data), "--output", output)
        assert done.returncode == 2 and "overlaps the input" in done.stderr, output
