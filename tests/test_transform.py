"""The ``datasets`` glue on real Dataset, DatasetDict and IterableDataset objects."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import datasets
import pyarrow as pa
import pytest

import xfilter
import xfilter.transform
from tests.helpers import REPO
from xfilter import XFilter
from xfilter.vocab import TAG_COLUMNS

EMBED = (
    "Officials answered within the hour.\n\n"
    "Sunsets don't get much better than this one over @GrandTetonNPS. #nature\n"
    "— US Department of the Interior (@Interior) May 5, 2014\n\n"
    "The park expects record visitors this summer."
)
ROWS = [
    {"text": "A recipe for bread: flour, water, salt, yeast.", "url": "https://example.com/bread"},
    {"text": EMBED, "url": "https://news.example.org/parks"},
    {"text": "Read https://twitter.com/jack/status/20 for history.", "url": None},
    {"text": "Profile page.", "url": "https://x.com/TwitterDev/status/1228393702244134912"},
    {"text": "Share this on Twitter!", "url": "https://www.netflix.com/title/1"},
    {"text": "Contact press@dropbox.com or visit microsoft.com.", "url": "https://vox.com/a"},
]


def _actions(ds: datasets.Dataset) -> list[str]:
    return list(ds["xfilter_action"])


@pytest.fixture
def dataset() -> datasets.Dataset:
    return datasets.Dataset.from_list(ROWS)


def test_map_adds_the_four_columns_and_changes_nothing_else(dataset: datasets.Dataset) -> None:
    tagged = dataset.map(XFilter(mode="strict"), batched=True)
    assert tagged.column_names == [*dataset.column_names, *TAG_COLUMNS]
    assert tagged["text"] == dataset["text"]
    assert _actions(tagged) == ["keep", "quarantine", "quarantine", "quarantine", "keep", "keep"]
    assert "x_embed" in tagged[1]["xfilter_categories"]
    assert "interior" in tagged[1]["xfilter_authors"]
    assert tagged[3]["xfilter_categories"][0] == "x_post"
    assert "twitterdev" in tagged[3]["xfilter_authors"]
    assert tagged[5]["xfilter_categories"] == []


def test_drop_action(dataset: datasets.Dataset) -> None:
    tagged = dataset.map(XFilter(mode="strict", action="drop"), batched=True)
    assert _actions(tagged)[:4] == ["keep", "drop", "quarantine", "drop"]


def test_arrow_format_returns_a_table(dataset: datasets.Dataset) -> None:
    tagged = dataset.with_format("arrow").map(XFilter(), batched=True).with_format(None)
    plain = dataset.map(XFilter(), batched=True)
    assert tagged.column_names == plain.column_names
    assert tagged["xfilter_rules"] == plain["xfilter_rules"]


def test_batch_size_does_not_change_decisions(dataset: datasets.Dataset) -> None:
    xf = XFilter()
    one = dataset.map(xf, batched=True, batch_size=1)
    big = dataset.map(xf, batched=True, batch_size=1000)
    assert one["xfilter_rules"] == big["xfilter_rules"]
    assert one["xfilter_authors"] == big["xfilter_authors"]


def test_dataset_dict(dataset: datasets.Dataset) -> None:
    dd = datasets.DatasetDict({"train": dataset, "validation": dataset.select([1, 5])})
    tagged = dd.map(XFilter(), batched=True)
    assert _actions(tagged["validation"]) == ["quarantine", "keep"]


def test_iterable_dataset(dataset: datasets.Dataset) -> None:
    xf = XFilter()
    streamed = dataset.to_iterable_dataset(num_shards=2).map(xf, batched=True, batch_size=2)
    rows = list(streamed)
    assert [r["xfilter_action"] for r in rows] == _actions(dataset.map(xf, batched=True))
    assert rows[1]["xfilter_authors"] == ["interior"]


def test_iterable_dataset_arrow_format(dataset: datasets.Dataset) -> None:
    streamed = dataset.to_iterable_dataset().with_format("arrow").map(XFilter(), batched=True)
    tables = list(streamed.iter(batch_size=10))
    assert tables[0].column("xfilter_action").to_pylist()[1] == "quarantine"


def test_num_proc_two_gives_the_same_tags(dataset: datasets.Dataset) -> None:
    xf = XFilter()
    single = dataset.map(xf, batched=True, batch_size=2)
    double = dataset.map(xf, batched=True, batch_size=2, num_proc=2)
    for column in TAG_COLUMNS:
        assert single[column] == double[column]


def test_keep_for_filter(dataset: datasets.Dataset) -> None:
    clean = dataset.filter(XFilter().keep, batched=True)
    assert clean["url"] == [ROWS[0]["url"], ROWS[4]["url"], ROWS[5]["url"]]
    assert clean.column_names == dataset.column_names


def test_pickle_round_trip_keeps_the_fingerprint(tmp_path: Path) -> None:
    optout = tmp_path / "optout.txt"
    optout.write_text("jack\n")
    xf = XFilter(mode="collaborator", opt_out={"path": str(optout)})
    clone = pickle.loads(pickle.dumps(xf))
    assert clone.fingerprint == xf.fingerprint
    assert clone.opt_out.contains_any(["JACK"])
    assert clone.tagger.policy.decide(["x_post"], ["jack"]).action == "quarantine"


def test_fingerprint_follows_config_and_version(monkeypatch: pytest.MonkeyPatch) -> None:
    base = XFilter(mode="strict").fingerprint
    assert XFilter(mode="strict").fingerprint == base
    assert XFilter(mode="first-party").fingerprint != base
    assert XFilter(mode="strict", categories={"x_link": "keep"}).fingerprint != base
    monkeypatch.setattr(xfilter.transform, "__version__", "999.0.0")
    assert XFilter(mode="strict").fingerprint != base


def test_second_identical_map_hits_the_cache(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    ds = datasets.load_dataset(
        "json", data_files=str(data), split="train", cache_dir=str(tmp_path / "cache")
    )
    first = ds.map(XFilter(mode="strict"), batched=True)
    cache = Path(first.cache_files[0]["filename"])
    stamp = cache.stat().st_mtime_ns
    again = ds.map(XFilter(mode="strict"), batched=True)
    assert again.cache_files == first.cache_files
    assert cache.stat().st_mtime_ns == stamp
    other = ds.map(XFilter(mode="first-party"), batched=True)
    assert other.cache_files != first.cache_files
    assert _actions(other) != _actions(first)


def test_redact_cuts_the_embedded_post(dataset: datasets.Dataset) -> None:
    xf = XFilter(mode="strict", categories={"x_embed": "redact"})
    tagged = dataset.map(xf, batched=True)
    assert tagged[1]["xfilter_action"] == "redact"
    text = tagged[1]["text"]
    assert "(@Interior)" not in text and "Sunsets" not in text
    assert "Officials answered" in text and "record visitors" in text
    assert tagged[0]["text"] == ROWS[0]["text"]
    # A filter cannot rewrite text, so a record that needs redaction is not kept by it.
    assert len(dataset.filter(xf.keep, batched=True)) == 3


def test_redacted_record_with_remaining_x_content_is_rejected() -> None:
    row = {"text": EMBED + "\nMore: https://twitter.com/Interior/status/463440424141459456"}
    ds = datasets.Dataset.from_list([row])
    tagged = ds.map(XFilter(mode="strict", categories={"x_embed": "redact"}), batched=True)
    assert tagged[0]["xfilter_action"] == "quarantine"
    assert tagged[0]["text"] == row["text"]


def test_split_and_save(dataset: datasets.Dataset, tmp_path: Path) -> None:
    xf = XFilter(mode="strict")
    result = xf.split(dataset.map(xf, batched=True))
    assert result.clean.num_rows == 3 and result.quarantine.num_rows == 3
    assert "xfilter_action" not in result.clean.column_names
    assert "xfilter_rules" in result.quarantine.column_names
    counts = result.manifest["splits"]["train"]
    assert counts["input"] == counts["kept"] + counts["dropped"] + counts["quarantined"] == 6
    out = result.save(tmp_path / "run1").path
    loaded = datasets.load_dataset(str(out / "clean"))
    assert loaded["train"]["url"] == result.clean["url"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["outputs"]["files"][0]["sha256"]


def test_split_rejects_untagged_and_streaming(dataset: datasets.Dataset) -> None:
    xf = XFilter()
    with pytest.raises(xfilter.XFilterError, match="not tagged"):
        xf.split(dataset)
    with pytest.raises(TypeError, match="streaming"):
        xf.split(dataset.to_iterable_dataset().map(xf, batched=True))


def test_nested_and_mixed_columns() -> None:
    rows = {
        "meta": [{"url": "https://twitter.com/jack/status/20"}, {"url": "https://example.com"}],
        "links": [["https://example.com", "https://t.co/abc123XYZ"], []],
        "tweet_id": [None, "463440424141459456"],
    }
    table = pa.table(rows)
    tagged = XFilter().tag_table(table)
    categories = tagged.column("xfilter_categories").to_pylist()
    assert "x_post" in categories[0]
    assert "x_post" in categories[1]


def test_json_feature_columns_are_parsed() -> None:
    post = {
        "id_str": "463440424141459456",
        "created_at": "Mon May 05 22:09:00 +0000 2014",
        "text": "Sunsets don't get much better than this one",
        "user": {"id_str": "76348185", "screen_name": "Interior"},
    }
    features = datasets.Features({"doc": datasets.Json(), "note": datasets.Value("string")})
    ds = datasets.Dataset.from_dict(
        {"doc": [post, {"a": 1}], "note": ["x", "y"]}, features=features
    )
    tagged = ds.map(XFilter(), batched=True)
    assert tagged[0]["xfilter_categories"][0] == "x_post"
    assert tagged[0]["xfilter_authors"] == ["interior"]
    assert tagged[1]["xfilter_action"] == "keep"


OPT_OUT = {"path": str(REPO / "configs" / "opt-out.example.csv")}
KEEP_SETTINGS = [
    {"mode": "strict"},
    {"mode": "strict", "action": "drop"},
    {"mode": "strict", "categories": {"x_embed": "redact"}},
    {"mode": "strict", "categories": {"x_mention": "quarantine"}},
    {"mode": "collaborator", "opt_out": OPT_OUT},
    {"mode": "first-party", "opt_out": OPT_OUT},
]


def _keep_agrees(xf: XFilter, table: pa.Table) -> list[str]:
    actions = xf.tag_table(table).column("xfilter_action").to_pylist()
    assert xf.keep(table) == [a == "keep" for a in actions]
    return actions


@pytest.mark.parametrize("settings", KEEP_SETTINGS)
def test_keep_agrees_with_the_tagged_actions(settings: dict[str, object]) -> None:
    # keep() skips mention analysis when the policy keeps mentions, and stops analysing a text
    # at the first category that removes it whoever the author; the answer must not move.
    xf = XFilter(**settings)  # type: ignore[arg-type]
    actions = []
    for files in xfilter.demo_files().values():
        demo = datasets.load_dataset("json", data_files=files, split="train")
        actions += _keep_agrees(xf, demo.data.table)
    assert "keep" in actions and len(set(actions)) > 1


@pytest.mark.parametrize("settings", KEEP_SETTINGS)
def test_keep_agrees_with_the_tagged_actions_on_real_pages(
    corpus: Path, settings: dict[str, object]
) -> None:
    xf = XFilter(**settings)  # type: ignore[arg-type]
    for name, column in (("web_html", "html"), ("web_text", "text")):
        pages = datasets.load_dataset(
            "json", data_files=str(corpus / f"{name}.jsonl.gz"), split="train"
        ).select_columns([column, "url"])
        for start in range(0, pages.num_rows, 200):
            _keep_agrees(xf, pages.data.table.slice(start, 200))


def test_tag_columns_beside_the_input_equal_the_full_map(dataset: datasets.Dataset) -> None:
    xf = XFilter(mode="strict")
    tags = dataset.map(xf.tag_columns, batched=True, remove_columns=dataset.column_names)
    assert tags.column_names == list(TAG_COLUMNS)
    beside = datasets.concatenate_datasets([dataset, tags], axis=1)
    assert beside.to_list() == dataset.map(xf, batched=True).to_list()
    redacting = XFilter(mode="strict", categories={"x_embed": "redact"})
    with pytest.raises(ValueError, match="redacts"):
        redacting.tag_columns(dataset.data.table)


def test_short_text_columns_scanned_together_keep_their_rows_and_fields() -> None:
    # All string columns of a batch share one prefilter call (RE2); each hit must still land
    # on its own row and field.
    rows = 5
    wrapped = "Skip Twitter post by @nasa\nHi\nEnd of Twitter post by @nasa"
    columns = {
        "text": ["an article about rivers " * 20] * rows,
        "dump": ["CC-MAIN-2024-10"] * rows,
        "note": [None, "see https://x.com/jack/status/20", None, None, None],
        "path": [None, None, None, wrapped, None],
        "lang": ["en"] * rows,
    }
    tagged = XFilter(mode="strict").tag_table(pa.table(columns))
    actions = tagged.column("xfilter_action").to_pylist()
    assert actions == ["keep", "quarantine", "keep", "quarantine", "keep"]
    assert tagged.column("xfilter_authors").to_pylist()[3] == ["nasa"]
    assert "link.status" in tagged.column("xfilter_rules").to_pylist()[1]
