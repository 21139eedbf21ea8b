"""What ``xfilter verify`` proves about an output directory, and what it cannot.

Each test backs one claim of ``docs/threat-model.md``: the card and the Croissant file are bound
to the manifest, the manifest's config, mode, policy and terms agree, file entries stay inside
the directory, a malformed manifest is a one-line error, and the documented limits of an
unkeyed manifest hash hold as stated.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import constants

import xfilter
from tests.helpers import REPO, run_cli
from xfilter.config import Config
from xfilter.errors import VerifyError, XFilterError
from xfilter.output.documents import bind_documents, document_sha256
from xfilter.output.manifest import SCHEMA, body_sha256, dumps, policy_section, seal
from xfilter.output.publish import PublishError, commit_operations, publish
from xfilter.output.verify import verify
from xfilter.output.writer import LEDGER_SCHEMA, file_sha256

CARD, CROISSANT, MANIFEST = "README.md", "manifest.croissant.json", "manifest.json"
CLEAN_TRAIN = "clean/data/train-00000-of-00001.parquet"

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def strict_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("integrity") / "strict"
    xfilter.run(str(REPO / "configs/strict.yaml"), output=out)
    return out


@pytest.fixture
def copy(strict_out: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(strict_out, target)
    return target


def _manifest(out: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    return result


def _reseal_manifest_only(out: Path, edit: Edit) -> None:
    """A forger who edits the manifest and recomputes its unkeyed hash, nothing else."""
    manifest = _manifest(out)
    edit(manifest)
    (out / MANIFEST).write_text(dumps(seal(manifest)), encoding="utf-8")


def _reseal_consistently(out: Path, edit: Edit) -> None:
    """A forger who edits the manifest, then rebinds the card and Croissant file to it exactly
    as the writer does: every hash the directory holds agrees again."""
    manifest = _manifest(out)
    edit(manifest)
    sealed, texts = bind_documents(manifest, out)
    (out / MANIFEST).write_text(dumps(sealed), encoding="utf-8")
    for name, text in texts.items():
        (out / name).write_text(text, encoding="utf-8")


def _rewrite_clean_train(out: Path, change: Callable[[pa.Table], pa.Table]) -> Edit:
    """Rewrite the clean train file; return an edit that records its new hash and rows."""
    path = out / CLEAN_TRAIN
    table = change(pq.read_table(path))
    pq.write_table(table, path)

    def record(manifest: dict[str, Any]) -> None:
        entry = next(f for f in manifest["outputs"]["files"] if f["path"] == CLEAN_TRAIN)
        entry["sha256"], entry["rows"] = file_sha256(path), table.num_rows

    return record


def _rewrite_ledger(out: Path, change: Callable[[pa.Table], pa.Table]) -> Edit:
    path = out / "ledger.parquet"
    table = change(pq.read_table(path))
    pq.write_table(table, path, compression="zstd")

    def record(manifest: dict[str, Any]) -> None:
        manifest["ledger"]["sha256"], manifest["ledger"]["rows"] = file_sha256(path), len(table)

    return record


def _fails(out: Path, match: str, quick: bool = True) -> None:
    with pytest.raises(VerifyError, match=match):
        verify(out, quick=quick)


# --- a complete output verifies, and says what it checked -------------------------------------


def test_a_fresh_output_verifies_every_check(strict_out: Path) -> None:
    checked = verify(strict_out)
    text = "\n".join(checked)
    for claim in (
        "manifest body sha256",
        "config_sha256",
        "confined",
        "data files: sha256 and rows",
        "no unlisted files",
        f"{CARD} and {CROISSANT}",
        "input = kept + dropped + quarantined",
        "ledger",
        "re-scanned",
    ):
        assert claim in text, claim
    assert _manifest(strict_out)["schema"] == SCHEMA == "xfilter.manifest/3"


def test_an_edited_manifest_field_without_reseal_fails(copy: Path) -> None:
    manifest = _manifest(copy)
    manifest["splits"]["train"]["quarantined"] = 0
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    _fails(copy, "its fields were edited")


def test_a_data_file_whose_rows_differ_from_its_entry_fails(copy: Path) -> None:
    record = _rewrite_clean_train(copy, lambda t: t.slice(1))

    def new_hash_only(manifest: dict[str, Any]) -> None:
        rows = next(f["rows"] for f in manifest["outputs"]["files"] if f["path"] == CLEAN_TRAIN)
        record(manifest)
        next(f for f in manifest["outputs"]["files"] if f["path"] == CLEAN_TRAIN)["rows"] = rows

    _reseal_consistently(copy, new_hash_only)
    _fails(copy, "195 rows, the manifest says 196")


def test_the_manifest_binds_every_file_so_one_signature_would_cover_the_directory(
    strict_out: Path,
) -> None:
    """Every file but manifest.json has its sha256 in the manifest (data files and ledger by
    their bytes, card and Croissant file by their text with the seal factored out)."""
    manifest = _manifest(strict_out)
    bound = {f["path"]: f["sha256"] for f in manifest["outputs"]["files"]}
    bound[manifest["ledger"]["path"]] = manifest["ledger"]["sha256"]
    bound[manifest["index"]["path"]] = manifest["index"]["sha256"]
    files = sorted(
        p.relative_to(strict_out).as_posix() for p in strict_out.rglob("*") if p.is_file()
    )
    assert set(files) == {*bound, CARD, CROISSANT, MANIFEST}
    for path, sha in bound.items():
        assert file_sha256(strict_out / path) == sha
    for name in (CARD, CROISSANT):
        data = (strict_out / name).read_bytes()
        assert document_sha256(data, manifest["manifest_sha256"]) == manifest["documents"][name]


# --- the card and the Croissant file are bound to the manifest --------------------------------


def test_an_edited_card_count_fails_on_the_command_line(copy: Path) -> None:
    card = copy / CARD
    text = card.read_text(encoding="utf-8")
    assert "quarantined: 143" in text
    card.write_text(text.replace("quarantined: 143", "quarantined: 0"), encoding="utf-8")
    done = run_cli("verify", str(copy))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"{card}: modified" in done.stderr


def _first_mode_word(text: str) -> str:
    return text.replace("strict", "first-party", 1)


def _croissant_edit(text: str, edit: Callable[[dict[str, Any]], None]) -> str:
    """The Croissant text with ``edit`` applied and nothing else changed."""
    doc = json.loads(text)
    assert json.dumps(doc, indent=2, ensure_ascii=False) + "\n" == text
    edit(doc)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _croissant_protocol(text: str) -> str:
    def edit(doc: dict[str, Any]) -> None:
        steps = doc["rai:dataPreprocessingProtocol"]
        steps[0] = _first_mode_word(steps[0])

    return _croissant_edit(text, edit)


def _croissant_keywords(text: str) -> str:
    def edit(doc: dict[str, Any]) -> None:
        doc["keywords"] = [k.replace("strict", "collaborator") for k in doc["keywords"]]

    return _croissant_edit(text, edit)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        (CARD, _first_mode_word),  # in the YAML header, where the mode is recorded
        (CARD, lambda text: text.replace("## ", "## Edited: ", 1)),  # the prose
        (CROISSANT, _croissant_protocol),
        (CROISSANT, _croissant_keywords),
    ],
)
def test_an_edited_card_or_croissant_text_fails(
    copy: Path, name: str, change: Callable[[str], str]
) -> None:
    path = copy / name
    text = path.read_text(encoding="utf-8")
    assert change(text) != text
    path.write_text(change(text), encoding="utf-8")
    _fails(copy, f"{name}: modified")


@pytest.mark.parametrize("name", [CARD, CROISSANT])
def test_a_deleted_card_or_croissant_fails(copy: Path, name: str) -> None:
    (copy / name).unlink()
    _fails(copy, f"{name}: missing")


def test_a_card_quoting_another_manifest_hash_fails(copy: Path) -> None:
    sha = _manifest(copy)["manifest_sha256"]
    card = copy / CARD
    for other in ("0" * 64, "f" * 64, "1" * 63 + "a"):
        card.write_text(
            (copy / CARD).read_text(encoding="utf-8").replace(sha, other), encoding="utf-8"
        )
        _fails(copy, f"{CARD}: modified")
        card.write_text(card.read_text(encoding="utf-8").replace(other, sha), encoding="utf-8")
    verify(copy, quick=True)


def test_a_killed_runs_work_directory_does_not_verify(tmp_path: Path) -> None:
    """Killed after manifest.json was written, before the card and Croissant file."""
    out = tmp_path / "out"
    env = {**os.environ, "XFILTER_FAULT": "write-manifest"}
    subprocess.run(
        [sys.executable, "-m", "xfilter", "run", "configs/strict.yaml", "--output", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        check=False,
    )
    work = [p for p in tmp_path.iterdir() if p.name.startswith(".out.") and p.is_dir()]
    assert len(work) == 1 and (work[0] / MANIFEST).is_file()
    with pytest.raises(VerifyError):
        verify(work[0], quick=True)
    for marker in work[0].glob(".*"):  # without the writer's own markers too
        marker.unlink()
    with pytest.raises(VerifyError, match=f"{CARD}: missing"):
        verify(work[0], quick=True)


def test_card_merge_with_a_local_readme_survives_the_input_changing(tmp_path: Path) -> None:
    """The card merges a local input's README; verify checks the written card, not a rebuild."""
    source = tmp_path / "input"
    source.mkdir()
    rows = [{"text": "a quiet harbour"}, {"text": "see https://twitter.com/jack/status/20"}]
    (source / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (source / CARD).write_text("---\nlicense: cc-by-4.0\n---\n# Harbour notes\n\nHand-written.\n")
    out = tmp_path / "out"
    xfilter.run(str(REPO / "configs/strict.yaml"), input=str(source), output=out)
    card = (out / CARD).read_text(encoding="utf-8")
    assert "cc-by-4.0" in card and "Hand-written." in card
    verify(out)
    (source / CARD).write_text("---\nlicense: mit\n---\n# Changed later\n")
    verify(out)
    (source / CARD).unlink()
    verify(out)


def test_publish_refuses_an_edited_or_missing_card_and_builds_none(
    copy: Path, monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    card = copy / CARD
    original = card.read_text(encoding="utf-8")
    card.write_text(original.replace("quarantined: 143", "quarantined: 0"), encoding="utf-8")
    with pytest.raises(PublishError, match=f"does not verify: .*{CARD}: modified"):
        publish(copy, "me/clean", token="hf_x")
    card.unlink()
    with pytest.raises(PublishError, match=f"does not verify: .*{CARD}: missing"):
        publish(copy, "me/clean", token="hf_x")
    with pytest.raises(XFilterError, match=f"{CARD}: missing"):
        commit_operations(copy)
    card.write_text(original, encoding="utf-8")
    operations = commit_operations(copy)
    assert operations[-1].path_in_repo == CARD
    assert operations[-1].path_or_fileobj == str(copy / CARD)


# --- the manifest's config, mode, action, policy and terms agree -------------------------------


def _parent(manifest: dict[str, Any], path: str) -> tuple[Any, Any]:
    """The container holding the dotted ``path`` (numbers index lists) and its last key."""
    *parents, last = path.split(".")
    node: Any = manifest
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node, int(last) if isinstance(node, list) else last


def _set(path: str, value: Any) -> Edit:
    def edit(manifest: dict[str, Any]) -> None:
        node, key = _parent(manifest, path)
        node[key] = value

    return edit


def test_a_config_mode_changed_under_a_stale_config_sha256_fails(copy: Path) -> None:
    _reseal_manifest_only(copy, _set("config.mode", "first-party"))
    _fails(copy, "config_sha256 does not match")


def test_a_config_mode_changed_with_its_sha256_fails_on_the_top_level_mode(copy: Path) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["config"]["mode"] = "first-party"
        manifest["config_sha256"] = Config.model_validate(manifest["config"]).sha256

    _reseal_consistently(copy, edit)
    _fails(copy, "mode: .*strict.* config implies .*first-party")


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (_set("mode", "first-party"), "mode"),
        (_set("action", "drop"), "action"),
        (_set("policy.x_post", "keep"), "policy"),
        (_set("terms", []), "terms"),
    ],
)
def test_a_top_level_policy_that_disagrees_with_config_fails(
    copy: Path, edit: Edit, key: str
) -> None:
    _reseal_consistently(copy, edit)
    _fails(copy, f"{MANIFEST}: {key}: .*config implies")


