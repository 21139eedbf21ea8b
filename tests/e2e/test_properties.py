"""Property tests over generated datasets of mixed shapes: nothing is lost, verify passes."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

import datasets
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xfilter import XFilter
from xfilter.output.verify import verify
from xfilter.output.writer import record_sha256

SNIPPETS = [
    "Ordinary prose about bread and butter.",
    "Visit https://www.netflix.com/title/80100172 or dropbox.com/s/abc today.",
    "Mail press@x.company or jane@example.com.",
    "A #hashtag and an @name in prose.",
    "See https://twitter.com/TwitterDev/status/1228393702244134912 for details.",
    "Great launch pic.twitter.com/YuKy2rcjyU — NASA (@NASA) May 5, 2014",
    "Share this on Twitter",
    "https://t.co/abcDEF1234",
    '<blockquote class="twitter-tweet"><p>hi</p>&mdash; Jack (@jack) '
    '<a href="https://twitter.com/jack/status/20">March 21, 2006</a></blockquote>',
]
URLS = [None, "https://example.com/a", "https://x.com/jack/status/20", "https://vox.com/b"]
POSTS = [None, json.dumps({"id_str": "20", "text": "just setting up my twttr",
                           "created_at": "Tue Mar 21 20:50:14 +0000 2006",
                           "user": {"id_str": "12", "screen_name": "jack"}})]  # fmt: skip

rows = st.fixed_dictionaries(
    {
        "text": st.one_of(st.none(), st.lists(st.sampled_from(SNIPPETS), max_size=3).map(" ".join)),
        "url": st.sampled_from(URLS),
        "post": st.sampled_from(POSTS),
        "tweet_id": st.sampled_from([None, "20", "463440424141459456", "12345abc"]),
        "meta": st.one_of(
            st.none(), st.fixed_dictionaries({"source": st.sampled_from(["c4", "sentiment140"])})
        ),
    }
)
splits = st.dictionaries(
    st.sampled_from(["train", "validation", "test"]), st.lists(rows, max_size=12), min_size=1
)
configs = st.fixed_dictionaries(
    {
        "mode": st.sampled_from(["strict", "collaborator", "first-party"]),
        "action": st.sampled_from(["drop", "quarantine"]),
        "categories": st.sampled_from([{}, {"x_embed": "redact"}, {"x_link": "keep"}]),
    }
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=splits, config=configs)
def test_conservation_and_verify(data: dict[str, list[dict]], config: dict) -> None:
    features = datasets.Features(
        {
            "text": datasets.Value("string"),
            "url": datasets.Value("string"),
            "post": datasets.Value("string"),
            "tweet_id": datasets.Value("string"),
            "meta": {"source": datasets.Value("string")},
        }
    )
    dd = datasets.DatasetDict(
        {
            name: datasets.Dataset.from_dict({k: [r[k] for r in rs] for k in features}, features)
            for name, rs in data.items()
        }
    )
    xf = XFilter(**config)
    tagged = dd.map(xf, batched=True, batch_size=5)
    with tempfile.TemporaryDirectory() as tmp:
        out = xf.split(tagged).save(Path(tmp) / "out")
        verify(out)
        manifest = json.loads((out / "manifest.json").read_text())
        ledger = pq.read_table(out / "ledger.parquet").to_pylist()
        for name, counts in manifest["splits"].items():
            assert counts["input"] == len(data[name])
            assert counts["input"] == counts["kept"] + counts["dropped"] + counts["quarantined"]
            if name not in tagged or tagged[name].num_rows == 0:
                continue
            actions = tagged[name]["xfilter_action"]
            rejected = [i for i, a in enumerate(actions) if a != "keep"]
            listed = [r["row"] for r in ledger if r["split"] == name]
            assert sorted(listed) == rejected  # each non-kept record exactly once
            hashes = Counter(r["record_sha256"] for r in ledger if r["split"] == name)
            for i in rejected:
                assert hashes[record_sha256(tagged[name][i])] >= 1
        quarantined = sum(c["quarantined"] for c in manifest["splits"].values())
        if not quarantined:  # no rows, no files: `datasets` cannot load an empty split
            assert not list((out / "quarantine").rglob("*.parquet"))
            return
        quarantine = datasets.load_dataset("parquet", data_dir=str(out / "quarantine"))
        for name, ds in quarantine.items():
            assert ds.num_rows == manifest["splits"][name]["quarantined"]
            assert set(ds["xfilter_action"]) <= {"quarantine"}
