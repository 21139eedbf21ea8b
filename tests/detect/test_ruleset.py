"""The rule set hash: it covers every file that can change a decision, and any byte of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import xfilter
from xfilter.detect import posts
from xfilter.detect.ruleset import ALL_RULES, ruleset_files, ruleset_sha256

PACKAGE = Path(xfilter.__file__).parent


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the installed package folder, to change without touching the real one."""
    copy = tmp_path / "xfilter"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _relative(paths: list[Path]) -> set[str]:
    return {p.relative_to(PACKAGE).as_posix() for p in paths}


def test_every_detector_module_is_hashed_at_any_depth() -> None:
    detectors = _relative(list((PACKAGE / "detect").rglob("*.py")))
    assert "detect/posts/walk.py" in detectors  # a subpackage, not only detect/*.py
    assert detectors <= set(ruleset_files())


def test_the_tagger_back_ends_policy_and_registry_are_hashed() -> None:
    deciding = _relative(
        [*(PACKAGE / "tagging").rglob("*.py"), *(PACKAGE / "policy").rglob("*.py")]
    )
    assert "tagging/prefilter/re2.py" in deciding  # the regex back ends, one level down
    assert deciding | {"data/known_datasets.yaml"} <= set(ruleset_files())


def test_the_executors_and_the_output_are_not_hashed() -> None:
    """Only what decides: running or writing differently does not change the rule set."""
    assert not [f for f in ruleset_files() if f.startswith(("engines/", "output/"))]


def test_files_are_hashed_in_sorted_relative_posix_order() -> None:
    files = ruleset_files()
    assert files == sorted(files)
    assert all(not f.startswith("/") and "\\" not in f for f in files)
    assert not any("__pycache__" in f for f in files)


def test_a_copy_of_the_package_hashes_like_the_package(package_copy: Path) -> None:
    assert ruleset_files(package_copy) == ruleset_files()
    assert ruleset_sha256(package_copy) == ruleset_sha256()


def test_changing_any_hashed_file_changes_the_hash(package_copy: Path) -> None:
    before = ruleset_sha256(package_copy)
    seen = {before}
    for name in ruleset_files(package_copy):
        path = package_copy / name
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        changed = ruleset_sha256(package_copy)
        assert changed not in seen, name
        seen.add(changed)
        path.write_bytes(original)
    assert ruleset_sha256(package_copy) == before


def test_a_module_added_deep_in_the_detectors_changes_the_hash(package_copy: Path) -> None:
    before = ruleset_sha256(package_copy)
    added = package_copy / "detect" / "posts" / "extra" / "shape.py"
    added.parent.mkdir()
    added.write_text("SHAPE = 1\n")
    assert "detect/posts/extra/shape.py" in ruleset_files(package_copy)
    assert ruleset_sha256(package_copy) != before


def test_a_missing_deciding_file_is_an_error_not_a_smaller_hash(package_copy: Path) -> None:
    (package_copy / "data" / "known_datasets.yaml").unlink()
    with pytest.raises(FileNotFoundError, match=r"known_datasets\.yaml"):
        ruleset_sha256(package_copy)


@pytest.mark.parametrize("folder", ["detect", "tagging", "policy"])
def test_a_missing_deciding_folder_is_an_error_not_a_smaller_hash(
    package_copy: Path, folder: str
) -> None:
    shutil.rmtree(package_copy / folder)
    with pytest.raises(FileNotFoundError, match=rf"{folder}/"):
        ruleset_sha256(package_copy)


def test_every_posts_rule_is_in_the_rule_set() -> None:
    assert {rule.id for rule in posts.RULES} <= set(ALL_RULES)
