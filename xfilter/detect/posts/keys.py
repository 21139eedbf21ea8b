"""Key vocabularies of X objects, the anchor keys and values every shape needs, and PREFILTER."""

from __future__ import annotations

import re

# Keys listed in ANCHOR_KEYS (or a value pattern in _ANCHOR_VALUES) are required by every path
# that accepts an object, which is what lets PREFILTER promise to match every flagged string.

# Twitter-only v1.1 post keys (besides id_str and the v1 created_at format, which anchor).
V1_POST_KEYS = frozenset(
    {
        "truncated", "retweet_count", "favorite_count", "favorited", "retweeted",
        "in_reply_to_status_id", "in_reply_to_status_id_str", "in_reply_to_user_id",
        "in_reply_to_user_id_str", "in_reply_to_screen_name", "is_quote_status",
        "retweeted_status", "quoted_status", "quoted_status_id", "quoted_status_id_str",
        "quoted_status_permalink", "extended_tweet", "extended_entities", "display_text_range",
        "contributors", "filter_level", "timestamp_ms", "possibly_sensitive", "source",
        "entities", "coordinates", "place", "geo", "quote_count", "reply_count",
        "matching_rules", "current_user_retweet", "withheld_in_countries", "lang", "full_text",
        "edit_info", "edit_controls", "user_mentions", "hashtags", "urls",
    }
)  # fmt: skip
USER_PROFILE_KEYS = frozenset(
    {
        "followers_count", "friends_count", "statuses_count", "favourites_count",
        "listed_count", "profile_image_url", "profile_image_url_https", "protected",
        "verified", "created_at", "description", "location", "status", "default_profile",
        "default_profile_image", "profile_banner_url", "time_zone", "geo_enabled", "url",
    }
)  # fmt: skip
# v2 post fields that only X uses; one of these plus a digit-string id is a v2 post.
V2_SPECIFIC = frozenset(
    {
        "edit_history_tweet_ids", "referenced_tweets", "reply_settings", "context_annotations",
        "note_tweet", "edit_controls", "public_metrics", "organic_metrics", "non_public_metrics",
        "promoted_metrics", "__twarc", "conversation_id",
    }
)  # fmt: skip
V2_MEDIUM = frozenset(
    {"author_id", "in_reply_to_user_id", "community_id", "card_uri", "media_metadata"}
)
V2_FIELDS = V2_SPECIFIC | V2_MEDIUM | frozenset(
    {
        "id", "text", "attachments", "created_at", "display_text_range", "entities", "geo",
        "lang", "possibly_sensitive", "source", "withheld", "scopes", "article",
        "paid_partnership", "author", "in_reply_to_user", "type",
    }
)  # fmt: skip
V2_USER_FIELDS = frozenset(
    {
        "id", "name", "username", "affiliation", "connection_status", "created_at",
        "description", "entities", "location", "most_recent_tweet_id", "pinned_tweet_id",
        "profile_banner_url", "profile_image_url", "protected", "public_metrics",
        "receives_your_dm", "subscription", "subscription_type", "url", "verified",
        "verified_followers_count", "verified_type", "withheld", "is_identity_verified",
        "parody", "__twarc",
    }
)  # fmt: skip
V2_USER_SPECIFIC = frozenset(
    {"public_metrics", "pinned_tweet_id", "most_recent_tweet_id", "verified_type", "__twarc"}
)
V2_LIST_FIELDS = frozenset(
    {"id", "name", "created_at", "private", "follower_count", "member_count", "owner_id",
     "description"}
)  # fmt: skip
V2_SPACE_FIELDS = frozenset(
    {
        "id", "state", "created_at", "creator_id", "ended_at", "host_ids", "lang",
        "is_ticketed", "invited_user_ids", "participant_count", "subscriber_count",
        "scheduled_start", "speaker_ids", "started_at", "title", "topic_ids", "updated_at",
    }
)  # fmt: skip
V2_META = frozenset(
    {"result_count", "next_token", "previous_token", "newest_id", "oldest_id",
     "total_tweet_count", "sent", "summary"}
)  # fmt: skip
ENVELOPE_KEYS = frozenset({"data", "includes", "meta", "errors", "matching_rules", "__twarc"})
COMPLIANCE_EVENT = frozenset({"id", "action", "created_at", "redacted_at", "reason"})
SNSCRAPE_KEYS = frozenset(
    {
        "replyCount", "retweetCount", "likeCount", "quoteCount", "conversationId",
        "retweetedTweet", "quotedTweet", "inReplyToTweetId", "inReplyToUser", "mentionedUsers",
        "renderedContent", "rawContent", "tcooutlinks", "sourceLabel", "viewCount",
        "bookmarkCount", "outlinks", "outlinksss", "tcooutlinksss", "bookmarkedCount",
    }
)  # fmt: skip
SNSCRAPE_USER_KEYS = frozenset(
    {"displayname", "rawDescription", "followersCount", "friendsCount", "statusesCount",
     "favouritesCount", "listedCount", "mediaCount", "profileImageUrl"}
)  # fmt: skip
SYNDICATION_KEYS = frozenset(
    {"mediaDetails", "edit_control", "conversation_count", "news_action_type", "isEdited",
     "isStaleEdit", "photos"}
)  # fmt: skip
DM_SENDER = frozenset({"sender_id", "sender_id_str", "sender_screen_name"})
DM_RECIPIENT = frozenset({"recipient_id", "recipient_id_str", "recipient_screen_name"})
HELP_CONFIG = frozenset(
    {"non_username_paths", "short_url_length_https", "characters_reserved_per_media"}
)
ARCHIVE_INNER = frozenset({"tweetId", "accountId", "conversationId"})
_RATE_FAMILIES = (
    "statuses|help|application|friends|followers|users|lists|favorites|search|trends|geo|"
    "direct_messages|friendships|account|blocks|mutes|saved_searches|collections|tweets"
)
# Twitter-API clones whose payloads look like v1.1: Weibo (idstr, mid, reposts_count…),
# Fanfou (rawid), StatusNet / GNU social (statusnet_*). Their subtrees are skipped.
CLONE_KEYS = frozenset(
    {"idstr", "mid", "reposts_count", "attitudes_count", "comments_count", "rawid", "is_self",
     "statusnet_html", "statusnet_conversation_id", "statusnet_profile_url"}
)  # fmt: skip
NON_X_TYPE_PREFIXES = ("app.bsky.", "com.atproto.", "chat.bsky.", "tools.ozone.")
DM_EVENT_TYPES = frozenset({"MessageCreate", "ParticipantsJoin", "ParticipantsLeave"})
SPACE_STATES = frozenset({"live", "scheduled", "ended", "canceled"})
ARCHIVE_KINDS = frozenset(
    {"tweet", "like", "account", "follower", "following", "block", "mute", "dmConversation",
     "profile", "deleted-tweet", "deletedTweet", "noteTweet", "community-tweet",
     "communityTweet"}
)  # fmt: skip

