"""Several prefilters in one pass: ``candidates_each`` finds, on both engines, the rows each
pattern finds alone (a later pattern only among the rows of the first), and the tagging that
scans this way decides as before on both engines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xfilter.detect import posts, urls
from xfilter.tagging import prefilter as engines
from xfilter.tagging.prefilter import re2
from xfilter.tagging.scan import STRONG_TEXT_PREFILTER, TEXT_PREFILTER

needs_hyperscan = pytest.mark.skipif(
    not engines.hyperscan_available(), reason="hyperscan is not installed"
)
SAMPLES = [
    "see https://twitter.com/jack/status/20",
    "Follow us on Twitter for more",
    None,
    "",
    "Tweet this | Pin it",
    '<blockquote class="twitter-tweet"><p>hi</p></blockquote>',
    "nothing at all",
    "— Name (@handle) May 5, 2014",
    '{"id_str": "20", "full_text": "hello"}',
    "ｔｗｉｔｔｅｒ．ｃｏｍ/abc",
    "t\u200bwitter.com/x",
    "netflix.com and dropbox.com",
]
REQUESTS = [
    (TEXT_PREFILTER, STRONG_TEXT_PREFILTER),
    (STRONG_TEXT_PREFILTER,),
    (urls.PREFILTER,),
    (posts.PREFILTER,),
]


def _alone(values: pa.Array, patterns: tuple[str, ...]) -> list[list[int]]:
    """What RE2 finds for each pattern alone, a later one within the first one's rows."""
    first = re2.candidates(values, patterns[0])
    return [first.tolist()] + [
        np.intersect1d(first, re2.candidates(values, p)).tolist() for p in patterns[1:]
    ]


@pytest.mark.parametrize(
    "engine",
    ["re2", pytest.param("hyperscan", marks=needs_hyperscan)],
)
def test_each_pattern_finds_its_own_rows(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(engines.ENV_VAR, engine)
    arrays = [
        pa.array(SAMPLES),
        pa.array(SAMPLES[::-1]).slice(2),  # an offset into its buffers
        pa.array([], pa.string()),
        pa.array(SAMPLES * 3, pa.large_string()),
    ]
    requests = [(values, patterns) for values in arrays for patterns in REQUESTS]
    found = engines.candidates_each(requests)
    assert [[rows.tolist() for rows in each] for each in found] == [
        _alone(values, patterns) for values, patterns in requests
    ]
    # Not vacuous: the strong twin finds fewer rows than the text prefilter, and some.
    text_rows, strong_rows = found[0]
    assert 0 < strong_rows.size < text_rows.size


@needs_hyperscan
@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=40), st.sampled_from(SAMPLES)), max_size=30))
def test_one_database_for_two_patterns_finds_what_each_finds(texts: list[str | None]) -> None:
    from xfilter.tagging.prefilter import hyperscan

    values = pa.array(texts, pa.string())
    both = hyperscan.candidates_each(values, (TEXT_PREFILTER, STRONG_TEXT_PREFILTER))
    assert [rows.tolist() for rows in both] == [
        re2.candidates(values, TEXT_PREFILTER).tolist(),
        re2.candidates(values, STRONG_TEXT_PREFILTER).tolist(),
    ]


@needs_hyperscan
def test_a_joint_database_is_cached_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hyperscan import HS_MODE_VECTORED

    from xfilter.tagging.prefilter import hs_cache, hyperscan

    values = pa.array(SAMPLES)
    patterns = (urls.PREFILTER, posts.PREFILTER)
    monkeypatch.setenv(hs_cache.ENV_VAR, str(tmp_path))
    hyperscan.compile_pattern.cache_clear()
    try:
        first = [rows.tolist() for rows in hyperscan.candidates_each(values, patterns)]
        joint = hs_cache.load("\x00".join(patterns), "fast", HS_MODE_VECTORED)
        assert joint is not None and sorted(set(joint[2])) == [0, 1]  # expressions of both
        hyperscan.compile_pattern.cache_clear()  # a new process: the database comes from disk
        again = [rows.tolist() for rows in hyperscan.candidates_each(values, patterns)]
        assert again == first == [_alone(values, (p,))[0] for p in patterns]
    finally:
        hyperscan.compile_pattern.cache_clear()
