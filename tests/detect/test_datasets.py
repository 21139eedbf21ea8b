"""Dataset identity: registry content, the three matchers, user registries and the registry hash."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xfilter.detect.datasets import (
    RULES,
    SOURCE_COLUMN_NAMES,
    DatasetRegistry,
    KnownDataset,
    is_source_column,
    read_card_yaml,
)
from xfilter.errors import ConfigError, InputError


@pytest.fixture(scope="module")
def registry() -> DatasetRegistry:
    return DatasetRegistry.load()


# Hub ids of docs/x-content-reference.md §4.1 (main table, MTEB tasks' dataset paths), typed
# out here so the
# test checks the registry against the reference rather than against itself.
HUB_IDS = [
    "cardiffnlp/tweet_eval",
    "stanfordnlp/sentiment140",
    "dair-ai/emotion",
    "tdavidson/hate_speech_offensive",
    "ucsbnlp/tweet_qa",
    "SemEvalWorkshop/sem_eval_2018_task_1",
    "leondz/wnut_17",
    "JAugusto97/told-br",
    "cardiffnlp/tweet_topic_single",
    "cardiffnlp/tweet_topic_multi",
    "cardiffnlp/tweet_topic_multilingual",
    "tner/tweetner7",
    "zeroshot/twitter-financial-news-sentiment",
    "mteb/tweet_sentiment_extraction",
    "mteb/twittersemeval2015-pairclassification",
    "mteb/twitterurlcorpus-pairclassification",
    "mteb/emotion",
    "komari6/ajgt_twitter_ar",
    "DDSC/angry-tweets",
    "mteb/BrazilianToxicTweetsClassification",
    "PL-MTEB/cbd",
    "mteb/CataloniaTweetClassification",
    "DDSC/dkhate",
    "Alienmaster/german_politicians_twitter_sentiment",
    "MattiaSangermano/SardiStance",
    "iabufarha/ar_sarcasm",
    "mteb/tweet_sentiment_multilingual",
    "GreenNode/tweet-sentiment-extraction-vn",
    "GreenNode/twittersemeval2015-pairclassification-vn",
    "GreenNode/twitterurlcorpus-pairclassification-vn",
    "GreenNode/emotion-vn",
]

LEGACY_NAMES = [
    "tweet_eval", "sentiment140", "emotion", "tweets_hate_speech_detection",
    "hate_speech_offensive", "tweet_qa", "sem_eval_2018_task_1", "wnut_17",
    # "Further legacy canonical cards"
    "ajgt_twitter_ar", "ar_cov19", "ar_sarcasm", "arabic_pos_dialect", "arsentd_lev",
    "catalonia_independence", "cdt", "poleval2019_cyberbullying", "cedr", "covid_tweets_japanese",
    "dutch_social", "emotone_ar", "hate_offensive", "hate_speech_filipino",
    "hate_speech_portuguese", "hatexplain", "indonlu", "journalists_questions", "kor_sarcasm",
    "metooma", "offenseval2020_tr", "roman_urdu_hate_speech", "social_bias_frames",
    "thai_toxicity_tweet", "tweets_ar_en_parallel", "urdu_sentiment_corpus", "smartdata",
    "bn_hate_speech",
]  # fmt: skip

# MTEB task names that label rows of an MTEB mixture.
MTEB_TASK_NAMES = [
    "TweetSentimentExtractionClassification", "TwitterSemEval2015", "TwitterURLCorpus", "AJGT",
    "AngryTweetsClassification", "DKHateClassification", "FilipinoHateSpeechClassification",
    "GermanPoliticiansTwitterSentimentClassification", "HateSpeechPortugueseClassification",
    "KorSarcasmClassification", "MacedonianTweetSentimentClassification", "NaijaSenti",
    "AfriSentiClassification", "AfriHateClassification", "SardiStanceClassification",
    "SentiRuEval2016", "TweetEmotionClassification", "TweetSarcasmClassification",
    "TweetSentimentClassification", "TweetTopicSingleClassification", "TwitterHjerneRetrieval",
    "OBLIQBenchTwitterRetrieval", "UkrTweetToxicityBinaryClassification",
]  # fmt: skip

# Names that look Twitter-ish or generic but are not X data.
NOT_X_IDS = [
    "twi_text_c3", "twi_wordsim353", "emo", "SemEvalWorkshop/emo", "ccaligned_multilingual",
    "fashion_mnist", "zalando-datasets/fashion_mnist", "cryptonite", "crd3", "samsum",
    "ubuntu_dialogs_corpus", "c4", "allenai/c4", "wikipedia", "demo", "someone/emotion",
    "/data/emotion", "cbd", "", "   ",
]  # fmt: skip


def _variants(hub_id: str) -> list[str]:
    swapped = hub_id.translate(str.maketrans("-_", "_-"))
    return [hub_id, hub_id.upper(), hub_id.lower(), swapped]


# -- registry content --------------------------------------------------------------------------


def test_builtin_registry_is_honest(registry: DatasetRegistry) -> None:
    """Every entry says why and where from; entries resting on weaker evidence are marked."""
    assert len(registry) == len(registry.entries) >= 250
    for entry in registry.entries:
        assert entry.evidence and entry.source and "\n" not in entry.evidence
    unverified = {e.id for e in registry.entries if not e.verified}
    assert {"cardiffnlp/super_tweeteval", "tner/tweebank_ner"} <= unverified
    assert "strombergnlp/broad_twitter_corpus" not in unverified
    partial = {e.id for e in registry.entries if e.partial}
    for name in ("wnut_17", "smartdata", "bn_hate_speech", "cedr", "hatexplain"):
        found = registry.match_id(name)
        assert found is not None and found.id in partial


@pytest.mark.parametrize("hub_id", HUB_IDS)
def test_every_reference_hub_id_matches(registry: DatasetRegistry, hub_id: str) -> None:
    """Any case and -/_ spelling of a §4.1 Hub id is that dataset."""
    entry = registry.match_id(hub_id)
    assert entry is not None
    for variant in _variants(hub_id):
        assert registry.match_id(variant) == entry, variant


@pytest.mark.parametrize("hub_id", HUB_IDS)
def test_hub_id_without_namespace(registry: DatasetRegistry, hub_id: str) -> None:
    """The bare name is the dataset too, unless it is a generic word (then only as legacy id)."""
    bare = hub_id.split("/")[1]
    if bare.lower() in registry.generic_names:
        assert registry.match_source_value(bare) is None
        return
    assert registry.match_id(bare) == registry.match_id(hub_id)
    assert registry.match_source_value(bare) == registry.match_id(hub_id)


@pytest.mark.parametrize("name", LEGACY_NAMES)
def test_legacy_canonical_names_match(registry: DatasetRegistry, name: str) -> None:
    """Old scripts call load_dataset("<legacy name>"): those ids are known."""
    assert registry.match_id(name) is not None
    assert registry.match_id(name.upper()) == registry.match_id(name)


@pytest.mark.parametrize("task", MTEB_TASK_NAMES)
def test_mteb_task_names_as_source_values(registry: DatasetRegistry, task: str) -> None:
    """An MTEB mixture labels rows with task names."""
    assert registry.match_source_value(task) is not None


def test_generic_names_only_as_whole_id(registry: DatasetRegistry) -> None:
    """`emotion` is dair-ai/emotion as a dataset id, but names nothing as a source or a path."""
    assert registry.match_id("emotion") == registry.match_id("dair-ai/emotion")
    assert registry.match_id("emotion:split") == registry.match_id("dair-ai/emotion")
    for value in ("emotion", "Emotion", "emotion_classification", "EmotionClassification"):
        assert registry.match_source_value(value) is None, value
    assert registry.match_source_value("hf:dair-ai/emotion") == registry.match_id("emotion")
    assert registry.match_source_value("mteb/emotion") == registry.match_id("mteb/emotion")
    assert registry.match_id("someone/emotion") is None
    assert registry.match_id("/data/emotion") is None
    assert registry.match_id("PL-MTEB/cbd") is not None
    assert registry.match_source_value("cbd") is None


@pytest.mark.parametrize("dataset_id", NOT_X_IDS)
def test_non_x_ids_do_not_match(registry: DatasetRegistry, dataset_id: str) -> None:
    assert registry.match_id(dataset_id) is None


# -- match_id forms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dataset_id",
    [
        "cardiffnlp/tweet_eval:emotion",
        "cardiffnlp/tweet_eval/emotion",
        "tweet_eval/emotion",
        "tweet_eval:emotion",
        "cardiffnlp/tweet_eval@main",
        "cardiffnlp/tweet_eval@0123abcd:sentiment",
        "hf://datasets/cardiffnlp/tweet_eval",
        "hf://datasets/cardiffnlp/tweet_eval@main/sentiment/train-00000-of-00001.parquet",
        "https://huggingface.co/datasets/cardiffnlp/tweet_eval",
        "hf:cardiffnlp/tweet_eval",
        "cardiffnlp___tweet_eval",
        "/data/hf/cardiffnlp___tweet_eval",
        "/root/.cache/huggingface/datasets/cardiffnlp___tweet_eval/emotion/0.0.0/0123456789abcdef01",
        "/root/.cache/huggingface/hub/datasets--cardiffnlp--tweet_eval/snapshots/0123abcd",
        "/data/cardiffnlp/tweet_eval",
        "/data/tweet_eval",
        "./tweet_eval/train",
        "/data/tweet_eval/emotion/1.1.0/0123456789abcdef0123",
        "/data/tweet_eval.parquet",
        "C:\\data\\tweet_eval",
        "myorg/tweet_eval",
        "myorg/tweet_eval_cleaned",
    ],
)
def test_match_id_forms(registry: DatasetRegistry, dataset_id: str) -> None:
    """Configs, revisions, Hub URLs, HF cache names and local paths all resolve."""
    found = registry.match_id(dataset_id)
    assert found is not None and found.id == "cardiffnlp/tweet_eval"


def test_configs_limit_a_mixed_dataset(registry: DatasetRegistry) -> None:
    """Only the `twitter` subset of OBLIQBench is X: other configs do not match."""
    assert registry.match_id("mteb/OBLIQBenchRetrieval:twitter") is not None
    assert registry.match_id("mteb/OBLIQBenchRetrieval") is not None  # partial, whole dataset
    assert registry.match_id("mteb/OBLIQBenchRetrieval:math") is None
    assert registry.match_source_value("mteb/OBLIQBenchRetrieval (math)") is None
    assert registry.match_source_value("OBLIQBenchRetrieval_twitter") is not None


def test_match_id_is_memoised(registry: DatasetRegistry) -> None:
    assert registry.match_id("Tweet-Eval") is registry.match_id("Tweet-Eval")


# -- match_source_value ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("sentiment140", "stanfordnlp/sentiment140"),
        ("Sentiment140", "stanfordnlp/sentiment140"),
        ("sentiment140_train", "stanfordnlp/sentiment140"),
        ("tweet_eval", "cardiffnlp/tweet_eval"),
        ("tweet_eval/emotion", "cardiffnlp/tweet_eval"),
        ("tweet_eval_emotion", "cardiffnlp/tweet_eval"),
        ("cardiffnlp/tweet_eval", "cardiffnlp/tweet_eval"),
        ("cardiffnlp/tweet_eval:emotion", "cardiffnlp/tweet_eval"),
        ("TweetEval (emotion)", "cardiffnlp/tweet_eval"),
        ("TweetEvalEmotion", "cardiffnlp/tweet_eval"),
        ("hf:dair-ai/emotion", "dair-ai/emotion"),
        ("https://huggingface.co/datasets/dair-ai/emotion", "dair-ai/emotion"),
        ("SemEval2018Task1", "SemEvalWorkshop/sem_eval_2018_task_1"),
        ("wnut17", "leondz/wnut_17"),
        ("tweet-sentiment-extraction-vn", "GreenNode/tweet-sentiment-extraction-vn"),
        ("tweet_topic_multilingual", "cardiffnlp/tweet_topic_multilingual"),
        ("flan/tweet_qa_answer_generation", "ucsbnlp/tweet_qa"),
    ],
)
def test_source_values_name_known_datasets(
    registry: DatasetRegistry, value: str, expected: str
) -> None:
    found = registry.match_source_value(value)
    assert found is not None and found.id == expected and found.verified


@pytest.mark.parametrize("value", ["twitter", "Twitter", "tweets_2020", "tweets.jsonl", "x_posts"])
def test_source_values_naming_x_itself(registry: DatasetRegistry, value: str) -> None:
    """A source that is X itself is X-derived, flagged as a generic (unverified) match."""
    found = registry.match_source_value(value)
    assert found is not None and not found.verified and value in found.evidence


@pytest.mark.parametrize(
    "value",
    [
        "twi_text_c3", "twi_wordsim353", "c4", "wikipedia", "emo", "mastodon", "bluesky",
        "threads", "emotion", "goemotions", "Ntwatiaa", "ccaligned_multilingual", "samsum",
        "ce_dr", "hate_offensive", "smartdata", "twitch_chat", "",
        # hosts and URLs belong to the URL detector (lookalikes like twitter-dash.com)
        "twitter-dash.com", "https://twitter.com/jack/status/20", "x.com",
        # prose in a "source" column (a translation pair) is not a label
        "I read the tweets of my friends every morning before I go to work",
    ],
)  # fmt: skip
def test_source_values_that_are_not_x(registry: DatasetRegistry, value: str) -> None:
    assert registry.match_source_value(value) is None


def test_source_value_is_memoised(registry: DatasetRegistry) -> None:
    assert registry.match_source_value("TweetQA") is registry.match_source_value("TweetQA")


_PIECE_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_ /", max_size=40)


@settings(max_examples=300, deadline=None)
@given(_PIECE_TEXT)
def test_dash_and_underscore_are_the_same(text: str) -> None:
    """`tweet-eval` and `tweet_eval` are one name, in any value."""
    registry = DatasetRegistry.load()

    def outcome(value: str) -> str | None:
        found = registry.match_source_value(value)
        return None if found is None else found.id if found.verified else "<generic>"

    assert outcome(text) == outcome(text.replace("_", "-"))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_spelling_of_a_registry_name_matches(data: st.DataObject) -> None:
    """Case and separators between words never hide a registry name."""
    registry = DatasetRegistry.load()
    entry = data.draw(st.sampled_from([e for e in registry.entries if "/" not in e.id]))
    words = [w for w in entry.id.replace("-", "_").split("_") if w]
    styled = [data.draw(st.sampled_from([w.lower(), w.upper(), w.capitalize()])) for w in words]
    seps = [data.draw(st.sampled_from(["_", "-", " ", ""])) for _ in styled[1:]]
    spelled = styled[0] + "".join(s + w for s, w in zip(seps, styled[1:], strict=True))
    assert registry.match_id(spelled) == entry
    if entry.id not in registry.generic_names:
        assert registry.match_source_value(spelled) == entry


# -- match_card --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ({"paperswithcode_id": "tweeteval"}, "cardiffnlp/tweet_eval"),
        ({"paperswithcode_id": "emotion", "pretty_name": "Emotion"}, "dair-ai/emotion"),
        ({"paperswithcode_id": "wnut-2017-emerging-and-rare-entity"}, "leondz/wnut_17"),
        ({"pretty_name": "TweetEval"}, "cardiffnlp/tweet_eval"),
        ({"pretty_name": "SemEval-2018 Task 1: Affect in Tweets"},
         "SemEvalWorkshop/sem_eval_2018_task_1"),
        ({"source_datasets": ["extended|tweet_eval"]}, "cardiffnlp/tweet_eval"),
        ({"source_datasets": "cardiffnlp/tweet_eval"}, "cardiffnlp/tweet_eval"),
    ],
)  # fmt: skip
def test_card_names_a_registry_entry(
    registry: DatasetRegistry, card: dict[str, object], expected: str
) -> None:
    found = registry.match_card(card)
    assert found is not None and found.id == expected


@pytest.mark.parametrize(
    ("card", "key"),
    [
        ({"tags": ["twitter", "finance"]}, "tags"),
        ({"tags": ["Tweets"]}, "tags"),
        ({"source_datasets": ["extended|other-tweet-datasets"]}, "source_datasets"),
        ({"source_datasets": ["extended|other-twitter-data-philippine-election"]},
         "source_datasets"),
        ({"pretty_name": "KoreanToxicTweets v2"}, "pretty_name"),
        ({"pretty_name": "My Twitter Bot Corpus"}, "pretty_name"),
    ],
)  # fmt: skip
def test_card_generic_rule_names_the_key(
    registry: DatasetRegistry, card: dict[str, object], key: str
) -> None:
    """No registry entry, but the card itself says X; the evidence says which key."""
    found = registry.match_card(card)
    assert found is not None and not found.verified
    assert key in found.evidence and found.origin == "rule:dataset.card"


@pytest.mark.parametrize(
    "card",
    [
        # Twi language, EmoContext, a prose mention, a substring, a Twitter contact link.
        {"pretty_name": "Twi Text C3", "language": ["tw"], "tags": ["twi"]},
        {"pretty_name": "EmoContext", "paperswithcode_id": "emocontext"},
        {"pretty_name": "CRD3", "description": "Facebook and Twitter pages"},
        {"pretty_name": "CCAligned", "tags": ["Ntwatiaa"]},
        {"pretty_name": "Fashion-MNIST", "description": "see the Twitter thread"},
        {"pretty_name": "Cryptonite", "homepage": "https://twitter.com/cryptonite"},
        {"pretty_name": "SAMSum Corpus", "source_datasets": ["original"]},
        {"pretty_name": "Emotion"},
        {"source_datasets": ["extended|other-semeval_2017"]},
        {"tags": "not-a-list", "pretty_name": None, "source_datasets": [1, None]},
        {},
    ],
)
def test_card_traps_do_not_match(registry: DatasetRegistry, card: dict[str, object]) -> None:
    assert registry.match_card(card) is None


def test_card_from_a_real_readme(tmp_path: Path, registry: DatasetRegistry) -> None:
    """A local README.md as the Hub writes it: the YAML header drives the match."""
    readme = tmp_path / "README.md"
    readme.write_text(
        "---\npretty_name: TweetEval\nsource_datasets:\n- extended|other-tweet-datasets\n"
        "paperswithcode_id: tweeteval\n---\n\n# TweetEval\n\nFacebook and Twitter pages\n",
        encoding="utf-8",
    )
    card = read_card_yaml(tmp_path)  # a directory means its README.md
    assert card["pretty_name"] == "TweetEval"
    found = registry.match_card(card)
    assert found is not None and found.id == "cardiffnlp/tweet_eval"


# -- read_card_yaml ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\ntags: [twitter]\n---\nbody\n", {"tags": ["twitter"]}),
        ("\ufeff---\npretty_name: X\n...\nbody\n", {"pretty_name": "X"}),
        ("# No header\n---\nkey: value\n---\n", {}),
        ("---\n---\n", {}),
        ("---\nthis is a Markdown rule, never closed\n", {}),
        ("", {}),
    ],
)
def test_read_card_yaml(tmp_path: Path, text: str, expected: dict[str, object]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(text, encoding="utf-8")
    assert read_card_yaml(readme) == expected


@pytest.mark.parametrize("header", ["tags: [twitter\n", "- just\n- a list\n"])
def test_read_card_yaml_malformed_names_the_file(tmp_path: Path, header: str) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"---\n{header}---\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"README\.md"):
        read_card_yaml(readme)


def test_read_card_yaml_missing(tmp_path: Path) -> None:
    assert read_card_yaml(tmp_path) == {}  # a directory without a card
    with pytest.raises(InputError, match=r"nope\.md"):
        read_card_yaml(tmp_path / "nope.md")


# -- user registries ---------------------------------------------------------------------------

_USER_ENTRY = """\
schema: 1
generic_names: [tweets]
datasets:
  - id: myorg/internal-x-posts
    aliases: [xposts_internal]
    evidence: "our own crawl of X posts"
    source: "internal wiki"
    partial: false
