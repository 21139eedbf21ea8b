"""What a dataset says of itself: the prose of a local card, and the ``info`` of a
``datasets.Dataset`` handed to ``ds.map(xf)`` without an input source.

Card sentences are quoted (trimmed) from real dataset cards: huggingface/datasets@d7dfbc8
``datasets/<name>/README.md`` (Apache-2.0) and the Hub cards named beside each.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import datasets
import pytest

from xfilter import XFilter
from xfilter.detect.cards import read_card_yaml, split_card, x_origin_sentence
from xfilter.detect.datasets import DatasetInfoFields, DatasetRegistry, dataset_level_evidence
from xfilter.transform import XDatasetWarning

# Real card sentences that say the data is X content.
ORIGIN_SENTENCES = [
    # datasets/sentiment140/README.md
    "Sentiment140 consists of Twitter messages with emoticons, which are used as noisy labels "
    "for sentiment classification.",
    # datasets/emotion/README.md
    "Emotion is a dataset of English Twitter messages with six basic emotions: anger, fear, joy, "
    "love, sadness, and surprise.",
    # datasets/kor_sarcasm/README.md (as quoted by the MTEB task KorSarcasmClassification)
    "9319 tweets were collected from Twitter and labeled for sarcasm or not_sarcasm.",
    # datasets/hate_speech_offensive/README.md
    "An annotated dataset for hate speech and offensive language detection on tweets.",
    # datasets/dengue_filipino/README.md
    "Each sample can be a part of multiple classes. Collected as tweets.",
    # huggingface.co/datasets/GateNLP/broad_twitter_corpus README.md
    "This is the Broad Twitter corpus, a dataset of tweets collected over stratified times, "
    "places and social uses.",
    # huggingface.co/datasets/christophsonntag/OLID README.md
    "The Offensice Language Identification Dataset (OLID) contains 14,100 annotated tweets from "
    "Twitter, annotated with three subcategories via crowdsourcing.",
    # huggingface.co/datasets/zeroshot/twitter-financial-news-sentiment
    "The Twitter Financial News dataset is an English-language dataset containing an annotated "
    "corpus of finance-related tweets.",
    "We release 10,000 posts from X (formerly Twitter) labelled for stance.",
]

# Real card sentences that mention X but do not say the data comes from it.
NOT_ORIGIN = [
    # datasets/crd3/README.md (a transcript line)
    "Wish them a Happy Birthday on their Facebook and Twitter pages!",
    # datasets/samsum/README.md
    "In the first approach, we reviewed datasets from the following categories: chatbot "
    "dialogues, SMS corpora, IRC/chat data, movie dialogues, tweets, comments data.",
    # datasets/cryptonite/README.md
    "- **Point of Contact:** [Twitter](https://twitter.com/AviaEfrat)",
    # datasets/fashion_mnist/README.md
    "MNIST is overused. In this April 2017 Twitter thread, Google Brain research scientist and "
    "deep learning expert Ian Goodfellow calls for people to move away from MNIST.",
    # datasets/ubuntu_dialogs_corpus/README.md
    "This provides a unique resource for research into building dialogue managers based on "
    "neural language models that can make use of large amounts of unlabeled data, combining "
    "the unstructured nature of interactions from microblog services such as Twitter.",
    # datasets/go_emotions/README.md (a Reddit card)
    "The GoEmotions dataset contains 58k carefully curated Reddit comments labeled for 27 "
    "emotion categories or Neutral.",
    "We removed tweets and other social media posts from the crawl.",
    "Unlike Twitter data, these forum threads are long.",
    "Follow us on Twitter for updates!",
    "A dataset of bird tweets and songs recorded in the wild.",
    "Built with Twitter Bootstrap.",
    "The X axis shows the number of samples collected from each site.",
]


@pytest.mark.parametrize("sentence", ORIGIN_SENTENCES)
def test_origin_sentences(sentence: str) -> None:
    found = x_origin_sentence(f"# Dataset Card\n\n## Dataset Summary\n\n{sentence}\n")
    assert found is not None and found in " ".join(sentence.split())


@pytest.mark.parametrize("sentence", NOT_ORIGIN)
def test_sentences_that_only_mention_x(sentence: str) -> None:
    assert x_origin_sentence(sentence) is None


def test_code_blocks_are_not_prose() -> None:
    prose = "# Usage\n\n```python\n# a corpus of tweets collected via the Twitter API\n```\n"
    assert x_origin_sentence(prose) is None


def test_split_card() -> None:
    header, body = split_card("---\npretty_name: A\n---\n# Body\ntext\n")
    assert header == "pretty_name: A" and body == "# Body\ntext"
    assert split_card("# no header\n") == (None, "# no header\n")


def _card(tmp_path: Path, header: str, body: str) -> Path:
    (tmp_path / "README.md").write_text(f"---\n{header}\n---\n{body}", encoding="utf-8")
    return tmp_path


def test_card_prose_is_dataset_level_evidence(tmp_path: Path) -> None:
    folder = _card(
        tmp_path,
        "license: mit\nlanguage: [en]",
        "# My set\n\nA small collection for tests.\n\nThe tweets were collected using the "
        "Twitter Streaming API between 2019 and 2021.\n",
    )
    found = dataset_level_evidence(str(folder), DatasetRegistry.load())
    assert [(e.rule, e.category, e.field) for e in found] == [
        ("dataset.card_prose", "x_dataset", "<dataset>")
    ]
    assert found[0].detail is not None and "Twitter Streaming API" in found[0].detail
    assert read_card_yaml(folder) == {"license": "mit", "language": ["en"]}


def test_a_reddit_card_is_not_x(tmp_path: Path) -> None:
    folder = _card(
        tmp_path,
        "license: apache-2.0",
        "The GoEmotions dataset contains 58k carefully curated Reddit comments labeled for 27 "
        "emotion categories or Neutral. Follow us on Twitter!\n",
    )
    assert dataset_level_evidence(str(folder), DatasetRegistry.load()) == ()


def test_card_yaml_wins_over_prose(tmp_path: Path) -> None:
    folder = _card(tmp_path, "tags: [twitter]", "A corpus of tweets.\n")
    rules = [e.rule for e in dataset_level_evidence(str(folder), DatasetRegistry.load())]
    assert rules == ["dataset.card"]


def test_strict_filter_rejects_rows_of_a_card_that_says_tweets(tmp_path: Path) -> None:
    folder = _card(tmp_path, "license: mit", "This dataset contains 5,000 Arabic tweets.\n")
    xf = XFilter(mode="strict", input={"source": str(folder)})
    tagged = datasets.Dataset.from_dict({"text": ["hello"]}).map(xf, batched=True)
    assert tagged["xfilter_categories"][0] == ["x_dataset"]
    assert tagged["xfilter_action"][0] != "keep"


# -- ds.info --------------------------------------------------------------------------------


def _dataset(**info: str) -> datasets.Dataset:
    rows = {"text": ["I love this", "so sad today"]}
    return datasets.Dataset.from_dict(rows, info=datasets.DatasetInfo(**info))


def _map(ds: datasets.Dataset, xf: XFilter) -> tuple[datasets.Dataset, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tagged = ds.map(xf, batched=True, load_from_cache_file=False)
    return tagged, [str(w.message) for w in caught if issubclass(w.category, XDatasetWarning)]


def test_info_dataset_name_of_a_known_dataset_tags_and_warns() -> None:
    ds = _dataset(dataset_name="tweet_eval", config_name="emotion")
    tagged, messages = _map(ds, XFilter(mode="strict"))
    assert [c for c in tagged["xfilter_categories"]] == [["x_dataset"], ["x_dataset"]]
    assert "keep" not in tagged["xfilter_action"]
    assert len(messages) == 1
    assert "cardiffnlp/tweet_eval" in messages[0] and "input.source" in messages[0]


def test_info_with_a_non_x_config_of_a_partial_dataset_is_not_tagged() -> None:
    ds = _dataset(dataset_name="raft", config_name="ade_corpus_v2")
    tagged, _ = _map(ds, XFilter(mode="strict"))
    assert tagged["xfilter_categories"] == [[], []]


def test_info_generic_name_warns_without_tagging() -> None:
    """`emotion` may be anyone's dataset: say so, but do not tag on the name alone."""
    tagged, messages = _map(_dataset(dataset_name="emotion"), XFilter(mode="strict"))
    assert tagged["xfilter_categories"] == [[], []]
    assert len(messages) == 1 and "dair-ai/emotion" in messages[0]
    assert "not tagged" in messages[0]


