"""Scan engines: RE2 and Hyperscan find the same rows and lead to the same decisions.

The Hyperscan tests skip when it is not installed; CI installs ``xfilter[fast]`` so they run.
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
import threading
from pathlib import Path

import datasets
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xfilter
from xfilter.detect import urls
from xfilter.errors import ConfigError
from xfilter.policy.optout import OptOutList, entry_key
from xfilter.policy.optout_keys import (
    InvalidEntry,
    exact_key,
    keys_from_lines,
    keys_from_txt,
    sorted_unique,
)
from xfilter.tagging import prefilter as engines
from xfilter.tagging.prefilter import re2
from xfilter.tagging.prefilter.re2_syntax import Untranslatable, parse
from xfilter.tagging.scan import STRONG_TEXT_PREFILTER, TEXT_PREFILTER, leaves
from xfilter.vocab import TAG_COLUMNS

DEMO = Path(xfilter.__file__).parent / "data" / "demo"
PREFILTERS = {"text": TEXT_PREFILTER, "strong": STRONG_TEXT_PREFILTER, "url": urls.PREFILTER}

needs_hyperscan = pytest.mark.skipif(
    not engines.hyperscan_available(), reason="hyperscan is not installed (xfilter[fast])"
)

# Strings that probe every edge the translation handles: anchors, lookalike hosts, case folding
# RE2 does and Hyperscan does not (ᲄ, ſ, K), fullwidth and zero-width disguises, emails.
TRICKY = [
    "x.com/user/status/1 at the very start",
    "ends with a link to t.co",
    "netflix.com and microsoft.com and dropbox.com and vox.com",
    "ᲄвиттер and ТВИТТЕР",
    "ſtatus",
    "KELVIN \u212a",
    "ｔｗｉｔｔｅｒ．ｃｏｍ/abc",
    "t\u200bwitter.com/x",
    "x\u200b.com/y",
    "(contact: press@example.org)",
    "— Name (@handle) May 5, 2014",
    "Follow us on X",
    "follow me @someone",
    '{"id_str": "123", "screen_name": "a"}',
    "RT @someone: hi",
    "mastodon.social/@user",
    "",
    "plain text without anything",
    "twit",
    "ter.com at the start",
    "%2Fx.com%2F",
    "via\u00a0x",
    "ツイッター",
]


def _texts_table() -> pa.Table:
    return pa.table({"text": TRICKY, "url": TRICKY[::-1]})


def _demo_table() -> pa.Table:
    files = sorted(str(p) for p in DEMO.glob("*.jsonl"))
    return datasets.load_dataset("json", data_files=files, split="train").data.table


def _string_leaves(table: pa.Table) -> list[pa.Array]:
    return [leaf.values for leaf in leaves(table) if pa.types.is_string(leaf.values.type)]


def _both(values: pa.Array, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    from xfilter.tagging.prefilter import hyperscan

    return re2.candidates(values, pattern), hyperscan.candidates(values, pattern)


# -- engine choice --------------------------------------------------------------------------


def test_engine_name_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(engines.ENV_VAR, "re2")
    assert engines.engine_name() == "re2"
    monkeypatch.setenv(engines.ENV_VAR, "auto")
    assert engines.engine_name() == ("hyperscan" if engines.hyperscan_available() else "re2")
    monkeypatch.setenv(engines.ENV_VAR, "pcre")
    with pytest.raises(ConfigError, match="XFILTER_ENGINE: 'pcre' is not one of"):
        engines.engine_name()


def test_re2_contract() -> None:
    values = pa.array(["a twitter b", None, "nothing", "TWEET"])
    assert re2.candidates(values, "twitter|tweet").tolist() == [0, 3]
    assert re2.candidates(pa.array([], pa.string()), "x").tolist() == []


@pytest.mark.parametrize("engine", ["re2", "hyperscan"])
def test_candidates_in_several_arrays(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if engine == "hyperscan" and not engines.hyperscan_available():
        pytest.skip("hyperscan is not installed (xfilter[fast])")
    monkeypatch.setenv(engines.ENV_VAR, engine)
    arrays = [
        pa.array(["a twitter b", None, "nothing", "TWEET"]),
        pa.array([], pa.string()),
        pa.array(["tweet", "x", None]).slice(1),  # an offset into its buffers
        pa.array([None, "twitter"]),
    ]
    found = engines.candidates_in(arrays, "twitter|tweet")
    assert [f.tolist() for f in found] == [[0, 3], [], [], [1]]
    assert engines.candidates_in([], "x") == []


# -- identical rows -------------------------------------------------------------------------


@needs_hyperscan
def test_prefilters_run_on_hyperscan_not_the_fallback() -> None:
    from xfilter.tagging.prefilter.hyperscan import compile_pattern

    for pattern in PREFILTERS.values():
        compiled = compile_pattern(pattern)
        assert compiled is not None and compiled.database is not None


@needs_hyperscan
@pytest.mark.parametrize("kind", ["string", "large_string"])
def test_same_rows_on_tricky_strings(kind: str) -> None:
    values = pa.array([*TRICKY, None, "x.com"], type=getattr(pa, kind)())
    for pattern in PREFILTERS.values():
        ours, theirs = _both(values, pattern)
        assert ours.tolist() == theirs.tolist()
        assert ours.size  # the probe set does exercise matches


@needs_hyperscan
def test_same_rows_on_slices_nulls_empty_and_chunks() -> None:
    values = pa.array([None, *TRICKY, None, *TRICKY])
    for pattern in PREFILTERS.values():
        for start, length in [(0, 0), (1, 5), (7, 20), (3, len(values) - 3), (len(values), 0)]:
            piece = values.slice(start, length)
            assert np.array_equal(*_both(piece, pattern))
        chunked = pa.chunked_array([values.slice(0, 9), values.slice(9)])
        assert np.array_equal(*_both(chunked, pattern))
    assert _both(pa.array([], pa.string()), TEXT_PREFILTER)[1].dtype == np.int64


@needs_hyperscan
def test_a_null_slot_that_covers_bytes_is_never_a_row() -> None:
    # Arrow lets a null slot span bytes (here an X status URL): the scan reads them, and the
    # row must still not be a candidate, as on RE2.
    data = b"a tweet" + b"x.com/a/status/1" + b"nothing"
    offsets = pa.array([0, 7, 23, 30], pa.int32()).buffers()[1]
    validity = pa.array([True, False, True]).buffers()[1]
    values = pa.Array.from_buffers(pa.string(), 3, [validity, offsets, pa.py_buffer(data)])
    assert values.to_pylist() == ["a tweet", None, "nothing"]
    for pattern in PREFILTERS.values():
        ours, theirs = _both(values, pattern)
        assert ours.tolist() == theirs.tolist()
    assert _both(values, TEXT_PREFILTER)[0].tolist() == [0]


@needs_hyperscan
def test_matches_across_row_boundaries_are_not_rows() -> None:
    # In the buffer "...twit" + "ter.com..." reads "twitter.com": neither row has it.
    values = pa.array(["read on twit", "ter.com today", "at the end x", ".com"])
    assert (
        _both(values, TEXT_PREFILTER)[1].tolist() == re2.candidates(values, TEXT_PREFILTER).tolist()
    )
    assert re2.candidates(values, "twitter\\.com").tolist() == []


@needs_hyperscan
@pytest.mark.parametrize(
    "pattern",
    [
        r"^abc", r"abc$", r"(?:^|[^a-z])x\.com", r"x\.com(?:$|/)", r"^ab$", r"\bcat\b",
        r"a.c", r"[^()]{0,5}@", r"colou?r|ha{2,3}", r"\d{3}-\d{2}", r"[[:alpha:]]+x",
        r"\pL+z", r"(?i)ab", r"(?-i:AB)", r"a*", r"(?:)", r"\x{1F600}", r"[\s\S]x",
    ],
)  # fmt: skip
def test_same_rows_for_any_re2_syntax(pattern: str) -> None:
    values = pa.array(
        ["abc", "xabc", "abcx", "ab", "x.com", "netflix.com", "cat", "concat", "a\nc", "acc",
         "(a@", "color", "haaa", "123-45", "Ab", "AB", "", None, "😀", "é x"]
    )  # fmt: skip
    assert np.array_equal(*_both(values, pattern))


@needs_hyperscan
def test_untranslatable_patterns_fall_back_to_re2() -> None:
    from xfilter.tagging.prefilter.hyperscan import compile_pattern

    for pattern in (r"\pL", r"(?-i:a)", r"a*", r"x^y"):
        assert compile_pattern(pattern) is None
    with pytest.raises(Untranslatable):
        parse(r"\Qa\E")


_FRAGMENTS = st.sampled_from(
    ["x.com", "t.co", "twitter", "tweet", "netflix", "@", "(", ")", " ", "\n", "a", "Z", "ſ",
     "\u212a", "\u200b", "ｔ", ".", "/", "%2e", "status", "follow", "on x", "ᲄ", "é", "😀"]
)  # fmt: skip


@needs_hyperscan
@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_FRAGMENTS, max_size=8).map("".join), min_size=1, max_size=12))
def test_same_rows_on_generated_strings(texts: list[str]) -> None:
    values = pa.array(texts)
    for pattern in PREFILTERS.values():
        assert np.array_equal(*_both(values, pattern))


@needs_hyperscan
def test_same_rows_on_the_demo() -> None:
    for values in _string_leaves(_demo_table()):
        for pattern in PREFILTERS.values():
            assert np.array_equal(*_both(values, pattern))


@needs_hyperscan
def test_same_rows_on_the_corpus(corpus: Path) -> None:
    for file in sorted(corpus.glob("*.jsonl.gz")):
        table = datasets.load_dataset("json", data_files=str(file), split="train").data.table
        for values in _string_leaves(table):
            for name, pattern in PREFILTERS.items():
                ours, theirs = _both(values, pattern)
                assert np.array_equal(ours, theirs), f"{file.name}: {name} prefilter"


@needs_hyperscan
def test_threads_scan_with_their_own_scratch() -> None:
    values = pa.array(TRICKY * 200)
    expected = re2.candidates(values, TEXT_PREFILTER)
    results: list[np.ndarray] = []

    def work() -> None:
        from xfilter.tagging.prefilter import hyperscan

        for _ in range(20):
            results.append(hyperscan.candidates(values, TEXT_PREFILTER))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 60 and all(np.array_equal(r, expected) for r in results)


@needs_hyperscan
def test_compiled_databases_are_cached_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xfilter.tagging.prefilter import hs_cache, hyperscan

    values = pa.array(["x.com/a/status/1", "netflix.com", None, "see t.co/abc"])
    monkeypatch.setenv(hs_cache.ENV_VAR, str(tmp_path))
    hyperscan.compile_pattern.cache_clear()
    try:
        first = hyperscan.candidates(values, urls.PREFILTER)
        assert len(list((tmp_path / "hyperscan").glob("*.hsdb"))) == 1
        hyperscan.compile_pattern.cache_clear()  # a new process, as far as the cache knows
        assert hyperscan.candidates(values, urls.PREFILTER).tolist() == first.tolist() == [0, 3]
        (next((tmp_path / "hyperscan").glob("*.hsdb"))).write_bytes(b"garbage")
        hyperscan.compile_pattern.cache_clear()  # a broken entry means compiling again
        assert hyperscan.candidates(values, urls.PREFILTER).tolist() == [0, 3]
    finally:
        hyperscan.compile_pattern.cache_clear()


# -- identical decisions --------------------------------------------------------------------


def _decisions(table: pa.Table, engine: str, monkeypatch: pytest.MonkeyPatch) -> pa.Table:
    monkeypatch.setenv(engines.ENV_VAR, engine)
    return xfilter.XFilter(mode="strict").tag_table(table).select(list(TAG_COLUMNS))


@needs_hyperscan
def test_same_decisions_on_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    table = _demo_table()
    assert _decisions(table, "re2", monkeypatch).equals(_decisions(table, "hyperscan", monkeypatch))


@needs_hyperscan
def test_same_decisions_on_the_corpus(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The first rows of every file: the candidate test above covers every row, cheaply.
    for file in sorted(corpus.glob("*.jsonl.gz")):
        table = datasets.load_dataset("json", data_files=str(file), split="train").data.table
        table = table.slice(0, 120)
        ours, theirs = (_decisions(table, e, monkeypatch) for e in ("re2", "hyperscan"))
        assert ours.equals(theirs), file.name


@needs_hyperscan
def test_filter_pickles_after_scanning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(engines.ENV_VAR, "hyperscan")
    xf = xfilter.XFilter(mode="strict")
    xf.tag_table(_texts_table())
    clone = pickle.loads(pickle.dumps(xf))  # nothing compiled rides along
    assert clone.tag_table(_texts_table()).equals(xf.tag_table(_texts_table()))


# -- opt-out keys ---------------------------------------------------------------------------

_ENTRIES = [
    "jack", "@Jack", "  JACK  ", "12", "783214", "a_b_c", "@x", "١٢٣",
    "sha256:" + hashlib.sha256(b"jack").hexdigest(),
    "sha256:" + hashlib.sha256(b"783214").hexdigest().upper(),
]  # fmt: skip


def test_keys_equal_the_optout_rules() -> None:
    expected = [
        int(e.strip()[7:23], 16) if e.strip().startswith("sha256:") else entry_key(e)
        for e in _ENTRIES
    ]
    assert [exact_key(e) for e in _ENTRIES] == expected
    assert sorted(keys_from_lines(_ENTRIES).tolist()) == sorted(expected)
    assert sorted(keys_from_lines(pa.array(_ENTRIES)).tolist()) == sorted(expected)
    assert sorted(keys_from_lines(e.encode() for e in _ENTRIES).tolist()) == sorted(expected)
    # A shared sha256 entry is the same key as the plain entry it hides.
    assert keys_from_lines(["jack"])[0] == keys_from_lines([_ENTRIES[8]])[0]


@pytest.mark.parametrize("bad", ["not a handle", "SHA256:" + "0" * 64, "sha256:abc", "@@x", ""])
def test_invalid_entries_are_named_by_position(bad: str) -> None:
    with pytest.raises(InvalidEntry) as raised:
        keys_from_lines(["ok", "@fine", bad, "x"])
    assert raised.value.index == 2
    assert bad not in str(raised.value) or not bad  # the entry itself is not echoed


@pytest.mark.parametrize(
    "body",
    [
        "jack\n@Jill\n# a comment\n\n783214  # trailing comment\nsha256:" + "ab" * 32 + "\n",
        "\ufeffjack\r\n@jill\r\n\r\n",
        "jack\u2028jill\x0bbob\n",  # line breaks splitlines() honours
        "jack\n\u00a0\n\u00a0@jill\u00a0\n١٢٣\n",  # Unicode spaces and digits: the exact path
        "",
    ],
)
def test_txt_lists_load_like_optout(body: str, tmp_path: Path) -> None:
    file = tmp_path / "list.txt"
    file.write_text(body, encoding="utf-8")
    keys = keys_from_txt(file.read_bytes())
    if not body:  # no entries: the list is refused, the fast path finds none
        assert keys.size == 0
        with pytest.raises(ConfigError, match="no entries"):
            OptOutList.load(file)
        return
    expected = OptOutList.load(file)
    assert keys.size == expected.count
    assert np.array_equal(sorted_unique(keys), expected.keys)


def test_txt_errors_name_the_same_line(tmp_path: Path) -> None:
    file = tmp_path / "list.txt"
    file.write_text("jack\n# note\n\nbad entry here\nok\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 4"):
        OptOutList.load(file)
    with pytest.raises(InvalidEntry) as raised:
        keys_from_txt(file.read_bytes())
    assert raised.value.line == 4


def test_a_million_entries_load(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    ids = rng.integers(10**6, 10**18, size=1_000_000)
    lines = [str(i) for i in ids[:-2]] + ["@Somebody", "sha256:" + "f" * 64]
    data = ("\n".join(lines) + "\n").encode()
    keys = keys_from_txt(gzip.decompress(gzip.compress(data)))
    assert keys.size == 1_000_000
    unique = sorted_unique(keys.copy())
    assert np.array_equal(unique, np.unique(keys))
    for probe in (str(ids[0]), "somebody"):
        position = np.searchsorted(unique, np.uint64(entry_key(probe)))
        assert unique[position] == entry_key(probe)
    assert unique[-1] == 0xFFFFFFFFFFFFFFFF
