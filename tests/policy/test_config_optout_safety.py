"""Configs that cannot be abused, and opt-out lists that hide who is on them.

YAML is refused when it could change the policy silently (a repeated key) or expand without
bound (aliases); opt-out entries are typed; keyed (``hmac-sha256:``) entries match only with
the shared key, and the key reaches no output, message, ``repr`` or pickle.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import datasets
import pyarrow as pa
import pytest

import xfilter
from tests.helpers import REPO, run_cli
from xfilter import XFilter
from xfilter.config import Config, as_config, build_config, load_config
from xfilter.errors import ConfigError
from xfilter.policy.optout import OptOutList, keyed_entry

KEY = "k3y-Sh4red-8y-b0th-p4rties-5f1c9e"
OTHER_KEY = "an0ther-k3y-n0t-the-shared-0ne-77"
KEY_ENV = "XFILTER_TEST_OPT_OUT_KEY"
# Who the example list names: its sha256 entry is the lower-cased handle below.
EXAMPLE = REPO / "configs" / "opt-out.example.csv"
EXAMPLE_HANDLES = ["PortCalderCity", "783214", "TwitterDev", "metoffice"]


def _demo_tables() -> list[pa.Table]:
    return [
        datasets.load_dataset("json", data_files=files, split="train").data.table
        for files in xfilter.demo_files().values()
    ]


def _actions(xf: XFilter) -> list[str]:
    actions: list[str] = []
    for table in _demo_tables():
        actions += xf.tag_table(table).column("xfilter_action").to_pylist()
    return actions


def _keyed_list(path: Path, key: str = KEY, handles: list[str] = EXAMPLE_HANDLES) -> Path:
    path.write_text("".join(keyed_entry(h, key) + "\n" for h in handles))
    return path


# -- YAML: duplicate keys and aliases --------------------------------------------------------


def test_a_repeated_key_is_an_error_naming_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("mode: strict\noutput: {dir: out/d}\nmode: first-party\n")
    with pytest.raises(ConfigError, match=r"dup\.yaml: line 3: duplicate key 'mode'"):
        load_config(path)


def test_a_repeated_nested_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(
        "mode: collaborator\nopt_out:\n  unknown_author: keep\n  unknown_author: drop\n"
    )
    with pytest.raises(ConfigError, match=r"dup\.yaml: line 4: duplicate key 'unknown_author'"):
        load_config(path)


def test_the_cli_refuses_a_repeated_mode(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(f"mode: strict\noutput: {{dir: {tmp_path / 'out'}}}\nmode: first-party\n")
    done = run_cli("run", str(path))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"xfilter: error: {path}: line 3: duplicate key 'mode' (first on line 1)"
    ]
    assert not (tmp_path / "out").exists()


def _alias_bomb(path: Path) -> Path:
    lines = ["a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    path.write_text("\n".join([*lines, "mode: *a9"]) + "\n")
    return path


def test_an_alias_bomb_fails_at_its_first_alias(tmp_path: Path) -> None:
    path = _alias_bomb(tmp_path / "bomb.yaml")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == (f"{path}: line 2: YAML aliases (*a0) are not allowed in a config")


def test_the_cli_stops_an_alias_bomb_with_one_line(tmp_path: Path) -> None:
    path = _alias_bomb(tmp_path / "bomb.yaml")
    # The timeout only keeps a regression from hanging the suite; it measures nothing.
    done = subprocess.run(
        [sys.executable, "-m", "xfilter", "run", str(path), "--output", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"xfilter: error: {path}: line 2: YAML aliases (*a0) are not allowed in a config"
    ]


def test_a_lone_anchor_is_harmless_but_any_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("mode: &m strict\n")
    assert load_config(path).mode == "strict"
    path.write_text("output: &o {dir: out/a}\ninput: {source: demo}\nknown_datasets: *o\n")
    with pytest.raises(ConfigError, match=r"c\.yaml: line 3: YAML aliases \(\*o\)"):
        load_config(path)


def test_yaml_syntax_errors_are_one_line_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("mode: strict\noutput: {dir: [\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: line ")
    assert "not valid YAML" in message


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("mode: " + "[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(ConfigError, match=r"deep\.yaml: "):
        load_config(path)


@pytest.mark.parametrize(
    "data",
    [
        {"mode": "strict" * 10_000},
        {"mode": ["x" * 100] * 1000},
        {"categories": {"x_" + "q" * 10_000: "keep"}},
        {"y" * 10_000: 1},
    ],
)
def test_error_messages_echo_only_a_short_repr(data: dict) -> None:
    with pytest.raises(ConfigError) as error:
        build_config(data, "c.yaml")
    assert len(str(error.value)) < 300
    assert str(error.value).startswith("c.yaml: ")


# -- XFilter(config=...) -------------------------------------------------------------------


def test_a_config_may_be_given_as_a_path_or_a_mapping() -> None:
    path = REPO / "configs" / "strict.yaml"
    assert as_config(str(path)) == load_config(path)
    assert as_config(path) == load_config(path)
    assert as_config({"mode": "first-party"}).mode == "first-party"
    assert as_config(None) == Config()
    config = Config(mode="collaborator")
    assert as_config(config) is config


@pytest.mark.parametrize("value", [42, ["strict"], b"configs/strict.yaml"])
def test_a_config_of_another_type_is_refused_by_name(value: object) -> None:
    with pytest.raises(ConfigError, match=r"config: expected a Config, a mapping or the path"):
        as_config(value)


def test_xfilter_accepts_a_config_path() -> None:
    xf = XFilter(config=str(REPO / "configs" / "strict.yaml"))  # type: ignore[arg-type]
    assert xf.config == load_config(REPO / "configs" / "strict.yaml")
    with pytest.raises(ConfigError, match="expected a Config"):
        XFilter(config=42)  # type: ignore[arg-type]


# -- opt-out entries: types and emptiness --------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": true}', r"'id' must be an integer or a string"),
        ('{"id": 783214.0}', r"'id' must be an integer or a string"),
        ('{"id": [783214]}', r"'id' must be an integer or a string"),
        ('{"handle": 12}', r"'handle' must be a string"),
        ('{"handle": false}', r"'handle' must be a string"),
        ('{"screen_name": {"a": 1}}', r"'screen_name' must be a string"),
    ],
)
def test_jsonl_entries_of_the_wrong_type_are_refused(
    tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "oo.jsonl"
    path.write_text('{"handle": "jack"}\n' + line + "\n")
    with pytest.raises(ConfigError, match=rf"oo\.jsonl: line 2: {message}"):
        OptOutList.load(path)


def test_jsonl_ids_may_be_integers_or_strings(tmp_path: Path) -> None:
    path = tmp_path / "oo.jsonl"
    path.write_text('{"id": 783214}\n{"id": "2244994945"}\n{"handle": "@Jack", "id": null}\n')
    opt_out = OptOutList.load(path)
    assert opt_out.count == 3
    assert opt_out.contains_any(["783214"]) and opt_out.contains_any(["2244994945"])
    assert opt_out.contains_any(["jack"]) and not opt_out.contains_any(["true"])


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("empty.txt", ""),
        ("comments.txt", "# nobody yet\n\n"),
        ("header.csv", "id,handle\n"),
        ("blank.jsonl", "\n\n"),
    ],
)
def test_a_list_without_entries_is_an_error(tmp_path: Path, name: str, body: str) -> None:
    path = tmp_path / name
    path.write_text(body)
    with pytest.raises(ConfigError, match=rf"{name}: opt-out list has no entries"):
        OptOutList.load(path)


# -- keyed entries -------------------------------------------------------------------------


def test_a_keyed_entry_is_hmac_sha256_of_the_lower_cased_handle() -> None:
    expected = hmac.new(KEY.encode(), b"twitterdev", hashlib.sha256).hexdigest()
    assert keyed_entry("@TwitterDev", KEY) == f"hmac-sha256:{expected}"
    assert keyed_entry(" twitterdev ", KEY.encode()) == f"hmac-sha256:{expected}"
    assert keyed_entry("783214", KEY).startswith("hmac-sha256:")
    with pytest.raises(ValueError, match="not an X user id or handle"):
        keyed_entry("not a handle!", KEY)


def test_a_keyed_list_decides_like_the_plain_list_on_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    keyed = _keyed_list(tmp_path / "keyed.txt")
    plain = _actions(XFilter(mode="collaborator", opt_out={"path": str(EXAMPLE)}))
    xf = XFilter(mode="collaborator", opt_out={"path": str(keyed), "key_env": KEY_ENV})
    assert xf.opt_out.keyed and xf.opt_out.count == len(EXAMPLE_HANDLES)
    assert _actions(xf) == plain
    # The list decides something: without it the opted-out authors' posts are kept.
    assert _actions(XFilter(mode="collaborator")) != plain


def test_a_key_file_works_like_a_key_variable(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    keyed = _keyed_list(tmp_path / "keyed.txt")
    opt_out = OptOutList.load(keyed, key_file=str(key_file))
    assert opt_out.contains_any(["@portcaldercity"]) and opt_out.contains_any(["METOFFICE"])
    assert not opt_out.contains_any(["jack", "interior"])


def test_a_wrong_key_keeps_the_opted_out_authors_post(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, OTHER_KEY)
    keyed = _keyed_list(tmp_path / "keyed.txt")
    xf = XFilter(mode="collaborator", opt_out={"path": str(keyed), "key_env": KEY_ENV})
    table = pa.table(
        {
            "text": ["Valentine", "hello"],
            "url": ["https://twitter.com/TwitterDev/status/1228393702244134912", None],
        }
    )
    assert xf.tag_table(table).column("xfilter_action").to_pylist() == ["keep", "keep"]
    monkeypatch.setenv(KEY_ENV, KEY)
    xf = XFilter(mode="collaborator", opt_out={"path": str(keyed), "key_env": KEY_ENV})
    assert xf.tag_table(table).column("xfilter_action").to_pylist() == ["quarantine", "keep"]


def test_a_mixed_list_holds_plain_hashed_and_keyed_entries(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(KEY)
    path = tmp_path / "mixed.csv"
    sha = hashlib.sha256(b"jill").hexdigest()
    path.write_text(f"handle\njack\nsha256:{sha}\n{keyed_entry('bob', KEY)}\n")
    opt_out = OptOutList.load(path, key_file=str(key_file))
    assert opt_out.keyed and opt_out.count == 3
    assert all(opt_out.contains_any([h]) for h in ("jack", "jill", "@Bob"))
    assert not opt_out.contains_any(["alice"])


def test_keyed_entries_without_a_key_are_an_error(tmp_path: Path) -> None:
    keyed = _keyed_list(tmp_path / "keyed.txt")
    with pytest.raises(ConfigError, match=r"keyed\.txt: .*hmac-sha256.* no key"):
        OptOutList.load(keyed)
    with pytest.raises(ConfigError, match="no key"):
        XFilter(mode="collaborator", opt_out={"path": str(keyed)})


def test_a_key_is_refused_when_it_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyed = _keyed_list(tmp_path / "keyed.txt")
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(ConfigError, match=rf"environment variable {KEY_ENV} is not set"):
        OptOutList.load(keyed, key_env=KEY_ENV)
    monkeypatch.setenv(KEY_ENV, "  \n")
    with pytest.raises(ConfigError, match=rf"environment variable {KEY_ENV}: opt-out key is empty"):
        OptOutList.load(keyed, key_env=KEY_ENV)
    missing = tmp_path / "no-such-key"
    with pytest.raises(ConfigError, match=rf"{missing}: opt-out key file not found"):
        OptOutList.load(keyed, key_file=str(missing))
    short = tmp_path / "short-key"
    short.write_text("tooshort")
    with pytest.raises(ConfigError, match=r"short-key: opt-out key is shorter than 16") as error:
        OptOutList.load(keyed, key_file=str(short))
    assert "tooshort" not in str(error.value)


@pytest.mark.parametrize(
    ("opt_out", "message"),
    [
        ({"path": "l.txt", "key_env": "A", "key_file": "k"}, "set key_file or key_env, not both"),
        ({"key_env": "A"}, "needs opt_out.path"),
        ({"path": "l.txt", "key_env": ""}, "opt_out.key_env"),
    ],
)
def test_key_settings_are_validated(opt_out: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_config({"mode": "collaborator", "opt_out": opt_out}, "c.yaml")


def test_the_key_is_in_no_repr_message_or_pickle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    keyed = _keyed_list(tmp_path / "keyed.txt")
    opt_out = OptOutList.load(keyed, key_env=KEY_ENV)
    assert KEY not in repr(opt_out)
    data = pickle.dumps(opt_out)
    assert KEY.encode() not in data
    clone = pickle.loads(data)
    assert clone.keyed and clone.contains_any(["twitterdev"])
    # A worker that reads another key refuses rather than deciding with it.
    monkeypatch.setenv(KEY_ENV, OTHER_KEY)
    with pytest.raises(ConfigError, match=rf"{KEY_ENV}: opt-out key differs from") as error:
        pickle.loads(data)
    assert KEY not in str(error.value) and OTHER_KEY not in str(error.value)


def test_the_filter_pickles_without_the_key_and_workers_decide_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    keyed = _keyed_list(tmp_path / "keyed.txt")
    xf = XFilter(mode="collaborator", opt_out={"path": str(keyed), "key_env": KEY_ENV})
    assert KEY.encode() not in pickle.dumps(xf)
    assert pickle.loads(pickle.dumps(xf)).opt_out.keyed
    files = xfilter.demo_files()["validation"]
    demo = datasets.load_dataset("json", data_files=files, split="train")
    one = demo.map(xf, batched=True, batch_size=16)
    two = demo.map(xf, batched=True, batch_size=16, num_proc=2)
    assert one["xfilter_action"] == two["xfilter_action"]
    plain = XFilter(mode="collaborator", opt_out={"path": str(EXAMPLE)})
    assert one["xfilter_action"] == demo.map(plain, batched=True)["xfilter_action"]


def test_the_key_changes_the_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keyed = _keyed_list(tmp_path / "keyed.txt")
    settings = {"path": str(keyed), "key_env": KEY_ENV}
    monkeypatch.setenv(KEY_ENV, KEY)
    first = XFilter(mode="collaborator", opt_out=settings).fingerprint
    monkeypatch.setenv(KEY_ENV, OTHER_KEY)
    assert XFilter(mode="collaborator", opt_out=settings).fingerprint != first


def test_a_keyed_run_records_keyed_and_writes_the_key_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    keyed = _keyed_list(tmp_path / "keyed.txt")
    out = tmp_path / "out"
    config = tmp_path / "keyed.yaml"
    config.write_text(
        "mode: collaborator\naction: quarantine\n"
        f"opt_out: {{path: {keyed}, key_env: {KEY_ENV}}}\noutput: {{dir: {out}}}\n"
    )
    done = run_cli("run", str(config), check=True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["opt_out"] == {
        "sha256": hashlib.sha256(keyed.read_bytes()).hexdigest(),
        "entries": len(EXAMPLE_HANDLES),
        "keyed": True,
    }
    assert sum(s["quarantined"] for s in manifest["splits"].values()) > 0
    seen = done.stdout + done.stderr
    for file in out.rglob("*"):
        if file.is_file():
            assert KEY.encode() not in file.read_bytes(), file
    assert KEY not in seen
    assert run_cli("verify", str(out)).returncode == 0


def test_the_hash_helper_turns_a_list_into_keyed_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    handles = tmp_path / "handles.csv"
    handles.write_text("id,handle\n,PortCalderCity\n783214,\n,@TwitterDev\n")
    done = subprocess.run(
        [sys.executable, "-m", "xfilter.policy.optout", "hash", "--key-env", KEY_ENV, str(handles)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=True,
    )
    assert KEY not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines == [keyed_entry(h, KEY) for h in ("portcaldercity", "783214", "twitterdev")]
    keyed = tmp_path / "keyed.txt"
    keyed.write_text(done.stdout)
    opt_out = OptOutList.load(keyed, key_env=KEY_ENV)
    assert opt_out.contains_any(["TwitterDev"]) and not opt_out.contains_any(["jack"])


def test_the_hash_helper_refuses_hashed_input_and_a_missing_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    handles = tmp_path / "handles.txt"
    handles.write_text("jack\n")
    command = [sys.executable, "-m", "xfilter.policy.optout", "hash", "--key-env", KEY_ENV]
    done = subprocess.run([*command, str(handles)], capture_output=True, text=True)
    assert done.returncode == 2 and f"{KEY_ENV} is not set" in done.stderr
    monkeypatch.setenv(KEY_ENV, KEY)
    handles.write_text("jack\nsha256:" + "ab" * 32 + "\n")
    done = subprocess.run(
        [*command, str(handles)], capture_output=True, text=True, env=os.environ.copy()
    )
    assert done.returncode == 2 and "line 2" in done.stderr and done.stdout == ""


# -- what the docs claim -------------------------------------------------------------------

DOC = REPO / "docs" / "opt-out-lists.md"


def test_a_sha256_entry_is_reversed_by_hashing_candidate_words() -> None:
    hashed = [
        line.split(",")[1].removeprefix("sha256:")
        for line in EXAMPLE.read_text().splitlines()
        if ",sha256:" in line
    ]
    candidates = set()
    for table in _demo_tables():
        for column in ("text", "html"):
            for value in table.column(column).to_pylist():
                candidates.update(re.findall(r"[A-Za-z0-9_]{1,20}", (value or "").lower()))
    found = {hashlib.sha256(w.encode()).hexdigest(): w for w in candidates}
    assert hashed and all(h in found for h in hashed)


@pytest.mark.parametrize("index", range(len(re.findall(r"```python\n", DOC.read_text()))))
def test_the_docs_python_snippets_run(
    index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snippet = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)[index]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPT_OUT_KEY", "")  # restored after the snippet sets it
    exec(compile(snippet, f"{DOC.name} snippet {index}", "exec"), {})


def test_the_docs_shell_commands_run(tmp_path: Path) -> None:
    block = re.findall(r"```bash\n(.*?)```", DOC.read_text(), re.S)[0]
    (tmp_path / "opt-out.key").write_text(KEY + "\n")
    (tmp_path / "handles.csv").write_text("handle\nTwitterDev\n")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run(["bash", "-euc", block], cwd=tmp_path, env=env, check=True)
    keyed = (tmp_path / "opt-out.keyed.txt").read_text()
    assert keyed == keyed_entry("twitterdev", KEY) + "\n"


def test_registry_files_and_card_headers_refuse_aliases(tmp_path: Path) -> None:
    from xfilter.detect.datasets import DatasetRegistry, read_card_yaml

    bomb = "a0: &a0 [x, x, x]\na1: &a1 [*a0, *a0, *a0]\n"
    registry = tmp_path / "reg.yaml"
    registry.write_text(f"schema: 1\n{bomb}datasets: []\n")
    with pytest.raises(ConfigError, match=r"reg\.yaml: line 3: YAML aliases"):
        DatasetRegistry.load([str(registry)])
    card = tmp_path / "README.md"
    card.write_text(f"---\n{bomb}---\n# card\n")
    with pytest.raises(ConfigError, match=r"README\.md \(card header\): .*YAML aliases"):
        read_card_yaml(card)
