"""``xfilter publish`` on a real output: up-front refusals (offline, no token, an output that
does not verify), the exact commit built, and the push protocol against an in-memory Hub."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, constants
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError

import xfilter
import xfilter.output.publish as publishing
from tests.helpers import REPO, run_cli
from xfilter.output.croissant import build_croissant
from xfilter.output.publish import PublishError, commit_operations, publish, stale_deletions

TOKEN = "hf_publishTestTokenNeverPrinted"
HEAD = "a" * 40
CLEAN = [
    "clean/data/train-00000-of-00001.parquet",
    "clean/data/validation-00000-of-00001.parquet",
]
QUARANTINE = [
    "quarantine/data/train-00000-of-00001.parquet",
    "quarantine/data/validation-00000-of-00001.parquet",
]
TAIL = ["manifest.json", "manifest.croissant.json", "README.md"]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("publish") / "strict"
    xfilter.run(str(REPO / "configs/strict.yaml"), output=directory)
    return directory


pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Hub client believes it is online (sockets stay blocked)."""
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


# The HTTP library the Hub client uses (its module name varies across versions).
HTTP = sys.modules[HfHubHTTPError.__mro__[1].__module__.split(".")[0]]


def _response(status: int) -> Any:
    return HTTP.Response(status, request=HTTP.Request("POST", "https://huggingface.co/api"))


class FakeHub:
    """The HfApi calls publish makes, on one in-memory dataset repo."""

    def __init__(self, downloads: Path, *, exists: bool = True, private: bool = False) -> None:
        self.downloads = downloads  # where hf_hub_download puts the files it is asked for
        self.exists, self.private = exists, private
        self.files = [".gitattributes"]
        self.branches = {"main": HEAD}
        self.commits: list[dict[str, Any]] = []
        self.created: list[dict[str, Any]] = []
        self.fail_commit_with: int | None = None
        self.unreachable = False
        self.contents: dict[str, bytes] = {}  # what commits added, by path in the repo

    def repo_info(self, repo_id: str, *, repo_type: str, revision: str | None = None) -> Any:
        assert repo_type == "dataset"
        if self.unreachable:
            raise HTTP.ConnectError("[Errno -3] Temporary failure in name resolution")
        if not self.exists:
            raise RepositoryNotFoundError("404 not found", response=_response(404))
        if (revision or "main") not in self.branches:
            raise RevisionNotFoundError("404 revision", response=_response(404))
        return SimpleNamespace(private=self.private, sha=self.branches[revision or "main"])

    def create_repo(self, repo_id: str, *, repo_type: str, private: bool, exist_ok: bool) -> None:
        self.created.append({"repo_id": repo_id, "private": private, "exist_ok": exist_ok})
        self.exists, self.private = True, private

    def create_branch(self, repo_id: str, *, branch: str, repo_type: str, exist_ok: bool) -> None:
        self.branches.setdefault(branch, self.branches["main"])

    def list_repo_files(self, repo_id: str, *, repo_type: str, revision: str) -> list[str]:
        assert revision in self.branches.values()
        return list(self.files)

    def create_commit(self, repo_id: str, operations: list[Any], **kwargs: Any) -> Any:
        self.commits.append({"repo_id": repo_id, "operations": operations, **kwargs})
        if self.fail_commit_with:
            raise HfHubHTTPError("412 A commit has happened since", response=_response(412))
        for op in operations:
            if isinstance(op, CommitOperationAdd):
                self.contents[op.path_in_repo] = Path(str(op.path_or_fileobj)).read_bytes()
        return SimpleNamespace(commit_url=f"https://huggingface.co/datasets/{repo_id}/commit/b1")

    def hf_hub_download(self, repo_id: str, filename: str, *, repo_type: str, revision: str) -> str:
        assert repo_type == "dataset" and revision in self.branches.values()
        target = self.downloads / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.contents[filename])
        return str(target)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, online: None) -> FakeHub:
    fake = FakeHub(tmp_path / "downloads")
    tokens: list[str | None] = []

    def make_api(token: str | None = None) -> FakeHub:
        tokens.append(token)
        return fake

    monkeypatch.setattr(publishing, "HfApi", make_api)
    fake.tokens = tokens  # type: ignore[attr-defined]
    return fake


def _paths(operations: list[Any]) -> list[str]:
    return [op.path_in_repo for op in operations]


def test_offline_fails_up_front(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(PublishError, match=r"offline mode is on \(HF_HUB_OFFLINE=1\)"):
        publish(tmp_path / "not-even-there", "me/clean", token=TOKEN)


def test_offline_cli_says_so_in_one_line(out: Path) -> None:
    done = run_cli("publish", str(out), "me/clean")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "xfilter: error: cannot publish: Hugging Face Hub offline mode is on "
        "(HF_HUB_OFFLINE=1); unset HF_HUB_OFFLINE to push"
    ]


def test_no_token_fails_up_front(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, online: None
) -> None:
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_OIDC_RESOURCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    with pytest.raises(PublishError, match="no Hugging Face token; run `hf auth login`"):
        publish(tmp_path / "not-even-there", "me/clean")


def _modify_clean_file(copy: Path) -> None:
    with (copy / CLEAN[0]).open("ab") as handle:
        handle.write(b"\0")


def _edit_manifest(copy: Path) -> None:
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["mode"] = "first-party"
    (copy / "manifest.json").write_text(json.dumps(manifest))


