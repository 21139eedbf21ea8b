"""``xfilter publish``: push a verified output's clean set, card and manifests to the Hub.

Everything goes in one commit whose ``parent_commit`` is the head read just before, so a
concurrent push makes this one fail instead of mixing two runs' files. The quarantine set holds
exactly the records the policy rejected: it is pushed only when asked, and only to a private
repository.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from huggingface_hub import (
    CommitOperationAdd,
    CommitOperationDelete,
    HfApi,
    constants,
    get_token,
)
from huggingface_hub.errors import (
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from xfilter.errors import VerifyError, XFilterError
from xfilter.output.card import total
from xfilter.output.layout import CARD, CLEAN, CROISSANT, INDEX, LEDGER, MANIFEST, SETS
from xfilter.output.manifest import SELF_HASH
from xfilter.output.verify import confined, load_manifest, verify

REPO_TYPE = "dataset"
# What a publish owns in the repo: an earlier publish's files there are replaced or deleted.
# The X index is never pushed (it names the X posts and authors of the records): a copy found
# in the repo is deleted.
_OWNED_PREFIXES = tuple(f"{name}/" for name in SETS)
_OWNED_FILES = (LEDGER, INDEX)
# Network failures: OSError, and the base error of the Hub client's HTTP library (found through
# HfHubHTTPError, since that library's module name differs across huggingface_hub versions).
_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    *(c for c in HfHubHTTPError.__mro__[1:] if c.__name__ == "HTTPError"),
)


class PublishError(XFilterError):
    """The output cannot be published as asked; nothing was pushed."""


def publish(
    directory: str | os.PathLike[str],
    repo_id: str,
    *,
    private: bool = False,
    revision: str | None = None,
    include_quarantine: bool = False,
    token: str | None = None,
) -> str:
    """Verify ``directory``, push it to the dataset repo ``repo_id``; return the commit URL."""
    root = Path(directory)
    token = _check_environment(token)
    _check_output(root)
    operations = commit_operations(root, include_quarantine)
    api = HfApi(token=token)
    try:
        return push(
            api,
            root,
            repo_id,
            operations,
            private=private,
            revision=revision,
            include_quarantine=include_quarantine,
        )
    except HfHubHTTPError as exc:
        raise PublishError(_http_message(repo_id, exc)) from None
    except _TRANSPORT_ERRORS as exc:
        raise PublishError(f"{repo_id}: cannot reach the Hub: {_first_line(exc)}") from None


def commit_operations(
    directory: str | os.PathLike[str], include_quarantine: bool = False
) -> list[CommitOperationAdd]:
    """The files to push, with their paths in the repo (the same as in the output).

    Clean files, then (only when asked) quarantine files and the ledger, then ``manifest.json``,
    the Croissant file and the card: the files the output holds, which ``verify`` checks against
    the manifest; none is rebuilt here. Every path is confined to ``directory``. Never the X
    index, even with the quarantine set: it holds post ids and authors, personal data that
    stays with whoever ran the job.
    """
    root = Path(directory)
    manifest = load_manifest(root)
    sets = SETS if include_quarantine else (CLEAN,)
    entries = sorted(
        (e for e in manifest["outputs"]["files"] if e["set"] in sets),
        key=lambda e: (sets.index(e["set"]), e["path"]),
    )
    paths = [e["path"] for e in entries]
    if include_quarantine:
        paths.append(manifest["ledger"]["path"])
    return [_add(root, path) for path in [*paths, MANIFEST, CROISSANT, CARD]]


def stale_deletions(
    remote_files: Iterable[str], operations: Iterable[CommitOperationAdd]
) -> list[CommitOperationDelete]:
    """Files an earlier publish left in the repo that this one does not replace.

    They are deleted in the same commit, so the repo holds one run's files, never a mix (a
    stale shard would otherwise match the card's ``clean/data/<split>-*`` pattern).
    """
    added = {op.path_in_repo for op in operations}
    return [
        CommitOperationDelete(path_in_repo=path)
        for path in sorted(remote_files)
        if path not in added and (path.startswith(_OWNED_PREFIXES) or path in _OWNED_FILES)
    ]


def push(
    api: HfApi,
    root: Path,
    repo_id: str,
    operations: Sequence[CommitOperationAdd],
    *,
    private: bool,
    revision: str | None,
    include_quarantine: bool,
) -> str:
    """Create the repo if needed, check its visibility, and commit on top of its head."""
    existing = _repo_info(api, repo_id)
    if existing is None and include_quarantine and not private:
        raise PublishError(
            f"{repo_id}: the quarantine set is pushed only to a private repo; "
            "pass --private to create it private"
        )
    if existing is None:
        api.create_repo(repo_id, repo_type=REPO_TYPE, private=private, exist_ok=True)
    info = _repo_info(api, repo_id)
    if info is None:
        raise PublishError(f"{repo_id}: the repo could not be created or read")
    _check_visibility(repo_id, bool(info.private), private, include_quarantine)
    head = _head(api, repo_id, revision)
    remote = api.list_repo_files(repo_id, repo_type=REPO_TYPE, revision=head)
    manifest = load_manifest(root)
    if manifest.get("previous") and MANIFEST in remote:
        _check_follows(api, repo_id, head, manifest)
    commit = api.create_commit(
        repo_id,
        [*operations, *stale_deletions(remote, operations)],
        commit_message=_commit_message(manifest),
        commit_description=_commit_description(manifest, include_quarantine),
        repo_type=REPO_TYPE,
        revision=revision,
        parent_commit=head,
    )
    return str(commit.commit_url)


def _check_environment(token: str | None) -> str:
    """Offline mode and a missing token fail here, before any file is read or sent."""
    if constants.HF_HUB_OFFLINE:
        raise PublishError(
            "cannot publish: Hugging Face Hub offline mode is on (HF_HUB_OFFLINE=1); "
            "unset HF_HUB_OFFLINE to push"
        )
    token = token or get_token()
    if not token:
        raise PublishError(
            "cannot publish: no Hugging Face token; run `hf auth login` or set HF_TOKEN "
            "to a token with write access"
        )
    return token


def _check_output(root: Path) -> None:
    """Only a directory that verifies is published: its data, its card and its Croissant file
    are the ones bound to its manifest."""
    try:
        verify(root)
    except VerifyError as exc:
        raise PublishError(f"not publishing {root}: it does not verify: {exc}") from None
    if load_manifest(root).get("recorded") is not None:
        raise PublishError(
            f"not publishing {root}: recorded from a filtering loop, it has no clean set"
        )


def _check_visibility(
    repo_id: str, is_private: bool, private: bool, include_quarantine: bool
) -> None:
    if private and not is_private:
        raise PublishError(
            f"{repo_id}: exists and is public, and --private does not change that; make it "
            "private on the Hub or choose another repo"
        )
    if include_quarantine and not is_private:
        raise PublishError(
            f"{repo_id}: is public; the quarantine set is pushed only to a private repo"
        )


def _repo_info(api: HfApi, repo_id: str) -> Any:
    try:
        return api.repo_info(repo_id, repo_type=REPO_TYPE)
    except RepositoryNotFoundError:
        return None


def _head(api: HfApi, repo_id: str, revision: str | None) -> str:
    """The commit the push builds on; a new ``revision`` branch starts from main."""
    try:
        return str(api.repo_info(repo_id, repo_type=REPO_TYPE, revision=revision).sha)
    except RevisionNotFoundError:
        assert revision is not None
        api.create_branch(repo_id, branch=revision, repo_type=REPO_TYPE, exist_ok=True)
        return str(api.repo_info(repo_id, repo_type=REPO_TYPE, revision=revision).sha)


def _add(root: Path, path: str) -> CommitOperationAdd:
    local = confined(root, path)
    if not local.is_file():
        raise PublishError(f"{local}: missing; publish pushes only a verified output's own files")
    return CommitOperationAdd(path_in_repo=path, path_or_fileobj=str(local))


def _check_follows(api: HfApi, repo_id: str, head: str, manifest: dict[str, Any]) -> None:
    """A refreshed output goes on top of the version it refreshes (or of itself, pushed
    again): pushed over another version, the repo's history would skip a link of the chain."""
    path = api.hf_hub_download(repo_id, MANIFEST, repo_type=REPO_TYPE, revision=head)
    try:
        there = json.loads(Path(path).read_text(encoding="utf-8")).get(SELF_HASH)
    except (OSError, ValueError, AttributeError):
        there = None
    wanted = manifest["previous"][SELF_HASH]
    if there not in (wanted, manifest[SELF_HASH]):
        held = f"manifest_sha256 {str(there)[:12]}…" if there else "no xfilter manifest"
        raise PublishError(
            f"{repo_id}: its head holds {held}, but this output is a refresh of "
            f"manifest_sha256 {wanted[:12]}…; publish the versions in order"
        )


