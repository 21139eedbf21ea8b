"""The docs stay true: links resolve, snippets run, commands match the CLI, the README is short."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.helpers import REPO

README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
PAGES = [README, *DOCS]
README_MAX_LINES = 200

# A docs snippet that cannot run in the test suite says why in its first line; few may.
NOT_RUN = "# not run:"
MAX_NOT_RUN = 2

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]+`")
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.M)
COMMAND = re.compile(r"(?<![\w.-])xfilter ([a-z]+)\b([^`\n]*)")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
# Paths inside the repository named in backticks: `xfilter/detect/ruleset.py`, `configs/`.
REPO_PATH = re.compile(r"`((?:xfilter|tests|benchmarks|configs)/[\w./-]*|docs/[\w-]+\.md)`")
# A Markdown document named anywhere in the text: `docs/config.md`, "see README.md".
MD_NAME = re.compile(r"[\w-]+\.md\b")
NOT_DOCUMENTS = frozenset({"archive.md"})  # a host of the archive.today family
PARENT = re.compile(r"(?<!\.)\.\./")  # "../", not the "…/" of ".../photo/1"


def _prose(text: str) -> str:
    """``text`` without fenced blocks and inline code, where brackets are not links."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@cache
def _anchors(page: Path) -> frozenset[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    anchors = set()
    for heading in HEADING.findall(text):
        slug = _slug(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return frozenset(anchors)


def _links(page: Path) -> list[str]:
    return LINK.findall(_prose(page.read_text(encoding="utf-8")))


def _python_snippets() -> list[tuple[Path, int, str]]:
    return [
        (page, index, code)
        for page in DOCS
        for index, (lang, code) in enumerate(FENCE.findall(page.read_text(encoding="utf-8")))
        if lang == "python"
    ]


SNIPPETS = _python_snippets()


def test_the_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail to docs/"


def test_the_readme_links_every_docs_page() -> None:
    linked = {(README.parent / link.split("#")[0]).resolve() for link in _links(README)}
    assert set(DOCS) <= linked, sorted(p.name for p in set(DOCS) - linked)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for link in _links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", link):  # https:, mailto:
            continue
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f"{link}: no such file")
        elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
            broken.append(f"{link}: no heading with anchor #{anchor} in {target.name}")
    assert not broken, f"{page.name}: {broken}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_paths_named_in_the_docs_exist(page: Path) -> None:
    missing = [
        path
        for path in REPO_PATH.findall(page.read_text(encoding="utf-8"))
        if not re.search(r"[<{*]|NN", path) and not (REPO / path).exists()
    ]
    assert not missing, f"{page.name} names paths that do not exist: {missing}"


@cache
def _markdown_in_repo() -> frozenset[str]:
    return frozenset(
        path.name for path in REPO.rglob("*.md") if ".git" not in path.relative_to(REPO).parts
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_only_documents_in_the_repository_are_cited(page: Path) -> None:
    """A reader of the repository has nothing else: every document named is in it, and no
    path leads out of it."""
    text = page.read_text(encoding="utf-8")
    elsewhere = sorted(set(MD_NAME.findall(text)) - _markdown_in_repo() - NOT_DOCUMENTS)
    assert not elsewhere, f"{page.name} cites documents that are not in the repository"
    assert not PARENT.search(text), f"{page.name} points outside the repository"


@cache
def _cli_flags(command: str) -> frozenset[str]:
    """The options ``xfilter COMMAND --help`` lists, from the real command."""
    done = subprocess.run(
        [sys.executable, "-m", "xfilter", command, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"xfilter {command} --help: {done.stderr.strip()}"
    return frozenset(FLAG.findall(done.stdout))


def _commands(page: Path) -> list[tuple[str, str]]:
    """Every ``xfilter COMMAND …`` in a shell block or in inline code, with its arguments."""
    text = page.read_text(encoding="utf-8")
    places = [code for lang, code in FENCE.findall(text) if lang in ("bash", "sh", "")]
    places += [span.strip("`") for span in INLINE_CODE.findall(FENCE.sub("", text))]
    found = []
    for place in places:
        for line in place.splitlines():
            for command, rest in COMMAND.findall(line):
                found.append((command, re.split(r"\s#\s|&&|;", rest)[0]))
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_commands_in_the_docs_match_the_cli(page: Path) -> None:
    commands = _commands(page)
    wrong = []
    for command, arguments in commands:
        if command not in ("run", "scan", "verify", "explain", "publish", "refresh", "report"):
            wrong.append(f"xfilter {command}: no such command")
            continue
        unknown = set(FLAG.findall(arguments)) - _cli_flags(command)
        if unknown:
            wrong.append(f"xfilter {command}: unknown options {sorted(unknown)}")
    assert not wrong, f"{page.name}: {wrong}"


def test_the_readme_and_the_docs_show_commands() -> None:
    """The command check above has something to check."""
    assert len(_commands(README)) >= 5
    assert sum(len(_commands(page)) for page in DOCS) >= 10


def test_few_docs_snippets_are_left_unrun() -> None:
    assert SNIPPETS, "no python snippets found in docs/"
    skipped = [f"{p.name}#{i}" for p, i, code in SNIPPETS if code.startswith(NOT_RUN)]
    assert len(skipped) <= MAX_NOT_RUN, skipped


@pytest.mark.parametrize(
    ("page", "index", "code"),
    SNIPPETS,
    ids=[f"{page.name}-{index}" for page, index, _ in SNIPPETS],
)
def test_docs_snippet_runs(
    page: Path, index: int, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if code.startswith(NOT_RUN):
        pytest.skip(code.splitlines()[0])
    shutil.copytree(REPO / "configs", tmp_path / "configs")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"{page.name} snippet {index}", "exec"), {"__name__": "__docs__"})