def test_info_description_warns_without_tagging() -> None:
    ds = _dataset(description="A corpus of 5,000 tweets collected via the Twitter API in 2020.")
    tagged, messages = _map(ds, XFilter(mode="strict"))
    assert tagged["xfilter_categories"] == [[], []]
    assert len(messages) == 1 and "Twitter API" in messages[0]


def test_info_of_an_ordinary_dataset_is_silent() -> None:
    ds = _dataset(dataset_name="imdb", description="Large Movie Review Dataset.")
    tagged, messages = _map(ds, XFilter(mode="strict"))
    assert tagged["xfilter_categories"] == [[], []] and messages == []


def test_input_source_wins_over_info() -> None:
    ds = _dataset(dataset_name="tweet_eval")
    xf = XFilter(mode="strict", input={"source": "allenai/c4"})
    tagged, messages = _map(ds, xf)
    assert tagged["xfilter_categories"] == [[], []] and messages == []


def test_filter_with_keep_reads_the_info_too() -> None:
    ds = _dataset(dataset_name="sentiment140")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XDatasetWarning)
        kept = ds.filter(XFilter(mode="strict").keep, batched=True, load_from_cache_file=False)
    assert len(kept) == 0


def test_for_dataset_binds_the_info_and_pickles() -> None:
    import pickle

    ds = _dataset(dataset_name="OLID")
    xf = XFilter(mode="strict")
    with pytest.warns(XDatasetWarning, match="christophsonntag/OLID"):
        bound = xf.for_dataset(ds)
    assert [e.rule for e in bound.dataset_evidence] == ["dataset.registry"]
    assert bound.fingerprint != xf.fingerprint
    clone = pickle.loads(pickle.dumps(bound))
    assert clone.fingerprint == bound.fingerprint
    with warnings.catch_warnings():
        warnings.simplefilter("error", XDatasetWarning)  # bound: no second warning
        tagged = ds.map(clone, batched=True, load_from_cache_file=False)
    assert tagged["xfilter_categories"] == [["x_dataset"], ["x_dataset"]]


