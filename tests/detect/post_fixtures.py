"""Hand-written X post and platform objects in the shapes docs/x-content-reference.md §2
documents (v1.1, v2, archive, Gnip, snscrape, syndication, GraphQL), with invented content: the
fixtures of the post detector's tests."""

from __future__ import annotations

import copy
import json
from typing import Any

Obj = dict[str, Any]

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
    {"tweet": {"text": "nested but no id"}},
    [{"size": 26, "slug": "sports", "name": "Sports"}],
    {"username": "bob", "id": 5, "email": "bob@example.com"},
    {"id": "7", "name": "Bob", "username": "bob", "email": "bob@example.com"},
]

# ---------------------------------------------------------------------------------------------
# Real scraper output, trimmed (long strings cut, media, entities and most user fields left
# out). Source: github.com/vladkens/twscrape (MIT), commit 9745b021d8a7405bed8bc56a725813367b3f07dd,
# tests/mocked-data/: raw_search.json (the 2024+ user layout, core.screen_name),
# raw_list_timeline.json (TweetWithVisibilityResults), raw_user_tweets.json (a retweet of a
# quote), _issue_28_1.json (the older user layout, legacy.screen_name). The TWSCRAPE_* objects
# are twscrape's own serialisation (Tweet.json()) of raw_user_tweets.json and raw_search.json,
# made by twscrape.models.parse_tweets at that commit.

GRAPHQL_SEARCH_ENTRY: Obj = json.loads(
    r"""
{
 "content": {
  "__typename": "TimelineTimelineItem",
  "itemContent": {
   "__typename": "TimelineTweet",
   "tweet_results": {
    "result": {
     "__typename": "Tweet",
     "core": {
      "user_results": {
       "result": {
        "__typename": "User",
        "core": {
         "name": "Roland Pircher",
         "screen_name": "piloly"
        },
        "id": "VXNlcjoyMDQ3MjQwOQ==",
        "rest_id": "20472409"
       }
      }
     },
     "legacy": {
      "conversation_id_str": "2074976613713031490",
      "created_at": "Wed Jul 08 21:59:10 +0000 2026",
      "favorite_count": 312,
      "full_text": "In Europe*, 4.7k Tesla sales were reported for the…",
      "id_str": "2074976613713031490",
      "is_quote_status": false,
      "lang": "en",
      "quote_count": 9,
      "reply_count": 11,
      "retweet_count": 21,
      "user_id_str": "20472409"
     },
     "rest_id": "2074976613713031490"
    }
   }
  }
 },
 "entryId": "tweet-2074976613713031490",
 "sortIndex": "2085474410189291520"
}
"""
)

GRAPHQL_VISIBILITY_ENTRY: Obj = json.loads(
    r"""
{
 "content": {
  "__typename": "TimelineTimelineItem",
  "itemContent": {
   "__typename": "TimelineTweet",
   "tweet_results": {
    "result": {
     "__typename": "Tweet",
     "core": {
      "user_results": {
       "result": {
        "__typename": "User",
        "core": {
         "name": "Mark Galeotti",
         "screen_name": "MarkGaleotti"
        },
        "id": "VXNlcjoyODA4MjI2MTM=",
        "rest_id": "280822613"
       }
      }
     },
     "legacy": {
      "conversation_id_str": "2085438033092923507",
      "created_at": "Thu Aug 06 18:49:07 +0000 2026",
      "favorite_count": 11,
      "full_text": "Looks to be a very useful and necessary venture",
      "id_str": "2085438033092923507",
      "is_quote_status": true,
      "lang": "en",
      "quote_count": 1,
      "quoted_status_id_str": "2085086539097293084",
      "reply_count": 0,
      "retweet_count": 1,
      "user_id_str": "280822613"
     },
     "quoted_status_result": {
      "result": {
       "__typename": "TweetWithVisibilityResults",
       "tweet": {
        "core": {
         "user_results": {
          "result": {
           "__typename": "User",
           "core": {
            "name": "CSPC",
            "screen_name": "CSPC_DC"
           },
           "id": "VXNlcjoxNTEyMDAyNDA=",
           "rest_id": "151200240"
          }
         }
        },
        "legacy": {
         "conversation_id_str": "2085086539097293084",
         "created_at": "Wed Aug 05 19:32:24 +0000 2026",
         "favorite_count": 8,
         "full_text": "CSPC is launching a new research project on the fu…",
         "id_str": "2085086539097293084",
         "is_quote_status": false,
         "lang": "en",
         "quote_count": 3,
         "reply_count": 0,
         "retweet_count": 0,
         "user_id_str": "151200240"
        },
        "rest_id": "2085086539097293084"
       }
      }
     },
     "rest_id": "2085438033092923507"
    }
   }
  }
 },
 "entryId": "tweet-2085438033092923507",
 "sortIndex": "2085474414006108096"
}
"""
)

