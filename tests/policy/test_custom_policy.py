"""A policy is only what it does: overrides that keep what the mode's terms forbid make a custom
policy, and every output a reviewer reads (card, Croissant) says so and claims no more."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import DatasetCard

import xfilter
from xfilter.config import build_config
from xfilter.output.layout import CROISSANT
from xfilter.policy import Policy, policy_warning

WEAKENED_STRICT = {"x_post": "keep", "x_embed": "keep", "x_dataset": "keep"}
UNKNOWN_AUTHORS_KEPT = tuple(f"{c} (unknown authors)" for c in ("x_dataset", "x_post", "x_embed"))


def policy(mode: str, categories: dict[str, str] | None = None, **opt_out: str) -> Policy:
    config = build_config({"mode": mode, "categories": categories or {}, "opt_out": opt_out})
    return Policy.from_config(config)


@pytest.mark.parametrize(
    ("mode", "categories", "unknown_author", "weakened"),
    [
        ("strict", {}, "quarantine", ()),
        ("strict", {"x_embed": "redact"}, "quarantine", ()),
        ("strict", {"x_post": "drop", "x_dataset": "quarantine"}, "quarantine", ()),
        ("strict", {"x_mention": "keep"}, "quarantine", ()),
        ("strict", {"x_mention": "drop"}, "quarantine", ()),
        ("strict", {"x_link": "keep"}, "quarantine", ("x_link",)),
        ("strict", WEAKENED_STRICT, "quarantine", ("x_dataset", "x_post", "x_embed")),
        ("strict", {"x_post": "author-check"}, "quarantine", ("x_post",)),
        ("strict", {"x_post": "author-check"}, "keep", ("x_post",)),
        ("strict", {"x_embed": "opt-out"}, "quarantine", ("x_embed",)),
        ("strict", {}, "keep", ()),
        ("collaborator", {}, "quarantine", ()),
        ("collaborator", {}, "drop", ()),
        ("collaborator", {}, "keep", UNKNOWN_AUTHORS_KEPT),
        (
            "collaborator",
            {"x_dataset": "drop", "x_embed": "redact"},
            "keep",
            ("x_post (unknown authors)",),
        ),
        ("collaborator", {"x_post": "opt-out"}, "quarantine", ("x_post",)),
        ("collaborator", {"x_embed": "keep"}, "quarantine", ("x_embed",)),
        ("collaborator", {"x_link": "quarantine", "x_dataset": "reject"}, "quarantine", ()),
        ("collaborator", {"x_mention": "keep"}, "keep", UNKNOWN_AUTHORS_KEPT),
        ("first-party", {}, "quarantine", ()),
        # The mode keeps unknown authors by design: keeping them is the mode, not a weakening.
        ("first-party", {}, "keep", ()),
        ("first-party", {"x_post": "author-check"}, "keep", ()),
        ("first-party", {"x_link": "quarantine"}, "quarantine", ()),
        ("first-party", {"x_post": "keep"}, "quarantine", ("x_post",)),
        ("first-party", {"x_embed": "keep", "x_post": "keep"}, "keep", ("x_post", "x_embed")),
    ],
)
def test_policy_names_the_categories_its_overrides_keep_against_the_terms(
    mode: str, categories: dict[str, str], unknown_author: str, weakened: tuple[str, ...]
) -> None:
    chosen = policy(mode, categories, unknown_author=unknown_author)
    assert chosen.weakened == weakened
    assert chosen.is_custom is bool(weakened)
    assert chosen.name == (f"custom (derived from {mode})" if weakened else mode)


@pytest.mark.parametrize(
    ("mode", "categories", "removes_all"),
    [
        ("strict", {}, True),
        ("strict", {"x_embed": "redact"}, True),
        ("strict", {"x_mention": "keep"}, True),
        ("strict", {"x_link": "keep"}, False),
        ("strict", WEAKENED_STRICT, False),
        ("collaborator", {}, False),
        ("first-party", {}, False),
        ("first-party", {"x_dataset": "drop", "x_post": "drop"}, False),
        (
            "collaborator",
            {"x_dataset": "reject", "x_post": "reject", "x_embed": "redact", "x_link": "drop"},
            True,
        ),
    ],
)
def test_x_content_is_filtered_only_when_every_x_category_is_removed(
    mode: str, categories: dict[str, str], removes_all: bool
) -> None:
    chosen = policy(mode, categories)
    assert chosen.removes_all_x_content is removes_all
    assert chosen.describe()["x_content_filtered"] is removes_all


def test_description_of_a_mode_and_of_a_custom_policy() -> None:
    assert policy("strict").describe() == {
        "name": "strict",
        "derived_from": "strict",
        "custom": False,
        "kept_against_terms": [],
        "x_content_filtered": True,
        "implements_terms": ["x-developer-agreement-2025-06-04"],
    }
    assert policy("strict", WEAKENED_STRICT).describe() == {
        "name": "custom (derived from strict)",
        "derived_from": "strict",
        "custom": True,
        "kept_against_terms": ["x_dataset", "x_post", "x_embed"],
        "x_content_filtered": False,
        "implements_terms": [],
    }
    collaborator = policy("collaborator").describe()
    assert (collaborator["custom"], collaborator["x_content_filtered"]) == (False, False)
    assert collaborator["implements_terms"] == ["x-privacy-policy-2024-11-15"]


def test_warning_names_the_kept_categories_and_the_terms() -> None:
    assert policy_warning(policy("strict")) is None
    assert policy_warning(policy("collaborator")) is None
    assert policy_warning(policy("strict", {"x_embed": "redact"})) is None
    warning = policy_warning(policy("strict", WEAKENED_STRICT))
    assert warning is not None and "\n" not in warning
    assert "keeps x_dataset, x_post, x_embed" in warning
    assert "X Developer Agreement, 2025-06-04" in warning
    assert "custom policy derived from strict" in warning
    collab = policy_warning(policy("collaborator", unknown_author="keep"))
    assert collab is not None and "x_post (unknown authors)" in collab
    assert "X Privacy Policy" in collab


# End to end: the real job on the demo set, reading what a reviewer reads.


def _run(out: Path, mode: str, categories: dict[str, str], source: str = "demo") -> Path:
    config = build_config({"mode": mode, "categories": categories, "input": {"source": source}})
    xfilter.run(config, output=out)
    return out


def _outputs(out: Path) -> tuple[dict[str, Any], DatasetCard, dict[str, Any], str]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    card = DatasetCard.load(out / "README.md")
    croissant_text = (out / CROISSANT).read_text(encoding="utf-8")
    return manifest, card, json.loads(croissant_text), croissant_text


@pytest.fixture(scope="module")
def weakened_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("custom") / "weak", "strict", WEAKENED_STRICT)


@pytest.fixture(scope="module")
def strict_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("custom") / "strict", "strict", {})


def test_weakened_strict_run_is_labelled_custom_on_the_card(weakened_out: Path) -> None:
    manifest, card, _, _ = _outputs(weakened_out)
    assert manifest["splits"]["train"]["kept"] > 0
    data = card.data.to_dict()
    title = "demo (custom policy derived from strict; keeps x_dataset, x_post, x_embed)"
    assert data["pretty_name"] == title
    assert card.text.startswith(f"# {title}")
    assert "x-content-filtered" not in data["tags"]
    assert data["tags"] == ["xfilter-custom-policy", "xfilter"]
    described = data["xfilter"]["policy_description"]
    assert described["name"] == "custom (derived from strict)"
    assert described["custom"] is True and described["x_content_filtered"] is False
    assert described["kept_against_terms"] == ["x_dataset", "x_post", "x_embed"]
    assert "X content filtered" not in card.content


def test_weakened_strict_card_says_the_terms_are_not_implemented(weakened_out: Path) -> None:
    _, card, _, _ = _outputs(weakened_out)
    terms = card.text.split("## Terms implemented\n", 1)[1].split("\n## ", 1)[0]
    assert "**None.**" in terms
    assert "does not implement" in terms
    assert "keep x_dataset, x_post, x_embed" in terms
    assert "X Developer Agreement" in terms
    intro = card.text.split("## Terms implemented", 1)[0]
    assert "custom policy derived from strict" in intro
    assert "may contain X content" in intro
    assert "removed by" not in intro


def test_weakened_strict_croissant_claims_no_filtering(weakened_out: Path) -> None:
    _, _, doc, text = _outputs(weakened_out)
    assert "X content filtered" not in text
    assert "x-content-filtered" not in doc["keywords"]
    assert "xfilter-custom-policy" in doc["keywords"]
    assert doc["name"].startswith("demo (custom policy derived from strict")
    assert "custom policy derived from strict" in doc["description"]
    assert "removed by" not in doc["description"]
    protocol = " ".join(doc["rai:dataPreprocessingProtocol"])
    assert "which implements" not in protocol
    assert "does not implement X Developer Agreement (2025-06-04)" in protocol
    assert "keep x_dataset, x_post, x_embed" in protocol
    run = doc["prov:wasGeneratedBy"]
    assert "custom policy derived from strict" in run["prov:label"]
    assert "does not implement" in run["description"]
    properties = {p["name"]: p["sc:value"] for p in run["additionalProperty"]}
    assert properties["policy"] == "custom (derived from strict)"
    assert properties["x_content_filtered"] is False
    assert properties["kept_against_terms"] == ["x_dataset", "x_post", "x_embed"]
    used = {u.get("identifier") for u in run["prov:used"]}
    assert "x-developer-agreement-2025-06-04" not in used


@pytest.mark.usefixtures("no_network")
def test_weakened_strict_croissant_is_valid(weakened_out: Path) -> None:
    dataset = mlc.Dataset(jsonld=weakened_out / CROISSANT)
    manifest = json.loads((weakened_out / "manifest.json").read_text(encoding="utf-8"))
    rows = sum(1 for _ in dataset.records(record_set="validation"))
    assert rows == manifest["splits"]["validation"]["kept"]


def test_plain_strict_run_keeps_its_claims(strict_out: Path) -> None:
    _, card, doc, _ = _outputs(strict_out)
    data = card.data.to_dict()
    assert data["pretty_name"] == "demo (X content filtered, strict)"
    assert data["tags"] == ["x-content-filtered", "xfilter"]
    assert data["xfilter"]["policy_description"]["name"] == "strict"
    terms = card.text.split("## Terms implemented\n", 1)[1].split("\n## ", 1)[0]
    assert "**None.**" not in terms and "x-developer-agreement-2025-06-04" in terms
    assert "x-content-filtered" in doc["keywords"]
    assert doc["name"] == "demo (X content filtered, strict)"
    protocol = " ".join(doc["rai:dataPreprocessingProtocol"])
    assert "strict policy, which implements: X Developer Agreement" in protocol


def test_collaborator_run_does_not_claim_x_content_filtered(tmp_path: Path) -> None:
    _, card, doc, text = _outputs(_run(tmp_path / "collab", "collaborator", {}))
    data = card.data.to_dict()
    assert data["pretty_name"] == "demo (filtered under collaborator)"
    assert data["tags"] == ["xfilter"]
    assert "X content filtered" not in card.content and "X content filtered" not in text
    assert "x-content-filtered" not in doc["keywords"]
    assert "keeps X content the policy allows" in card.text


def test_input_card_claims_are_replaced_by_the_runs_own(tmp_path: Path) -> None:
    """An input that was itself filtered carries our tag and title: a custom run drops them."""
    source = tmp_path / "filtered-before"
    (source / "data").mkdir(parents=True)
    table = pa.table({"text": ["hello", "https://x.com/jack/status/20"]})
    pq.write_table(table, source / "data/train-00000-of-00001.parquet")
    (source / "README.md").write_text(
        "---\npretty_name: Harbour (X content filtered, strict)\n"
        "tags:\n- news\n- x-content-filtered\n- xfilter\n---\nHarbour.\n",
        encoding="utf-8",
    )
    _, card, _, _ = _outputs(_run(tmp_path / "out", "strict", {"x_link": "keep"}, str(source)))
    data = card.data.to_dict()
    assert data["tags"] == ["news", "xfilter-custom-policy", "xfilter"]
    assert data["pretty_name"] == "Harbour (custom policy derived from strict; keeps x_link)"
