"""The other X API objects (DMs, lists, trends, media, compliance, rate limits…), as named shapes.

Each shape is recognised by a key combination no other platform uses. They all fire
``json.api_object``; the shape's name goes into the evidence's ``detail`` so a reader can tell
a DM from a trend. None of them names an author except oEmbed: a list's owner or a DM's parties
are accounts the record mentions, not accounts whose posts it carries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from xfilter.detect.posts.fields import (
    Collector,
    Who,
    digit_str,
    handle,
    is_x_url,
    snowflake,
    url_handle,
)
from xfilter.detect.posts.keys import (
    COMPLIANCE_EVENT,
    DM_EVENT_TYPES,
    DM_RECIPIENT,
    DM_SENDER,
    HELP_CONFIG,
    RATE_PATH,
    SPACE_STATES,
    V1_CREATED,
    V2_LIST_FIELDS,
    V2_SPACE_FIELDS,
)
from xfilter.detect.posts.rules import API_OBJECT

_X_DISPLAY = ("pic.twitter.com/", "pic.x.com/", "twitter.com/", "x.com/")
_PROBLEM_TYPE = re.compile(r"^https://api\.(?:twitter|x)\.com/2/problems/")
_SPACE_ID = re.compile(r"^[0-9A-Za-z]{13}$")


def _nobody(d: Mapping[str, Any]) -> Who:
    return Who()


@dataclass(frozen=True)
class Shape:
    """A named X API object shape: the test that recognises it and the authors it names.

    ``keys`` are the shape's anchors: an object has the shape only if it has one of them, so
    the test runs only then.
    """

    name: str
    keys: frozenset[str]
    test: Callable[[Mapping[str, Any], frozenset[str]], bool]
    authors: Callable[[Mapping[str, Any]], Who] = _nobody

    def matches(self, d: Mapping[str, Any], keys: frozenset[str]) -> bool:
        return not self.keys.isdisjoint(keys) and self.test(d, keys)


def _shape(
    name: str,
    keys: Iterable[str],
    test: Callable[[Mapping[str, Any], frozenset[str]], bool],
    authors: Callable[[Mapping[str, Any]], Who] = _nobody,
) -> Shape:
    return Shape(name, frozenset(keys), test, authors)


# ---------------------------------------------------------------------------------------------
# The tests, in the order of the tables below.


def _is_oembed(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    if not keys & {"provider_name", "provider_url"}:
        return False
    named = d.get("provider_name") in ("Twitter", "X")
    if not (named or is_x_url(d.get("provider_url"))):
        return False
    if not (is_x_url(d.get("author_url")) or is_x_url(d.get("url"))):
        return False
    return bool(keys & {"html", "author_url"})


def _oembed_author(d: Mapping[str, Any]) -> Who:
    return Who(url_handle(d.get("author_url")) or url_handle(d.get("url"), True))


def _is_direct_message(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    """v1.1 direct message: a sender and a recipient."""
    return bool(keys & DM_SENDER and keys & (DM_RECIPIENT | {"recipient", "target"}))


def _is_dm_event(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    """v1.1 direct message event (``message_create``)."""
    return "message_create" in keys or (
        d.get("type") == "message_create" and "created_timestamp" in keys
    )


def _is_help_configuration(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    return bool(keys & HELP_CONFIG)


def _is_rate_limit_status(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    """``application/rate_limit_status``: resource families keyed by endpoint paths."""
    if "rate_limit_context" in keys:
        return True
    resources = d.get("resources")
    if not isinstance(resources, Mapping):
        return False
    return any(
        isinstance(family, Mapping)
        and any(isinstance(k, str) and RATE_PATH.match(k) for k in family)
        for family in resources.values()
    )


def _is_media_upload(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    return "media_id_string" in keys or {"media_id", "expires_after_secs"} <= keys


def _is_trend(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    return {"name", "query"} <= keys and ("tweet_volume" in keys or is_x_url(d.get("url")))


def _is_place(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    return "place_type" in keys and {"full_name", "country_code"} <= keys


def _is_entity(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    """A v1.1 entity: mention, media or t.co URL with its indices."""
    return "indices" in keys and bool(
        handle(d.get("screen_name"))
        or str(d.get("display_url")).startswith(_X_DISPLAY)
        or str(d.get("url")).startswith(("http://t.co/", "https://t.co/"))
    )


def _is_media(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    on_twimg = "twimg.com" in str(d.get("media_url_https")) or "twimg.com" in str(
        d.get("media_url")
    )
    return on_twimg and bool(keys & {"id", "id_str", "media_key", "display_url"})


def _is_friendship_lookup(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    return isinstance(d.get("connections"), list) and bool(keys & {"screen_name", "id_str"})


def _is_friendship(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    rel = d.get("relationship")
    src = rel.get("source") if isinstance(rel, Mapping) else None
    return isinstance(src, Mapping) and ("screen_name" in src or "id_str" in src)


def _is_list(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    """A v1.1 list: its slug, counts, and an ``@owner/slug`` name or a ``/lists/`` URI."""
    if "slug" not in keys or not keys & {"member_count", "subscriber_count"}:
        return False
    full, uri = d.get("full_name"), d.get("uri")
    return (isinstance(full, str) and full.startswith("@")) or "/lists/" in str(uri)


def _is_language(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    """An entry of ``help/languages``."""
    return (
        "local_name" in keys
        and {"code", "name"} <= keys
        and keys <= {"code", "name", "local_name", "status", "debug"}
    )


def _is_saved_search(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    if "id_str" not in keys or not {"query", "name"} <= keys or "text" in keys:
        return False
    created = d.get("created_at")
    return isinstance(created, str) and bool(V1_CREATED.match(created))


def _is_delete_notice(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    """A streaming delete notice."""
    return (
        "id_str" in keys
        and "user_id_str" in keys
        and keys <= {"id", "id_str", "user_id", "user_id_str"}
    )


def _is_scrub_geo_notice(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    """A streaming scrub_geo notice."""
    return "up_to_status_id_str" in keys and "user_id" in keys


def _is_compliance_event(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    return (
        digit_str(d.get("id"))
        and isinstance(d.get("action"), str)
        and isinstance(d.get("reason"), str)
        and keys <= COMPLIANCE_EVENT
    )


def _is_compliance_job(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    return bool(keys & {"upload_expires_at", "download_expires_at"}) and d.get("type") in (
        "tweets",
        "users",
    )


def _is_post_counts(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    return "tweet_count" in keys and {"start", "end"} <= keys


def _is_problem(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    """A v2 error object (its ``type`` is an X problem URI)."""
    t = d.get("type")
    return isinstance(t, str) and bool(_PROBLEM_TYPE.match(t))


def _is_v2_dm_event(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    if keys & {"dm_conversation_id", "dm_event_id"}:
        return True
    event = d.get("event_type")
    return isinstance(event, str) and event in DM_EVENT_TYPES and digit_str(d.get("id"))


def _is_space(d: Mapping[str, Any], keys: frozenset[str]) -> bool:
    idv, state = d.get("id"), d.get("state")
    return (
        isinstance(idv, str)
        and bool(_SPACE_ID.match(idv))
        and isinstance(state, str)
        and state in SPACE_STATES
        and keys <= V2_SPACE_FIELDS
    )


# ---------------------------------------------------------------------------------------------
# The tables. A shape's place decides only which name is reported when several match.

OEMBED = _shape("oembed", {"provider_name", "provider_url"}, _is_oembed, _oembed_author)
_POST_COUNTS = _shape("post_counts", {"tweet_count"}, _is_post_counts)
_COMPLIANCE_JOB = _shape(
    "compliance_job", {"upload_expires_at", "download_expires_at"}, _is_compliance_job
)

#: Standalone API objects. Also the objects of a v2 response's ``errors``.
API_OBJECTS: tuple[Shape, ...] = (
    _shape("direct_message", DM_SENDER, _is_direct_message),
    _shape("dm_event", {"message_create", "created_timestamp"}, _is_dm_event),
    _shape("help_configuration", HELP_CONFIG, _is_help_configuration),
    _shape("rate_limit_status", {"rate_limit_context", "resources"}, _is_rate_limit_status),
    _shape("media_upload", {"media_id_string", "expires_after_secs"}, _is_media_upload),
    _shape("trend", {"query"}, _is_trend),
    _shape("place", {"place_type"}, _is_place),
    _shape("entity", {"indices"}, _is_entity),
    _shape("media", {"media_url_https", "media_url"}, _is_media),
    _shape("friendship_lookup", {"connections"}, _is_friendship_lookup),
    _shape("friendship", {"relationship"}, _is_friendship),
    _shape("list", {"slug"}, _is_list),
    _shape("language", {"local_name"}, _is_language),
    _shape("saved_search", {"query"}, _is_saved_search),
    _shape("delete_notice", {"user_id_str"}, _is_delete_notice),
    _shape("scrub_geo_notice", {"up_to_status_id_str"}, _is_scrub_geo_notice),
    _shape("compliance_event", {"action"}, _is_compliance_event),
    _COMPLIANCE_JOB,
    _POST_COUNTS,
    _shape("problem", {"type"}, _is_problem),
)

#: Items of a v2 response's ``data`` that are neither posts nor users (lists: see v2_item).
V2_ITEMS: tuple[Shape, ...] = (
    _POST_COUNTS,
    _shape("dm_event", {"dm_conversation_id", "dm_event_id", "event_type"}, _is_v2_dm_event),
    _COMPLIANCE_JOB,
    _shape("space", {"state"}, _is_space),
)


def api_object_shape(d: Mapping[str, Any], keys: frozenset[str]) -> Shape | None:
    """The first of :data:`API_OBJECTS` that ``d`` has, else None."""
    for shape in API_OBJECTS:
        if shape.matches(d, keys):
            return shape
    return None


def v2_item(d: Mapping[str, Any], keys: frozenset[str], context: bool) -> str | None:
    """Name of a v2 non-post, non-user ``data`` item: counts, DM, compliance job, Space, list.

    A bare ``{"id": "...", "name": "..."}`` list needs v2 context (meta / includes), a
    list-only field or a Snowflake id: the shape alone is any REST API's named resource.
    """
    for shape in V2_ITEMS:
        if shape.matches(d, keys):
            return shape.name
    idv = d.get("id")
    if not (digit_str(idv) and isinstance(d.get("name"), str) and keys <= V2_LIST_FIELDS):
        return None
    return "list" if context or keys - {"id", "name"} or snowflake(idv) else None


# ---------------------------------------------------------------------------------------------
# Steps of the walk's classification (see walk.PRECEDENCE).


def api_object(
    d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int
) -> bool | None:
    """oEmbed, then the first of :data:`API_OBJECTS` that ``d`` has."""
    shape = OEMBED if OEMBED.matches(d, keys) else api_object_shape(d, keys)
    if shape is None:
        return None
    col.add(API_OBJECT, shape.authors(d), shape.name)
    return True


def cursored_page(
    d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int
) -> bool | None:
    """A cursored v1.1 page (ids, users, lists): evidence, and the walk goes on into its items."""
    if not keys & {"next_cursor_str", "previous_cursor_str"}:
        return None
    col.add(API_OBJECT, Who(), "cursored_page")
    return False
