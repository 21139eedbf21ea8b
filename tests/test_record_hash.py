"""The record hash of the ledger and the X index: RFC 8785 canonical JSON of a record's
columns, with a documented mapping of the Arrow values JSON lacks, recomputed here by hand."""

from __future__ import annotations

import datetime as dt
import hashlib
import math

import pyarrow as pa
import pytest

from xfilter.output.writer import canonical_value, identity_value, record_sha256
from xfilter.vocab import ACTION, REASON_COLUMN


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_record_hashes_as_its_canonical_json_text_written_by_hand() -> None:
    # JCS: keys sorted by UTF-16 code units ("a" < "b" < "n" < "€" < "😀", whose first code
    # unit 0xD83D sorts after 0x20AC), no whitespace, non-ASCII left as UTF-8, 1.0 -> 1,
    # 1e21 -> 1e+21.
    row = {"n": None, "b": 1.0, "😀": "x", "€": [True, 1e21], "a": "é"}
    by_hand = '{"a":"é","b":1,"n":null,"€":[true,1e+21],"😀":"x"}'
    assert record_sha256(row) == _sha(by_hand)


def test_the_tag_and_record_columns_are_not_part_of_the_record() -> None:
    row = {"text": "hi"}
    tagged = {**row, ACTION: "drop", REASON_COLUMN: "category"}
    assert record_sha256(tagged) == record_sha256(row) == _sha('{"text":"hi"}')


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2**53 - 1, 2**53 - 1),
        (-(2**53 - 1), -(2**53 - 1)),
        (2**53, str(2**53)),
        (-(2**63), str(-(2**63))),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (b"\x00\xffab", "AP9hYg=="),
        (dt.date(2024, 5, 1), "2024-05-01"),
        (dt.datetime(2024, 5, 1, 12, 30), "2024-05-01T12:30:00"),
        (dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.timezone.utc), "2024-05-01T12:30:00+00:00"),
        (dt.time(12, 30, 0, 5), "12:30:00.000005"),
        (dt.timedelta(days=1, microseconds=5), "86400.000005"),
        (dt.timedelta(seconds=90), "90"),
        ([("k", 1)], [["k", 1]]),
    ],
)
def test_values_json_lacks_are_mapped_as_documented(value: object, expected: object) -> None:
    assert canonical_value(value) == expected


def test_an_arrow_record_hashes_the_same_as_its_json_by_hand() -> None:
    table = pa.table(
        {
            "id": pa.array([2**60], pa.int64()),
            "blob": pa.array([b"hi"], pa.binary()),
            "at": pa.array([dt.datetime(2020, 1, 2, 3, 4, 5)], pa.timestamp("s", tz="UTC")),
            "score": pa.array([math.nan], pa.float64()),
            "meta": pa.array([{"lang": "en", "n": 2}]),
        }
    )
    row = table.to_pylist()[0]
    by_hand = (
        '{"at":"2020-01-02T03:04:05+00:00","blob":"aGk=","id":"1152921504606846976",'
        '"meta":{"lang":"en","n":2},"score":"NaN"}'
    )
    assert record_sha256(row) == _sha(by_hand)


def test_identity_values_are_strings() -> None:
    assert identity_value("train-0001") == "train-0001"
    assert identity_value(12) == "12"
    assert identity_value(2**60) == "1152921504606846976"
    assert identity_value(True) == "true"
    assert identity_value(None) is None
    assert identity_value({"b": 1, "a": 2}) == '{"a":2,"b":1}'
