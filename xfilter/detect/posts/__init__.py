"""X post objects and other X platform objects in parsed JSON or nested struct rows.

A record that *is* an API payload (v1.1, v2, Gnip activity, account archive, snscrape,
syndication, web GraphQL) or an X user / list / DM / trend object is X Content (``x_post``).
Shapes are recognised by key combinations that only X uses, never by a generic ``id``/``text``
pair, so Mastodon, Bluesky, Reddit or GitHub objects do not fire.

Authors are the accounts whose content the record carries: a post's author plus the authors
of carried retweets, quotes and expanded replies; the owner of a user profile; the author of
an oEmbed'ed post. Handles are preferred; a numeric user id is given only when no handle is
known. An :class:`Evidence` with empty ``authors`` means "X content whose author is unknown"
(for example an archive tweet, or a v2 post fetched without expansions), and is emitted
beside the known authors of the same rule when only some objects have a known author.

The package is split by content shape: ``api`` (v1.1 and v2 posts and users), ``exports``
(archive, activity streams, snscrape, syndication, GraphQL), ``flat`` (CSV and DataFrame
export rows), ``api_objects`` (the other API objects, each a named shape), ``walk`` (their
precedence and the entry points), ``inline`` (objects written inside prose), ``arrow``
(struct-schema shortcuts), over ``keys`` (vocabularies, PREFILTER), ``fields`` (field access,
author collection) and ``rules``.

Work is bounded: the walk stops after ``MAX_NODES`` visits; the authors of posts carried
inside a post are followed ``MAX_DEPTH`` levels down.
"""

from __future__ import annotations

from xfilter.detect.posts.arrow import STRUCT_AUTHOR_FIELDS, struct_candidates, struct_type_is_post
from xfilter.detect.posts.fields import MAX_DEPTH, MAX_NODES
from xfilter.detect.posts.inline import objects_in_text
from xfilter.detect.posts.keys import PREFILTER
from xfilter.detect.posts.rules import RULES
from xfilter.detect.posts.walk import analyze_json_text, analyze_object

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "PREFILTER",
    "RULES",
    "STRUCT_AUTHOR_FIELDS",
    "analyze_json_text",
    "analyze_object",
    "objects_in_text",
    "struct_candidates",
    "struct_type_is_post",
]