GRAPHQL_RETWEET_OF_QUOTE_ENTRY: Obj = json.loads(
    r"""
{
 "content": {
  "__typename": "TimelineTimelineItem",
  "itemContent": {
   "__typename": "TimelineTweet",
   "tweet_results": {
    "result": {
     "__typename": "Tweet",
     "core": {
      "user_results": {
       "result": {
        "__typename": "User",
        "core": {
         "name": "Developers",
         "screen_name": "XDevelopers"
        },
        "id": "VXNlcjoyMjQ0OTk0OTQ1",
        "rest_id": "2244994945"
       }
      }
     },
     "legacy": {
      "conversation_id_str": "2082669627528601817",
      "created_at": "Thu Jul 30 03:28:27 +0000 2026",
      "favorite_count": 0,
      "full_text": "RT @santiagomed: 𝕏 Chat is a full rewrite of DMs o…",
      "id_str": "2082669627528601817",
      "is_quote_status": true,
      "lang": "en",
      "quote_count": 0,
      "quoted_status_id_str": "2082640274845811115",
      "reply_count": 0,
      "retweet_count": 24,
      "retweeted_status_result": {
       "result": {
        "__typename": "Tweet",
        "core": {
         "user_results": {
          "result": {
           "__typename": "User",
           "core": {
            "name": "Santiago",
            "screen_name": "santiagomed"
           },
           "id": "VXNlcjoxMjE1NDQxODM0NDEyOTUzNjAw",
           "rest_id": "1215441834412953600"
          }
         }
        },
        "legacy": {
         "conversation_id_str": "2082642493892628916",
         "created_at": "Thu Jul 30 01:40:38 +0000 2026",
         "favorite_count": 132,
         "full_text": "𝕏 Chat is a full rewrite of DMs on 𝕏 and will repl…",
         "id_str": "2082642493892628916",
         "is_quote_status": true,
         "lang": "en",
         "quote_count": 1,
         "quoted_status_id_str": "2082640274845811115",
         "reply_count": 15,
         "retweet_count": 24,
         "user_id_str": "1215441834412953600"
        },
        "quoted_status_result": {
         "result": {
          "__typename": "Tweet",
          "core": {
           "user_results": {
            "result": {
             "__typename": "User",
             "core": {
              "name": "Developers",
              "screen_name": "XDevelopers"
             },
             "id": "VXNlcjoyMjQ0OTk0OTQ1",
             "rest_id": "2244994945"
            }
           }
          },
          "legacy": {
           "conversation_id_str": "2082640274845811115",
           "created_at": "Thu Jul 30 01:31:49 +0000 2026",
           "favorite_count": 365,
           "full_text": "X Chat API &amp; Chat XDK are live! Free on pay-pe…",
           "id_str": "2082640274845811115",
           "is_quote_status": false,
           "lang": "en",
           "quote_count": 34,
           "reply_count": 53,
           "retweet_count": 64,
           "user_id_str": "2244994945"
          },
          "rest_id": "2082640274845811115"
         }
        },
        "rest_id": "2082642493892628916"
       }
      },
      "user_id_str": "2244994945"
     },
     "rest_id": "2082669627528601817"
    }
   }
  }
 },
 "entryId": "tweet-2082669627528601817",
 "sortIndex": "2085474396218064894"
}
"""
)

