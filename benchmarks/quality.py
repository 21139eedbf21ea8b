"""Detection quality on labelled real third-party data: the labelled files in this repository
(``tests/data/labelled``) and, when present, a labelled corpus kept outside it (see
docs/detection-quality.md).

    python benchmarks/quality.py [--labelled DIR] [--corpus DIR] [--mode strict] [--misses 20]

Per file and overall: recall on x_dataset + x_post + x_embed (action not keep), false-reject
rate on none + x_mention (action not keep), category accuracy (strongest category found vs
gold), author accuracy on rows with gold authors (and on those whose handles the record itself
spells out, with the share of these where every gold author is found), and the list of
misses. A second table gives, per file and gold category, the share of rows not kept, and a
summary names the figures by category and the authors on every row that carries them.

Every column whose name starts with ``gold_`` is a label, never part of the record. A file
that names its rows with ``gold_id`` keeps every other column as the record (a Reddit
``id`` or a Snowflake ``id`` column is data there); other files also drop the descriptive
columns listed in ``LABEL_COLUMNS``.

Authors are compared as exact sets of handles. The gold labels list handles only, so the
numeric user ids xfilter reports for authors whose handle the record lacks are left out of the
comparison; a row where xfilter finds only the id of a gold author still counts as a miss, as
it should: the handle was not found.

"Derivable" rows are those whose every gold handle the record itself names as a whole word,
not counting the places from which no author may be inferred (see the corpus README and
``_derivable``): a gold note saying the author was taken from an enclosing object outside
the record (``user.status`` rows), and, in JSON API objects, @-mentions in post text, mention
entities and reply pointers (``in_reply_to_*``), hashtags, link-card metadata and bios,
status URLs of posts the object does not carry, and URLs or domains off X
(``airedesantafe.com.ar`` does not name the account ``airedesantafe``). A plain substring
test counted ``@cmeik`` in a retweet's text, or the one-letter handle ``t`` anywhere, as the
author being in the record.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

import datasets
import pyarrow as pa

from xfilter import XFilter
from xfilter.vocab import ACTION, AUTHORS_COLUMN, CATEGORIES_COLUMN, RULES_COLUMN

REPO = Path(__file__).resolve().parents[1]
DEFAULT_LABELLED = REPO / "tests" / "data" / "labelled"
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
MODES = ("strict", "collaborator", "first-party")
# Columns that describe a corpus row rather than being part of the record.
LABEL_COLUMNS = {
    "id", "source", "gold_category", "gold_authors", "gold_evidence", "gold_note",
    "gold_accounts", "endpoint", "api_kind", "kind", "file", "section", "description",
    "expected_urls", "expected_is_urls", "expected_raw",
}  # fmt: skip
GOLD_COLUMNS = {c for c in LABEL_COLUMNS if c.startswith("gold_")}
# Where an API object names an account without carrying its post: mention entities (v1.1
# ``user_mentions``, v2 ``mentions``), reply pointers, hashtags (topics), and the link-card
# metadata of a linked page or a profile bio, which describe other sites and people ("Philly
# NEFL (@phillynefl) on Instagram"), never the post's author.
NOT_AUTHOR_KEYS = {
    "user_mentions", "mentions", "in_reply_to_screen_name", "in_reply_to_user", "hashtags",
    "title", "description", "unwound_url", "display_url", "images",
}  # fmt: skip
HASHTAG = re.compile(r"(?<![\w&])#\w+")
# A status URL of a post the object does not carry is a link, not its author.
X_STATUS_URL = re.compile(r"(?i)\S*(?:twitter|x)\.com/\w+/status(?:es)?/(\d+)\S*")
# A URL or bare domain that is not on an X host names a website, not an account: the handle
# "airedesantafe" in ``airedesantafe.com.ar`` is a coincidence.
NON_X_URL = re.compile(
    r"(?i)\b(?:https?://)?(?!(?:www\.|mobile\.|m\.)?(?:twitter|x)\.com\b)"
    r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/\S*)?"
)
# An @-mention in post text; "(@handle)" is an attribution and stays.
MENTION = re.compile(r"(?<![\w(])@\w{1,50}")
# X's own retweet prefix names the retweeted author, so it is kept.
RT_PREFIX = re.compile(r"^RT @\w{1,50}:")
# The README's marker for rows whose author comes from outside the record.
OUTSIDE_RECORD = "author taken from the enclosing"
POSITIVE = ("x_dataset", "x_post", "x_embed")
NEGATIVE = ("none", "x_mention")


@dataclass
class Score:
    rows: int = 0
    positives: int = 0
    found: int = 0
    negatives: int = 0
    false_rejects: int = 0
    category_right: int = 0
    with_authors: int = 0
    authors_right: int = 0
    derivable: int = 0
    derivable_right: int = 0
    derivable_covered: int = 0
    # Per gold category: [rows, rows not kept].
    by_category: dict[str, list[int]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in (
            "rows", "positives", "found", "negatives", "false_rejects", "category_right",
            "with_authors", "authors_right", "derivable", "derivable_right", "derivable_covered",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for category, (rows, rejected) in other.by_category.items():
            counts = self.by_category.setdefault(category, [0, 0])
            counts[0] += rows
            counts[1] += rejected
        self.misses.extend(other.misses)

    def rejected_share(self, category: str) -> float | None:
        """The share of this category's rows that were not kept (None without rows)."""
        rows, rejected = self.by_category.get(category, (0, 0))
        return rejected / rows if rows else None


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:6.2f}%" if whole else "     —"