def test_a_config_not_in_its_resolved_form_fails(copy: Path) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["config"]["input"]["streaming"] = "yes"  # pydantic would read it as True
        manifest["config_sha256"] = Config.model_validate(manifest["config"]).sha256

    _reseal_consistently(copy, edit)
    _fails(copy, "config: not as the run resolved it")


def test_a_recorded_opt_out_list_without_one_in_config_fails(copy: Path) -> None:
    _reseal_consistently(copy, _set("opt_out", {"sha256": "a" * 64, "entries": 3, "keyed": False}))
    _fails(copy, "opt_out: .*config")


# --- file entries stay inside the directory, once each ----------------------------------------


@pytest.mark.parametrize(
    "path", ["../../outside.parquet", "/etc/hostname", "clean/../../x.parquet", "clean\\..\\x"]
)
def test_a_file_entry_outside_the_directory_fails(copy: Path, path: str) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["outputs"]["files"][0]["path"] = path

    _reseal_manifest_only(copy, edit)
    _fails(copy, "outside the output directory")


def test_a_ledger_entry_outside_the_directory_fails(copy: Path) -> None:
    _reseal_manifest_only(copy, _set("ledger.path", "../ledger.parquet"))
    _fails(copy, "outside the output directory")


def test_a_data_file_symlinked_outside_the_directory_fails(copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.parquet"
    shutil.move(copy / CLEAN_TRAIN, outside)
    (copy / CLEAN_TRAIN).symlink_to(outside)
    _fails(copy, "outside the output directory")


def test_a_directory_symlinked_outside_fails(copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    shutil.move(copy / "quarantine", outside)
    (copy / "quarantine").symlink_to(outside, target_is_directory=True)
    _fails(copy, "outside the output directory")


def test_a_duplicate_file_entry_with_doubled_counts_fails(copy: Path) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["outputs"]["files"].append(dict(manifest["outputs"]["files"][0]))
        split = manifest["splits"]["train"]
        split["kept"] += 196
        split["input"] += 196
        manifest["input"]["rows"]["train"] += 196

    _reseal_manifest_only(copy, edit)
    _fails(copy, "listed twice")


def test_a_file_entry_of_a_split_the_manifest_does_not_count_fails(copy: Path) -> None:
    shutil.copy(copy / CLEAN_TRAIN, copy / "clean/data/extra-00000-of-00001.parquet")

    def edit(manifest: dict[str, Any]) -> None:
        entry = dict(manifest["outputs"]["files"][0])
        entry["path"], entry["split"] = "clean/data/extra-00000-of-00001.parquet", "extra"
        manifest["outputs"]["files"].append(entry)

    _reseal_manifest_only(copy, edit)
    _fails(copy, "split 'extra' .*not counted")


def test_a_file_entry_named_for_another_split_fails(copy: Path) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["outputs"]["files"][0]["split"] = "validation"

    _reseal_manifest_only(copy, edit)
    _fails(copy, "not where xfilter writes")


def test_an_incomplete_set_of_shards_fails(copy: Path) -> None:
    renamed = "clean/data/train-00001-of-00002.parquet"
    shutil.move(copy / CLEAN_TRAIN, copy / renamed)
    _reseal_manifest_only(copy, _set("outputs.files.0.path", renamed))
    _fails(copy, "the clean files of split 'train' are not a full set")


def test_a_resealed_unreadable_data_file_is_a_one_line_error(copy: Path) -> None:
    path = copy / CLEAN_TRAIN
    path.write_bytes(b"not parquet at all")

    def edit(manifest: dict[str, Any]) -> None:
        entry = next(f for f in manifest["outputs"]["files"] if f["path"] == CLEAN_TRAIN)
        entry["sha256"] = file_sha256(path)

    _reseal_manifest_only(copy, edit)
    _fails(copy, f"{CLEAN_TRAIN}: not a readable parquet file")


def test_a_file_name_the_file_system_refuses_is_a_one_line_error(copy: Path) -> None:
    split = "s" * 300

    def edit(manifest: dict[str, Any]) -> None:
        manifest["splits"][split] = {**manifest["splits"]["train"], "input": 0, "kept": 0}
        manifest["splits"][split].update(dropped=0, quarantined=0, redacted=0)
        entry = dict(manifest["outputs"]["files"][0])
        entry.update(path=f"clean/data/{split}-00000-of-00001.parquet", split=split)
        manifest["outputs"]["files"].append(entry)

    _reseal_manifest_only(copy, edit)
    _fails(copy, "cannot be read")


def test_publish_guards_the_paths_it_reads(copy: Path) -> None:
    _reseal_manifest_only(copy, _set("outputs.files", [
        {"path": "../../secret.parquet", "set": "clean", "split": "train", "rows": 1,
         "sha256": "a" * 64},
    ]))  # fmt: skip
    with pytest.raises(VerifyError, match="outside the output directory"):
        commit_operations(copy)


# --- a malformed manifest is a one-line error naming the file and the key ---------------------


def _delete(path: str) -> Edit:
    def edit(manifest: dict[str, Any]) -> None:
        node, key = _parent(manifest, path)
        del node[key]

    return edit


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (_delete("outputs"), "outputs"),
        (_delete("splits"), "splits"),
        (_set("splits.train.kept", "196"), "splits.train.kept"),
        (_set("splits.train.kept", True), "splits.train.kept"),
        (_set("splits.train.dropped", -1), "splits.train.dropped"),
        (_set("splits.train.by_rule", ["url.status"]), "splits.train.by_rule"),
        (_set("config.mode", 7), "config: mode"),
        (_set("config", "strict"), "config"),
        (_set("outputs.files", {}), "outputs.files"),
        (_set("outputs.format", "csv"), "outputs.format"),
        (_set("outputs.files.0", None), "outputs.files[0]"),
        (_delete("outputs.files.0.sha256"), "outputs.files[0].sha256"),
        (_set("outputs.files.0.set", "public"), "outputs.files[0].set"),
        (_set("ledger.rows", None), "ledger.rows"),
        (_delete("documents"), "documents"),
        (lambda manifest: manifest["documents"].pop(CARD), f"documents.{CARD}"),
        (_set("input.rows", [304]), "input.rows"),
        (_set("terms", [{"title": "no id"}]), "terms[0].id"),
        (_set("opt_out", "none"), "opt_out"),
        (_set("mode", None), "mode"),
    ],
)
def test_a_malformed_manifest_is_a_one_line_error(copy: Path, edit: Edit, key: str) -> None:
    _reseal_manifest_only(copy, edit)
    with pytest.raises(VerifyError) as raised:
        verify(copy, quick=True)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(str(copy / MANIFEST)) and key in message, message


