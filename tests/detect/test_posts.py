"""X post and platform objects: shapes, authors, negatives, bounds, PREFILTER, Arrow schemas.

Fixtures are hand-written in the shapes docs/x-content-reference.md §2 documents (v1.1, v2,
archive, Gnip,
snscrape, syndication, GraphQL) with invented content.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import prefilter_matches, rules
from xfilter.detect.evidence import CATEGORIES, Evidence
from xfilter.detect.posts import (
    PREFILTER,
    RULES,
    STRUCT_AUTHOR_FIELDS,
    analyze_json_text,
    analyze_object,
    struct_candidates,
    struct_type_is_post,
)
from xfilter.detect.posts.api_objects import API_OBJECTS, V2_ITEMS
from xfilter.detect.posts.api_objects import OEMBED as OEMBED_SHAPE

Obj = dict[str, Any]


def authors(ev: list[Evidence] | None, *, profiles: bool = True) -> set[str]:
    assert ev is not None
    return {a for e in ev for a in e.authors if profiles or e.rule != "json.user"}


def unknown(ev: list[Evidence]) -> bool:
    """Some object in the record has no known author."""
    return any(not e.authors for e in ev)


# ---------------------------------------------------------------------------------------------
# Fixtures: v1.1


def v1_user(handle: str, uid: int, **extra: Any) -> Obj:
    return {
        "id": uid,
        "id_str": str(uid),
        "name": handle.title(),
        "screen_name": handle,
        "location": "Somewhere",
        "description": "Posts about things.",
        "protected": False,
        "followers_count": 120,
        "friends_count": 80,
        "statuses_count": 4021,
        "created_at": "Tue Mar 27 07:29:25 +0000 2012",
        "profile_image_url_https": "https://pbs.twimg.com/profile_images/1/a_normal.jpg",
        **extra,
    }


def v1_post(pid: int, handle: str | None, text: str, **extra: Any) -> Obj:
    post: Obj = {
        "created_at": "Tue Jul 18 23:25:04 +0000 2017",
        "id": pid,
        "id_str": str(pid),
        "text": text,
        "source": '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for '
        "iPhone</a>",
        "truncated": False,
        "in_reply_to_status_id": None,
        "in_reply_to_status_id_str": None,
        "in_reply_to_screen_name": None,
        "is_quote_status": False,
        "retweet_count": 3,
        "favorite_count": 9,
        "entities": {"hashtags": [], "urls": [], "user_mentions": [], "symbols": []},
        "favorited": False,
        "retweeted": False,
        "lang": "en",
    }
    if handle is not None:
        post["user"] = v1_user(handle, 1000 + len(handle))
    post.update(extra)
    return post


V1_EXTENDED = v1_post(
    887453193294282752,
    "NASA_Moon",
    "Today we are announcing a longer thing than fits in one hundred and forty characters "
    "so the text is cut here… https://t.co/XkcFAgHhsj",
    truncated=True,
    display_text_range=[0, 140],
    extended_tweet={
        "full_text": "Today we are announcing a longer thing than fits in one hundred and forty "
        "characters so the text is cut here and continues. https://t.co/XkcFAgHhsj",
        "display_text_range": [0, 190],
        "entities": {
            "media": [
                {
                    "id_str": "887453176248455169",
                    "display_url": "pic.twitter.com/XkcFAgHhsj",
                    "expanded_url": "https://twitter.com/NASA_Moon/status/887453193294282752/"
                    "photo/1",
                    "indices": [167, 190],
                }
            ]
        },
    },
)

V1_ORIGINAL = v1_post(1228393702244134912, "jack_sparrow", "the original post text")
V1_RETWEET = v1_post(
    1228393702244999999,
    "deckhand_99",
    "RT @jack_sparrow: the original post text",
    retweeted_status=V1_ORIGINAL,
)
V1_QUOTE = v1_post(
    1228393702245000000,
    "critic_23",
    "This is wrong https://t.co/abcdEFGH12",
    is_quote_status=True,
    quoted_status_id=463440424141459456,
    quoted_status_id_str="463440424141459456",
    quoted_status=v1_post(463440424141459456, "Interior", "Sunset over the canyon"),
    quoted_status_permalink={
        "url": "https://t.co/abcdEFGH12",
        "expanded": "https://twitter.com/Interior/status/463440424141459456",
        "display": "twitter.com/Interior/statu…",
    },
)

# ---------------------------------------------------------------------------------------------
# Fixtures: v2

V2_ENVELOPE: Obj = {
    "data": [
        {
            "id": "1440717055129391120",
            "text": "RT @orig_author: a long thread about rivers…",
            "author_id": "819547600244215808",
            "edit_history_tweet_ids": ["1440717055129391120"],
            "referenced_tweets": [{"type": "retweeted", "id": "1434659448706981889"}],
            "conversation_id": "1440717055129391120",
            "created_at": "2021-09-22T16:38:07.000Z",
            "public_metrics": {"retweet_count": 48, "reply_count": 0, "like_count": 0},
        },
        {
            "id": "1440717067863216142",
            "text": "my own words",
            "author_id": "1413141881983172615",
            "edit_history_tweet_ids": ["1440717067863216142"],
        },
    ],
    "includes": {
        "users": [
            {"id": "819547600244215808", "name": "Siti", "username": "SitiRapiamat"},
            {"id": "1413141881983172615", "name": "Info", "username": "xtxxzinfo"},
            {"id": "1399162146307588099", "name": "Orig", "username": "orig_author"},
        ],
        "tweets": [
            {
                "id": "1434659448706981889",
                "text": "a long thread about rivers and their many tributaries",
                "author_id": "1399162146307588099",
                "edit_history_tweet_ids": ["1434659448706981889"],
            }
        ],
    },
    "meta": {"result_count": 2, "newest_id": "1440717067863216142"},
}

V2_ITEM_NO_INCLUDES: Obj = {
    "id": "1440716522796638212",
    "text": "Tory MP drops a bombshell https://t.co/RJKGBQbGJr",
    "author_id": "19739122",
    "conversation_id": "1440716522796638212",
    "reply_settings": "everyone",
    "lang": "en",
    "public_metrics": {"retweet_count": 1, "reply_count": 0, "like_count": 2, "quote_count": 0},
}

V2_DEFAULT_FIELDS: Obj = {
    "edit_history_tweet_ids": ["1507070437557096461"],
    "id": "1507070437557096461",
    "text": "Bookmark this!",
}

V2_FLAT: Obj = {
    "id": "1380242611781386245",
    "text": "RT @williamserafino: De manera simultánea…",
    "author_id": "111",
    "author": {"id": "111", "name": "Alexandra", "username": "Alexandravm12"},
    "referenced_tweets": [
        {
            "type": "retweeted",
            "id": "1380175475545362437",
            "text": "De manera simultánea, vuelven a asediar la frontera.",
            "author_id": "2718660392",
            "author": {"id": "2718660392", "name": "William", "username": "williamserafino"},
        }
    ],
    "public_metrics": {"retweet_count": 410, "reply_count": 0, "like_count": 0},
    "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent", "version": "2.0.3"},
}


def v2_flat_ref(kind: str, pid: str, handle: str, text: str, **extra: Any) -> Obj:
    """A referenced post as twarc2 flattening expands it: text and author inline."""
    uid = str(3000 + len(handle))
    return {
        "type": kind,
        "id": pid,
        "text": text,
        "author_id": uid,
        "author": {"id": uid, "name": handle.title(), "username": handle},
        **extra,
    }


# A reply that quotes, flattened: the replied-to post travels inline with its text (and its own
# quote), so the record carries every one of these posts.
V2_FLAT_REPLY_AND_QUOTE: Obj = {
    "id": "1380000000000000101",
    "text": "@parent_poster no, look at this https://t.co/AbCdEf0123",
    "author_id": "222",
    "author": {"id": "222", "name": "Replier", "username": "Replier_1"},
    "in_reply_to_user_id": "3013",
    "in_reply_to_user": {"id": "3013", "name": "Parent", "username": "parent_poster"},
    "referenced_tweets": [
        v2_flat_ref(
            "replied_to",
            "1380000000000000102",
            "parent_poster",
            "what do you think?",
            referenced_tweets=[
                v2_flat_ref("quoted", "1380000000000000103", "grandparent", "first words")
            ],
        ),
        v2_flat_ref("quoted", "1380000000000000104", "quoted_news", "the news itself"),
    ],
    "conversation_id": "1380000000000000103",
    "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent", "version": "2.0.3"},
}

# A retweet of a quote: both carried posts are in the record.
V2_FLAT_RETWEET_OF_QUOTE: Obj = {
    "id": "1380000000000000105",
    "text": "RT @rt_source: so this happened",
    "author_id": "333",
    "author": {"id": "333", "name": "Sharer", "username": "sharer_3"},
    "referenced_tweets": [
        v2_flat_ref(
            "retweeted",
            "1380000000000000106",
            "rt_source",
            "so this happened https://t.co/GhIjKl4567",
            referenced_tweets=[
                v2_flat_ref("quoted", "1380000000000000107", "quoted_news", "the news itself")
            ],
        )
    ],
    "public_metrics": {"retweet_count": 1, "reply_count": 0, "like_count": 0},
    "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent", "version": "2.0.3"},
}

# A v2 data item saved without its response: only the RT prefix names the retweeted author.
V2_ITEM_RETWEET: Obj = {
    "id": "1440000000000000201",
    "text": "RT @river_watch: levels are rising at the weir",
    "author_id": "4400000001",
    "edit_history_tweet_ids": ["1440000000000000201"],
    "referenced_tweets": [{"type": "retweeted", "id": "1440000000000000202"}],
    "entities": {"mentions": [{"start": 3, "end": 15, "username": "river_watch", "id": "9"}]},
}

# A user's embedded status that is a retweet: the user's API trims the retweeted user away.
V1_USER_WITH_RETWEET = v1_user(
    "relay_account",
    555,
    status=v1_post(
        1585000000000000300,
        None,
        "RT @first_voice: said it first, cc @bystander",
        retweeted_status=v1_post(1584000000000000301, None, "said it first, cc @bystander"),
    ),
)

# ---------------------------------------------------------------------------------------------
# Fixtures: archive, Gnip, scrapers, syndication, GraphQL

ARCHIVE_TWEET: Obj = {
    "tweet": {
        "edit_info": {
            "initial": {
                "editTweetIds": ["1997000000000000000"],
                "editableUntil": "2025-12-06T19:20:30.000Z",
                "editsRemaining": "5",
                "isEditEligible": True,
            }
        },
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
        "display_text_range": ["0", "8"],
        "favorite_count": "0",
        "id_str": "1997000000000000000",
        "truncated": False,
        "retweet_count": "0",
        "id": "1997000000000000000",
        "created_at": "Sat Dec 06 18:20:30 +0000 2025",
        "favorited": False,
        "full_text": "Hello X!",
        "lang": "en",
    }
}
ARCHIVE_TEXT = "window.YTD.tweets.part0 = [ " + json.dumps(ARCHIVE_TWEET, indent=2) + " ]"

ACTIVITY_POST: Obj = {
    "id": "tag:search.twitter.com,2005:887453193294282752",
    "objectType": "activity",
    "verb": "post",
    "postedTime": "2017-07-18T23:25:04.000Z",
    "body": "N) A Tweet with explicit geo coordinates https://t.co/XkcFAgHhsj",
    "link": "http://twitter.com/RobotPrincessFi/statuses/887453193294282752",
    "actor": {
        "objectType": "person",
        "id": "id:twitter.com:815279070241955840",
        "link": "http://www.twitter.com/RobotPrincessFi",
        "displayName": "Robot",
        "preferredUsername": "RobotPrincessFi",
    },
    "object": {
        "objectType": "note",
        "id": "object:search.twitter.com,2005:887453193294282752",
        "summary": "N) A Tweet with explicit geo coordinates",
        "link": "http://twitter.com/RobotPrincessFi/statuses/887453193294282752",
        "postedTime": "2017-07-18T23:25:04.000Z",
    },
    "provider": {
        "objectType": "service",
        "displayName": "Twitter",
        "link": "http://www.twitter.com",
    },
    "generator": {"displayName": "Twitter Web Client", "link": "http://twitter.com"},
    "twitter_lang": "en",
    "twitter_filter_level": "low",
    "retweetCount": 0,
    "favoritesCount": 0,
}


def activity_share() -> Obj:
    shared = copy.deepcopy(ACTIVITY_POST)
    shared["actor"]["preferredUsername"] = "notFromShrek"
    shared["actor"]["id"] = "id:twitter.com:2382763597"
    share = copy.deepcopy(ACTIVITY_POST)
    share.update(
        id="tag:search.twitter.com,2005:887453193294999999",
        verb="share",
        body="RT @notFromShrek: N) A Tweet with explicit geo coordinates",
        object=shared,
    )
    quoted = copy.deepcopy(ACTIVITY_POST)
    quoted["actor"]["preferredUsername"] = "QuotedPerson"
    share["twitter_quoted_status"] = quoted
    return share


SNSCRAPE_TWEET: Obj = {
    "_type": "snscrape.modules.twitter.Tweet",
    "url": "https://twitter.com/someone_x/status/1598052224372690944",
    "date": "2022-11-30T20:01:22+00:00",
    "rawContent": "quoting a friend",
    "renderedContent": "quoting a friend",
    "id": 1598052224372690944,
    "user": {
        "_type": "snscrape.modules.twitter.User",
        "username": "someone_x",
        "id": 12345,
        "displayname": "Some One",
        "followersCount": 10,
    },
    "replyCount": 0,
    "retweetCount": 1,
    "likeCount": 4,
    "quoteCount": 0,
    "conversationId": 1598052224372690944,
    "lang": "en",
    "retweetedTweet": None,
    "quotedTweet": {
        "_type": "snscrape.modules.twitter.Tweet",
        "url": "https://twitter.com/friend_y/status/1598000000000000000",
        "id": 1598000000000000000,
        "rawContent": "a friend's words",
        "user": {"_type": "snscrape.modules.twitter.User", "username": "friend_y", "id": 6789},
    },
}

SNSCRAPE_NO_TYPE: Obj = {
    k: v for k, v in SNSCRAPE_TWEET.items() if k not in ("_type", "url", "quotedTweet")
}
SNSCRAPE_NO_TYPE["user"] = {"username": "someone_x", "displayname": "Some One", "id": 12345}

SYNDICATION: Obj = {
    "__typename": "Tweet",
    "lang": "en",
    "favorite_count": 5243,
    "created_at": "2020-02-14T19:00:55.000Z",
    "display_text_range": [0, 140],
    "entities": {"hashtags": [], "urls": [], "user_mentions": [], "symbols": []},
    "id_str": "1228393702244134912",
    "text": "What did the developer write in their Valentine's card?",
    "user": {
        "id_str": "2244994945",
        "name": "Twitter Dev",
        "screen_name": "TwitterDev",
        "verified": True,
        "profile_image_shape": "Circle",
    },
    "edit_control": {
        "edit_tweet_ids": ["1228393702244134912"],
        "editable_until_msecs": "1581708655723",
        "edits_remaining": "5",
    },
    "mediaDetails": [],
    "quoted_tweet": {
        "id_str": "1228000000000000000",
        "text": "the quoted one",
        "user": {"id_str": "1", "screen_name": "QuotedDev", "name": "Q"},
    },
}

GRAPHQL: Obj = {
    "__typename": "Tweet",
    "rest_id": "1600000000000000000",
    "core": {
        "user_results": {
            "result": {
                "__typename": "User",
                "rest_id": "44196397",
                "legacy": {"screen_name": "GraphAuthor", "name": "G"},
            }
        }
    },
    "legacy": {
        "full_text": "RT @Retweeted1: original words",
        "created_at": "Wed Dec 07 10:00:00 +0000 2022",
        "user_id_str": "44196397",
        "retweeted_status_result": {
            "result": {
                "__typename": "Tweet",
                "rest_id": "1599999999999999999",
                "core": {"user_results": {"result": {"legacy": {"screen_name": "Retweeted1"}}}},
                "legacy": {"full_text": "original words", "user_id_str": "9"},
            }
        },
    },
}

# ---------------------------------------------------------------------------------------------
# Fixtures: users and other API objects

V1_USER_WITH_STATUS = v1_user(
    "facebook",
    2425151,
    status={
        "created_at": "Thu Dec 14 16:00:00 +0000 2017",
        "id": 941799043407269888,
        "id_str": "941799043407269888",
        "text": "Announcing a thing",
        "truncated": False,
        "retweet_count": 5,
    },
)

V2_USERS: Obj = {
    "data": [
        {"id": "783214", "name": "X", "username": "X"},
        {"id": "2244994945", "name": "Dev", "username": "XDevelopers"},
    ]
}

V1_LIST: Obj = {
    "id": 84839422,
    "id_str": "84839422",
    "name": "Official Accounts",
    "uri": "/Twitter/lists/official-twitter-accounts",
    "subscriber_count": 763,
    "member_count": 130,
    "mode": "public",
    "description": "Accounts managed by the company.",
    "slug": "official-twitter-accounts",
    "full_name": "@Twitter/official-twitter-accounts",
    "created_at": "Tue Feb 09 21:47:57 +0000 2010",
    "user": v1_user("Twitter", 783214),
}

DM_V1: Obj = {
    "created_at": "Tue Jun 05 06:00:51 +0000 2007",
    "recipient_id": 718443,
    "sender_id": 673483,
    "sender_screen_name": "dewitt",
    "recipient_screen_name": "kesuke",
    "text": "a private message",
    "id": 3496342,
}

DM_EVENT: Obj = {
    "event": {
        "type": "message_create",
        "id": "1150493286110552068",
        "created_timestamp": "1563133949197",
        "message_create": {
            "target": {"recipient_id": "1072250532645998596"},
            "sender_id": "1072250532645998596",
            "message_data": {"text": "test message", "entities": {"hashtags": []}},
        },
    }
}

V2_DM_EVENTS: Obj = {
    "data": [{"event_type": "MessageCreate", "id": "1585823814956482567", "text": "Testing 2"}],
    "meta": {"result_count": 1},
}

ID_LIST: Obj = {
    "ids": [857699969263964161, 786491, 15772978],
    "next_cursor": 0,
    "next_cursor_str": "0",
    "previous_cursor": 0,
    "previous_cursor_str": "0",
}

CURSORED_USERS: Obj = {
    "users": [v1_user("alice_a", 11), v1_user("bob_b", 12)],
    "next_cursor": 0,
    "next_cursor_str": "0",
    "previous_cursor": 0,
    "previous_cursor_str": "0",
}

TRENDS: list[Obj] = [
    {
        "trends": [
            {
                "name": "#SomeTag",
                "url": "http://twitter.com/search?q=%23SomeTag",
                "promoted_content": None,
                "query": "%23SomeTag",
                "tweet_volume": 152046,
            }
        ],
        "as_of": "2016-04-12T02:11:22Z",
        "locations": [{"woeid": 1, "name": "Worldwide"}],
    }
]

OEMBED: Obj = {
    "url": "https://twitter.com/Interior/status/463440424141459456",
    "author_name": "US Department of the Interior",
    "author_url": "https://twitter.com/Interior",
    "html": '<blockquote class="twitter-tweet"><p>Sunset</p>&mdash; US Interior (@Interior) '
    '<a href="https://twitter.com/Interior/status/463440424141459456">May 5, 2014</a>'
    "</blockquote>",
    "width": 550,
    "height": None,
    "type": "rich",
    "cache_age": "3153600000",
    "provider_name": "Twitter",
    "provider_url": "https://twitter.com",
    "version": "1.0",
}

PLACE: Obj = {
    "result": {
        "places": [
            {
                "id": "1ffd3558f2e98349",
                "url": "https://api.twitter.com/1.1/geo/id/1ffd3558f2e98349.json",
                "place_type": "neighborhood",
                "name": "Dogpatch",
                "full_name": "Dogpatch, San Francisco",
                "country_code": "US",
                "country": "United States",
            }
        ]
    }
}

OTHER_API_OBJECTS: list[Any] = [
    V1_LIST,
    DM_V1,
    DM_EVENT,
    V2_DM_EVENTS,
    ID_LIST,
    TRENDS,
    PLACE,
    {"media_id": 737956420046356480, "media_id_string": "737956420046356480", "size": 3058,
     "expires_after_secs": 86400},
    {"id": "1170025343920402432", "action": "delete", "created_at": "2019-09-06T17:25:54.667Z",
     "reason": "protected"},
    {"data": [{"end": "2021-10-16T19:00:00.000Z", "start": "2021-10-16T18:21:34.000Z",
               "tweet_count": 3961}], "meta": {"total_tweet_count": 3961}},
    {"data": [{"id": "1ynKOZVRyOwxR", "state": "ended"}]},
    {"data": {"id": "1522926890658549760", "name": "Test List"}},
    {"data": [{"id": "178798503", "name": "US Cities"}], "meta": {"result_count": 1}},
    {"meta": {"result_count": 0}},
    {"data": {"dm_conversation_id": "1585800614365339648", "dm_event_id": "1585800614365339652"}},
    {"relationship": {"source": {"id": 1, "id_str": "1", "screen_name": "a_b", "following": True},
                      "target": {"id": 2, "id_str": "2", "screen_name": "c_d"}}},
    [{"name": "dick", "id": 6385432, "screen_name": "dickc", "id_str": "6385432",
      "connections": ["muting"]}],
    {"resources": {"statuses": {"/statuses/show/:id": {"limit": 900, "remaining": 900,
                                                       "reset": 1452254278}}}},
    {"non_username_paths": ["about", "account"], "short_url_length_https": 23},
    {"id": 1149868003661684736, "id_str": "1149868003661684736", "query": "test", "name": "test",
     "position": None, "created_at": "Sat Jul 13 02:27:50 +0000 2019"},
    {"display_url": "pic.twitter.com/NWg4YmiZKA", "id": 698657676939685888,
     "media_url_https": "https://pbs.twimg.com/tweet_video_thumb/CbIhdJ2W8AASWjq.jpg",
     "type": "animated_gif", "url": "https://t.co/NWg4YmiZKA"},
    {"data": {"type": "tweets", "resumable": False, "upload_expires_at": "2022-05-07T13:35:52Z",
              "download_expires_at": "2022-05-14T13:20:52Z"}},
    {"errors": [{"title": "Not Found Error", "detail": "Could not find tweet",
                 "type": "https://api.twitter.com/2/problems/resource-not-found"}]},
]  # fmt: skip

POSITIVES: list[Any] = [
    V1_EXTENDED,
    V1_RETWEET,
    V1_QUOTE,
    V2_ENVELOPE,
    V2_ITEM_NO_INCLUDES,
    V2_DEFAULT_FIELDS,
    V2_FLAT,
    V2_FLAT_REPLY_AND_QUOTE,
    V2_FLAT_RETWEET_OF_QUOTE,
    V2_ITEM_RETWEET,
    [ARCHIVE_TWEET],
    ACTIVITY_POST,
    activity_share(),
    SNSCRAPE_TWEET,
    SNSCRAPE_NO_TYPE,
    SYNDICATION,
    GRAPHQL,
    V1_USER_WITH_STATUS,
    V1_USER_WITH_RETWEET,
    V2_USERS,
    CURSORED_USERS,
    OEMBED,
    *OTHER_API_OBJECTS,
]

# ---------------------------------------------------------------------------------------------
# Negatives: other platforms and generic JSON

MASTODON_STATUS: Obj = {
    "id": "109372534894565321",
    "created_at": "2022-11-22T10:00:00.000Z",
    "in_reply_to_id": None,
    "in_reply_to_account_id": None,
    "sensitive": False,
    "spoiler_text": "",
    "visibility": "public",
    "language": "en",
    "uri": "https://mastodon.social/users/Gargron/statuses/109372534894565321",
    "url": "https://mastodon.social/@Gargron/109372534894565321",
    "replies_count": 3,
    "reblogs_count": 5,
    "favourites_count": 12,
    "text": "source text of a deleted toot",
    "content": "<p>Hello fediverse</p>",
    "reblog": None,
    "account": {
        "id": "1",
        "username": "Gargron",
        "acct": "Gargron",
        "display_name": "Eugen",
        "followers_count": 300000,
        "following_count": 400,
        "statuses_count": 70000,
        "url": "https://mastodon.social/@Gargron",
        "created_at": "2016-03-16T00:00:00.000Z",
    },
    "media_attachments": [],
    "mentions": [],
    "tags": [],
}

ACTIVITYPUB_CREATE: Obj = {
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": "https://mastodon.social/users/Gargron/statuses/1/activity",
    "type": "Create",
    "actor": "https://mastodon.social/users/Gargron",
    "published": "2022-11-22T10:00:00Z",
    "object": {
        "id": "https://mastodon.social/users/Gargron/statuses/1",
        "type": "Note",
        "content": "<p>Hello</p>",
        "attributedTo": "https://mastodon.social/users/Gargron",
    },
}

OSTATUS_ACTIVITY: Obj = {
    "id": "tag:mastodon.social,2016-11-24:objectId=1:objectType=Status",
    "objectType": "activity",
    "verb": "post",
    "postedTime": "2016-11-24T10:00:00Z",
    "body": "hello from GNU social",
    "link": "https://mastodon.social/@Gargron/1",
    "actor": {
        "objectType": "person",
        "id": "https://mastodon.social/users/Gargron",
        "preferredUsername": "Gargron",
        "link": "https://mastodon.social/@Gargron",
    },
    "object": {"objectType": "note", "id": "https://mastodon.social/users/Gargron/statuses/1"},
}

BLUESKY_POST: Obj = {
    "uri": "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3k2yihcrp6f2c",
    "cid": "bafyreifzi5xyrf3c5jw7cci4zrltyl25ik2dboznop4qo4cotcfbyjtita",
    "value": {"text": "new text", "$type": "app.bsky.feed.post", "createdAt": "2024-02-22"},
}

BLUESKY_THREAD: Obj = {
    "thread": {
        "$type": "app.bsky.feed.defs#threadViewPost",
        "post": {
            "uri": "at://did:plc:abc/app.bsky.feed.post/3kaheyt6vpc22",
            "author": {"did": "did:plc:abc", "handle": "test.bsky.social", "displayName": "T"},
            "record": {"$type": "app.bsky.feed.post", "text": "see https://twitter.com/x/status/1"},
            "indexedAt": "2023-11-01T00:00:00Z",
        },
    }
}

REDDIT_LISTING: Obj = {
    "kind": "Listing",
    "data": {
        "after": "t3_abc",
        "children": [
            {
                "kind": "t3",
                "data": {
                    "id": "1a2b3c",
                    "title": "Look at this",
                    "selftext": "text",
                    "author": "someone",
                    "subreddit": "pics",
                    "score": 42,
                    "created_utc": 1700000000.0,
                    "url": "https://twitter.com/jack/status/20",
                },
            }
        ],
    },
}

GITHUB_ISSUE: Obj = {
    "id": 1,
    "node_id": "MDU6SXNzdWUx",
    "url": "https://api.github.com/repos/octocat/Hello-World/issues/1347",
    "number": 1347,
    "state": "open",
    "title": "Found a bug",
    "body": "Reported at https://twitter.com/someone/status/887453193294282752",
    "user": {"login": "octocat", "id": 1, "type": "User", "site_admin": False},
    "created_at": "2011-04-22T13:33:48Z",
}

DISCORD_MESSAGE: Obj = {
    "id": "1100000000000000000",
    "channel_id": "1090000000000000000",
    "content": "hi there",
    "timestamp": "2023-04-20T00:00:00.000000+00:00",
    "author": {"id": "80351110224678912", "username": "nelly", "discriminator": "1337"},
}

WEIBO_STATUS: Obj = {
    "created_at": "Tue May 31 17:46:55 +0800 2011",
    "id": 11488058246,
    "idstr": "11488058246",
    "mid": "5612814510546515491",
    "text": "求关注。",
    "source": '<a href="http://weibo.com" rel="nofollow">新浪微博</a>',
    "favorited": False,
    "truncated": False,
    "reposts_count": 8,
    "comments_count": 9,
    "user": {"id": 1404376560, "screen_name": "zaku", "followers_count": 1204},
}

STATUSNET_STATUS: Obj = {
    "text": "hello from identi.ca",
    "truncated": False,
    "created_at": "Tue Mar 06 10:00:00 +0000 2012",
    "id": 12345,
    "source": "web",
    "favorited": False,
    "statusnet_html": "hello from identi.ca",
    "statusnet_conversation_id": 999,
    "user": {"id": 1, "screen_name": "evan", "statusnet_profile_url": "https://identi.ca/evan"},
}

NEGATIVES: list[Any] = [
    MASTODON_STATUS,
    ACTIVITYPUB_CREATE,
    OSTATUS_ACTIVITY,
    BLUESKY_POST,
    BLUESKY_THREAD,
    REDDIT_LISTING,
    GITHUB_ISSUE,
    DISCORD_MESSAGE,
    WEIBO_STATUS,
    STATUSNET_STATUS,
    {"id": 1, "text": "hello"},
    {"id": "123", "text": "hello", "lang": "en"},
    {"id": 887453193294282752, "text": "an int id alone is not enough"},
    {"data": {"id": "57", "text": "generic wrapper"}},
    {"data": {"id": "12345", "name": "a named resource"}},
    {"data": {"type": "articles", "id": "1", "attributes": {"title": "JSON:API"}}},
    {"text": "python", "indices": [5, 12]},
    {"error": "test error"},
    {"data": {"liked": True}},
    {"user": "someone", "text": "@user nice signage", "label": 1},
    {"tweet": "a column literally named tweet", "label": 0},
    {"tweet": {"text": "nested but no id"}},
    [{"size": 26, "slug": "sports", "name": "Sports"}],
    {"username": "bob", "id": 5, "email": "bob@example.com"},
    {"id": "7", "name": "Bob", "username": "bob", "email": "bob@example.com"},
]


# ---------------------------------------------------------------------------------------------
# Tests


def test_rules_are_stable_x_post_rules() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert {"json.v1_post", "json.v2_post", "json.v2_envelope", "json.archive"} <= set(ids)
    assert {"json.activity_stream", "json.snscrape", "json.syndication", "json.user"} <= set(ids)
    assert "json.api_object" in ids
    assert all(r.category == "x_post" and r.category in CATEGORIES for r in RULES)


def test_v1_extended_tweet() -> None:
    ev = analyze_object(V1_EXTENDED)
    assert rules(ev) == {"json.v1_post"}
    assert authors(ev) == {"nasa_moon"}
    assert all(e.category == "x_post" and e.span is None for e in ev)


def test_v1_retweet_adds_original_author() -> None:
    assert authors(analyze_object(V1_RETWEET)) == {"deckhand_99", "jack_sparrow"}


def test_v1_retweet_without_original_user_uses_rt_prefix() -> None:
    rt = copy.deepcopy(V1_RETWEET)
    del rt["retweeted_status"]["user"]
    assert authors(analyze_object(rt)) == {"deckhand_99", "jack_sparrow"}


def test_v1_quote_adds_quoted_author() -> None:
    assert authors(analyze_object(V1_QUOTE)) == {"critic_23", "interior"}


def test_v1_trimmed_user_gives_numeric_id() -> None:
    post = v1_post(
        253650670274637824, None, "phone books", user={"id": 14364433, "id_str": "14364433"}
    )
    ev = analyze_object(post)
    assert rules(ev) == {"json.v1_post"} and authors(ev) == {"14364433"}


def test_v1_without_user_has_unknown_author() -> None:
    ev = analyze_object(v1_post(867833721579122688, None, "user object was removed"))
    assert rules(ev) == {"json.v1_post"}
    assert authors(ev) == set() and unknown(ev)


def test_v1_own_media_link_names_the_author() -> None:
    # Embedded statuses carry no user, but X links the post's media at /{author}/status/{id}.
    post = copy.deepcopy(V1_EXTENDED)
    del post["user"]
    assert authors(analyze_object(post)) == {"nasa_moon"}
    other = copy.deepcopy(post)  # a link to someone else's post is not the author
    other["extended_tweet"]["entities"]["media"][0]["expanded_url"] = (
        "https://twitter.com/other/status/1/photo/1"
    )
    assert authors(analyze_object(other)) == set()


def test_early_v1_status_with_three_keys() -> None:
    ev = analyze_object(
        {"created_at": "Fri Jun 01 16:06:28 +0000 2007", "text": "addicted", "id": 86991742}
    )
    assert rules(ev) == {"json.v1_post"}


def test_flattened_exports() -> None:
    # pandas.json_normalize / rtweet-style flat rows
    flat = {
        "id": 887453193294282752,
        "id_str": "887453193294282752",
        "text": "hello",
        "created_at": "Tue Jul 18 23:25:04 +0000 2017",
        "user.screen_name": "FlatUser",
        "user.id_str": "42",
    }
    assert authors(analyze_object(flat)) == {"flatuser"}
    rtweet = {
        "status_id": "887453193294282752",
        "screen_name": "rtweet_user",
        "user_id": "42",
        "text": "RT @orig: words",
        "is_retweet": True,
        "retweet_screen_name": "orig",
        "favorite_count": 1,
        "retweet_count": 2,
    }
    ev = analyze_object(rtweet)
    assert rules(ev) == {"json.v1_post"} and authors(ev) == {"rtweet_user", "orig"}


def test_v2_envelope_resolves_authors_through_includes() -> None:
    ev = analyze_object(V2_ENVELOPE)
    assert rules(ev) == {"json.v2_envelope"}
    assert authors(ev) == {"sitirapiamat", "xtxxzinfo", "orig_author"}
    assert not unknown(ev)


def test_v2_retweet_without_includes_uses_rt_prefix() -> None:
    env = copy.deepcopy(V2_ENVELOPE)
    del env["includes"]["tweets"]
    assert authors(analyze_object(env), profiles=False) == {
        "sitirapiamat",
        "xtxxzinfo",
        "orig_author",
    }


def test_v2_item_without_includes_gives_numeric_author() -> None:
    ev = analyze_object(V2_ITEM_NO_INCLUDES)
    assert rules(ev) == {"json.v2_post"} and authors(ev) == {"19739122"}


def test_v2_default_fields_only() -> None:
    ev = analyze_object(V2_DEFAULT_FIELDS)
    assert rules(ev) == {"json.v2_post"} and unknown(ev)
    # before edit_history existed the default response was just {id, text}: a string
    # Snowflake id that decodes to a real time makes it a post, an int or small id does not.
    assert rules(analyze_object({"id": "1522929456142245888", "text": "Test"})) == {"json.v2_post"}


def test_twarc_flattened_post() -> None:
    ev = analyze_object(V2_FLAT)
    assert rules(ev) == {"json.v2_post"}
    assert authors(ev) == {"alexandravm12", "williamserafino"}


def test_twarc_flattened_reply_adds_every_carried_post() -> None:
    ev = analyze_object(V2_FLAT_REPLY_AND_QUOTE)
    assert rules(ev) == {"json.v2_post"} and not unknown(ev)
    # The replied-to post's text is in the record, so an opt-out of its author must apply;
    # a mere reply pointer (in_reply_to_user_id) adds nobody (see the detached-status test).
    assert authors(ev) == {"replier_1", "parent_poster", "grandparent", "quoted_news"}


def test_twarc_flattened_retweet_of_a_quote_adds_both() -> None:
    ev = analyze_object(V2_FLAT_RETWEET_OF_QUOTE)
    assert authors(ev) == {"sharer_3", "rt_source", "quoted_news"}


def test_v2_item_retweet_names_the_retweeted_author_from_the_rt_prefix() -> None:
    ev = analyze_object(V2_ITEM_RETWEET)
    assert rules(ev) == {"json.v2_post"}
    # no includes: the poster stays a numeric id; the prefix names the retweeted author
    assert authors(ev) == {"4400000001", "river_watch"}
    quote = copy.deepcopy(V2_ITEM_RETWEET)
    quote["text"] = "RT @river_watch: not a retweet, just text"
    quote["referenced_tweets"] = [{"type": "quoted", "id": "1440000000000000202"}]
    assert authors(analyze_object(quote)) == {"4400000001"}  # only a retweet has the prefix


def test_twarc_csv_flat_columns() -> None:
    row = {
        "id": 1440716522796638212,  # CSV loaders turn the id into an integer
        "text": "hello",
        "author_id": 19739122,
        "conversation_id": 1440716522796638212,
        "public_metrics.like_count": 2,
        "author.username": "CsvAuthor",
        "label": 1,
    }
    ev = analyze_object(row)
    assert rules(ev) == {"json.v2_post"} and authors(ev) == {"csvauthor"}


def test_archive_file_text() -> None:
    ev = analyze_json_text(ARCHIVE_TEXT)
    assert ev is not None and rules(ev) == {"json.archive"}
    assert authors(ev) == set() and unknown(ev)  # the owner is not named in tweets.js
    assert analyze_json_text("window.YTD.tweet.part0 = []") is not None
    assert rules(analyze_json_text("window.YTD.tweets.part3 = [];")) == {"json.archive"}
    # the prefix alone identifies an archive file, even truncated
    assert rules(analyze_json_text(ARCHIVE_TEXT[:60])) == {"json.archive"}


def test_archive_account_names_owner() -> None:
    text = (
        'window.YTD.account.part0 = [{"account": {"email": "a@example.com", '
        '"createdVia": "web", "username": "ArchiveOwner", "accountId": "1234567", '
        '"createdAt": "2012-01-01T00:00:00.000Z", "accountDisplayName": "Owner"}}]'
    )
    ev = analyze_json_text(text)
    assert rules(ev) == {"json.archive"} and authors(ev) == {"archiveowner"}


def test_archive_items_without_prefix() -> None:
    assert rules(analyze_object([ARCHIVE_TWEET])) == {"json.archive"}
    like = {
        "like": {
            "tweetId": "887453193294282752",
            "fullText": "liked text",
            "expandedUrl": "https://twitter.com/i/web/status/887453193294282752",
        }
    }
    assert rules(analyze_object(like)) == {"json.archive"}
    # an archive tweet flattened out of its wrapper keeps its archive-only edit_info
    assert rules(analyze_object(ARCHIVE_TWEET["tweet"])) == {"json.archive"}


def test_activity_stream_post() -> None:
    ev = analyze_object(ACTIVITY_POST)
    assert rules(ev) == {"json.activity_stream"} and authors(ev) == {"robotprincessfi"}


def test_activity_stream_share_and_quote() -> None:
    assert authors(analyze_object(activity_share())) == {
        "robotprincessfi",
        "notfromshrek",
        "quotedperson",
    }


def test_arrow_struct_rows_with_none_filled_keys() -> None:
    # Arrow gives every row every schema key, with None where the key was missing.
    groups = [[ACTIVITY_POST, activity_share()], [V1_EXTENDED, V1_RETWEET, V1_QUOTE]]
    for rows in groups:
        for original, back in zip(rows, pa.array(rows).to_pylist(), strict=True):
            assert back != original  # keys of the other rows were added as None
            assert rules(analyze_object(back)) == rules(analyze_object(original))
            assert authors(analyze_object(back)) == authors(analyze_object(original))


def test_snscrape() -> None:
    ev = analyze_object(SNSCRAPE_TWEET)
    assert rules(ev) == {"json.snscrape"} and authors(ev) == {"someone_x", "friend_y"}
    ev = analyze_object(SNSCRAPE_NO_TYPE)
    assert rules(ev) == {"json.snscrape"} and authors(ev) == {"someone_x"}


def test_syndication() -> None:
    ev = analyze_object(SYNDICATION)
    assert rules(ev) == {"json.syndication"} and authors(ev) == {"twitterdev", "quoteddev"}
    reply = copy.deepcopy(SYNDICATION)
    reply["parent"] = {
        "id_str": "1228000000000000001",
        "text": "the post replied to",
        "user": {"id_str": "2", "screen_name": "ParentDev", "name": "P"},
    }
    # the parent's text is carried inline, so its author counts
    assert authors(analyze_object(reply)) == {"twitterdev", "quoteddev", "parentdev"}
    assert rules(analyze_object({"__typename": "TweetTombstone", "tombstone": {}})) == {
        "json.syndication"
    }


def test_graphql() -> None:
    ev = analyze_object(GRAPHQL)
    assert rules(ev) == {"json.graphql"} and authors(ev) == {"graphauthor", "retweeted1"}


def test_user_object_with_status() -> None:
    ev = analyze_object(V1_USER_WITH_STATUS)
    assert rules(ev) == {"json.user", "json.v1_post"}
    # the profile owner, and the author of the embedded status is the enclosing user
    assert authors(ev) == {"facebook"} and authors(ev, profiles=False) == {"facebook"}


def test_user_status_retweet_adds_the_retweeted_author() -> None:
    ev = analyze_object(V1_USER_WITH_RETWEET)
    assert rules(ev) == {"json.user", "json.v1_post"}
    assert authors(ev, profiles=False) == {"relay_account", "first_voice"}  # not @bystander


def test_detached_status_names_no_author_from_mentions_or_reply_fields() -> None:
    # A user.status saved without its user: the enclosing user is not in the record.
    status = v1_post(
        1585000000000000302,
        None,
        "@someone_else thanks, and hello @third_party",
        in_reply_to_screen_name="someone_else",
        in_reply_to_user_id_str="77",
        entities={"user_mentions": [{"screen_name": "third_party", "indices": [28, 40]}]},
    )
    ev = analyze_object(status)
    assert rules(ev) == {"json.v1_post"} and authors(ev) == set() and unknown(ev)
    retweet = v1_post(
        1585000000000000303,
        None,
        "RT @first_voice: said it first",
        retweeted_status=v1_post(1584000000000000304, None, "said it first"),
    )
    ev = analyze_object(retweet)
    assert authors(ev) == {"first_voice"} and unknown(ev)  # the retweeter stays unknown


def test_user_profiles_name_their_owners() -> None:
    ev = analyze_object(v1_user("ProfileOnly", 7))
    assert rules(ev) == {"json.user"} and authors(ev) == {"profileonly"}
    ev = analyze_object(V2_USERS)
    assert rules(ev) == {"json.user"} and authors(ev) == {"x", "xdevelopers"}
    ev = analyze_object(CURSORED_USERS)
    assert rules(ev) == {"json.user", "json.api_object"} and authors(ev) == {"alice_a", "bob_b"}


def test_oembed_names_the_post_author() -> None:
    ev = analyze_object(OEMBED)
    assert rules(ev) == {"json.api_object"} and authors(ev) == {"interior"}


@pytest.mark.parametrize("obj", OTHER_API_OBJECTS, ids=lambda o: json.dumps(o)[:40])
def test_other_api_objects(obj: Any) -> None:
    ev = analyze_object(obj)
    assert "json.api_object" in rules(ev)
    assert analyze_json_text(json.dumps(obj)) == ev


def details(ev: list[Evidence]) -> dict[str, str | None]:
    return {e.rule: e.detail for e in ev}


SHAPE_NAMES = {shape.name for shape in (*API_OBJECTS, *V2_ITEMS, OEMBED_SHAPE)}


@pytest.mark.parametrize("obj", OTHER_API_OBJECTS, ids=lambda o: json.dumps(o)[:40])
def test_every_api_object_says_which_shape_fired(obj: Any) -> None:
    detail = details(analyze_object(obj))["json.api_object"]
    assert detail is not None
    assert set(detail.split(", ")) <= SHAPE_NAMES | {"list", "cursored_page", "v2_meta"}


@pytest.mark.parametrize(
    ("obj", "shape"),
    [
        (DM_EVENT, "dm_event"),
        (V2_DM_EVENTS, "dm_event"),
        (DM_V1, "direct_message"),
        (V1_LIST, "list"),
        (TRENDS, "trend"),
        (PLACE, "place"),
        (OEMBED, "oembed"),
        (CURSORED_USERS, "cursored_page"),
        ({"resources": {"help": {"/help/languages": {"limit": 15}}}}, "rate_limit_status"),
        ({"screen_name": "a_b", "indices": [0, 4], "id": 1}, "entity"),
        ({"code": "fr", "name": "French", "local_name": "Français", "status": "production"},
         "language"),
        ({"delete": {"status": {"id": 1, "id_str": "1", "user_id": 3, "user_id_str": "3"}}},
         "delete_notice"),
        ({"scrub_geo": {"user_id": 14090452, "up_to_status_id_str": "23260136625"}},
         "scrub_geo_notice"),
    ],
)  # fmt: skip
def test_api_object_detail_names_the_shape(obj: Any, shape: str) -> None:
    assert details(analyze_object(obj)).get("json.api_object") == shape


def test_one_evidence_per_rule_names_every_shape_in_order() -> None:
    ev = analyze_object([DM_EVENT, PLACE, DM_V1, DM_EVENT])
    assert [(e.rule, e.detail) for e in ev] == [
        ("json.api_object", "dm_event, place, direct_message")
    ]


def test_post_and_user_evidence_names_the_shape() -> None:
    assert details(analyze_object(V1_EXTENDED)) == {"json.v1_post": "v1.1 post"}
    assert details(analyze_object(V2_ENVELOPE))["json.v2_envelope"] == "v2 post"
    assert details(analyze_object(V1_USER_WITH_STATUS)) == {
        "json.user": "v1.1 user",
        "json.v1_post": "v1.1 post",
    }
    assert details(analyze_object(SNSCRAPE_TWEET)) == {"json.snscrape": "snscrape post"}
    assert details(analyze_json_text(ARCHIVE_TEXT) or [])["json.archive"] == "archive tweet"
    assert details(analyze_json_text("window.YTD.tweets.part0 = [") or []) == {
        "json.archive": "archive file"
    }


def test_list_owner_and_dm_parties_are_not_authors() -> None:
    # Lists and DMs are X objects but carry no post: no author (policy: unknown author).
    for obj in (V1_LIST, DM_V1, DM_EVENT):
        ev = analyze_object(obj)
        assert authors(ev) == set() and unknown(ev)


@pytest.mark.parametrize("obj", NEGATIVES, ids=lambda o: json.dumps(o, ensure_ascii=True)[:40])
def test_negatives(obj: Any) -> None:
    assert analyze_object(obj) == []
    assert analyze_json_text(json.dumps(obj)) == []


def test_mastodon_and_bluesky_wrapped_in_lists() -> None:
    assert analyze_object([MASTODON_STATUS, {"wrapper": [BLUESKY_THREAD, OSTATUS_ACTIVITY]}]) == []


def test_mixed_record_finds_nested_post() -> None:
    row = {"meta": {"source": "crawl"}, "payload": {"items": [MASTODON_STATUS, V1_EXTENDED]}}
    assert authors(analyze_object(row)) == {"nasa_moon"}


def test_unknown_and_known_authors_are_both_reported() -> None:
    ev = analyze_object([V1_EXTENDED, v1_post(867833721579122688, None, "no user")])
    assert [e.rule for e in ev] == ["json.v1_post", "json.v1_post"]
    assert {e.authors for e in ev} == {("nasa_moon",), ()}


def test_a_carried_post_without_author_makes_the_author_unknown() -> None:
    quoted = {"_type": "snscrape.modules.twitter.Tweet", "id": 1598000000000000000,
              "rawContent": "a friend's words"}  # fmt: skip
    ev = analyze_object({**SNSCRAPE_TWEET, "quotedTweet": quoted})
    assert {e.authors for e in ev} == {("someone_x",), ()}


def test_analyze_json_text_none_for_non_json() -> None:
    not_json = ["", "   ", "hello world", "RT @jack: hi", '"{"', "{not json", "[1, 2,",
                "window.x = 1", "\x00{}", "{'a': }"]  # fmt: skip
    for text in not_json:
        assert analyze_json_text(text) is None, text
    assert analyze_json_text("{}") == []
    assert analyze_json_text("\ufeff" + json.dumps(V1_EXTENDED))
    assert analyze_json_text("  \n [1, 2, 3]") == []
    assert analyze_json_text(123) is None  # type: ignore[arg-type]


def test_python_literal_rows_are_understood() -> None:
    # str(dict) written into CSV columns is common in tweet datasets
    text = repr(V1_EXTENDED)
    assert rules(analyze_json_text(text)) == {"json.v1_post"}
    assert prefilter_matches([text], PREFILTER) == [True]


def test_deep_nesting_finds_the_post_at_any_depth() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert analyze_json_text(deep) is None  # beyond json's own limit: not parseable here
    nested: Any = V1_EXTENDED
    for _ in range(5_000):
        nested = {"wrap": [nested]}
    assert rules(analyze_object(nested)) == {"json.v1_post"}
    shallow: Any = V1_EXTENDED
    for _ in range(5):
        shallow = {"wrap": [shallow]}
    assert rules(analyze_object(shallow)) == {"json.v1_post"}


def test_cycles_do_not_hang() -> None:
    a: dict[str, Any] = {"x": 1}
    a["self"] = a
    b: list[Any] = []
    b.append(b)
    assert analyze_object(a) == [] and analyze_object(b) == []


def test_huge_arrays_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from xfilter.detect.posts import MAX_NODES
    from xfilter.detect.posts.fields import Collector

    big = {"ids": list(range(1_000_000)), "next_cursor_str": "0", "previous_cursor_str": "0"}
    junk = [[{"k": [i, str(i)]} for i in range(50)] for _ in range(5_000)]
    visits: list[int] = []
    tick = Collector.tick

    def counted(self: Collector) -> bool:
        visits.append(1)
        return tick(self)

    monkeypatch.setattr(Collector, "tick", counted)
    assert rules(analyze_object(big)) == {"json.api_object"}
    assert analyze_object(junk) == []
    # the walk stops after MAX_NODES visits per object instead of touching every element
    assert len(visits) <= 2 * MAX_NODES


def test_prefilter_matches_every_flagged_positive() -> None:
    texts = [json.dumps(o) for o in POSITIVES]
    texts += [json.dumps(o, indent=2) for o in POSITIVES]  # archive-style "key" : value
    texts += [ARCHIVE_TEXT, repr(V2_ENVELOPE)]
    for t in texts:
        assert analyze_json_text(t), t[:80]
    assert all(prefilter_matches(texts, PREFILTER))


def test_prefilter_does_not_match_prose() -> None:
    prose = [
        "Follow us on Twitter: twitter.com/somebody and x.com/somebody",
        "Wonderful game today pic.twitter.com/soxnfJGWwd — Jane Doe (@janedoe) Dec 27, 2014",
        "see https://x.com/jack/status/20 for the first post",
        "RT @jack: just setting up my twttr",
        "Posted Wed Oct 10 20:19:24 +0000 2018 by the screen_name owner",
        "Netflix.com and dropbox.com are not X; neither is https://t.co/abc in prose",
        "The user id is 887453193294282752 and the username is bob.",
    ]
    assert not any(prefilter_matches(prose, PREFILTER))
    # It may over-match JSON (a Mastodon status has a string id and a username), but not all
    # JSON: Bluesky and ActivityPub objects carry none of its anchors.
    others = [BLUESKY_POST, BLUESKY_THREAD, ACTIVITYPUB_CREATE, {"id": 1, "text": "hello"}]
    assert not any(prefilter_matches([json.dumps(o) for o in others], PREFILTER))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    for candidate in (text, "{" + text, "[" + text, "window.YTD.tweets.part0 = " + text):
        result = analyze_json_text(candidate)
        assert result is None or isinstance(result, list)


@pytest.mark.parametrize(
    "obj",
    [
        {"data": [{"event_type": ["MessageCreate"], "id": "1585823814956482567"}]},
        {"data": [{"id": "1ynKOZVRyOwxR", "state": {"live": True}}]},
    ],
    ids=lambda o: json.dumps(o)[:40],
)
def test_a_list_or_object_where_x_has_a_word_never_raises(obj: Obj) -> None:
    assert analyze_object(obj) == []
    assert analyze_json_text(json.dumps(obj)) == []


GENERIC_KEYS = st.sampled_from(
    ["id", "text", "name", "title", "body", "url", "created_at", "author", "user", "content",
     "type", "value", "items", "label", "score", "lang", "source", "date", "tags", "count"]
)  # fmt: skip
GENERIC_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.text(max_size=20),
    st.sampled_from(["2021-09-22T16:38:07.000Z", "en", "hello", "42", "https://example.com/a"]),
)
GENERIC_JSON = st.recursive(
    GENERIC_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(GENERIC_KEYS, children, max_size=6)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(GENERIC_JSON)
def test_generic_json_is_never_x(obj: Any) -> None:
    """Objects built only from everyday keys and values never look like X objects."""
    assert analyze_object(obj) == []


# ---------------------------------------------------------------------------------------------
# Schema-level decision for Arrow struct columns


def struct_of(rows: list[Any]) -> pa.DataType:
    return pa.array(rows).type


def test_struct_type_is_post() -> None:
    assert struct_type_is_post(struct_of([V1_EXTENDED, V1_RETWEET])) == "json.v1_post"
    assert struct_type_is_post(struct_of([V2_ITEM_NO_INCLUDES, V2_FLAT])) == "json.v2_post"
    assert struct_type_is_post(struct_of([ACTIVITY_POST])) == "json.activity_stream"
    assert struct_type_is_post(struct_of([SNSCRAPE_TWEET])) == "json.snscrape"
    assert struct_type_is_post(struct_of([v1_user("a_b", 1)])) == "json.user"
    assert struct_type_is_post(struct_of([ARCHIVE_TWEET])) == "json.archive"
    assert struct_type_is_post(pa.list_(struct_of([V1_EXTENDED]))) == "json.v1_post"


def test_struct_type_is_not_post() -> None:
    for rows in ([MASTODON_STATUS], [OSTATUS_ACTIVITY], [GITHUB_ISSUE], [WEIBO_STATUS],
                 [{"id": 1, "text": "x"}], [DISCORD_MESSAGE], [BLUESKY_POST]):  # fmt: skip
        assert struct_type_is_post(struct_of(rows)) is None
    assert struct_type_is_post(pa.int64()) is None
    assert struct_type_is_post(pa.string()) is None


def test_struct_author_fields_exist_in_schema() -> None:
    arr = pa.array([V1_EXTENDED, V1_RETWEET])
    rule = struct_type_is_post(arr.type)
    assert rule is not None
    handles = pc.struct_field(arr, list(STRUCT_AUTHOR_FIELDS[rule][0]))
    assert handles.to_pylist() == ["NASA_Moon", "deckhand_99"]


def _dict_positives() -> list[Obj]:
    return [o for o in POSITIVES if isinstance(o, dict)]


@pytest.mark.parametrize("obj", _dict_positives(), ids=lambda o: json.dumps(o)[:40])
def test_struct_candidates_cover_every_flagged_row(obj: Obj) -> None:
    arr = pa.array([None, obj])
    assert struct_candidates(arr).tolist() == [False, True]
    assert analyze_object(arr.to_pylist()[1])  # and the None-filled row is still flagged


def test_struct_candidates_lists_maps_chunks() -> None:
    rows = pa.array([[V1_EXTENDED], [], None, [V1_ORIGINAL, V1_QUOTE]])
    assert struct_candidates(rows).tolist() == [True, False, False, True]
    users = pa.array([{"a": {"b": [{"screen_name": "x"}]}}, {"a": None}, None, {"a": {"b": []}}])
    assert struct_candidates(users).tolist() == [True, False, False, False]
    maps = pa.array(
        [[("id_str", "1")], [("other", "1")], [("/statuses/show/:id", "x")]],
        pa.map_(pa.string(), pa.string()),
    )
    assert struct_candidates(maps).tolist() == [True, False, True]
    chunked = pa.chunked_array([pa.array([ACTIVITY_POST]), pa.array([ACTIVITY_POST])])
    assert struct_candidates(chunked).tolist() == [True, True]
    sliced = pa.array([{"id": "x1", "t": 1}, {"id": "887453193294282752", "t": 2}]).slice(1)
    assert struct_candidates(sliced).tolist() == [True]


def test_struct_candidates_skip_other_platforms() -> None:
    for obj in (BLUESKY_POST, BLUESKY_THREAD, ACTIVITYPUB_CREATE, {"id": 1, "text": "hello"}):
        assert struct_candidates(pa.array([obj])).tolist() == [False]
