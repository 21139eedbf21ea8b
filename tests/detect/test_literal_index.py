"""The literal index finds every occurrence ``bytes.find`` finds, and learns the detectors'
literals as they ask for them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xfilter
from xfilter.detect import literal_index, normalize, text
from xfilter.detect.literal_index import LiteralIndex
from xfilter.detect.normalize import Literals

needs_hyperscan = pytest.mark.skipif(
    literal_index._hs is None, reason="hyperscan is not installed (xfilter[fast])"
)
DEMO = Path(xfilter.__file__).parent / "data" / "demo" / "train.jsonl"


def _every_occurrence(low: bytes, literal: bytes) -> list[int]:
    return [i for i in range(len(low) - len(literal) + 1) if low.startswith(literal, i)]


def _index_of(literals: list[bytes]) -> LiteralIndex:
    index = LiteralIndex()
    for literal in literals:
        index.note(literal)
    return index


# Literals that overlap themselves and each other, a base inside a longer one, and bytes the
# lower-cased text never holds.
_PIECES = [b"aa", b"aba", b"twitter", b"twitter.com/", b"t.co", b"x.com", b" x", b"@", b"\xff"]


@needs_hyperscan
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "aa", "Twitter", ".com/", "T.CO", "x.com", " X", "@", "é"]))
)
def test_the_index_finds_what_find_finds(parts: list[str]) -> None:
    sample = "".join(parts)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("XFILTER_ENGINE", raising=False)
        patch.setattr(normalize, "INDEX", _index_of(_PIECES))
        indexed = Literals(sample)
        for literal in _PIECES:
            assert indexed.positions((literal,)) == _every_occurrence(indexed.low, literal)
        assert indexed.positions(tuple(_PIECES)) == sorted(
            {p for literal in _PIECES for p in _every_occurrence(indexed.low, literal)}
        )
        assert indexed._indexed == frozenset(_PIECES)  # every answer came from the index


@needs_hyperscan
def test_a_literal_the_index_lacks_is_found_and_learnt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XFILTER_ENGINE", raising=False)
    index = _index_of([b"twitter"])
    monkeypatch.setattr(normalize, "INDEX", index)
    first = Literals("see twitter.com/a and nitter.net")
    assert first.positions((b"nitter",)) == [22]  # not indexed yet: bytes.find
    assert first._indexed == frozenset({b"twitter"})
    assert index.pending == {b"nitter"}
    for _ in range(literal_index._REBUILD_EVERY):
        Literals("x").positions((b"twitter",))
    assert index.built is not None and b"nitter" in index.built.covered
    assert not index.pending


def test_without_hyperscan_every_literal_is_found_with_find(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XFILTER_ENGINE", "re2")
    monkeypatch.setattr(normalize, "INDEX", _index_of(_PIECES))
    found = Literals("aaa twitter.com/")
    assert found.positions((b"aa",)) == [0, 1]
    assert found.positions((b"twitter.com/",)) == [4]
    assert found._indexed == frozenset()


@needs_hyperscan
def test_the_detectors_answer_alike_with_and_without_the_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    samples = [json.loads(line)["text"] for line in DEMO.read_text().splitlines() if line]
    monkeypatch.setenv("XFILTER_ENGINE", "re2")
    plain = [text.analyze_text(sample) for sample in samples]
    monkeypatch.delenv("XFILTER_ENGINE")
    index = LiteralIndex()
    monkeypatch.setattr(normalize, "INDEX", index)
    for _ in range(3):  # learning, then from the index
        assert [text.analyze_text(sample) for sample in samples] == plain
    assert index.built is not None and b"twitter" in index.built.covered
    assert any(plain)


@needs_hyperscan
def test_a_text_longer_than_a_scan_takes_is_searched_with_find(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("XFILTER_ENGINE", raising=False)
    monkeypatch.setattr(normalize, "INDEX", _index_of(_PIECES))
    monkeypatch.setattr(literal_index, "_MAX_TEXT", 8)  # stands for Hyperscan's 4 GiB
    found = Literals("aaa twitter.com/")
    assert found.positions((b"twitter.com/",)) == [4]
    assert found.positions((b"aa",)) == [0, 1]
    assert found._indexed == frozenset()
    short = Literals("aaa")
    assert short.positions((b"aa",)) == [0, 1]
    assert short._indexed == frozenset(_PIECES)  # short enough: from the index