def _card_of_another_run(copy: Path) -> None:
    card = (copy / "README.md").read_text()
    sha = json.loads((copy / "manifest.json").read_text())["manifest_sha256"]
    (copy / "README.md").write_text(card.replace(sha, "0" * 64))


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_modify_clean_file, "does not verify: .*modified"),
        (_edit_manifest, "does not verify: .*edited"),
        (_card_of_another_run, "does not verify: .*README.md: modified"),
    ],
)
def test_output_that_does_not_verify_is_refused(
    out: Path,
    tmp_path: Path,
    hub: FakeHub,
    caplog: pytest.LogCaptureFixture,
    tamper: Any,
    message: str,
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    tamper(copy)
    with pytest.raises(PublishError, match=message) as raised:
        publish(copy, "me/clean", token=TOKEN)
    assert hub.tokens == [] and hub.commits == []  # type: ignore[attr-defined]
    assert TOKEN not in str(raised.value) and TOKEN not in caplog.text


def test_commit_operations_without_quarantine(out: Path) -> None:
    operations = commit_operations(out)
    assert all(isinstance(op, CommitOperationAdd) for op in operations)
    assert _paths(operations) == [*CLEAN, *TAIL]
    for op in operations[:3]:
        assert op.path_or_fileobj == str(out / op.path_in_repo)
    croissant = operations[-2]
    content = croissant.path_or_fileobj
    raw = Path(content).read_bytes() if isinstance(content, str) else content
    assert json.loads(raw) == build_croissant(json.loads((out / "manifest.json").read_text()), out)


def test_commit_operations_with_quarantine(out: Path) -> None:
    operations = commit_operations(out, include_quarantine=True)
    assert _paths(operations) == [*CLEAN, *QUARANTINE, "ledger.parquet", *TAIL]


def test_stale_files_of_an_earlier_publish_are_deleted() -> None:
    added = [CommitOperationAdd(path, b"") for path in [CLEAN[0], *TAIL]]
    remote = [
        ".gitattributes",
        "README.md",
        CLEAN[0],
        "clean/data/train-00000-of-00002.parquet",
        "clean/data/train-00001-of-00002.parquet",
        QUARANTINE[1],
        "ledger.parquet",
        "docs/notes.md",
    ]
    deleted = stale_deletions(remote, added)
    assert all(isinstance(op, CommitOperationDelete) for op in deleted)
    assert _paths(deleted) == [
        "clean/data/train-00000-of-00002.parquet",
        "clean/data/train-00001-of-00002.parquet",
        "ledger.parquet",
        QUARANTINE[1],
    ]


def test_publish_commits_once_on_the_head_it_read(out: Path, hub: FakeHub) -> None:
    hub.files += ["clean/data/train-00000-of-00002.parquet"]
    url = publish(out, "me/clean", token=TOKEN)
    assert url == "https://huggingface.co/datasets/me/clean/commit/b1"
    assert hub.tokens == [TOKEN]  # type: ignore[attr-defined]
    assert hub.created == []  # the repo existed
    (commit,) = hub.commits
    assert commit["parent_commit"] == HEAD
    assert commit["repo_type"] == "dataset" and commit["revision"] is None
    assert _paths(commit["operations"]) == [
        *CLEAN,
        *TAIL,
        "clean/data/train-00000-of-00002.parquet",
    ]
    assert isinstance(commit["operations"][-1], CommitOperationDelete)
    splits = json.loads((out / "manifest.json").read_text())["splits"].values()
    kept, total = sum(s["kept"] for s in splits), sum(s["input"] for s in splits)
    expected = f"xfilter {xfilter.__version__}: {kept} of {total} records kept (strict mode)"
    assert commit["commit_message"] == expected


def test_new_repo_and_branch(out: Path, hub: FakeHub) -> None:
    hub.exists = False
    publish(out, "me/clean", private=True, revision="filtered", token=TOKEN)
    assert hub.created == [{"repo_id": "me/clean", "private": True, "exist_ok": True}]
    (commit,) = hub.commits
    assert commit["revision"] == "filtered" and commit["parent_commit"] == HEAD


@pytest.mark.parametrize(
    ("exists", "is_private", "private", "message"),
    [
        (True, False, False, "is public; the quarantine set is pushed only to a private repo"),
        (False, False, False, "pushed only to a private repo; pass --private"),
        (True, False, True, "exists and is public, and --private does not change that"),
    ],
)
def test_quarantine_goes_only_to_a_private_repo(
    out: Path, hub: FakeHub, exists: bool, is_private: bool, private: bool, message: str
) -> None:
    hub.exists, hub.private = exists, is_private
    with pytest.raises(PublishError, match=message):
        publish(out, "me/clean", private=private, include_quarantine=True, token=TOKEN)
    assert hub.commits == [] and hub.created == []


def test_quarantine_to_a_private_repo(out: Path, hub: FakeHub) -> None:
    hub.private = True
    publish(out, "me/clean", include_quarantine=True, token=TOKEN)
    (commit,) = hub.commits
    assert _paths(commit["operations"]) == [*CLEAN, *QUARANTINE, "ledger.parquet", *TAIL]


def test_a_concurrent_push_fails_clearly(
    out: Path, hub: FakeHub, caplog: pytest.LogCaptureFixture
) -> None:
    hub.fail_commit_with = 412
    with pytest.raises(PublishError, match=r"another push landed first\); nothing was pushed"):
        publish(out, "me/clean", token=TOKEN)
    assert TOKEN not in caplog.text


def test_an_unreachable_hub_fails_in_one_line(out: Path, hub: FakeHub) -> None:
    hub.unreachable = True
    with pytest.raises(PublishError, match="me/clean: cannot reach the Hub: ConnectError: "):
        publish(out, "me/clean", token=TOKEN)