def test_for_dataset_works_for_an_iterable_dataset() -> None:
    info = datasets.DatasetInfo(dataset_name="tweet_eval")
    stream = datasets.IterableDataset.from_generator(
        lambda: iter([{"text": "hello"}]),
        features=datasets.Features({"text": datasets.Value("string")}),
    )
    stream._info = info
    with pytest.warns(XDatasetWarning):
        bound = XFilter(mode="strict").for_dataset(stream)
    rows = list(stream.map(bound, batched=True))
    assert rows[0]["xfilter_categories"] == ["x_dataset"]


def test_match_info_reads_data_files() -> None:
    registry = DatasetRegistry.load()
    hub = "hf://datasets/dair-ai/emotion@cab853a/split/train-00000-of-00001.parquet"
    found = registry.match_info(DatasetInfoFields(dataset_name="emotion", files=(hub,)))
    assert found is not None and found.known is not None and found.known.id == "dair-ai/emotion"
    other = "hf://datasets/someone/emotion@cab853a/train.parquet"
    clue = registry.match_info(DatasetInfoFields(dataset_name="emotion", files=(other,)))
    assert clue is not None and clue.known is None
    cached = "/root/.cache/huggingface/datasets/cardiffnlp___tweet_eval/emotion/0.0.0/ab12/x.arrow"
    hit = registry.match_info(DatasetInfoFields(files=(cached,)))
    assert hit is not None and hit.known is not None and hit.known.id == "cardiffnlp/tweet_eval"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            DatasetInfoFields(
                citation="@inproceedings{a, title={Emotional tone detection in arabic tweets}}"
            ),
            True,
        ),
        (
            DatasetInfoFields(
                homepage="https://github.com/sharmaroshan/Twitter-Sentiment-Analysis"
            ),
            True,
        ),
        (DatasetInfoFields(homepage="https://twitter.com/someone"), False),
        (DatasetInfoFields(dataset_name="csv", builder_name="csv"), False),
        (DatasetInfoFields(citation="@article{b, title={Generation X at work}}"), False),
    ],
)
def test_match_info_clues(fields: DatasetInfoFields, expected: bool) -> None:
    found = DatasetRegistry.load().match_info(fields)
    assert (found is not None) is expected
    assert found is None or found.known is None