def _commit_message(manifest: dict[str, Any]) -> str:
    return (
        f"xfilter {manifest['tool']['version']}: {total(manifest, 'kept')} of "
        f"{total(manifest, 'input')} records kept ({manifest['mode']} mode)"
    )


def _commit_description(manifest: dict[str, Any], include_quarantine: bool) -> str:
    terms = ", ".join(t["id"] for t in manifest["terms"])
    pushed = "clean and quarantine sets, ledger" if include_quarantine else "clean set"
    previous = manifest.get("previous")
    revision = (
        f"refresh of manifest_sha256: {previous['manifest_sha256']} "
        f"({manifest['changes']['removed']} record(s) removed)\n"
        if previous
        else ""
    )
    return (
        f"Published by `xfilter publish`: {pushed}, card, manifest.json and "
        f"manifest.croissant.json.\n\nmode: {manifest['mode']} ({terms})\n"
        f"input: {manifest['input']['source']}\nmanifest_sha256: {manifest['manifest_sha256']}\n"
        + revision
    )


def _http_message(repo_id: str, exc: HfHubHTTPError) -> str:
    status = exc.response.status_code if exc.response is not None else None
    if status == 412:
        return (
            f"{repo_id}: the repo changed while publishing (another push landed first); "
            "nothing was pushed, run publish again"
        )
    if status in (401, 403):
        return f"{repo_id}: the Hub refused the token ({status}); it needs write access"
    return f"{repo_id}: the Hub refused the push: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__