"""


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def test_user_registry_adds_entries(write: Callable[[str, str], Path]) -> None:
    builtin = DatasetRegistry.load()
    merged = DatasetRegistry.load([write("mine.yaml", _USER_ENTRY)])
    assert len(merged) == len(builtin) + 1
    found = merged.match_source_value("xposts_internal")
    assert found is not None and found.id == "myorg/internal-x-posts"
    assert "mine.yaml: entry 1" in found.origin
    assert merged.match_id("cardiffnlp/tweet_eval") is not None
    assert "tweets" in merged.generic_names
    assert merged.sha256 != builtin.sha256


def test_user_entry_with_same_id_replaces_builtin(write: Callable[[str, str], Path]) -> None:
    text = (
        "schema: 1\ndatasets:\n  - id: CardiffNLP/Tweet-Eval\n    evidence: corrected\n"
        "    source: me\n    partial: true\n"
    )
    merged = DatasetRegistry.load([write("fix.yaml", text)])
    assert len(merged) == len(DatasetRegistry.load())
    found = merged.match_id("cardiffnlp/tweet_eval")
    assert found is not None and found.evidence == "corrected" and found.partial
    assert merged.match_id("tweet_eval") == found  # its own bare name
    assert merged.match_card({"paperswithcode_id": "tweeteval"}) is None  # not in the replacement


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schema: 1\ndatasets:\n  - id: a/b\n    evidence: e\n    source: s\n    alias: [x]\n",
         r"fix\.yaml: entry 1 \('a/b'\): unknown key 'alias' \(did you mean 'aliases'\?\)"),
        ("schema: 1\ndatasets:\n  - id: a/b\n    evidence: e\n    source: s\n"
         "  - evidence: e\n    source: s\n",
         r"fix\.yaml: entry 2: missing key 'id'"),
        ("schema: 1\ndatasets:\n  - id: a/b\n    evidence: e\n    source: s\n    partial: 'yes'\n",
         r"fix\.yaml: entry 1 \('a/b'\): key 'partial' must be true or false"),
        ("schema: 1\ndatasets:\n  - id: a/b\n    evidence: e\n    source: s\n    aliases: x\n",
         r"entry 1 \('a/b'\): key 'aliases' must be a list of strings"),
        ("schema: 1\ndatasets:\n  - id: a/b/c\n    evidence: e\n    source: s\n",
         r"entry 1 \('a/b/c'\): 'a/b/c' is not a dataset id"),
        ("schema: 1\ndatasets:\n  - id: a/b\n    evidence: e\n    source: s\n"
         "  - id: A/B\n    evidence: e\n    source: s\n",
         r"entry 2: duplicate id 'A/B' \(entry 1\)"),
        ("schema: 1\ndatasets:\n  - id: a/b\n    aliases: [sentiment140]\n    evidence: e\n"
         "    source: s\n",
         r"fix\.yaml: entry 1 \('a/b'\): 'sentiment140' already names 'stanfordnlp/sentiment140'"),
        ("schema: 1\ndatasets:\n  - just a string\n", r"entry 1: expected a mapping"),
        ("schema: 1\ndataset: []\n", r"unknown key 'dataset' \(did you mean 'datasets'\?\)"),
        ("datasets: []\n", r"missing key 'schema'"),
        ("schema: 2\ndatasets: []\n", r"unsupported schema 2"),
        ("schema: 1\ndatasets: {id: a}\n", r"'datasets' must be a list"),
        ("schema: 1\ndatasets: [\n", r"fix\.yaml: .*not valid YAML"),
        ("- a\n- b\n", r"fix\.yaml: expected a mapping"),
    ],
)  # fmt: skip
def test_user_registry_errors_name_file_entry_and_key(
    write: Callable[[str, str], Path], text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        DatasetRegistry.load([write("fix.yaml", text)])


def test_missing_user_registry(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"absent\.yaml: registry file not found"):
        DatasetRegistry.load([tmp_path / "absent.yaml"])


def test_own_copy_under_a_namespace_keeps_builtin_name(write: Callable[[str, str], Path]) -> None:
    """A user's `myorg/sentiment140` is theirs; bare `sentiment140` stays the original."""
    text = "schema: 1\ndatasets:\n  - id: myorg/sentiment140\n    evidence: e\n    source: s\n"
    merged = DatasetRegistry.load([write("copy.yaml", text)])
    own, original = merged.match_id("myorg/sentiment140"), merged.match_id("sentiment140")
    assert own is not None and own.id == "myorg/sentiment140"
    assert original is not None and original.id == "stanfordnlp/sentiment140"


