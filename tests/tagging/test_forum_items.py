"""Forum items: Reddit things and Hacker News items that carry or link X posts.

A link submission's top-level ``url`` is the record's own URL, as for any row: a submission
whose URL is a post exists to carry that post, so it is ``x_post`` by the post's author (the
handle in the URL). ``author``/``by`` name a Reddit or Hacker News user, never an X author;
``domain: twitter.com`` is at most a mention. Shapes as the public APIs return them: Reddit
things as in turnage/graw's fixtures (reddit/redded_fixtures_test.go), Hacker News items as in
weexteam/hackernews-App-powered-by-Apache-Weex (src/store/mock/stories.js).
"""

from __future__ import annotations

from tests.tagging.test_roles import ATTRIBUTED, STATUS, evidence_fields, tag

# -- Reddit and Hacker News --------------------------------------------------------------------


REDDIT_LINK = {
    "subreddit": "pics",
    "selftext": "",
    "author_fullname": "t2_4esadt4t",
    "title": "Sunsets don't get much better than this one over the Tetons",
    "name": "t3_116yyx6",
    "domain": "twitter.com",
    "is_self": False,
    "author": "redditor_1",
    "url": STATUS,
    "permalink": "/r/pics/comments/116yyx6/sunsets_dont_get_much_better/",
}


def test_reddit_link_submission_to_a_post_is_that_post_by_its_author() -> None:
    [tags] = tag([REDDIT_LINK])
    assert tags["xfilter_categories"][0] == "x_post"
    assert tags["xfilter_authors"] == ["interior"]
    fields = evidence_fields([REDDIT_LINK])
    assert fields["url.own_post"] == {"url"}


def test_reddit_domain_column_alone_is_a_mention_at_most() -> None:
    row = {**REDDIT_LINK, "url": "https://www.reddit.com" + REDDIT_LINK["permalink"]}
    [tags] = tag([row])
    assert tags["xfilter_action"] == "keep"
    assert tags["xfilter_categories"] in ([], ["x_mention"])
    assert tags["xfilter_authors"] == []


def test_reddit_comment_quoting_a_post_gets_the_posts_author_not_the_commenter() -> None:
    comment = {
        "body": "Here it is:\n\n" + ATTRIBUTED,
        "author": "redditor_1",
        "username": "redditor_1",
        "link_id": "t3_116yyx6",
        "permalink": "/r/pics/comments/116yyx6/sunsets/j9a1b2c/",
    }
    [tags] = tag([comment])
    assert tags["xfilter_categories"] == ["x_embed"]
    assert tags["xfilter_authors"] == ["interior"]


HN_STORY = {
    "by": "riansanderson",
    "descendants": 108,
    "id": 13165517,
    "kids": [13166120, 13166071, 13165646],
    "score": 143,
    "time": 1481619650,
    "title": "Sunsets don't get much better than this",
    "type": "story",
    "url": STATUS,
}


def test_hacker_news_story_linking_a_post_is_that_post_and_by_is_no_x_author() -> None:
    [tags] = tag([HN_STORY])
    assert tags["xfilter_categories"] == ["x_post"]
    assert tags["xfilter_authors"] == ["interior"]


def test_hacker_news_comment_linking_a_post_is_a_link() -> None:
    comment = {
        "by": "otoolep",
        "id": 13166120,
        "parent": 13165517,
        "text": f'The original: <a href="{STATUS}" rel="nofollow">{STATUS}</a>',
        "time": 1481620000,
        "type": "comment",
    }
    [tags] = tag([comment])
    assert tags["xfilter_categories"] == ["x_link"]
    assert tags["xfilter_authors"] == []


def test_hacker_news_ids_are_not_post_ids() -> None:
    story = {**HN_STORY, "url": "http://www.linfo.org/rule_of_silence.html"}
    assert tag([story]) == [
        {"xfilter_action": "keep", "xfilter_categories": [], "xfilter_authors": []}
    ]
