"""Every way a user calls the filter decides correctly or refuses; nothing escapes the scan."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import numpy as np
import pyarrow as pa
import pytest

import xfilter
from tests.helpers import REPO, run_cli
from xfilter import XFilter
from xfilter.errors import ConfigError, InputError, XFilterError
from xfilter.vocab import TAG_COLUMNS

STATUS = "see https://twitter.com/jack/status/20"
STATUS_URL = "https://x.com/jack/status/1212092628029698048"
ATTRIBUTION = "just setting up my twttr — jack (@jack) March 21, 2006"
STRICT = str(REPO / "configs" / "strict.yaml")


def _actions(table: pa.Table) -> list[str]:
    return XFilter(mode="strict").tag_table(table).column("xfilter_action").to_pylist()


@pytest.fixture
def web() -> datasets.Dataset:
    """FineWeb-shaped: text, url and a float score."""
    return datasets.Dataset.from_dict(
        {
            "text": [STATUS, "hello", "bread recipe", ATTRIBUTION],
            "url": ["https://example.com/a", "https://example.com/b", STATUS_URL, None],
            "language_score": [0.9, 0.8, 0.7, 0.6],
        }
    )


# -- one row or a batch ----------------------------------------------------------------------


def test_filter_without_batched_keeps_no_x_record() -> None:
    ds = datasets.Dataset.from_dict({"text": [STATUS, "hello"]})
    assert ds.filter(XFilter(mode="strict").keep)["text"] == ["hello"]


def test_filter_without_batched_on_web_shaped_rows(web: datasets.Dataset) -> None:
    xf = XFilter(mode="strict")
    assert web.filter(xf.keep)["text"] == ["hello"]
    assert web.filter(xf.keep)[:] == web.filter(xf.keep, batched=True)[:]


def test_map_without_batched_equals_the_batched_map(web: datasets.Dataset) -> None:
    xf = XFilter(mode="strict")
    rows, batched = web.map(xf), web.map(xf, batched=True)
    assert rows.features == batched.features
    assert rows[:] == batched[:]
    assert rows["xfilter_action"] == ["quarantine", "keep", "quarantine", "quarantine"]


def test_a_dict_of_scalars_is_one_record() -> None:
    xf = XFilter(mode="strict")
    tags = xf({"text": "see https://x.com/jack/status/20", "score": 0.5})
    assert tags["xfilter_action"] == "quarantine"
    assert tags["xfilter_categories"] == ["x_link"]
    assert xf.keep({"text": "see https://x.com/jack/status/20"}) is False
    assert xf.keep({"text": "hello", "score": 0.5}) is True


def test_a_dict_of_columns_is_a_batch() -> None:
    xf = XFilter(mode="strict")
    assert xf.keep({"text": [STATUS, "hello"]}) == [False, True]
    assert xf({"text": [STATUS, "hello"]})["xfilter_action"] == ["quarantine", "keep"]


def test_a_plain_string_is_refused_with_a_clear_error() -> None:
    with pytest.raises(XFilterError, match="batched=True"):
        XFilter(mode="strict").keep(STATUS)  # type: ignore[arg-type]


@pytest.mark.parametrize("batched", [False, True])
def test_iterable_dataset_filter_and_map(web: datasets.Dataset, batched: bool) -> None:
    xf = XFilter(mode="strict")
    stream = web.to_iterable_dataset()
    assert [r["text"] for r in stream.filter(xf.keep, batched=batched)] == ["hello"]
    tagged = list(stream.map(xf, batched=batched))
    assert [r["xfilter_action"] for r in tagged] == web.map(xf, batched=True)["xfilter_action"]
    assert tagged[0]["xfilter_categories"] == ["x_link"]


@pytest.mark.parametrize("batched", [False, True])
def test_rows_whose_only_feature_is_a_list(batched: bool) -> None:
    """One row {'messages': [a, b]} looks like a batch of two: datasets' own flag decides."""
    chats = datasets.Dataset.from_dict(
        {"messages": [[STATUS, "nice"], ["hello", "hi"], ["a", "b"]]}
    )
    xf = XFilter(mode="strict")
    expected = [["hello", "hi"], ["a", "b"]]
    assert chats.filter(xf.keep, batched=batched)["messages"] == expected
    stream = chats.to_iterable_dataset()
    assert [r["messages"] for r in stream.filter(xf.keep, batched=batched)] == expected
    actions = [r["xfilter_action"] for r in stream.map(xf, batched=batched)]
    assert actions == ["quarantine", "keep", "keep"]


# -- every datasets format ---------------------------------------------------------------------


