from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from xfilter.errors import ConfigError
from xfilter.policy.optout import OptOutList


def _sha(entry: str) -> str:
    return "sha256:" + hashlib.sha256(entry.lower().encode()).hexdigest()


def test_txt_handles_are_case_insensitive_and_at_optional(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("# who opted out\n@Interior\njack   # trailing comment\n\n783214\n")
    opt_out = OptOutList.load(path)
    assert opt_out.count == 3
    assert opt_out.contains_any(["interior"])
    assert opt_out.contains_any(["@JACK"])
    assert opt_out.contains_any(["783214"])
    assert not opt_out.contains_any(["twitterdev", "78321"])
    assert opt_out.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_csv_with_id_and_handle_columns(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("id,handle\n2244994945,TwitterDev\n,XDevelopers\n")
    opt_out = OptOutList.load(path)
    assert opt_out.contains_any(["twitterdev"])
    assert opt_out.contains_any(["2244994945"])
    assert opt_out.contains_any(["xdevelopers"])
    assert opt_out.count == 3


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "list.jsonl"
    path.write_text('{"handle": "Interior"}\n\n{"id": 783214}\n')
    opt_out = OptOutList.load(path)
    assert opt_out.contains_any(["INTERIOR"])
    assert opt_out.contains_any(["783214"])


def test_hashed_entries_match_without_revealing(tmp_path: Path) -> None:
    path = tmp_path / "hashed.txt"
    path.write_text(f"{_sha('interior')}\n{_sha('783214')}\n")
    opt_out = OptOutList.load(path)
    assert opt_out.contains_any(["@Interior"])
    assert opt_out.contains_any(["783214"])
    assert not opt_out.contains_any(["jack"])
    assert b"interior" not in opt_out.keys.tobytes()


@pytest.mark.parametrize(
    ("name", "body", "line"),
    [
        ("bad.txt", "jack\nnot a handle!\n", 2),
        ("bad.txt", "jack\nsha256:abc\n", 2),
        ("bad.csv", "handle\njack\nbad-handle\n", 3),
        ("bad.csv", "id,handle\n1,jack,extra\n", 2),
        ("bad.jsonl", '{"handle": "jack"}\n{"handle": \n', 2),
        ("bad.jsonl", '{"handle": "jack"}\n["jack"]\n', 2),
        ("bad.jsonl", '{"name": "jack"}\n', 1),
    ],
)
def test_malformed_lines_name_file_and_line(
    tmp_path: Path, name: str, body: str, line: int
) -> None:
    path = tmp_path / name
    path.write_text(body)
    with pytest.raises(ConfigError, match=rf"{name}: line {line}:"):
        OptOutList.load(path)


def test_errors_do_not_echo_entries(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("secret person!\n")
    with pytest.raises(ConfigError) as error:
        OptOutList.load(path)
    assert "secret" not in str(error.value)


def test_csv_without_usable_header(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("name,email\njack,j@example.com\n")
    with pytest.raises(ConfigError, match=r"list\.csv: line 1: CSV header needs"):
        OptOutList.load(path)


def test_binary_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(b"\x00\x01\x02jack")
    with pytest.raises(ConfigError, match="binary"):
        OptOutList.load(path)
    with pytest.raises(ConfigError, match="not found"):
        OptOutList.load(tmp_path / "missing.txt")


def test_empty_list_matches_nothing() -> None:
    assert not OptOutList.empty().contains_any(["jack"])
    assert not OptOutList.from_entries(["jack"]).contains_any([])