def labelled_files(folder: Path) -> list[Path]:
    """The labelled JSON Lines files of a folder, plain or gzip-compressed, sorted by name."""
    return sorted([*folder.glob("*.jsonl"), *folder.glob("*.jsonl.gz")], key=lambda p: p.name)


def label_columns(path: Path, columns: list[str]) -> set[str]:
    """The columns of a labelled file that describe the row instead of being the record."""
    gold = {c for c in columns if c.startswith("gold_")}
    # Activity-stream rows are the objects themselves (their `id` is the post's), and files
    # that name their rows with `gold_id` keep every other column as data.
    if "gold_id" in gold or path.name.startswith("activity_streams"):
        return gold
    return gold | (LABEL_COLUMNS & set(columns))


def score_file(path: Path, xf: XFilter) -> Score:
    ds = datasets.load_dataset("json", data_files=str(path), split="train")
    labels = label_columns(path, ds.column_names)
    record = ds.remove_columns([c for c in ds.column_names if c in labels])
    id_column = "gold_id" if "gold_id" in ds.column_names else "id"
    gold = [
        {"id": row[id_column], "gold_category": row["gold_category"]}
        for row in ds.select_columns([id_column, "gold_category"]).to_list()
    ]
    authors = ds["gold_authors"] if "gold_authors" in ds.column_names else [[]] * ds.num_rows
    notes = ds["gold_note"] if "gold_note" in ds.column_names else [""] * ds.num_rows
    for truth, handles, note, row in zip(gold, authors, notes, record.to_list(), strict=True):
        truth["gold_authors"] = handles or []
        truth["derivable"] = _derivable(row, truth["gold_authors"], note or "")
    score = Score()
    row = 0
    for batch in record.with_format("arrow").iter(batch_size=500):
        tagged = xf.tag_table(pa.Table.from_batches(batch.to_batches()))
        columns = [
            tagged.column(c).to_pylist()
            for c in (ACTION, CATEGORIES_COLUMN, RULES_COLUMN, AUTHORS_COLUMN)
        ]
        for action, categories, rules, authors in zip(*columns, strict=True):
            truth = gold[row]
            row += 1
            _score_row(score, path.name, truth, action, categories, rules, authors)
    return score


