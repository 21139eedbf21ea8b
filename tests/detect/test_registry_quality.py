"""The built-in registry as data: every entry is sourced, every name names one entry, generic
names stay guarded, and entries reach a strict XFilter through the input id, a source column
and a card's ``paperswithcode_id``."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest

from xfilter import XFilter
from xfilter.detect.dataset_names import compact, id_key, split_id
from xfilter.detect.datasets import DatasetRegistry


@pytest.fixture(scope="module")
def registry() -> DatasetRegistry:
    return DatasetRegistry.load()


def test_every_entry_has_one_line_evidence_and_a_source(registry: DatasetRegistry) -> None:
    for entry in registry.entries:
        assert entry.evidence.strip() and "\n" not in entry.evidence, entry.id
        assert entry.source.strip(), entry.id


def test_unverified_entries_are_few_and_say_so(registry: DatasetRegistry) -> None:
    """A lead the card did not confirm is marked; most entries are verified."""
    unverified = [e for e in registry.entries if not e.verified]
    assert len(unverified) * 10 < len(registry.entries)
    assert {e.id for e in unverified} >= {"cardiffnlp/super_tweeteval", "tner/tweebank_ner"}


def test_no_name_is_given_to_two_entries(registry: DatasetRegistry) -> None:
    owner: dict[str, str] = {}
    for entry in registry.entries:
        for name in {id_key(n) for n in (entry.id, *entry.aliases)}:
            assert owner.setdefault(name, entry.id) == entry.id, (name, entry.id, owner[name])


@pytest.mark.parametrize("name", ["emotion", "cbd", "cdt", "hate_offensive", "smartdata", "raft"])
def test_generic_names_are_still_guarded(registry: DatasetRegistry, name: str) -> None:
    assert name in registry.generic_names
    assert registry.match_source_value(name) is None
    assert registry.match_source_value(f"my_{name}_data") is None


def test_raft_is_x_only_in_its_twitter_configs(registry: DatasetRegistry) -> None:
    assert registry.match_id("ought/raft:tweet_eval_hate") is not None
    assert registry.match_id("ought/raft:twitter_complaints") is not None
    assert registry.match_id("ought/raft:ade_corpus_v2") is None
    assert registry.match_id("raft") is None


# New entries whose names do not say twitter/tweet, as a user or a mixture spells them.
NEW_IDS = [
    ("christophsonntag/OLID", "christophsonntag/OLID"),
    ("GateNLP/broad_twitter_corpus", "GateNLP/broad_twitter_corpus"),
    ("christinacdl/HatEval_2019_Test_Set_Task5", "christinacdl/HatEval_2019_Test_Set_Task5"),
    ("krishnagarg09/SemEval2016Task6", "krishnagarg09/SemEval2016Task6"),
    ("dengue_filipino", "dengue_filipino"),
    ("mteb/HUMEEmotionClassification", "mteb/HUMEEmotionClassification"),
    ("mteb/senti_ru_eval2016", "mteb/SentiRuEval2016"),
    ("mteb/filipino_hate_speech", "hate-speech-filipino/hate_speech_filipino"),
    ("community-datasets/catalonia_independence", "catalonia_independence"),
    ("mteb/nlp_twitter_analysis", "hamedhf/nlp_twitter_analysis"),
]

# Task names of instruction mixtures (Natural Instructions v2 / FLAN ``_task_name`` values)
# built on tweet sets whose task names do not say "tweet".
MIXTURE_TASK_NAMES = [
    ("task286_olid_offense_judgment", "christophsonntag/OLID"),
    ("task333_hateeval_classification_hate_en", "christinacdl/HatEval_2019_Test_Set_Task5"),
    ("task338_hateeval_classification_individual_es", "christinacdl/HatEval_2019_Test_Set_Task5"),
    ("task386_semeval_2018_task3_irony_detection", "semeval_2018_task3"),
    ("task607_sbic_intentional_offense_binary_classification", "social_bias_frames"),
]


@pytest.mark.parametrize(("dataset_id", "entry_id"), NEW_IDS)
def test_new_entries_match_as_ids(
    registry: DatasetRegistry, dataset_id: str, entry_id: str
) -> None:
    found = registry.match_id(dataset_id)
    assert found is not None and found.id == entry_id


@pytest.mark.parametrize(("value", "entry_id"), MIXTURE_TASK_NAMES)
def test_mixture_task_names(registry: DatasetRegistry, value: str, entry_id: str) -> None:
    found = registry.match_source_value(value)
    assert found is not None and found.id == entry_id


def _strict_categories(xf: XFilter, rows: dict[str, list[object]]) -> list[list[str]]:
    tagged = datasets.Dataset.from_dict(rows).map(xf, batched=True)
    return list(tagged["xfilter_categories"])


@pytest.mark.parametrize("dataset_id", [i for i, _ in NEW_IDS[:5]])
def test_a_new_entry_as_input_source_rejects_every_row(dataset_id: str) -> None:
    xf = XFilter(mode="strict", input={"source": dataset_id})
    tagged = datasets.Dataset.from_dict({"text": ["good morning", "an ordinary line"]}).map(
        xf, batched=True
    )
    assert "keep" not in tagged["xfilter_action"]
    assert all("x_dataset" in c for c in tagged["xfilter_categories"])


def test_a_source_column_naming_a_new_entry_tags_only_that_row() -> None:
    categories = _strict_categories(
        XFilter(mode="strict"),
        {
            "text": ["@USER you are so right", "a recipe for bread"],
            "source": ["task286_olid_offense_judgment", "cosmos_qa"],
        },
    )
    assert "x_dataset" in categories[0]
    assert "x_dataset" not in categories[1]


def test_a_card_paperswithcode_id_names_a_new_entry(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "---\npaperswithcode_id: olid\nlicense: cc-by-4.0\n---\n# My copy\n", encoding="utf-8"
    )
    xf = XFilter(mode="strict", input={"source": str(tmp_path)})
    assert [e.rule for e in xf.dataset_evidence] == ["dataset.card"]


def test_names_compare_in_any_spelling(registry: DatasetRegistry) -> None:
    for entry in registry.entries[-15:]:
        for name in (entry.id, *entry.aliases):
            namespace, bare = split_id(name)
            assert compact(bare), name
            spelled = name.upper().replace("_", "-")
            found = registry.match_id(spelled)
            assert found is None or found == registry.match_id(name), name
            if namespace:
                assert registry.match_id(name) == entry, name
