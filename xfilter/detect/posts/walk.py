"""The walk over a parsed value: which shape each object has, in what precedence, and the entry
points for objects and JSON text."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from typing import Any

from xfilter.detect.evidence import Evidence, hit
from xfilter.detect.posts import api, api_objects, exports, flat
from xfilter.detect.posts.fields import (
    Collector,
    Step,
    Who,
    handle,
    id_text,
    keys_of,
    post_ids_of,
)
from xfilter.detect.posts.keys import CLONE_KEYS, ENVELOPE_KEYS, NON_X_TYPE_PREFIXES, V2_META
from xfilter.detect.posts.rules import API_OBJECT, ARCHIVE, USER, V2_ENVELOPE

_ARCHIVE_PREFIX = re.compile(r"\ufeff?\s*window\.YTD\.[A-Za-z0-9_.-]+\.part\d+\s*=\s*")
_JSON_START = re.compile(r"\ufeff?\s*(?:[\[{]|window\.YTD\.)")
_PYLIT_MAX = 2_000_000


def _not_x(d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int) -> bool | None:
    """Bluesky / AT Protocol records, and the Twitter-shaped payloads of Weibo, Fanfou and GNU
    social: skipped with their subtrees."""
    t = d.get("$type")
    if isinstance(t, str) and t.startswith(NON_X_TYPE_PREFIXES):
        return True
    return True if keys & CLONE_KEYS else None


def _v2_response(
    d: Mapping[str, Any], keys: frozenset[str], col: Collector, depth: int
) -> bool | None:
    """A v2 response: resolve ``author_id`` through ``includes.users`` of the same envelope."""
    if not (keys <= ENVELOPE_KEYS and keys & {"data", "includes", "meta"}):
        return None
    data = d.get("data")
    items = data if isinstance(data, list) else [data] if isinstance(data, Mapping) else []
    includes = d.get("includes")
    includes = includes if isinstance(includes, Mapping) else {}
    inc_users = [u for u in includes.get("users") or () if isinstance(u, Mapping)]
    inc_tweets = [t for t in includes.get("tweets") or () if isinstance(t, Mapping)]
    users: dict[str, str] = {}
    for u in [*inc_users, *(i for i in items if isinstance(i, Mapping))]:
        uid, name = id_text(u.get("id")), handle(u.get("username"))
        if uid and name:
            users[uid] = name
    tweets = {str(t.get("id")): t for t in inc_tweets if t.get("id") is not None}
    meta = d.get("meta")
    # Relaxed item shapes ({id, text}, {id, name}) only count inside a real v2 response.
    context = bool(includes) or bool(keys & {"__twarc", "matching_rules"})
    context = context or (isinstance(meta, Mapping) and bool(keys_of(meta) & V2_META))
    found = False
    for item in items:
        if not isinstance(item, Mapping) or not col.tick():
            continue
        ik = keys_of(item)
        if api.is_v2_post(item, ik, in_envelope=context):
            col.add(
                V2_ENVELOPE,
                api.v2_who(item, users, tweets, depth + 1),
                "v2 post",
                post_ids_of(item),
            )
        elif api.is_v2_user(item, ik, in_envelope=True):
            col.add(USER, Who(handle(item.get("username"))), "v2 user")
        elif (name := api_objects.v2_item(item, ik, context)) is not None:
            col.add(API_OBJECT, Who(), name)
        else:
            _walk(item, col, depth + 1)
            continue
        found = True
    for t in inc_tweets:
        if col.tick() and api.is_v2_post(t, keys_of(t), in_envelope=True):
            col.add(V2_ENVELOPE, api.v2_who(t, users, tweets, depth + 1), "v2 post", post_ids_of(t))
            found = True
    # includes.users only resolve author ids: like a v1 post's ``user``, they are not
    # profiles the record is about, so mentioned accounts do not become authors.
    if not found and isinstance(meta, Mapping) and not items:
        mk = keys_of(meta)
        if mk and mk <= V2_META and mk & {"result_count", "total_tweet_count", "newest_id"}:
            col.add(API_OBJECT, Who(), "v2_meta")
            found = True
    errors = d.get("errors")
    if isinstance(errors, list):
        for e in errors:
            shape = api_objects.api_object_shape(e, keys_of(e)) if isinstance(e, Mapping) else None
            if shape is not None:
                if not found:
                    col.add(API_OBJECT, Who(), shape.name)
                found = True
                break
    return found


#: The shapes in the order they are tried; the first that recognises an object decides. Stricter
#: vocabularies come first: a syndication post, which also has a v1.1 post's ``id_str`` and
#: ``user``, is read as syndication.
PRECEDENCE: tuple[Step, ...] = (
    _not_x,
    _v2_response,
    exports.archive_item,
    exports.activity,
    exports.graphql,
    exports.tombstone,
    exports.syndication,
    exports.snscrape_post,
    exports.snscrape_user,
    api_objects.api_object,
    api.v1_post,
    api.v1_user,
    api.v2_post,
    api.v2_user,
    exports.activity_person,
    api_objects.cursored_page,
    flat.export_row,
)


def _classify(d: Mapping[str, Any], col: Collector, depth: int) -> bool:
    """Record evidence for ``d`` if it is an X object; True when its subtree is consumed."""
    keys = keys_of(d)
    if not keys:
        return False
    for step in PRECEDENCE:
        consumed = step(d, keys, col, depth)
        if consumed is not None:
            return consumed
    return False


def _walk(node: Any, col: Collector, depth: int) -> None:
    """Visit ``node`` and what it contains, depth first, with an explicit stack: an X object
    wrapped in any number of levels is still found; ``MAX_NODES`` bounds the work."""
    stack: list[tuple[Any, int]] = [(node, depth)]
    while stack:
        node, depth = stack.pop()
        if not col.tick():
            return
        if isinstance(node, Mapping):
            if _classify(node, col, depth):
                continue
            children = [v for v in node.values() if isinstance(v, (Mapping, list, tuple))]
        elif isinstance(node, (list, tuple)):
            children = []
            for item in node:
                if isinstance(item, (Mapping, list, tuple)):
                    children.append(item)
                elif not col.tick():
                    return
        else:
            continue
        stack.extend((child, depth + 1) for child in reversed(children))


def analyze_object(obj: object) -> list[Evidence]:
    """Evidence for X objects in a parsed JSON value or an Arrow struct row (as Python dicts).

    Lists, envelopes and unknown wrappers are walked; recognised objects are not entered
    further except to collect the authors of the posts they carry. One :class:`Evidence` per
    rule, with the authors of all its objects (plus an author-less one when some are unknown).
    """
    col = Collector()
    with contextlib.suppress(RecursionError):  # pathological nesting despite the depth cap
        _walk(obj, col, 0)
    return col.evidence()


def _loads(text: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(text)
    except (ValueError, RecursionError):
        pass
    # Python-literal dicts (``str(dict)`` written into CSV columns) are common in tweet datasets.
    if "'" in text and len(text) <= _PYLIT_MAX:
        import ast

        try:
            return True, ast.literal_eval(text.strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            pass
    return False, None


def _encoded_twice(text: str) -> list[Evidence] | None:
    """A JSON string literal whose value is itself JSON (an object dumped twice)."""
    try:
        inner = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(inner, str) or not _JSON_START.match(inner) or inner.lstrip().startswith('"'):
        return None
    return analyze_json_text(inner)


def analyze_json_text(text: str) -> list[Evidence] | None:
    """Evidence for a JSON string (or an archive ``window.YTD.*.partN = [...]`` file).

    Returns None when ``text`` is not JSON: it does not start with ``{`` / ``[`` after
    whitespace (or is not a JSON string literal holding such JSON: an object dumped twice),
    or does not parse. Never raises. The archive prefix alone is evidence, so a
    truncated ``window.YTD.tweets.part0 = [...`` file still yields ``json.archive``.
    """
    if not isinstance(text, str):
        return None
    if text.lstrip().startswith('"'):
        return _encoded_twice(text)
    if not _JSON_START.match(text):
        return None
    m = _ARCHIVE_PREFIX.match(text)
    if m:
        ok, obj = _loads(text[m.end() :].rstrip().rstrip(";"))
        found = analyze_object(obj) if ok else []
        if not any(e.rule == ARCHIVE.id for e in found):
            found.append(hit(ARCHIVE, detail="archive file"))
        return found
    ok, obj = _loads(text.lstrip("\ufeff"))
    return analyze_object(obj) if ok else None
