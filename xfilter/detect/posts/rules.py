"""The json.* rules: one per family of X platform object."""

from __future__ import annotations

from xfilter.detect.evidence import Rule

_CAT = "x_post"

V1_POST = Rule(
    "json.v1_post", _CAT, "API v1.1 / native / enterprise post object (id_str, v1 created_at, user)"
)
V2_POST = Rule(
    "json.v2_post", _CAT, "API v2 post object (edit_history_tweet_ids, author_id, public_metrics…)"
)
V2_ENVELOPE = Rule(
    "json.v2_envelope", _CAT, "API v2 response envelope (data / includes / meta) carrying posts"
)
ARCHIVE = Rule(
    "json.archive", _CAT, "'Your X data' archive file or item (window.YTD.*, {'tweet': {...}})"
)
ACTIVITY = Rule(
    "json.activity_stream",
    _CAT,
    "Gnip Activity Streams post (tag:search.twitter.com id, id:twitter.com actor)",
)
SNSCRAPE = Rule("json.snscrape", _CAT, "snscrape / twscrape Tweet or User serialisation")
SYNDICATION = Rule(
    "json.syndication", _CAT, "embed syndication JSON (cdn.syndication.twimg.com tweet-result)"
)
GRAPHQL = Rule("json.graphql", _CAT, "x.com web GraphQL tweet result (rest_id + legacy)")
EXPORT_ROW = Rule(
    "json.export_row",
    _CAT,
    "flat export row of a post (CSV, DataFrame): a post id column (tweet_id, or an id beside "
    "X's own fields such as retweet_count or a v1.1 created_at) and its text",
)
USER = Rule("json.user", _CAT, "X user profile object (v1.1 screen_name, v2 username, snscrape)")
API_OBJECT = Rule(
    "json.api_object",
    _CAT,
    "other X API object: list, DM, trend, place, id list, friendship, oEmbed, media, "
    "compliance, counts, rate-limit or help response",
)

RULES: tuple[Rule, ...] = (
    V1_POST,
    V2_POST,
    V2_ENVELOPE,
    ARCHIVE,
    ACTIVITY,
    SNSCRAPE,
    SYNDICATION,
    GRAPHQL,
    EXPORT_ROW,
    USER,
    API_OBJECT,
)