def test_a_malformed_manifest_on_the_command_line_names_file_and_key(copy: Path) -> None:
    _reseal_manifest_only(copy, _delete("outputs"))
    done = run_cli("verify", str(copy))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"xfilter: error: {copy / MANIFEST}: outputs: missing"
    ]


@pytest.mark.parametrize("body", ["[]", '"text"', "{}", '{"schema": 2}'])
def test_a_manifest_that_is_not_an_object_of_this_schema_is_refused(copy: Path, body: str) -> None:
    (copy / MANIFEST).write_text(body)
    _fails(copy, f"{MANIFEST}: not an xfilter manifest")


def test_an_older_manifest_schema_is_refused_clearly(copy: Path) -> None:
    _reseal_manifest_only(copy, _set("schema", "xfilter.manifest/1"))
    _fails(copy, r"schema 'xfilter.manifest/1' .*older xfilter.*re-run")


# --- counts, ledger and the re-scan ------------------------------------------------------------


def test_a_modified_data_file_fails(copy: Path) -> None:
    with (copy / CLEAN_TRAIN).open("ab") as handle:
        handle.write(b"\0")
    _fails(copy, "modified")


def test_an_added_file_fails(copy: Path) -> None:
    (copy / "clean" / "data" / "notes.txt").write_text("added")
    _fails(copy, "not listed")