GRAPHQL_LEGACY_USER_ENTRY: Obj = json.loads(
    r"""
{
 "entryId": "tweet-1658409412799737856",
 "sortIndex": "7564962624055037951",
 "content": {
  "__typename": "TimelineTimelineItem",
  "itemContent": {
   "__typename": "TimelineTweet",
   "tweet_results": {
    "result": {
     "__typename": "Tweet",
     "rest_id": "1658409412799737856",
     "core": {
      "user_results": {
       "result": {
        "__typename": "User",
        "id": "VXNlcjoxMjk2ODAxOTcwNzc1MzY3Njgw",
        "rest_id": "1296801970775367680",
        "legacy": {
         "name": "RED ROJA 🔻",
         "screen_name": "REDROJA4"
        }
       }
      }
     },
     "edit_perspective": {
      "favorited": false,
      "retweeted": false
     },
     "legacy": {
      "created_at": "Tue May 16 09:49:50 +0000 2023",
      "conversation_id_str": "1658409412799737856",
      "favorite_count": 0,
      "full_text": "RT @SisuMisu3: Esta noche el circo está asegurado …",
      "is_quote_status": false,
      "lang": "es",
      "quote_count": 0,
      "reply_count": 0,
      "retweet_count": 42,
      "user_id_str": "1296801970775367680",
      "id_str": "1658409412799737856",
      "retweeted_status_result": {
       "result": {
        "__typename": "Tweet",
        "rest_id": "1658407192859492355",
        "core": {
         "user_results": {
          "result": {
           "__typename": "User",
           "id": "VXNlcjoyOTQ5MDY1NzIz",
           "rest_id": "2949065723",
           "legacy": {
            "name": "SisuMisu",
            "screen_name": "SisuMisu3"
           }
          }
         }
        },
        "edit_perspective": {
         "favorited": false,
         "retweeted": false
        },
        "legacy": {
         "created_at": "Tue May 16 09:41:01 +0000 2023",
         "conversation_id_str": "1658407192859492355",
         "favorite_count": 60,
         "full_text": "Esta noche el circo está asegurado 😂😂😂\nAyuso se pr…",
         "is_quote_status": false,
         "lang": "es",
         "quote_count": 2,
         "reply_count": 5,
         "retweet_count": 42,
         "user_id_str": "2949065723",
         "id_str": "1658407192859492355"
        }
       }
      }
     }
    }
   },
   "hasModeratedReplies": false
  }
 }
}
"""
)