def _post_ids(value: Any) -> set[str]:
    """The ids of every post object in a parsed API object (dicts with post text)."""
    found: set[str] = set()
    if isinstance(value, dict):
        if {"text", "full_text"} & value.keys():
            found |= {str(value[k]) for k in ("id", "id_str") if value.get(k) is not None}
        for v in value.values():
            found |= _post_ids(v)
    elif isinstance(value, list):
        for v in value:
            found |= _post_ids(v)
    return found


def _without_mentions(value: Any, own: set[str]) -> Any:
    """A parsed API object minus the places that name accounts without carrying their posts.

    ``own`` holds the ids of the posts the object carries: a status URL naming one of them is
    the post's own link and names its author; any other status URL is a link to a post the
    object does not carry.
    """
    if isinstance(value, dict):
        return {k: _without_mentions(v, own) for k, v in value.items() if k not in NOT_AUTHOR_KEYS}
    if isinstance(value, list):
        return [_without_mentions(v, own) for v in value]
    if isinstance(value, str):
        m = RT_PREFIX.match(value)
        head = m.group(0) if m else ""
        rest = MENTION.sub(" ", value[len(head) :])
        rest = X_STATUS_URL.sub(lambda u: u.group(0) if u.group(1) in own else " ", rest)
        return head + HASHTAG.sub(" ", NON_X_URL.sub(" ", rest))
    return value


def _record_text(row: dict[str, Any]) -> str:
    """The record as lowercase text, its API objects (``raw`` strings too) without mentions.

    Page and text columns stay whole: there "@handle" is how a page shows a post's author.
    """
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
            with contextlib.suppress(ValueError):  # not JSON after all: keep the text
                value = json.loads(value)
        if isinstance(value, (dict, list)):
            value = _without_mentions(value, _post_ids(value))
        out[key] = value
    return json.dumps(out, ensure_ascii=False, default=str).lower()


def _derivable(row: dict[str, Any], handles: list[str], note: str) -> bool:
    """Whether the record itself names every gold handle somewhere an author can come from."""
    if OUTSIDE_RECORD in note:
        return False
    text = _record_text(row)
    return all(
        re.search(rf"(?<![a-z0-9_]){re.escape(h.lower())}(?![a-z0-9_])", text) for h in handles
    )


def _score_row(
    score: Score,
    name: str,
    truth: dict[str, Any],
    action: str,
    categories: list[str],
    rules: list[str],
    authors: list[str],
) -> None:
    wanted = truth["gold_category"]
    got = categories[0] if categories else "none"
    score.rows += 1
    counts = score.by_category.setdefault(wanted, [0, 0])
    counts[0] += 1
    counts[1] += action != "keep"
    where = f"{name} {truth['id']}: gold {wanted}, got {got} {rules}"
    if wanted in POSITIVE:
        score.positives += 1
        if action != "keep":
            score.found += 1
        else:
            score.misses.append(f"MISS {where}")
    if wanted in NEGATIVE:
        score.negatives += 1
        if action != "keep":
            score.false_rejects += 1
            score.misses.append(f"FALSE REJECT {where}")
    if got == wanted:
        score.category_right += 1
    elif wanted not in POSITIVE:
        score.misses.append(f"CATEGORY {where}")
    gold_authors = sorted(truth["gold_authors"] or [])
    if gold_authors:
        score.with_authors += 1
        # Gold lists handles only; a numeric id stands for an author whose handle the record
        # lacks (a retweeter known by ``author_id`` alone), so ids are left out of the match.
        right = sorted(a for a in authors if not a.isdigit()) == gold_authors
        score.authors_right += right
        if truth["derivable"]:
            score.derivable += 1
            score.derivable_right += right
            score.derivable_covered += set(gold_authors) <= set(authors)
            if not right:
                score.misses.append(f"AUTHORS {where}: gold {gold_authors}, got {authors}")