def test_counts_that_do_not_conserve_fail(copy: Path) -> None:
    _reseal_consistently(copy, _set("splits.train.dropped", 5))
    _fails(copy, r"input 304 != kept")


def test_clean_rows_that_differ_from_kept_fail(copy: Path) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["splits"]["train"]["kept"] += 1
        manifest["splits"]["train"]["input"] += 1
        manifest["input"]["rows"]["train"] += 1

    _reseal_consistently(copy, edit)
    _fails(copy, "clean files hold 196 rows, kept is 197")


def test_a_modified_ledger_fails(copy: Path) -> None:
    with (copy / "ledger.parquet").open("ab") as handle:
        handle.write(b"\0")
    _fails(copy, "ledger.parquet: modified")


def test_a_ledger_row_count_that_disagrees_with_the_manifest_fails(copy: Path) -> None:
    record = _rewrite_ledger(copy, lambda t: t.slice(1))
    _reseal_consistently(copy, record)
    _fails(copy, "quarantine rows, the manifest counts quarantined")


@pytest.mark.parametrize(("column", "kind"), [("categories", "category"), ("rules", "rule")])
def test_a_ledger_category_or_rule_the_manifest_never_counted_fails(
    copy: Path, column: str, kind: str
) -> None:
    def change(table: pa.Table) -> pa.Table:
        values = table.column(column).to_pylist()
        values[0] = [*values[0], "x_made_up"]
        return table.set_column(
            table.schema.get_field_index(column),
            LEDGER_SCHEMA.field(column),
            pa.array(values, pa.list_(pa.string())),
        )

    _reseal_consistently(copy, _rewrite_ledger(copy, change))
    _fails(copy, f"{kind} 'x_made_up'")