TWSCRAPE_RETWEET_OF_QUOTE: Obj = json.loads(
    r"""
{
 "id": 2082669627528601817,
 "id_str": "2082669627528601817",
 "url": "https://x.com/XDevelopers/status/2082669627528601817",
 "date": "2026-07-30 03:28:27+00:00",
 "user": {
  "id": 2244994945,
  "id_str": "2244994945",
  "url": "https://x.com/XDevelopers",
  "username": "XDevelopers",
  "displayname": "Developers",
  "followersCount": 695695,
  "_type": "snscrape.modules.twitter.User"
 },
 "lang": "en",
 "rawContent": "RT @santiagomed: 𝕏 Chat is a full rewrite of DMs o…",
 "replyCount": 0,
 "retweetCount": 24,
 "likeCount": 0,
 "quoteCount": 0,
 "bookmarkedCount": 0,
 "conversationId": 2082669627528601817,
 "conversationIdStr": "2082669627528601817",
 "viewCount": 186,
 "retweetedTweet": {
  "id": 2082642493892628916,
  "id_str": "2082642493892628916",
  "url": "https://x.com/santiagomed/status/2082642493892628916",
  "date": "2026-07-30 01:40:38+00:00",
  "user": {
   "id": 1215441834412953600,
   "id_str": "1215441834412953600",
   "url": "https://x.com/santiagomed",
   "username": "santiagomed",
   "displayname": "Santiago",
   "followersCount": 4004,
   "_type": "snscrape.modules.twitter.User"
  },
  "lang": "en",
  "rawContent": "𝕏 Chat is a full rewrite of DMs on 𝕏 and will repl…",
  "replyCount": 15,
  "retweetCount": 24,
  "likeCount": 132,
  "quoteCount": 1,
  "bookmarkedCount": 16,
  "conversationId": 2082642493892628916,
  "conversationIdStr": "2082642493892628916",
  "viewCount": 71164,
  "retweetedTweet": null,
  "quotedTweet": {
   "id": 2082640274845811115,
   "id_str": "2082640274845811115",
   "url": "https://x.com/XDevelopers/status/2082640274845811115",
   "date": "2026-07-30 01:31:49+00:00",
   "user": {
    "id": 2244994945,
    "id_str": "2244994945",
    "url": "https://x.com/XDevelopers",
    "username": "XDevelopers",
    "displayname": "Developers",
    "followersCount": 695695,
    "_type": "snscrape.modules.twitter.User"
   },
   "lang": "en",
   "rawContent": "X Chat API &amp; Chat XDK are live! Free on pay-pe…",
   "replyCount": 53,
   "retweetCount": 64,
   "likeCount": 365,
   "quoteCount": 34,
   "bookmarkedCount": 154,
   "conversationId": 2082640274845811115,
   "conversationIdStr": "2082640274845811115",
   "viewCount": 171142,
   "retweetedTweet": null,
   "quotedTweet": null,
   "inReplyToTweetId": null,
   "inReplyToTweetIdStr": null,
   "inReplyToUser": null,
   "sourceLabel": "Twitter Web App",
   "isQuoteStatus": false,
   "inReplyToScreenName": null,
   "_type": "snscrape.modules.twitter.Tweet"
  },
  "inReplyToTweetId": null,
  "inReplyToTweetIdStr": null,
  "inReplyToUser": null,
  "sourceLabel": "Twitter Web App",
  "isQuoteStatus": true,
  "inReplyToScreenName": null,
  "_type": "snscrape.modules.twitter.Tweet"
 },
 "quotedTweet": {
  "id": 2082640274845811115,
  "id_str": "2082640274845811115",
  "url": "https://x.com/XDevelopers/status/2082640274845811115",
  "date": "2026-07-30 01:31:49+00:00",
  "user": {
   "id": 2244994945,
   "id_str": "2244994945",
   "url": "https://x.com/XDevelopers",
   "username": "XDevelopers",
   "displayname": "Developers",
   "followersCount": 695695,
   "_type": "snscrape.modules.twitter.User"
  },
  "lang": "en",
  "rawContent": "X Chat API &amp; Chat XDK are live! Free on pay-pe…",
  "replyCount": 53,
  "retweetCount": 64,
  "likeCount": 365,
  "quoteCount": 34,
  "bookmarkedCount": 154,
  "conversationId": 2082640274845811115,
  "conversationIdStr": "2082640274845811115",
  "viewCount": 171142,
  "retweetedTweet": null,
  "quotedTweet": null,
  "inReplyToTweetId": null,
  "inReplyToTweetIdStr": null,
  "inReplyToUser": null,
  "sourceLabel": "Twitter Web App",
  "isQuoteStatus": false,
  "inReplyToScreenName": null,
  "_type": "snscrape.modules.twitter.Tweet"
 },
 "inReplyToTweetId": null,
 "inReplyToTweetIdStr": null,
 "inReplyToUser": null,
 "sourceLabel": "Twitter for iPhone",
 "isQuoteStatus": true,
 "inReplyToScreenName": null,
 "_type": "snscrape.modules.twitter.Tweet"
}
"""
)

TWSCRAPE_QUOTE: Obj = json.loads(
    r"""
{
 "id": 2074963269429661921,
 "id_str": "2074963269429661921",
 "url": "https://x.com/teslascope/status/2074963269429661921",
 "date": "2026-07-08 21:06:09+00:00",
 "user": {
  "id": 1115375020782436353,
  "id_str": "1115375020782436353",
  "url": "https://x.com/teslascope",
  "username": "teslascope",
  "displayname": "Teslascope",
  "followersCount": 76282,
  "_type": "snscrape.modules.twitter.User"
 },
 "lang": "en",
 "rawContent": "Tesla software update 2026.20.6.1 is now rolling o…",
 "replyCount": 8,
 "retweetCount": 0,
 "likeCount": 104,
 "quoteCount": 2,
 "bookmarkedCount": 2,
 "conversationId": 2074963269429661921,
 "conversationIdStr": "2074963269429661921",
 "viewCount": 35462,
 "retweetedTweet": null,
 "quotedTweet": {
  "id": 2072535265533456878,
  "id_str": "2072535265533456878",
  "url": "https://x.com/teslascope/status/2072535265533456878",
  "date": "2026-07-02 04:18:07+00:00",
  "user": {
   "id": 1115375020782436353,
   "id_str": "1115375020782436353",
   "url": "https://x.com/teslascope",
   "username": "teslascope",
   "displayname": "Teslascope",
   "followersCount": 76282,
   "_type": "snscrape.modules.twitter.User"
  },
  "lang": "en",
  "rawContent": "We noticed a new Tesla software update 2026.20.6.1…",
  "replyCount": 13,
  "retweetCount": 2,
  "likeCount": 86,
  "quoteCount": 3,
  "bookmarkedCount": 5,
  "conversationId": 2072535265533456878,
  "conversationIdStr": "2072535265533456878",
  "viewCount": 206576,
  "retweetedTweet": null,
  "quotedTweet": null,
  "inReplyToTweetId": null,
  "inReplyToTweetIdStr": null,
  "inReplyToUser": null,
  "sourceLabel": "Teslascope",
  "isQuoteStatus": false,
  "inReplyToScreenName": null,
  "_type": "snscrape.modules.twitter.Tweet"
 },
 "inReplyToTweetId": null,
 "inReplyToTweetIdStr": null,
 "inReplyToUser": null,
 "sourceLabel": "Teslascope",
 "isQuoteStatus": true,
 "inReplyToScreenName": null,
 "_type": "snscrape.modules.twitter.Tweet"
}
"""
)