# -- sha256 and pickling -----------------------------------------------------------------------


def test_sha256_is_stable_and_content_based(write: Callable[[str, str], Path]) -> None:
    """Same content (any order, comments, key order) → same hash; any edit → another hash."""
    one = write(
        "one.yaml",
        "schema: 1\ndatasets:\n  - {id: a/b, evidence: e, source: s, aliases: [x1, x2]}\n"
        "  - {id: c/d, evidence: f, source: t}\n",
    )
    two = write(
        "two.yaml",
        "# reordered\nschema: 1\ndatasets:\n  - {source: t, evidence: f, id: c/d}\n"
        "  - {aliases: [x2, x1], id: a/b, source: s, evidence: e}\n",
    )
    edited = write(
        "three.yaml",
        "schema: 1\ndatasets:\n  - {id: a/b, evidence: e!, source: s, aliases: [x1, x2]}\n"
        "  - {id: c/d, evidence: f, source: t}\n",
    )
    assert DatasetRegistry.load().sha256 == DatasetRegistry.load().sha256
    assert DatasetRegistry.load([one]).sha256 == DatasetRegistry.load([two]).sha256
    assert DatasetRegistry.load([one]).sha256 != DatasetRegistry.load([edited]).sha256
    assert len(DatasetRegistry.load().sha256) == 64