@pytest.mark.parametrize(("first", "match"), [(10_000, "row 10000"), (None, "repeated")])
def test_a_ledger_row_beyond_the_split_or_repeated_fails(
    copy: Path, first: int | None, match: str
) -> None:
    def change(table: pa.Table) -> pa.Table:
        rows = table.column("row").to_pylist()
        rows[0] = rows[1] if first is None else first
        return table.set_column(
            table.schema.get_field_index("row"), "row", pa.array(rows, pa.int64())
        )

    _reseal_consistently(copy, _rewrite_ledger(copy, change))
    _fails(copy, match)


def _x_post_into_clean(table: pa.Table) -> pa.Table:
    texts = table.column("text").to_pylist()
    texts[0] = "Look: https://twitter.com/jack/status/20"
    return table.set_column(table.column_names.index("text"), "text", [texts])


def test_x_content_slipped_into_clean_and_resealed_fails_the_rescan(copy: Path) -> None:
    _reseal_consistently(copy, _rewrite_clean_train(copy, _x_post_into_clean))
    verify(copy, quick=True)  # every hash agrees
    _fails(copy, "still holds 1 record", quick=False)


def test_limit_a_consistent_reseal_under_a_laxer_mode_passes_but_names_it(copy: Path) -> None:
    """The re-scan reads the policy from ``config``, and the top-level mode must agree with it:
    a forger who changes both passes, but then the manifest, card and Croissant name that mode."""

    record_clean = _rewrite_clean_train(copy, _x_post_into_clean)

    def edit(manifest: dict[str, Any]) -> None:
        record_clean(manifest)
        manifest["config"]["mode"] = "first-party"
        config = Config.model_validate(manifest["config"])
        manifest["config_sha256"] = config.sha256
        manifest.update(policy_section(config))

    _reseal_consistently(copy, edit)
    checked = verify(copy)  # a fully consistent forgery under a laxer mode passes ...
    assert any("re-scanned" in line for line in checked)
    assert _manifest(copy)["mode"] == "first-party"  # ... but it says so everywhere
    for name in (CARD, CROISSANT):
        assert "first-party" in (copy / name).read_text(encoding="utf-8")