FORMATS = ["python", "numpy", "pandas", "arrow"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_maps_like_the_default(web: datasets.Dataset, fmt: str) -> None:
    xf = XFilter(mode="strict")
    expected = web.map(xf, batched=True)
    tagged = web.with_format(fmt).map(xf, batched=True).with_format(None)
    for column in TAG_COLUMNS:
        assert tagged[column] == expected[column], column
    assert tagged["text"] == web["text"]
    assert tagged["language_score"] == web["language_score"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_filters_like_the_default(web: datasets.Dataset, fmt: str) -> None:
    kept = web.with_format(fmt).filter(XFilter(mode="strict").keep, batched=True)
    assert kept.with_format(None)["text"] == ["hello"]


@pytest.mark.parametrize("fmt", ["numpy", "pandas"])
def test_every_format_without_batched(web: datasets.Dataset, fmt: str) -> None:
    xf = XFilter(mode="strict")
    assert web.with_format(fmt).filter(xf.keep).with_format(None)["text"] == ["hello"]
    tagged = web.with_format(fmt).map(xf).with_format(None)
    assert tagged["xfilter_action"] == ["quarantine", "keep", "quarantine", "quarantine"]


def test_numpy_batches_with_list_columns() -> None:
    xf = XFilter(mode="strict")
    ds = datasets.Dataset.from_dict({"links": [["https://example.com"], [STATUS_URL, "a"]]})
    tagged = ds.with_format("numpy").map(xf, batched=True).with_format(None)
    assert tagged["xfilter_action"] == ["keep", "quarantine"]


# -- JSON-typed, map and other Arrow columns -----------------------------------------------------


def _load_json_lines(tmp_path: Path, rows: list[object]) -> datasets.Dataset:
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return datasets.load_dataset("json", data_files=str(path), split="train")


def test_a_column_whose_json_type_varies_is_scanned_decoded(tmp_path: Path) -> None:
    ds = _load_json_lines(tmp_path, [{"text": ATTRIBUTION}, {"text": {"a": 1}}])
    assert isinstance(ds.features["text"], datasets.Json)
    assert ds.map(XFilter(mode="strict"), batched=True)["xfilter_action"] == [
        "quarantine",
        "keep",
    ]


def test_a_struct_whose_keys_vary_is_scanned_decoded(tmp_path: Path) -> None:
    ds = _load_json_lines(
        tmp_path,
        [{"meta": {"body": ATTRIBUTION}}, {"meta": {"other": 1}}, {"meta": {"url": STATUS_URL}}],
    )
    assert isinstance(ds.features["meta"], datasets.Json)
    tagged = ds.map(XFilter(mode="strict"), batched=True)
    assert tagged["xfilter_action"] == ["quarantine", "keep", "quarantine"]
    # A metadata struct's url is the record's own address: the record is an X post.
    assert tagged[2]["xfilter_categories"][0] == "x_post"


def test_an_opted_out_author_in_a_json_column_is_rejected(tmp_path: Path) -> None:
    optout = tmp_path / "optout.txt"
    optout.write_text("jack\n")
    ds = _load_json_lines(tmp_path, [{"text": ATTRIBUTION}, {"text": {"a": 1}}])
    xf = XFilter(mode="collaborator", opt_out={"path": str(optout)})
    assert ds.filter(xf.keep, batched=True)["text"] == [{"a": 1}]


def test_the_cli_quarantines_embeds_in_a_json_typed_column(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps({"text": ATTRIBUTION}) + "\n" + '{"text": {"a": 1}}\n')
    out = tmp_path / "out"
    run_cli("run", STRICT, "--input", str(path), "--output", str(out), check=True)
    counts = json.loads((out / "manifest.json").read_text())["splits"]["train"]
    assert (counts["kept"], counts["quarantined"]) == (1, 1)


def test_json_text_with_escaped_characters_is_scanned_decoded() -> None:
    escaped = json.dumps({"body": ATTRIBUTION})  # ensure_ascii: the em dash is \u2014
    slashed = json.dumps({"body": "see " + STATUS_URL}).replace("/", "\\/")
    assert "\\u2014" in escaped
    assert _actions(pa.table({"text": [escaped, slashed, json.dumps([ATTRIBUTION])]})) == [
        "quarantine",
        "quarantine",
        "quarantine",
    ]


def test_map_columns_are_scanned() -> None:
    kind = pa.map_(pa.string(), pa.string())
    table = pa.table(
        {
            "meta": pa.array(
                [[("url", STATUS_URL)], [("note", ATTRIBUTION)], [("a", "b")], None], kind
            )
        }
    )
    assert _actions(table) == ["quarantine", "quarantine", "keep", "keep"]
    tagged = XFilter(mode="strict").tag_table(table)
    assert tagged.column("xfilter_categories")[0].as_py()[0] == "x_post"


def test_map_keys_are_scanned() -> None:
    kind = pa.map_(pa.string(), pa.int64())
    assert _actions(pa.table({"m": pa.array([[(STATUS_URL, 1)], [("a", 2)]], kind)})) == [
        "quarantine",
        "keep",
    ]


def _arrays_holding(value: str) -> dict[str, pa.Array]:
    """The same two rows (X, then not) in every Arrow layout that can hold text."""
    plain = pa.array([value, "hello"])
    as_bytes = pa.array([value.encode(), b"hello"])
    items = pa.array([value, "a", "hello", "b"])
    offsets = pa.array([0, 2, 4], pa.int32())
    types = pa.array([0, 1], pa.int8())
    return {
        "large_string": plain.cast(pa.large_string()),
        "string_view": plain.cast(pa.string_view()),
        "binary": as_bytes,
        "large_binary": as_bytes.cast(pa.large_binary()),
        "binary_view": as_bytes.cast(pa.binary_view()),
        "dictionary": plain.dictionary_encode(),
        "large_list": pa.LargeListArray.from_arrays(offsets.cast(pa.int64()), items),
        "fixed_size_list": pa.FixedSizeListArray.from_arrays(items, 2),
        "list_view": pa.ListViewArray.from_arrays(offsets[:2], pa.array([2, 2], pa.int32()), items),
        "sparse_union": pa.UnionArray.from_sparse(types, [plain, pa.array([1, 2])], ["s", "n"]),
        "dense_union": pa.UnionArray.from_dense(
            types,
            pa.array([0, 0], pa.int32()),
            [pa.array([value]), pa.array([7])],
            ["s", "n"],
        ),
        "run_end_encoded": pa.RunEndEncodedArray.from_arrays(pa.array([1, 2], pa.int32()), plain),
        "struct_of_list": pa.StructArray.from_arrays(
            [pa.ListArray.from_arrays(offsets, items)], ["body"]
        ),
    }


@pytest.mark.parametrize("layout", sorted(_arrays_holding("x")))
def test_every_arrow_layout_that_holds_text_is_scanned(layout: str) -> None:
    array = _arrays_holding(STATUS)[layout]
    assert _actions(pa.table({"text": array}))[0] == "quarantine", layout
    assert _actions(pa.table({"text": _arrays_holding("hello")[layout]}))[0] == "keep"


def test_an_extension_type_is_scanned_through_its_storage() -> None:
    from xfilter.tagging.scan import leaves

    class Opaque(pa.ExtensionType):
        def __init__(self) -> None:
            super().__init__(pa.string(), "test.opaque")

        def __arrow_ext_serialize__(self) -> bytes:
            return b""

        @classmethod
        def __arrow_ext_deserialize__(cls, storage_type, serialized):  # type: ignore[no-untyped-def]
            return cls()

    opaque = pa.ExtensionArray.from_storage(Opaque(), pa.array([STATUS]))
    assert _actions(pa.table({"text": opaque})) == ["quarantine"]
    assert [leaf.path for leaf in leaves(pa.table({"text": opaque}))] == ["text"]


# -- split() decides with its own filter --------------------------------------------------------


def test_split_refuses_tags_from_another_filter(web: datasets.Dataset) -> None:
    tagged = web.map(XFilter(mode="first-party"), batched=True)
    with pytest.raises(XFilterError, match=r"split 'train' row 0: .*another filter"):
        XFilter(mode="strict").split(tagged)


def test_split_refuses_edited_tags(web: datasets.Dataset) -> None:
    xf = XFilter(mode="strict")
    tagged = web.map(xf, batched=True)
    edited = tagged.map(
        lambda row, i: {"xfilter_action": "keep" if i == 2 else row["xfilter_action"]},
        with_indices=True,
    )
    with pytest.raises(XFilterError, match=r"split 'train' row 2: xfilter_action is 'keep'"):
        xf.split(edited)
    categories = tagged.map(lambda row: {"xfilter_categories": []})
    with pytest.raises(XFilterError, match="row 0: xfilter_categories"):
        xf.split(categories)


def test_split_accepts_its_own_tags_including_redactions() -> None:
    embed = "Intro.\n\nSunsets over @GrandTetonNPS.\n— US Interior (@Interior) May 5, 2014\n\nEnd."
    ds = datasets.Dataset.from_dict({"text": [embed, "hello", STATUS]})
    xf = XFilter(mode="strict", categories={"x_embed": "redact"})
    result = xf.split(ds.map(xf, batched=True))
    assert result.manifest["splits"]["train"]["redacted"] == 1
    assert result.clean.num_rows == 2


# -- a saved output and an in-memory result -----------------------------------------------------


def test_run_returns_an_output_that_reads_and_copies(tmp_path: Path) -> None:
    out = xfilter.run(STRICT, output=tmp_path / "o1")
    assert isinstance(out, xfilter.Output)
    assert out.path == tmp_path / "o1" and out.saved_to == out.path
    counts = out.counts["train"]
    assert counts["input"] == counts["kept"] + counts["dropped"] + counts["quarantined"]
    assert out.clean["train"].num_rows == counts["kept"]
    assert out.quarantine["train"].num_rows == counts["quarantined"]
    removed = sum(c["dropped"] + c["quarantined"] for c in out.counts.values())
    assert out.ledger.num_rows == removed
    assert "strict" in repr(out) and str(out.path) in repr(out)
    copy = out.save(tmp_path / "o2")
    assert copy.manifest == out.manifest
    assert copy.verify(quick=True)
    with pytest.raises(XFilterError, match="exists"):
        out.save(tmp_path / "o2")


def test_save_returns_an_output(web: datasets.Dataset, tmp_path: Path) -> None:
    xf = XFilter(mode="strict")
    result = xf.split(web.map(xf, batched=True))
    saved = result.save(tmp_path / "run")
    assert isinstance(saved, xfilter.Output)
    assert saved.counts == {n: c.as_dict() for n, c in result.counts.items()}
    assert saved.verify()
    assert Path(saved) == tmp_path / "run"  # still usable as the path it used to be


def test_output_of_a_directory_that_is_no_output(tmp_path: Path) -> None:
    with pytest.raises(XFilterError, match="not a finished xfilter output"):
        xfilter.Output(tmp_path)


# -- arguments ----------------------------------------------------------------------------------


@pytest.mark.parametrize("num_proc", [0, -1])
def test_run_refuses_a_num_proc_below_one(tmp_path: Path, num_proc: int) -> None:
    with pytest.raises(ConfigError, match="num_proc"):
        xfilter.run(STRICT, output=tmp_path / "o", num_proc=num_proc)
    assert not (tmp_path / "o").exists()


def test_cli_num_proc_below_one_is_a_one_line_error(tmp_path: Path) -> None:
    done = run_cli("run", STRICT, "--output", str(tmp_path / "o"), "--num-proc", "-1")
    assert done.returncode == 2
    assert done.stderr.startswith("xfilter: error:") and "num_proc" in done.stderr
    assert "Traceback" not in done.stderr


def test_filter_accepts_a_config_path() -> None:
    xf = XFilter(config=STRICT)
    assert xf.config.mode == "strict"
    assert XFilter(config=Path(STRICT), action="drop").config.action == "drop"


def test_filter_refuses_a_config_of_another_type() -> None:
    with pytest.raises(ConfigError, match="config"):
        XFilter(config=42)  # type: ignore[arg-type]


def test_numpy_scalars_in_a_row_are_read_as_values() -> None:
    xf = XFilter(mode="strict")
    assert xf.keep({"text": np.str_(STATUS), "score": np.float32(0.5)}) is False


def test_a_missing_file_named_as_config_is_an_input_or_config_error(tmp_path: Path) -> None:
    with pytest.raises((ConfigError, InputError)):
        XFilter(config=tmp_path / "missing.yaml")


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("streaming", [False, True])
def test_filtering_with_the_filter_itself_instead_of_keep_is_refused(
    web: datasets.Dataset, batched: bool, streaming: bool
) -> None:
    xf = XFilter(mode="strict")
    data = web.to_iterable_dataset() if streaming else web
    with pytest.raises(Exception, match=r"filter with xf\.keep") as caught:
        kept = data.filter(xf, batched=batched)
        list(kept)
    # datasets may wrap the error; the message is ours either way
    assert "would keep every record" in str(caught.value)


@pytest.mark.parametrize("levels", [25, 200])
def test_a_post_wrapped_in_many_levels_of_json_is_found(levels: int) -> None:
    post = {
        "id_str": "1585841080431321088",
        "text": "hi",
        "user": {"screen_name": "jack"},
        "created_at": "Fri Oct 28 03:49:11 +0000 2022",
    }
    wrapped = json.dumps(post)
    for _ in range(levels):
        wrapped = '{"a": ' + wrapped + "}"
    tagged = XFilter(mode="strict").tag_table(pa.table({"text": [wrapped]}))
    assert tagged.column("xfilter_action").to_pylist() == ["quarantine"]
    assert tagged.column("xfilter_authors").to_pylist() == [["jack"]]


@pytest.mark.parametrize("batched", [True, False])
def test_filtering_with_tag_columns_is_refused(web: datasets.Dataset, batched: bool) -> None:
    xf = XFilter(mode="strict")
    with pytest.raises(Exception, match=r"filter\(xf\.tag_columns\) would keep every record"):
        web.filter(xf.tag_columns, batched=batched)