HEADER = (
    f"{'file':<28}{'rows':>6}{'recall':>9}{'false rej':>11}{'category':>10}{'authors':>9}"
    f"{'derivable':>11}{'covered':>9}"
)
CATEGORY_ORDER = ("x_dataset", "x_post", "x_embed", "x_link", "x_mention", "none")
LEGEND = (
    "authors: exact set match on rows with gold authors; derivable: the same, on rows whose "
    "gold handles all appear in the record itself, not only as mentions or reply targets; "
    "covered: derivable rows where every gold handle is among xfilter's authors (so an "
    "opt-out of any of them removes the record)"
)


def score_line(name: str, score: Score) -> str:
    """One row of the main table."""
    return (
        f"{name:<28}{score.rows:>6}{_pct(score.found, score.positives):>9}"
        f"{_pct(score.false_rejects, score.negatives):>11}"
        f"{_pct(score.category_right, score.rows):>10}"
        f"{_pct(score.authors_right, score.with_authors):>9}"
        f"{_pct(score.derivable_right, score.derivable):>11}"
        f"{_pct(score.derivable_covered, score.derivable):>9}"
    )


def print_table(title: str, scores: dict[str, Score]) -> Score:
    """The per-file table of one labelled set, with its overall line; returns the total."""
    total = Score()
    print(f"\n{title}")
    print(HEADER)
    print("-" * len(HEADER))
    for name, score in scores.items():
        total.add(score)
        print(score_line(name, score))
    print("-" * len(HEADER))
    print(score_line("overall", total))
    return total


def print_categories(scores: dict[str, Score]) -> None:
    """Per file and gold category: rows not kept / rows (recall or false rejects)."""
    width = 16
    header = f"{'file':<28}" + "".join(f"{c:>{width}}" for c in CATEGORY_ORDER)
    print("\nnot kept, per gold category (rows not kept / rows)")
    print(header)
    print("-" * len(header))
    for name, score in scores.items():
        cells = []
        for category in CATEGORY_ORDER:
            rows, rejected = score.by_category.get(category, (0, 0))
            cells.append(f"{rejected}/{rows} {_pct(rejected, rows).strip()}" if rows else "—")
        print(f"{name:<28}" + "".join(f"{c:>{width}}" for c in cells))


def print_summary(total: Score) -> None:
    """The figures the quality bar is stated in: by category, and authors."""
    print("\nsummary")
    for category in CATEGORY_ORDER:
        rows, rejected = total.by_category.get(category, (0, 0))
        if not rows:
            continue
        what = "recall" if category in POSITIVE else "not kept"
        if category in NEGATIVE:
            what = "false rejects"
        print(f"  {category:<10} {what:<14}{_pct(rejected, rows)}  ({rejected}/{rows})")
    print(
        f"  authors    right         {_pct(total.authors_right, total.with_authors)}  "
        f"({total.authors_right}/{total.with_authors} rows with gold authors)"
    )


def score_folder(folder: Path, xf: XFilter) -> dict[str, Score]:
    """Scores of every labelled file of a folder, by file name."""
    return {path.name: score_file(path, xf) for path in labelled_files(folder)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labelled", type=Path, default=DEFAULT_LABELLED)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--mode", choices=MODES, default="strict")
    parser.add_argument("--misses", type=int, default=30, help="misses to list (0: none)")
    args = parser.parse_args(argv)
    sets = {"in-repo labelled data": args.labelled, "labelled corpus": args.corpus}
    found = {title: folder for title, folder in sets.items() if labelled_files(folder)}
    for title, folder in sets.items():
        if title not in found:
            print(f"{folder}: no labelled files, skipped ({title})", file=sys.stderr)
    if not found:
        return 2
    xf = XFilter(mode=args.mode)
    print(f"mode: {args.mode}")
    every: dict[str, Score] = {}
    grand = Score()
    for title, folder in found.items():
        scores = score_folder(folder, xf)
        grand.add(print_table(f"{title} ({folder})", scores))
        every.update(scores)
    print_categories(every)
    print_summary(grand)
    print(f"\n{LEGEND}")
    if args.misses:
        print(f"\n{len(grand.misses)} misses (first {args.misses}):")
        for line in grand.misses[: args.misses]:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