def test_pickle_round_trip_is_deterministic(registry: DatasetRegistry) -> None:
    """Workers (num_proc, Ray) get a working copy; caches never leak into the pickle."""
    before = pickle.dumps(registry)
    registry.match_source_value("a value never seen before 123")
    assert pickle.dumps(registry) == before
    copy = pickle.loads(before)
    assert copy.sha256 == registry.sha256
    assert copy.match_id("tweet_eval") == registry.match_id("tweet_eval")


def test_registry_from_entries() -> None:
    """The constructor takes entries directly (tests, embedding)."""
    entry = KnownDataset(id="a/tweetish", evidence="e", source="s", aliases=("legacy_tweetish",))
    small = DatasetRegistry([entry], generic_names=["Generic"])
    assert len(small) == 1 and small.generic_names == ("generic",)
    assert small.match_id("legacy_tweetish") == entry
    assert small.match_id("cardiffnlp/tweet_eval") is None


# -- rules and columns -------------------------------------------------------------------------


def test_rules() -> None:
    assert {r.id for r in RULES} == {
        "dataset.registry",
        "dataset.source_column",
        "dataset.card",
        "dataset.card_prose",
    }
    assert {r.category for r in RULES} == {"x_dataset"}


def test_source_column_names() -> None:
    assert all(name == name.lower() for name in SOURCE_COLUMN_NAMES)
    for name in ("source", "dataset", "origin", "source_dataset", "dataset_name", "data_source"):
        assert name in SOURCE_COLUMN_NAMES
    assert is_source_column("meta.source") and is_source_column("Meta.Dataset_Name")
    assert not is_source_column("src") and not is_source_column("text")