# ---------------------------------------------------------------------------------------------
# snscrape's older serialisation, in the fields of its Tweet dataclass and the deprecated
# properties it also writes (content, username, outlinks, tcooutlinks …); invented content.

SNSCRAPE_OLD_TWEET: Obj = {
    "_type": "snscrape.modules.twitter.Tweet",
    "url": "https://twitter.com/harbour_news/status/1330000000000000001",
    "date": "2020-11-21T04:20:00+00:00",
    "content": "Ferry times change on Monday.",
    "renderedContent": "Ferry times change on Monday.",
    "id": 1330000000000000001,
    "username": "harbour_news",
    "outlinks": [],
    "outlinksss": "",
    "tcooutlinks": [],
    "tcooutlinksss": "",
}
# The same row with neither _type nor url (a DataFrame of tweets, columns kept).
SNSCRAPE_OLD_ROW: Obj = {
    k: v for k, v in SNSCRAPE_OLD_TWEET.items() if k not in ("_type", "url", "renderedContent")
}
SNSCRAPE_TWEET_REF: Obj = {"_type": "snscrape.modules.twitter.TweetRef", "id": 1330000000000000002}
SNSCRAPE_TOMBSTONE: Obj = {
    "_type": "snscrape.modules.twitter.Tombstone",
    "id": 1330000000000000003,
    "text": "This Tweet is from an account that no longer exists. Learn more",
}

# ---------------------------------------------------------------------------------------------
# Flat export rows (CSV, DataFrames). Column sets as published in public repositories (values
# invented): the Crowdflower airline-sentiment CSV (tweet_id, airline_sentiment, …, name,
# retweet_count, text, tweet_created …), NAACL_SRW_2016_tweets.csv (id, created_at, text,
# retweet_count, favorite_count, user_screen_name, …), a tweepy search dump (id, created_at,
# text, retweet_count, favorite_count), snscrape tutorials' DataFrames (Datetime, Tweet Id,
# Text, Username), twint's CSV (id, conversation_id, created_at, tweet, username,
# retweets_count, …) and a Supabase table (tweet_id, author_username, tweet_text, url).

FLAT_AIRLINE: Obj = {
    "tweet_id": 570306133677760513, "airline_sentiment": "neutral", "airline": "Virgin America",
    "name": "cairdin", "retweet_count": 0, "text": "@VirginAmerica What @dhepburn said.",
    "tweet_created": "2015-02-24 11:35:52 -0800",
}  # fmt: skip
FLAT_NAACL: Obj = {
    "id": 572341498827522049, "created_at": "Mon Mar 02 10:15:02 +0000 2015",
    "text": "so this is what a monday looks like", "retweet_count": 0, "favorite_count": 1,
    "user_screen_name": "river_walker", "user_id": 3062411111, "hate_label": "none",
}  # fmt: skip
FLAT_TWEEPY_DUMP: Obj = {
    "id": 1356000000000000001, "created_at": "2021-01-31 12:00:01",
    "text": "Model Y deliveries look strong", "retweet_count": 3, "favorite_count": 12,
}  # fmt: skip
FLAT_SNSCRAPE_FRAME: Obj = {
    "Datetime": "2022-03-01 10:00:00+00:00", "Tweet Id": 1498612345678901248,
    "Text": "spring is here", "Username": "garden_jo",
}  # fmt: skip
FLAT_TWINT: Obj = {
    "id": 1256000000000000001, "conversation_id": 1256000000000000001,
    "created_at": "2020-05-01 09:00:00 UTC", "username": "weather_bot_7",
    "tweet": "RT @met_office_x: rain later", "retweets_count": 4, "likes_count": 9,
    "user_rt": "met_office_x",
}  # fmt: skip
FLAT_SUPABASE: Obj = {
    "tweet_id": "1800000000000000001", "author_name": "News Desk",
    "author_username": "newsdesk_42", "tweet_text": "Breaking: bridge reopened",
    "url": "https://x.com/newsdesk_42/status/1800000000000000001",
}  # fmt: skip
FLAT_HANDLE_COLUMNS: Obj = {
    "id": "1600000000000000001", "content": "new release out now", "handle": "@band_q",
    "created_at": "Sat Dec 03 18:00:00 +0000 2022", "like_count": 40,
}  # fmt: skip
FLAT_POSITIVES: list[Obj] = [
    FLAT_AIRLINE, FLAT_NAACL, FLAT_TWEEPY_DUMP, FLAT_SNSCRAPE_FRAME, FLAT_TWINT, FLAT_SUPABASE,
    FLAT_HANDLE_COLUMNS,
]  # fmt: skip

