"""End to end through the real ``xfilter`` command, on the bundled demo set."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest

from tests.helpers import REPO, run_cli
from xfilter.policy.optout import OptOutList

GOLD = [json.loads(line) for line in (REPO / "tests/data/demo_gold.jsonl").read_text().splitlines()]
REJECTABLE = ("x_dataset", "x_post", "x_embed")


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def _expected(mode: str) -> dict[str, Counter[str]]:
    """Actions per split, derived from the gold labels and the shipped opt-out list."""
    opt_out = OptOutList.load(REPO / "configs/opt-out.example.csv")
    expected: dict[str, Counter[str]] = {}
    for row in GOLD:
        category, authors = row["gold_category"], row["gold_authors"]
        opted_out = opt_out.contains_any(authors)
        if mode == "strict":
            action = "quarantined" if category in (*REJECTABLE, "x_link") else "kept"
        elif mode == "collaborator":
            if category not in REJECTABLE:
                action = "kept"
            elif opted_out:
                action = "dropped"
            else:
                action = "kept" if authors else "quarantined"
        else:
            rejectable = category in ("x_post", "x_embed")
            action = "quarantined" if rejectable and opted_out else "kept"
        expected.setdefault(row["split"], Counter())[action] += 1
    return expected


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    done = {}
    for mode in ("strict", "collaborator", "first-party"):
        out = root / mode
        run_cli("run", f"configs/{mode}.yaml", "--output", str(out), check=True)
        done[mode] = out
    return done


@pytest.mark.parametrize("mode", ["strict", "collaborator", "first-party"])
def test_demo_counts_follow_the_policy(outputs: dict[str, Path], mode: str) -> None:
    manifest = _manifest(outputs[mode])
    assert manifest["mode"] == mode
    for split, counts in manifest["splits"].items():
        assert counts["input"] == counts["kept"] + counts["dropped"] + counts["quarantined"]
        wanted = _expected(mode)[split]
        got = {k: counts[k] for k in ("kept", "dropped", "quarantined") if counts[k]}
        assert got == {k: v for k, v in wanted.items() if v}, split


def test_every_demo_record_gets_its_gold_category(outputs: dict[str, Path]) -> None:
    out = outputs["strict"]
    quarantined = datasets.load_dataset("parquet", data_dir=str(out / "quarantine"))
    found = {}
    for split in quarantined.values():
        for row in split:
            found[row["id"]] = row["xfilter_categories"][0]
    clean = datasets.load_dataset(str(out / "clean"))
    kept_ids = {row["id"] for split in clean.values() for row in split}
    wrong = []
    for row in GOLD:
        if row["gold_category"] in (*REJECTABLE, "x_link"):
            if found.get(row["id"]) != row["gold_category"]:
                wrong.append((row["id"], row["gold_category"], found.get(row["id"])))
        elif row["id"] not in kept_ids:
            wrong.append((row["id"], row["gold_category"], "rejected"))
    assert not wrong


def test_by_category_counts_match_gold(outputs: dict[str, Path]) -> None:
    manifest = _manifest(outputs["strict"])
    for split, counts in manifest["splits"].items():
        gold = Counter(r["gold_category"] for r in GOLD if r["split"] == split)
        for category in REJECTABLE:
            # Every gold record of the category has it; weaker ones may carry it too.
            assert counts["by_category"].get(category, 0) >= gold[category], (split, category)


def test_manifest_has_every_field(outputs: dict[str, Path]) -> None:
    manifest = _manifest(outputs["collaborator"])
    for key in (
        "schema", "tool", "created", "config", "config_sha256", "mode", "terms", "ruleset",
        "registry", "opt_out", "input", "splits", "outputs", "ledger", "index", "manifest_sha256",
    ):  # fmt: skip
        assert key in manifest, key
    assert manifest["tool"]["name"] == "xfilter"
    assert manifest["terms"][0]["id"] == "x-privacy-policy-2024-11-15"
    assert manifest["ruleset"]["sha256"] and manifest["registry"]["sha256"]
    assert manifest["opt_out"]["entries"] > 0 and len(manifest["opt_out"]["sha256"]) == 64
    assert set(manifest["input"]["rows"]) == {"train", "validation"}
    assert manifest["input"]["fingerprint"]["train"]
    for split in manifest["splits"].values():
        assert set(split) >= {"input", "kept", "dropped", "quarantined", "redacted", "by_category"}
    ledger = pq.read_table(outputs["collaborator"] / manifest["ledger"]["path"])
    assert ledger.num_rows == manifest["ledger"]["rows"]
    assert set(ledger.column_names) == {
        "split",
        "row",
        "record_sha256",
        "action",
        "reason",
        "categories",
        "rules",
    }


def test_opt_out_entries_never_reach_the_outputs(outputs: dict[str, Path]) -> None:
    entries = [
        line.split(",")[1].strip().lower()
        for line in (REPO / "configs/opt-out.example.csv").read_text().splitlines()[1:]
        if line.strip() and line.split(",")[1].strip()
    ]
    text = (outputs["collaborator"] / "manifest.json").read_text().lower()
    text += (outputs["collaborator"] / "README.md").read_text().lower()
    for entry in entries:
        assert f'"{entry}"' not in text


def test_outputs_load_with_datasets(outputs: dict[str, Path]) -> None:
    out = outputs["strict"]
    manifest = _manifest(out)
    clean = datasets.load_dataset(str(out / "clean"))
    assert set(clean) == {"train", "validation"}
    for split, ds in clean.items():
        assert ds.num_rows == manifest["splits"][split]["kept"]
        assert "xfilter_action" not in ds.column_names
    # The card's configs (used once published) point at exactly the clean files.
    card = datasets.load_dataset_builder(str(out)).config.data_files
    for split, files in card.items():
        assert sorted(Path(f).name for f in files) == sorted(
            Path(f["path"]).name
            for f in manifest["outputs"]["files"]
            if f["set"] == "clean" and f["split"] == split
        )


def test_verify_passes_then_fails_on_a_changed_byte(
    outputs: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(outputs["strict"], out)
    done = run_cli("verify", str(out))
    assert done.returncode == 0, done.stderr
    target = next((out / "clean" / "data").glob("train-*.parquet"))
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    done = run_cli("verify", str(out))
    assert done.returncode == 1
    assert target.name in done.stderr and "modified" in done.stderr


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("edit_manifest", "fields were edited"),
        ("delete_file", "missing"),
        ("add_file", "not listed"),
        ("truncate_ledger", "ledger.parquet: modified"),
    ],
)
def test_verify_catches_tampering(
    outputs: dict[str, Path], tmp_path: Path, tamper: str, message: str
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(outputs["collaborator"], out)
    if tamper == "edit_manifest":
        manifest = _manifest(out)
        manifest["splits"]["train"]["dropped"] += 1
        (out / "manifest.json").write_text(json.dumps(manifest))
    elif tamper == "delete_file":
        next((out / "quarantine" / "data").glob("*.parquet")).unlink()
    elif tamper == "add_file":
        (out / "clean" / "data" / "extra-00000-of-00001.parquet").write_bytes(b"PAR1")
    else:
        ledger = out / "ledger.parquet"
        ledger.write_bytes(ledger.read_bytes()[:-10])
    done = run_cli("verify", "--quick", str(out))
    assert done.returncode == 1
    assert message in done.stderr


def test_verify_rescan_catches_x_content_slipped_into_clean(
    outputs: dict[str, Path], tmp_path: Path
) -> None:
    from xfilter.output.documents import bind_documents
    from xfilter.output.manifest import dumps
    from xfilter.output.writer import file_sha256

    out = tmp_path / "copy"
    shutil.copytree(outputs["strict"], out)
    manifest = _manifest(out)
    entry = next(f for f in manifest["outputs"]["files"] if f["set"] == "clean")
    path = out / entry["path"]
    table = pq.read_table(path)
    texts = table.column("text").to_pylist()
    texts[0] = "Look: https://twitter.com/jack/status/20"
    table = table.set_column(table.column_names.index("text"), "text", [texts])
    pq.write_table(table, path)
    entry["sha256"] = file_sha256(path)  # a forger who also fixes the hashes
    sealed, documents = bind_documents(manifest, out)
    (out / "manifest.json").write_text(dumps(sealed))
    for name, text in documents.items():
        (out / name).write_text(text)
    assert run_cli("verify", "--quick", str(out)).returncode == 0
    done = run_cli("verify", str(out))
    assert done.returncode == 1 and "still holds 1 record" in done.stderr


def test_streaming_gives_the_same_outputs(outputs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "streamed"
    run_cli("run", "configs/strict.yaml", "--streaming", "--output", str(out), check=True)
    streamed, in_memory = _manifest(out), _manifest(outputs["strict"])
    assert streamed["engine"]["streaming"] is True
    assert streamed["splits"] == in_memory["splits"]
    for name in ("clean", "quarantine"):
        a = datasets.load_dataset(str(out / name))
        b = datasets.load_dataset(str(outputs["strict"] / name))
        for split in a:
            assert a[split].to_list() == b[split].to_list()
    assert run_cli("verify", str(out)).returncode == 0


def test_streaming_takes_workers_and_num_proc_but_not_both(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("--streaming", "--num-proc", "2", "--output", str(out))
    run_cli("run", "configs/strict.yaml", *args, check=True)
    assert run_cli("verify", str(out)).returncode == 0
    both = run_cli("run", "configs/strict.yaml", *args, "--workers", "2", "--overwrite")
    assert both.returncode == 2 and "num_proc is the older name of workers" in both.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "arrow"])
def test_other_output_formats(tmp_path: Path, fmt: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(f"mode: strict\noutput: {{dir: {tmp_path / 'out'}, format: {fmt}}}\n")
    run_cli("run", str(config), check=True)
    manifest = _manifest(tmp_path / "out")
    assert all(f["path"].endswith(f".{fmt}") for f in manifest["outputs"]["files"])
    builder = "json" if fmt == "jsonl" else "arrow"
    clean = datasets.load_dataset(builder, data_dir=str(tmp_path / "out" / "clean"))
    assert clean["train"].num_rows == manifest["splits"]["train"]["kept"]
    assert run_cli("verify", str(tmp_path / "out")).returncode == 0


def test_local_inputs(tmp_path: Path) -> None:
    rows = [{"text": "see https://twitter.com/jack/status/20"}, {"text": "nothing here"}]
    files = tmp_path / "in"
    files.mkdir()
    datasets.Dataset.from_list(rows).to_parquet(str(files / "part-0.parquet"))
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "saved"))
    for source in (str(files / "*.parquet"), str(files), str(tmp_path / "saved")):
        out = tmp_path / f"out-{abs(hash(source))}"
        run_cli("run", "configs/strict.yaml", "--input", source, "--output", str(out), check=True)
        counts = _manifest(out)["splits"]["train"]
        assert (counts["input"], counts["quarantined"]) == (2, 1), source


def test_split_option(tmp_path: Path) -> None:
    out = tmp_path / "val"
    run_cli("run", "configs/strict.yaml", "--split", "validation", "--output", str(out), check=True)
    assert set(_manifest(out)["splits"]) == {"validation"}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("config", "extra", "message"),
    [
        ("modee: strict\n", [], "unknown key 'modee' (did you mean 'mode'?)"),
        ("mode: strickt\n", [], "mode: 'strickt' is not one of"),
        ("categories: {x_lnk: keep}\n", [], "did you mean 'x_link'"),
        ("mode: strict\n", ["--input", "no/such/dir/*.parquet"], "input not found"),
        ("fields: {text: body}\n", [], "fields.text: 'body' is not a field of split"),
        ("mode: strict\n", ["--input", "someorg/some-dataset"], "give a local path"),
        ("mode: collaborator\nopt_out: {path: OPTOUT}\n", [], "optout.txt: line 2:"),
    ],
)
def test_errors_are_clear(tmp_path: Path, config: str, extra: list[str], message: str) -> None:
    optout = _write(tmp_path, "optout.txt", "jack\nnot valid!\n")
    path = _write(tmp_path, "c.yaml", config.replace("OPTOUT", str(optout)))
    done = run_cli("run", str(path), "--output", str(tmp_path / "out"), *extra)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_output_directory_safety(tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    done = run_cli("run", "configs/strict.yaml", "--output", str(foreign))
    assert done.returncode == 2 and "is not an xfilter output" in done.stderr
    assert (foreign / "notes.txt").read_text() == "keep me"
    out = tmp_path / "out"
    run_cli("run", "configs/strict.yaml", "--output", str(out), check=True)
    again = run_cli("run", "configs/strict.yaml", "--output", str(out))
    assert again.returncode == 2 and "--overwrite" in again.stderr
    run_cli("run", "configs/strict.yaml", "--output", str(out), "--overwrite", check=True)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_scan_fail_on(tmp_path: Path) -> None:
    done = run_cli("scan", "demo", "--fail-on", "x_post")
    assert done.returncode == 1
    assert "x_post=" in done.stdout
    clean = tmp_path / "clean.jsonl"
    clean.write_text('{"text": "nothing to see"}\n')
    done = run_cli("scan", str(clean), "--fail-on", "x_post", "x_embed")
    assert done.returncode == 0, done.stderr
    assert not list(tmp_path.glob("out*"))


def test_explain() -> None:
    done = run_cli(
        "explain", "--text", "Great day pic.twitter.com/abcDEF1234 — Jack (@jack) March 21, 2006"
    )
    assert done.returncode == 0
    assert "x_embed" in done.stdout and "jack" in done.stdout
    done = run_cli("explain", "--url", "https://x.com/jack/status/20")
    assert "x_post" in done.stdout
    done = run_cli("explain", "--url", "https://www.netflix.com/browse")
    assert "categories: (none)" in done.stdout


def test_help_for_every_command() -> None:
    for command in ("run", "scan", "verify", "explain"):
        done = run_cli(command, "--help")
        assert done.returncode == 0 and "usage: xfilter" in done.stdout