# --- the documented limits of an unkeyed manifest hash -----------------------------------------


def test_the_manifest_hash_is_unkeyed_anyone_can_recompute_it(strict_out: Path) -> None:
    manifest = _manifest(strict_out)
    assert body_sha256(manifest) == manifest["manifest_sha256"]


def test_limit_a_consistent_reseal_of_edited_clean_text_passes(copy: Path) -> None:
    def benign(table: pa.Table) -> pa.Table:
        texts = table.column("text").to_pylist()
        texts[0] = "A sentence nobody wrote in the input."
        return table.set_column(table.column_names.index("text"), "text", [texts])

    _reseal_consistently(copy, _rewrite_clean_train(copy, benign))
    verify(copy, quick=True)
    verify(copy)  # even the re-scan passes: the text holds nothing X-derived


def test_limit_a_removed_record_booked_as_a_fake_drop_passes(copy: Path) -> None:
    record_clean = _rewrite_clean_train(copy, lambda t: t.slice(1))
    ledger = pq.read_table(copy / "ledger.parquet")
    pairs = zip(ledger.column("split").to_pylist(), ledger.column("row").to_pylist(), strict=True)
    listed = {row for split, row in pairs if split == "train"}
    free = min(set(range(_manifest(copy)["splits"]["train"]["input"])) - listed)
    fake = pa.table(
        {
            "split": ["train"],
            "row": pa.array([free], pa.int64()),
            "record_sha256": ["0" * 64],
            "action": ["drop"],
            "reason": ["category"],
            "categories": pa.array([[]], pa.list_(pa.string())),
            "rules": pa.array([[]], pa.list_(pa.string())),
        },
        schema=LEDGER_SCHEMA,
    )
    record_ledger = _rewrite_ledger(copy, lambda t: pa.concat_tables([t, fake]))
    assert ledger.num_rows + 1 == pq.read_table(copy / "ledger.parquet").num_rows

    def edit(manifest: dict[str, Any]) -> None:
        record_clean(manifest)
        record_ledger(manifest)
        manifest["splits"]["train"]["kept"] -= 1
        manifest["splits"]["train"]["dropped"] += 1
        manifest["splits"]["train"]["by_reason"]["category"] += 1

    _reseal_consistently(copy, edit)
    verify(copy)