# Other platforms' rows and exports, with a numeric or Snowflake id and a text column.
DISCORD_EXPORT_ROW: Obj = {  # DiscordChatExporter JSON message (Discord epoch Snowflake)
    "id": "1096554416187961404", "type": "Default", "timestamp": "2023-04-14T10:00:00+00:00",
    "content": "anyone up for a match?", "author": {"id": "80351110224678912",
    "name": "nelly", "discriminator": "0000", "nickname": "Nelly"}, "channel_id": "1",
}  # fmt: skip
DISCORD_FLAT_ROW: Obj = {
    "id": 1096554416187961404, "content": "gg", "author": "nelly", "channel_id": 1,
    "timestamp": "2023-04-14T10:00:00+00:00",
}  # fmt: skip
INSTAGRAM_MEDIA: Obj = {  # Instagram Graph API media
    "id": "17895695668004550", "caption": "sunset again", "like_count": 120,
    "comments_count": 4, "username": "sea_photos", "media_type": "IMAGE",
    "permalink": "https://www.instagram.com/p/Cabc123/", "timestamp": "2023-01-01T18:00:00+0000",
}  # fmt: skip
THREADS_POST: Obj = {  # Threads API post
    "id": "18028791234567890", "media_product_type": "THREADS", "media_type": "TEXT_POST",
    "text": "hello threads", "username": "sea_photos", "shortcode": "C1abc",
    "permalink": "https://www.threads.net/@sea_photos/post/C1abc", "is_quote_post": False,
    "timestamp": "2023-12-01T18:00:00+0000",
}  # fmt: skip
REDDIT_THING: Obj = {
    "kind": "t3", "data": {"id": "18abcd", "name": "t3_18abcd", "subreddit": "python",
    "author": "spam_eggs", "title": "Tips", "selftext": "use pathlib", "score": 10,
    "num_comments": 2, "created_utc": 1700000000.0, "permalink": "/r/python/comments/18abcd/"},
}  # fmt: skip
MASTODON_FLAT_ROW: Obj = {
    "id": "109512345678901234", "content": "<p>toot</p>", "account.acct": "jo@mastodon.social",
    "reblogs_count": 1, "favourites_count": 3, "replies_count": 0, "uri": "https://m.s/1",
}  # fmt: skip
WEIBO_FLAT_ROW: Obj = {
    "id": 4567890123456789, "idstr": "4567890123456789", "mid": "4567890123456789",
    "text": "今天天气很好", "screen_name": "weibo_user", "reposts_count": 3, "comments_count": 1,
    "created_at": "Wed Oct 10 20:19:24 +0800 2018",
}  # fmt: skip
FORUM_ROW: Obj = {"id": 1234567, "text": "a plain forum post", "username": "poster_1"}
FLAT_NEGATIVES: list[Obj] = [
    DISCORD_EXPORT_ROW, DISCORD_FLAT_ROW, INSTAGRAM_MEDIA, THREADS_POST, REDDIT_THING,
    MASTODON_FLAT_ROW, WEIBO_FLAT_ROW, FORUM_ROW,
]  # fmt: skip