# Flat exports (CSV, DataFrames): key spellings, lower-cased, that name a post's own id or one of
# X's own post fields. Every flat row accepted as a post has one of them or a v1.1 created_at.
FLAT_POST_ID_KEYS = frozenset(
    {"tweet_id", "tweetid", "tweet id", "tweet_id_str", "status_id", "statusid"}
)
FLAT_X_KEYS = frozenset(
    {
        "retweet_count", "retweetcount", "retweets_count", "favorite_count", "favoritecount",
        "favorites_count", "retweeted", "favorited", "is_retweet", "isretweet",
        "is_quote_status", "retweeted_status_id", "retweet_id", "quoted_status_id",
        "in_reply_to_status_id", "in_reply_to_status_id_str", "in_reply_to_screen_name",
        "user_screen_name", "screen_name", "retweet_screen_name", "user_rt", "user_rt_id",
        "retweet_date",
    }
)  # fmt: skip

ANCHOR_KEYS: tuple[str, ...] = tuple(
    sorted(
        {
            "id_str", "screen_name", "username", "user_screen_name", "rest_id", "edit_info",
            "dm_conversation_id", "dm_event_id", "noteTweetId",
            "next_cursor_str", "previous_cursor_str", "tweet_volume", "place_type",
            "media_id_string", "expires_after_secs", "indices", "rate_limit_context",
            "local_name", "member_count", "subscriber_count", "upload_expires_at",
            "download_expires_at", "tweet_count", "result_count", "total_tweet_count",
            "newest_id", "up_to_status_id_str",
        }
        | V2_SPECIFIC
        | DM_SENDER
        | DM_RECIPIENT
        | HELP_CONFIG
        | ARCHIVE_INNER
        | FLAT_POST_ID_KEYS
        | FLAT_X_KEYS
    )
)  # fmt: skip
_ANCHOR_VALUES: tuple[str, ...] = (
    r"\+0000 [0-9]{4}[\"']",  # v1.1 created_at: "Wed Oct 10 20:19:24 +0000 2018"
    r"[\"']id[\"']\s*:\s*[\"'][0-9]+[\"']",  # v2 ids are digit strings
    # X URLs only as the start of a quoted JSON value, so prose with X links does not match.
    r"[\"'](?:https?:(?:\\*/){2}[a-z0-9.-]*|(?:tag|object):search\.|id:)(?:twitter|x|twimg)\.com",
    r"snscrape\.modules\.twitter",
    r"window\.ytd\.",
    r"message_create",
    r"[\"']TweetTombstone[\"']",
    r"[\"']state[\"']\s*:\s*[\"'](?:live|scheduled|ended|canceled)[\"']",  # v2 Spaces
    r"[\"']/(?:" + _RATE_FAMILIES + r")/",  # rate-limit endpoint keys
)

#: RE2 pattern (use with ``ignore_case=True``) matching every JSON string that
#: :func:`analyze_json_text` flags: X-only key names (followed by ``:``, also dotted
#: ``public_metrics.like_count``, single-quoted Python-literal keys and the ``\"key\":`` of
#: JSON dumped twice) or X-only values.
PREFILTER: str = (
    r"[\"'](?:"
    + "|".join(re.escape(k) for k in ANCHOR_KEYS)
    + r")(?:\.[^\"']*)?\\*[\"']\s*:|"
    + "|".join(_ANCHOR_VALUES)
)

# The v1.1 created_at format: "Wed Oct 10 20:19:24 +0000 2018".
V1_CREATED = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \+0000 \d{4}$")
# A rate-limit status key: "/statuses/show/:id".
RATE_PATH = re.compile(r"^/(?:" + _RATE_FAMILIES + r")/")
