"""A seeded, realistic web-text corpus for the throughput benchmark.

    python benchmarks/generate.py [--mb 300] [--seed 0] [--out DIR]

Writes ``DIR/data/train-NNNNN-of-NNNNN.parquet`` with columns ``text``, ``url``, ``id`` (a
folder ``xfilter run --input DIR`` and ``datasets.load_dataset("parquet", ...)`` read as is).
The default ``DIR`` is outside the repository, in the system temp folder, so that nothing
generated is ever committed.

What makes it realistic for a scanner (not for a language model):

- document lengths are log-normal with a median near 2.5 KB and a long tail, as in Common
  Crawl text extractions; ~12 % of documents are not English (accents, Cyrillic, CJK), so the
  UTF-8 is multi-byte;
- ordinary URLs in text and in the ``url`` column, with the hard negatives a literal prefilter
  fails on: ``netflix.com``, ``dropbox.com``, ``microsoft.com`` (``t.co`` inside), ``vox.com``,
  e-mail addresses in parentheses, ``@names`` and ``#hashtags`` in prose, Mastodon and Bluesky;
- ~3 % of documents carry generic X mentions (share and follow lines), which are kept;
- ~2 % of documents carry X content in varied forms: an embedded post with its attribution
  line, ``pic.twitter.com`` and ``t.co`` links, status URLs on twitter.com and x.com, the
  ``blockquote.twitter-tweet`` HTML left in text, "End of Twitter post by @h", and records
  whose X status URL is only in the ``url`` column.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MEDIAN_DOC_BYTES = 2500
SHARD_BYTES = 128 * 1024 * 1024
X_CONTENT_RATE = 0.02
X_MENTION_RATE = 0.03


def _vocabulary(words: str) -> list[str]:
    return words.split()


_ENGLISH = _vocabulary(
    "the of and to in a is that for it as was with be by on not he i this are or his from at "
    "which but have an they you were her she there one all we their has been would more when "
    "if will can said about what so no up out into them time could only new some these two "
    "may first then do any like my now over such our man me even most made after also did "
    "many before must through back years where much your way well down should because each "
    "just those people how too little state good very make world still own see men work long "
    "get here between both life being under never day same another know while last might us "
    "great old year off come since against go came right used take three small large next "
    "early public important during without government however system program business level "
    "water development social community market report research service health family policy "
    "school information national history support project local energy quality security study "
    "recipe garden season coffee travel hotel guide review price product customer delivery "
    "software update version download install server network data account password email "
    "council election budget mayor police court judge team game player coach season match"
)
_OTHER = {
    "es": _vocabulary(
        "el la de que y en los se del las un por con una para es al lo como más pero sus "
        "año también fue este ha sí porque esta entre cuando muy sin sobre ser tiene"
    ),
    "de": _vocabulary(
        "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als "
        "auch es an werden aus er hat dass sie nach wird bei über größe straße müssen"
    ),
    "ru": _vocabulary(
        "и в не на я быть он с что а по это она этот к но они мы как из у который то за "
        "свой весь год от так о для ты же все тот мочь вы человек такой его"
    ),
    "ja": _vocabulary(
        "日本 東京 天気 今日 明日 新しい 情報 サービス 会社 時間 世界 写真 料理 旅行 "
        "ニュース 記事 研究 開発 地域 生活 家族 学校 経済 政治"
    ),
}
_DOMAINS = (
    "example.com", "news.example.org", "en.wikipedia.org", "www.bbc.co.uk", "www.nytimes.com",
    "github.com", "stackoverflow.com", "www.reddit.com", "medium.com", "www.amazon.com",
    "www.netflix.com", "www.dropbox.com", "www.microsoft.com", "learn.microsoft.com",
    "www.vox.com", "blog.netflix.com", "docs.python.org", "www.youtube.com", "www.imdb.com",
    "www.theguardian.com", "www.cnn.com", "www.lemonde.fr", "www.spiegel.de", "lenta.ru",
    "www.asahi.com", "www.tripadvisor.com", "www.allrecipes.com", "www.etsy.com",
    "mastodon.social", "bsky.app", "www.linkedin.com", "www.facebook.com", "www.instagram.com",
    "www.boxbox.com", "fedex.com", "www.maxcdn.com", "www.twitter-dash.com",
)  # fmt: skip
_HARD_NEGATIVES = (
    "Watch it on netflix.com tonight.",
    "The files are on dropbox.com/s/a1b2c3/report.pdf for download.",
    "See https://www.microsoft.com/en-us/windows for the update notes.",
    "Full story at www.vox.com/policy/2023/4/1/explainer.",
    "(contact: press@example.org for details)",
    "Questions? (email us at help@shop.example.com)",
    "Thanks to @maria_k and @devteam for the review.",
    "Trending now: #python #datascience #MachineLearning",
    "Follow the project on mastodon.social/@project for news.",
    "Read the thread at bsky.app/profile/someone.bsky.social/post/3k2abc.",
    "The Twi language is spoken in Ghana.",
    "Download from https://go.microsoft.com/fwlink/?linkid=2109047 now.",
    "The dashboard at twitter-dash.com shows nothing of X.",
)
_MENTIONS = (
    "Share on Twitter | Share on Facebook | Share via Email",
    "Follow us on Twitter and Instagram for more recipes.",
    "Tweet this | Pin it | Share",
    "You can also find us on X and LinkedIn.",
    "Follow @ourcompany for updates.",
)
_MONTHS = "January February March April May June July August September October November December"


def _words(rng: np.random.Generator, vocab: list[str], n: int) -> str:
    picked = rng.choice(len(vocab), size=n)
    return " ".join(vocab[i] for i in picked)


def _sentence_pool(rng: np.random.Generator, lang: str, size: int) -> list[str]:
    """Sentences of 6–30 words: documents are made of these, so generation stays fast."""
    vocab = _ENGLISH if lang == "en" else _OTHER[lang]
    joiner = "" if lang == "ja" else " "
    pool = []
    for _ in range(size):
        n = int(rng.integers(6, 31))
        words = [vocab[i] for i in rng.choice(len(vocab), size=n)]
        if rng.random() < 0.15:
            words.insert(int(rng.integers(0, n)), str(int(rng.integers(1, 100000))))
        if rng.random() < 0.05:  # parentheses without an @: "(…)" is common in real text
            aside = vocab[int(rng.integers(len(vocab)))]
            words.insert(int(rng.integers(0, n)), f"(see {aside})")
        sentence = joiner.join(words)
        end = "。" if lang == "ja" else rng.choice([".", ".", ".", "?", "!", ":"])
        pool.append(sentence[:1].upper() + sentence[1:] + end)
    return pool


def _handle(rng: np.random.Generator) -> str:
    stem = _ENGLISH[int(rng.integers(len(_ENGLISH)))]
    return f"{stem}_{int(rng.integers(10, 9999))}" if rng.random() < 0.5 else stem.title() + "News"


def _status_id(rng: np.random.Generator) -> int:
    return int(rng.integers(10**17, 2 * 10**18))


def _slug(rng: np.random.Generator, n: int = 10) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(alphabet[i] for i in rng.integers(0, len(alphabet), size=n))


def _date(rng: np.random.Generator) -> str:
    month = _MONTHS.split()[int(rng.integers(12))]
    return f"{month} {int(rng.integers(1, 29))}, {int(rng.integers(2009, 2025))}"


def _x_content(rng: np.random.Generator) -> tuple[str, str | None]:
    """One X form: (text to put in the document, X URL for the url column or None)."""
    h, sid = _handle(rng), _status_id(rng)
    post = _words(rng, _ENGLISH, int(rng.integers(6, 25))).capitalize()
    host = "twitter.com" if rng.random() < 0.6 else "x.com"
    form = int(rng.integers(0, 8))
    if form == 0:  # extracted text of an embed: post, pic link, attribution line
        return f"{post} pic.twitter.com/{_slug(rng)}\n— {h.title()} (@{h}) {_date(rng)}", None
    if form == 1:
        return f"{post} https://t.co/{_slug(rng)}\n— {h} (@{h}) {_date(rng)}", None
    if form == 2:
        return f"As reported here: https://{host}/{h}/status/{sid}", None
    if form == 3:
        return (
            f'<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{post}</p>&mdash; '
            f'{h} (@{h}) <a href="https://twitter.com/{h}/status/{sid}?ref_src=twsrc%5Etfw">'
            f'{_date(rng)}</a></blockquote> <script async src="https://platform.twitter.com/'
            'widgets.js" charset="utf-8"></script>',
            None,
        )
    if form == 4:
        return f"Skip Twitter post by @{h}\n{post}\nEnd of Twitter post by @{h}", None
    if form == 5:
        return f"Photo: https://pbs.twimg.com/media/{_slug(rng, 15)}.jpg?name=orig", None
    if form == 6:  # nothing X in the text: only the record's own URL is a post
        return "", f"https://{host}/{h}/status/{sid}"
    return f"{post} (via x.com/{h}/status/{sid})", None


def _ordinary_url(rng: np.random.Generator) -> str:
    domain = _DOMAINS[int(rng.integers(len(_DOMAINS)))]
    path = "-".join(_ENGLISH[i] for i in rng.integers(0, len(_ENGLISH), size=4))
    return f"https://{domain}/{int(rng.integers(2005, 2025))}/{path}-{int(rng.integers(1_000_000))}"


_LANGUAGES = ("en", "es", "de", "ru", "ja")
_LANGUAGE_SHARES = (0.88, 0.04, 0.03, 0.03, 0.02)


def _lang(rng: np.random.Generator) -> str:
    return _LANGUAGES[int(rng.choice(len(_LANGUAGES), p=_LANGUAGE_SHARES))]


def generate_table(target_bytes: int, seed: int = 0) -> pa.Table:
    """Documents until their text adds up to ``target_bytes``."""
    rng = np.random.default_rng(seed)
    pools = {lang: _sentence_pool(rng, lang, 4000) for lang in ("en", *_OTHER)}
    sizes = {lang: np.array([len(s.encode()) + 1 for s in pool]) for lang, pool in pools.items()}
    texts: list[str] = []
    urls: list[str] = []
    ids: list[str] = []
    total = 0
    while total < target_bytes:
        lang = _lang(rng)
        pool, pool_sizes = pools[lang], sizes[lang]
        length = min(max(rng.lognormal(math.log(MEDIAN_DOC_BYTES), 1.0), 200), 200_000)
        count = max(1, int(length / pool_sizes.mean()))
        picked = rng.integers(0, len(pool), size=count)
        sentences = [pool[i] for i in picked]
        url = _ordinary_url(rng)
        extras = []
        if rng.random() < 0.25:
            extras.append(_HARD_NEGATIVES[int(rng.integers(len(_HARD_NEGATIVES)))])
        if rng.random() < 0.2:
            extras.append(f"Source: {_ordinary_url(rng)}")
        if rng.random() < X_MENTION_RATE:
            extras.append(_MENTIONS[int(rng.integers(len(_MENTIONS)))])
        if rng.random() < X_CONTENT_RATE:
            snippet, own_url = _x_content(rng)
            if snippet:
                extras.append(snippet)
            url = own_url or url
        for extra in extras:
            sentences.insert(int(rng.integers(0, len(sentences) + 1)), extra)
        # Paragraphs of 3–6 sentences, as text extractors emit them.
        breaks = np.cumsum(rng.integers(3, 7, size=len(sentences)))
        paragraphs = [
            " ".join(sentences[a:b]) for a, b in zip([0, *breaks], breaks, strict=False) if a < b
        ]
        text = "\n\n".join(paragraphs)
        texts.append(text)
        urls.append(url)
        ids.append(f"<urn:uuid:{_slug(rng, 8)}-{len(ids):09d}>")
        total += len(text.encode())
    return pa.table({"text": texts, "url": urls, "id": ids})


def default_dir(mb: float, seed: int) -> Path:
    return Path(tempfile.gettempdir()) / "xfilter-bench" / f"webtext-{mb:g}mb-seed{seed}"


def write_corpus(out: Path, mb: float, seed: int = 0) -> Path:
    """Generate (once) and return the folder; an existing complete folder is reused."""
    data = out / "data"
    done = out / ".complete"
    if done.exists():
        return out
    data.mkdir(parents=True, exist_ok=True)
    for old in data.glob("*.parquet"):
        old.unlink()
    table = generate_table(int(mb * 1024 * 1024), seed)
    shards = max(1, math.ceil(table.nbytes / SHARD_BYTES))
    rows = math.ceil(table.num_rows / shards)
    for index in range(shards):
        part = table.slice(index * rows, rows)
        name = data / f"train-{index:05d}-of-{shards:05d}.parquet"
        pq.write_table(part, name, row_group_size=2_000, compression="snappy")
    done.write_text(f"{table.num_rows} rows\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=300, help="text megabytes (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="folder (default: temp dir)")
    args = parser.parse_args()
    out = args.out or default_dir(args.mb, args.seed)
    started = time.perf_counter()
    write_corpus(out, args.mb, args.seed)
    print(f"{out}  ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