def test_limit_a_removed_record_with_lowered_input_counts_passes(copy: Path) -> None:
    record_clean = _rewrite_clean_train(copy, lambda t: t.slice(1))

    def edit(manifest: dict[str, Any]) -> None:
        record_clean(manifest)
        manifest["splits"]["train"]["kept"] -= 1
        manifest["splits"]["train"]["input"] -= 1
        manifest["input"]["rows"]["train"] -= 1

    _reseal_consistently(copy, edit)
    verify(copy)


def test_a_rerun_on_the_same_input_exposes_a_consistent_forgery(
    strict_out: Path, copy: Path, tmp_path: Path
) -> None:
    """What closes the gap without a signature: the run is deterministic, so whoever holds
    the input can re-run the recorded config and compare the data files' hashes."""
    record_clean = _rewrite_clean_train(copy, lambda t: t.slice(1))

    def edit(manifest: dict[str, Any]) -> None:
        record_clean(manifest)
        manifest["splits"]["train"]["kept"] -= 1
        manifest["splits"]["train"]["input"] -= 1
        manifest["input"]["rows"]["train"] -= 1

    _reseal_consistently(copy, edit)
    verify(copy)
    rerun = tmp_path / "rerun"
    xfilter.run(str(REPO / "configs/strict.yaml"), output=rerun)

    def hashes(out: Path) -> dict[str, str]:
        return {f["path"]: f["sha256"] for f in _manifest(out)["outputs"]["files"]}

    assert hashes(rerun) == hashes(strict_out)
    assert hashes(rerun)[CLEAN_TRAIN] != hashes(copy)[CLEAN_TRAIN]


def test_an_emptied_json_lines_shard_is_not_read(tmp_path: Path) -> None:
    """A refresh may empty a shard; an empty JSON Lines file is not valid input to Arrow's
    reader, and a shard the manifest lists with no rows holds nothing to re-scan."""
    from xfilter.output.verify import _read_sets

    (tmp_path / "clean" / "data").mkdir(parents=True)
    (tmp_path / "clean" / "data" / "train-00000-of-00002.jsonl").write_text("")
    (tmp_path / "clean" / "data" / "train-00001-of-00002.jsonl").write_text('{"text": "a"}\n')
    files = [
        {"set": "clean", "split": "train", "path": f"clean/data/train-0000{i}-of-00002.jsonl",
         "rows": rows}
        for i, rows in ((0, 0), (1, 1))
    ]  # fmt: skip
    manifest = {"outputs": {"format": "jsonl", "files": files}}
    tables = _read_sets(tmp_path, manifest, "clean")["train"]
    assert [t.num_rows for t in tables] == [1]
