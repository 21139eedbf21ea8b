"""Deletion inputs: X batch compliance result files and plain id lists."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from xfilter.errors import InputError
from xfilter.policy.compliance import read_compliance

# The example result lines of X's batch compliance quick start, verbatim:
# https://developer.twitter.com/en/docs/twitter-api/compliance/batch-compliance/quick-start
PUBLISHED_RESULTS = (
    '{"id":"1265324480517361664","action":"delete","created_at":"2019-10-29T17:02:47.000Z",'
    '"redacted_at":"2020-07-29T17:02:47.000Z","reason":"deleted"}\n'
    '{"id":"1263926741774581761","action":"delete","created_at":"2019-10-29T17:02:47.000Z",'
    '"redacted_at":"2020-07-29T17:02:47.000Z","reason":"protected"}\n'
    '{"id":"1265324480517361669","action":"delete","created_at":"2019-10-29T17:02:47.000Z",'
    '"redacted_at":"2020-07-29T17:02:47.000Z","reason":"suspended"}\n'
)
# The same shape with the other documented reasons; "Not all compliance events will include
# the redacted_at field" (same page), so these lines have none.
OTHER_REASONS = (
    '{"id":"1417856744319971329","action":"delete","created_at":"2021-07-21T14:00:00.000Z",'
    '"reason":"scrub_geo"}\r\n'
    '{"id":"1415457498803232770","action":"delete","created_at":"2021-07-15T00:00:00.000Z",'
    '"reason":"deactivated"}\r\n'
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_a_post_result_file_gives_each_id_its_reason(tmp_path: Path) -> None:
    path = _write(tmp_path, "posts.jsonl", PUBLISHED_RESULTS + OTHER_REASONS)
    found = read_compliance([f"posts:{path}"])
    assert found.posts == {
        "1265324480517361664": "deleted",
        "1263926741774581761": "protected",
        "1265324480517361669": "suspended",
        "1415457498803232770": "deactivated",
    }
    assert found.users == {}
    assert found.geo_posts == {"1417856744319971329"}  # the post stays, its geo data goes
    (file,) = found.files
    assert (file.kind, file.format, file.lines, file.ids) == ("posts", "results", 5, 5)
    assert file.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert file.by_reason == {
        "deactivated": 1,
        "deleted": 1,
        "protected": 1,
        "scrub_geo": 1,
        "suspended": 1,
    }


def test_a_user_result_file_names_accounts_not_posts(tmp_path: Path) -> None:
    path = _write(tmp_path, "accounts.json", PUBLISHED_RESULTS)
    found = read_compliance([f"users:{path}"])
    assert found.posts == {}
    assert found.users["1263926741774581761"] == "protected"
    assert found.files[0].kind == "users"


def test_twarc_download_names_give_the_kind(tmp_path: Path) -> None:
    posts = _write(tmp_path, "tweets_compliance_1425543269983784962.json", PUBLISHED_RESULTS)
    users = _write(tmp_path, "users_compliance_1425543269983784963.json", OTHER_REASONS)
    found = read_compliance([posts, str(users)])
    assert [f.kind for f in found.files] == ["posts", "users"]
    assert set(found.posts) == {
        "1265324480517361664",
        "1263926741774581761",
        "1265324480517361669",
    }
    assert found.users == {"1415457498803232770": "deactivated"}
    assert found.geo_users == {"1417856744319971329"}


def test_a_file_of_unknown_kind_is_matched_as_posts_and_as_users(tmp_path: Path) -> None:
    path = _write(tmp_path, "results.jsonl", PUBLISHED_RESULTS)
    found = read_compliance([path])
    assert found.files[0].kind == "any"
    assert found.posts == found.users
    assert found.either == set(found.posts)
    assert found.unknown({"1265324480517361664"}, {"1263926741774581761"}) == 1


def test_a_plain_id_list_with_comments(tmp_path: Path) -> None:
    text = "# deleted this week\n\n1265324480517361664\n  783214   # an old one\n783214\n"
    path = _write(tmp_path, "ids.txt", text)
    found = read_compliance([f"posts:{path}"])
    assert found.posts == {"1265324480517361664": "deleted", "783214": "deleted"}
    (file,) = found.files
    assert (file.format, file.lines, file.ids) == ("ids", 3, 2)  # duplicates are fine
    assert file.by_reason == {"deleted": 3}


def test_the_first_reason_given_for_an_id_is_kept(tmp_path: Path) -> None:
    first = _write(tmp_path, "a.jsonl", PUBLISHED_RESULTS)
    again = PUBLISHED_RESULTS.replace('"protected"', '"deleted"')
    second = _write(tmp_path, "b.jsonl", again)
    found = read_compliance([f"posts:{first}", f"posts:{second}"])
    assert found.posts["1263926741774581761"] == "protected"
    assert found.by_reason == {"deleted": 3, "protected": 1, "suspended": 2}


def test_unknown_ids_are_counted_by_kind(tmp_path: Path) -> None:
    posts = _write(tmp_path, "p.jsonl", PUBLISHED_RESULTS)
    users = _write(tmp_path, "u.txt", "42\n43\n")
    found = read_compliance([f"posts:{posts}", f"users:{users}"])
    # A post id that the index holds only as a user id is still unknown as a post.
    assert found.unknown({"1265324480517361664"}, {"42", "1263926741774581761"}) == 3
    assert found.unknown(set(), set()) == 5


def test_describe_holds_hashes_and_counts_but_no_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.jsonl", PUBLISHED_RESULTS + OTHER_REASONS)
    described = read_compliance([f"posts:{path}"]).describe()
    assert described["posts"] == 4 and described["geo_posts"] == 1
    assert described["files"][0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "1265324480517361664" not in repr(described)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (PUBLISHED_RESULTS + "{not json\n", 4, "not valid JSON"),
        (PUBLISHED_RESULTS + '["1265324480517361664"]\n', 4, "expected a JSON object"),
        ('{"action":"delete","reason":"deleted"}\n', 1, "no 'id'"),
        ('{"id":"12a4","action":"delete","reason":"deleted"}\n', 1, "decimal X id"),
        ('{"id":"0123","action":"delete","reason":"deleted"}\n', 1, "decimal X id"),
        ('{"id":1.5,"action":"delete","reason":"deleted"}\n', 1, "decimal X id"),
        ('{"id":"18446744073709551616","action":"delete","reason":"deleted"}\n', 1, "X id"),
        ('{"id":"1","action":"undelete","reason":"deleted"}\n', 1, "'action' must be"),
        ('{"id":"1","action":"delete"}\n', 1, "'reason' must be"),
        ('{"id":"1","action":"delete","reason":"Deleted!"}\n', 1, "'reason' must be"),
        (PUBLISHED_RESULTS + "1265324480517361664\n", 4, "expected a JSON object"),
        ("# ids\n783214\n@jack\n", 3, "decimal X id"),
        ("783214\n-5\n", 2, "decimal X id"),
        ("783214\n" + PUBLISHED_RESULTS, 2, "a JSON line in an id list"),
    ],
)
def test_a_malformed_line_names_the_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = _write(tmp_path, "bad.jsonl", text)
    with pytest.raises(InputError, match=message) as raised:
        read_compliance([f"posts:{path}"])
    assert str(raised.value).startswith(f"{path}: line {line}: ")
    assert "jack" not in str(raised.value)  # a wrong value may be personal data


def test_a_missing_or_binary_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_compliance([f"users:{tmp_path / 'absent.jsonl'}"])
    binary = tmp_path / "ids.parquet"
    binary.write_bytes(b"PAR1\x00\x00")
    with pytest.raises(InputError, match="binary"):
        read_compliance([binary])


def test_integer_ids_and_unknown_reasons_still_remove(tmp_path: Path) -> None:
    text = '{"id":783214,"action":"delete","reason":"withheld_everywhere"}\n'
    found = read_compliance([f"posts:{_write(tmp_path, 'p.jsonl', text)}"])
    assert found.posts == {"783214": "withheld_everywhere"}
