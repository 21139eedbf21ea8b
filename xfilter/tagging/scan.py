"""Find the evidence in one Arrow batch.

One vectorised RE2 pass per string column picks candidate rows; only those are turned into
Python strings and analysed exactly. Columns are reached through structs and lists, so a URL in
``meta.url`` or an id in ``edit_history_tweet_ids`` counts like a top-level one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xfilter.detect import ids, posts, text, urls
from xfilter.detect.datasets import RULE_SOURCE_COLUMN, SOURCE_COLUMN_NAMES, DatasetRegistry
from xfilter.detect.evidence import HANDLE, Evidence, hit
from xfilter.detect.posts.inline import objects_in_text
from xfilter.detect.ruleset import strong_text_prefilter, text_prefilter
from xfilter.errors import InputError
from xfilter.tagging.prefilter import candidates_each, engine_name

# Names are compared lower-cased (LAION's ``URL`` is ``url``). An image-caption row's image
# address is its own URL: the row is that image and its caption.
URL_COLUMN_NAMES = frozenset(
    {
        "url", "link", "source_url", "page_url", "permalink", "uri", "canonical_url",
        "target_uri", "warc_target_uri", "warc-target-uri", "original_url", "tweet_url",
        "image_url", "img_url", "image_link", "image_src", "img_src", "image",
    }
)  # fmt: skip
METADATA_STRUCTS = frozenset({"meta", "metadata", "info", "warc_headers", "headers", "source_info"})
# Columns whose name says they hold an X handle: the author of the record's X content.
X_AUTHOR_COLUMN_NAMES = frozenset(
    {
        "twitter_handle", "twitter_username", "twitter_screen_name", "twitter_user",
        "tweet_author", "tweet_username", "tweet_screen_name", "x_handle", "x_username",
    }
)  # fmt: skip
# Columns holding some platform's handle: an X author only in a row that is X content by itself
# (a post-ID column, an own X URL, a post object, a known X-derived dataset). In a forum or chat
# row that quotes a post they name the forum's or chat's user, never the post's author.
HANDLE_COLUMN_NAMES = frozenset(
    {
        "screen_name", "screenname", "username", "user_name", "handle", "user_handle",
        "user_screen_name", "user_username", "author_handle", "author_username",
        "author_screen_name",
    }
)  # fmt: skip
AUTHOR_COLUMN_NAMES = X_AUTHOR_COLUMN_NAMES | HANDLE_COLUMN_NAMES
# Structs that describe the record's own author (``user.username``); a handle deeper or in
# another struct (``inReplyToUser.username``, ``quotedTweet.user.username``) is someone else's.
AUTHOR_STRUCTS = frozenset({"user", "author", "account", "owner", "poster", "creator", "profile"})
# The categories that make a row X content by itself, not only a carrier of a post's text.
_X_ROW = frozenset({"x_dataset", "x_post"})
_HANDLE_OR_ID = re.compile(rf"@?({HANDLE})")


# Text columns may hold prose, HTML or JSON: one pass finds candidates for all three.
TEXT_PREFILTER = text_prefilter()
# A second pass, over the candidates only, picks those that may hold more than a mention of
# X; the rest (web text naming Twitter in passing: most candidates) get the mention rules only.
STRONG_TEXT_PREFILTER = strong_text_prefilter()


@dataclass(frozen=True)
class Roles:
    """Which column paths play which role; ``None`` means decide by name."""

    text: frozenset[str] | None = None
    url: frozenset[str] | None = None
    author: frozenset[str] | None = None

    @classmethod
    def from_names(
        cls,
        text: Sequence[str] | None = None,
        url: Sequence[str] | None = None,
        author: Sequence[str] | None = None,
    ) -> Roles:
        def norm(names: Sequence[str] | None) -> frozenset[str] | None:
            return None if names is None else frozenset(names)

        return cls(norm(text), norm(url), norm(author))


@dataclass(frozen=True)
class Leaf:
    """A primitive column reached through structs, lists, maps and unions.

    ``rows[i]`` is the batch row that ``values[i]`` belongs to (``None``: the identity).
    ``json`` marks the encoded text of a JSON-typed column, read for X objects only: its
    strings, decoded, are leaves of their own. ``repeated`` marks values reached through a
    list or map: a row may hold several, so none of them speaks for the whole row.
    """

    path: str
    values: pa.Array
    rows: np.ndarray | None
    json: bool = False
    repeated: bool = False

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1].lower()

    def row(self, index: int) -> int:
        return index if self.rows is None else int(self.rows[index])


def combined(column: pa.ChunkedArray) -> pa.Array:
    """``column`` as one array; zero-copy when it already is one chunk (the usual case)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def leaves(table: pa.Table, columns: Sequence[pa.Array] | None = None) -> Iterator[Leaf]:
    """Every primitive column of ``table``; ``columns`` are its columns already combined.

    Every Arrow layout that can hold text is reached: structs, lists of each kind (list,
    large, fixed-size, views), maps (keys and values; a value is named by its key when a
    column has few distinct keys, so ``meta["url"]`` plays the role ``meta.url`` would),
    unions, dictionaries, run-end encoding, extension types (through their storage) and
    JSON-typed columns (decoded). Bytes are leaves scanned as UTF-8 text. A nested type not
    listed here is an error, never skipped.
    """
    if columns is None:
        columns = [combined(c) for c in table.columns]
    for name, column in zip(table.column_names, columns, strict=True):
        yield from _walk(name, column, None)


# A map column with more distinct keys than this is scanned as one field (its keys are data,
# not field names).
MAP_KEYS_AS_NAMES = 64


def _walk(
    path: str, values: pa.Array, rows: np.ndarray | None, repeated: bool = False
) -> Iterator[Leaf]:
    kind = values.type
    if is_json(kind):
        yield from _json_leaves(path, values.storage, rows)
    elif isinstance(values, pa.ExtensionArray):
        yield from _walk(path, values.storage, rows, repeated)
    elif pa.types.is_dictionary(kind):
        yield from _walk(path, values.dictionary_decode(), rows, repeated)
    elif pa.types.is_run_end_encoded(kind):
        yield from _walk(path, pc.run_end_decode(values), rows, repeated)
    elif pa.types.is_struct(kind):
        for index in range(kind.num_fields):
            child = pc.struct_field(values, [index])
            yield from _walk(f"{path}.{kind.field(index).name}", child, rows, repeated)
    elif pa.types.is_map(kind):
        yield from _map_leaves(path, values, rows, repeated)
    elif _is_list(kind):
        parents = pc.list_parent_indices(values).to_numpy()
        flat = pc.list_flatten(values)
        yield from _walk(path, flat, parents if rows is None else rows[parents], True)
    elif pa.types.is_union(kind):
        yield from _union_leaves(path, values, rows, repeated)
    elif pa.types.is_nested(kind):
        raise InputError(f"field {path!r}: xfilter cannot scan Arrow type {kind}")
    elif pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        yield Leaf(path, values.cast(pa.string()), rows, repeated=repeated)
    elif pa.types.is_binary_view(kind) or pa.types.is_fixed_size_binary(kind):
        yield Leaf(path, values.cast(pa.binary()), rows, repeated=repeated)
    elif not pa.types.is_null(kind):
        yield Leaf(path, values, rows, repeated=repeated)


def _is_list(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_list(kind)
        or pa.types.is_large_list(kind)
        or pa.types.is_fixed_size_list(kind)
        or pa.types.is_list_view(kind)
        or pa.types.is_large_list_view(kind)
    )


def is_json(kind: pa.DataType) -> bool:
    """Arrow's JSON extension type: ``datasets`` stores a ``Json()`` feature (a column whose
    JSON type varies between rows) as encoded JSON text."""
    return isinstance(kind, pa.BaseExtensionType) and kind.extension_name == "arrow.json"


def _map_leaves(
    path: str, values: pa.MapArray, rows: np.ndarray | None, repeated: bool = False
) -> Iterator[Leaf]:
    """Keys and values; a value named by its key is one per row, as a struct field is."""
    kind = values.type
    entries = values.cast(pa.list_(pa.struct([kind.key_field, kind.item_field])))
    parents = pc.list_parent_indices(entries).to_numpy()
    at = parents if rows is None else rows[parents]
    flat = pc.list_flatten(entries)
    keys, items = pc.struct_field(flat, [0]), pc.struct_field(flat, [1])
    yield from _walk(path, keys, at, True)
    if pa.types.is_string(keys.type) or pa.types.is_large_string(keys.type):
        encoded = pc.dictionary_encode(keys)
        names = encoded.dictionary.to_pylist()
        if len(names) <= MAP_KEYS_AS_NAMES:
            codes = encoded.indices.to_numpy(zero_copy_only=False)
            for code, name in enumerate(names):
                where = np.flatnonzero(codes == code)
                named = items.take(pa.array(where))
                yield from _walk(f"{path}.{name}", named, at[where], repeated)
            return
    yield from _walk(path, items, at, True)


def _union_leaves(
    path: str, values: pa.UnionArray, rows: np.ndarray | None, repeated: bool = False
) -> Iterator[Leaf]:
    """Each member's values, in the rows that hold that member, under the column's path."""
    kind = values.type
    codes = values.type_codes.to_numpy(zero_copy_only=False)
    offsets = values.offsets.to_numpy(zero_copy_only=False) if kind.mode == "dense" else None
    for index, code in enumerate(kind.type_codes):
        where = np.flatnonzero(codes == code)
        if where.size:
            taken = where if offsets is None else offsets[where]
            member = values.field(index).take(pa.array(taken))
            yield from _walk(path, member, where if rows is None else rows[where], repeated)


def _json_leaves(path: str, storage: pa.Array, rows: np.ndarray | None) -> Iterator[Leaf]:
    """The encoded text (for X objects), then every string, integer and float inside the
    decoded values that hold no X object, by path, as the same values in a struct column
    would be.

    Costs one ``json.loads`` per non-null value and a walk of what it returns, in Python:
    the encoded text hides non-ASCII characters (``\\u2014``) and slashes (``\\/``) from the
    text rules, so there is no cheaper correct prefilter over it.
    """
    encoded = storage if pa.types.is_string(storage.type) else storage.cast(pa.string())
    yield Leaf(path, encoded, rows, json=True)
    found: dict[tuple[str, str], tuple[list[Any], list[int]]] = {}
    for index, raw in enumerate(encoded.to_pylist()):
        if raw is not None:
            try:
                value = json.loads(raw)
            except (ValueError, RecursionError):
                value = raw
            if not isinstance(value, str) and posts.analyze_object(value):
                # An X object: the encoded text's evidence speaks for it, as for JSON in a
                # text column (its strings would add mentions as authors).
                continue
            _collect(path, value, index, found)
    for (leaf_path, kind), (items, indices) in found.items():
        at = np.asarray(indices, dtype=np.int64)
        array = pa.array(items, _JSON_SCALARS[kind])
        yield Leaf(leaf_path, array, at if rows is None else rows[at])


_JSON_SCALARS = {"str": pa.string(), "int": pa.int64(), "float": pa.float64()}
_INT64 = (-(2**63), 2**63)


def _collect(
    path: str,
    value: Any,
    row: int,
    found: dict[tuple[str, str], tuple[list[Any], list[int]]],
    keys: bool = False,
) -> None:
    """Every scalar in a decoded JSON value (and with ``keys`` every key, as a string),
    keyed by its path and kind; no recursion: the nesting depth is the input's."""
    stack = [(path, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((f"{where}.{k}", v) for k, v in reversed(node.items()))
            if keys:
                stack.extend((where, str(k)) for k in reversed(node))
        elif isinstance(node, list):
            stack.extend((where, v) for v in reversed(node))
        elif isinstance(node, bool) or node is None:
            continue
        else:
            if isinstance(node, int) and not _INT64[0] <= node < _INT64[1]:
                node = str(node)  # an id too large for int64 is still an id
            kind = "str" if isinstance(node, str) else "int" if isinstance(node, int) else "float"
            items, rows = found.setdefault((where, kind), ([], []))
            items.append(node)
            rows.append(row)


class BatchEvidence:
    """Evidence per row of one batch, collected detector by detector."""

    def __init__(self, num_rows: int) -> None:
        self.num_rows = num_rows
        self.by_row: dict[int, list[Evidence]] = {}
        self.everywhere: list[Evidence] = []
        # Authors named by an author column; they never make a record X content on their own.
        self.column_authors: dict[int, list[str]] = {}

    def add(self, row: int, found: Sequence[Evidence], field: str) -> None:
        if found:
            self.by_row.setdefault(row, []).extend(e.in_field(field) for e in found)

    def add_all(self, found: Sequence[Evidence]) -> None:
        self.everywhere.extend(found)

    def rows(self) -> Iterator[tuple[int, list[Evidence]]]:
        if self.everywhere:
            for row in range(self.num_rows):
                yield row, self.everywhere + self.by_row.get(row, [])
        else:
            yield from sorted(self.by_row.items())


def scan_table(
    table: pa.Table,
    registry: DatasetRegistry,
    roles: Roles = Roles(),
    dataset_evidence: Sequence[Evidence] = (),
    mentions: bool = True,
    enough: text.Enough | None = None,
) -> BatchEvidence:
    """All evidence in ``table``; rows without any are absent from the result.

    For a caller that needs actions alone: with ``mentions=False`` text rows that can hold
    only mentions are not analysed (under a policy that keeps mentions), and ``enough`` ends
    the analysis of a text once it says the evidence so far decides.
    """
    found = BatchEvidence(table.num_rows)
    found.add_all(dataset_evidence)
    if table.num_rows == 0:
        return found
    columns = [combined(c) for c in table.columns]  # once per batch, for every pass
    _scan_objects(table.column_names, columns, found)
    author_leaves: list[tuple[Leaf, bool]] = []
    strings: list[tuple[Leaf, str]] = []
    for leaf in leaves(table, columns):
        role = _role(leaf, roles)
        if role in ("author", "handle"):
            author_leaves.append((leaf, role == "author"))
        elif role == "id":
            _scan_ids(leaf, found)
        elif role == "source":  # a source column may also hold a URL or prose
            _scan_sources(leaf, registry, found)
            strings.append((leaf, "text"))
        elif role in ("url", "text", "json"):
            strings.append((leaf, role))
    _scan_strings(strings, found, mentions, enough)
    _attach_authors(author_leaves, found)
    return found


def analyze_string(value: str, enough: text.Enough | None = None) -> list[Evidence]:
    """A string field: a JSON object if it parses as one, else prose or HTML.

    JSON without X objects is prose too: its text as written, and, where escapes
    (``\\u2014``, ``\\/``) hide characters the text rules need, its strings decoded. Hits in
    decoded strings carry no span, so a redaction cannot cut them and rejects the record.
    Prose may hold post objects itself ("Parse this: {…}", a code fence in a chat turn).
    With ``enough``, the cheapest part of the text's evidence (``text.cheap_evidence``) is
    asked first: for most records ``xf.keep`` removes, it decides alone.
    """
    as_json = posts.analyze_json_text(value)
    if as_json:
        return as_json
    if enough is not None:  # a cheap part of the text's evidence may already decide
        cheap = text.cheap_evidence(value, enough)
        if enough(cheap):
            return cheap
    found = text.analyze_text(value, enough)
    if as_json is None and not (enough and enough(found)):
        found += objects_in_text(value)
    if as_json is not None and "\\" in value and not (enough and enough(found)):
        decoded = _json_strings(value)
        if decoded:
            found += [replace(e, span=None) for e in text.analyze_text(decoded, enough)]
    return found


def _json_strings(value: str) -> str | None:
    """The strings (keys too) of a JSON text, decoded, one paragraph each; None if the text
    is not JSON (a Python literal, say)."""
    try:
        decoded = json.loads(value.lstrip("\ufeff"))
    except (ValueError, RecursionError):
        return None
    found: dict[tuple[str, str], tuple[list[Any], list[int]]] = {}
    _collect("", decoded, 0, found, keys=True)
    return "\n\n".join(v for (_, kind), (items, _) in found.items() if kind == "str" for v in items)


def _is_own(path: str) -> bool:
    """A URL field names the record's own address at top level or in its metadata struct;
    deeper (``inReplyTo.link``, ``user.url``) it is a link inside the record."""
    parts = path.lower().split(".")
    return len(parts) == 1 or (len(parts) == 2 and parts[0] in METADATA_STRUCTS)


def _names_own_author(leaf: Leaf) -> bool:
    """A handle column names the record's author at top level, or in its author or metadata
    struct, once per row (``mentions[].username`` names many people, none of them the author)."""
    parts = leaf.path.lower().split(".")
    own = len(parts) == 1 or (len(parts) == 2 and parts[0] in AUTHOR_STRUCTS | METADATA_STRUCTS)
    return own and not leaf.repeated


def _role(leaf: Leaf, roles: Roles) -> str | None:
    if leaf.json:
        return "json"
    for role, named in (("author", roles.author), ("url", roles.url), ("text", roles.text)):
        if named is not None and (leaf.path in named or leaf.name in named):
            return role
    if ids.is_post_id_column(leaf.name) or ids.is_post_id_column(leaf.path):
        return "id"
    kind = leaf.values.type
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return "text"
    if not pa.types.is_string(kind):
        return None
    if leaf.name in SOURCE_COLUMN_NAMES:
        return "source"
    if roles.url is None and leaf.name in URL_COLUMN_NAMES and _is_own(leaf.path):
        return "url"
    if roles.author is None and leaf.name in AUTHOR_COLUMN_NAMES and _names_own_author(leaf):
        return "author" if leaf.name in X_AUTHOR_COLUMN_NAMES else "handle"
    return "text"


def _scan_strings(
    strings: list[tuple[Leaf, str]],
    found: BatchEvidence,
    mentions: bool = True,
    enough: text.Enough | None = None,
) -> None:
    """Every text, URL and JSON column of the batch through its prefilters, then analysis of
    the candidates only.

    A text candidate gets the full analysis where STRONG_TEXT_PREFILTER matches too, else the
    mention rules; without ``mentions`` (a policy that keeps them, asked for actions only) the
    text columns are scanned for STRONG_TEXT_PREFILTER alone: what it misses holds mentions at
    most. A URL candidate goes to ``analyze_url`` and the encoded text of a JSON column to the
    post-object rules; each is scanned for its own detector's prefilter (urls.PREFILTER,
    posts.PREFILTER), where nothing else can match. On RE2, where every call compiles its
    pattern, they share the text columns' call for TEXT_PREFILTER, which contains both.
    """
    text_patterns = (
        (TEXT_PREFILTER, STRONG_TEXT_PREFILTER) if mentions else (STRONG_TEXT_PREFILTER,)
    )
    own = engine_name() == "hyperscan"
    searchable = [_searchable(leaf.values) for leaf, _ in strings]
    requests = [
        (values, text_patterns if role == "text" else _prefilters_of(role, own))
        for (_, role), (values, _) in zip(strings, searchable, strict=True)
    ]
    for (leaf, role), (_, decode), rows in zip(
        strings, searchable, candidates_each(requests), strict=True
    ):
        if role != "text":
            analyze = urls.analyze_url if role == "url" else _post_objects
            for index, value in decode(rows[0]):
                found.add(leaf.row(index), analyze(value), leaf.path)
            continue
        strong = rows[-1]
        for index, value in decode(strong):
            found.add(leaf.row(index), analyze_string(value, enough), leaf.path)
        if mentions and rows[0].size > strong.size:
            weak = np.setdiff1d(rows[0], strong, assume_unique=True)
            for index, value in decode(weak):
                found.add(leaf.row(index), text.analyze_mentions(value), leaf.path)


def _prefilters_of(role: str, own: bool) -> tuple[str, ...]:
    """What a URL or JSON column is scanned for: its detector's own prefilter, or the text
    prefilter that contains it."""
    if not own:
        return (TEXT_PREFILTER,)
    return (urls.PREFILTER,) if role == "url" else (posts.PREFILTER,)


def _post_objects(value: str) -> list[Evidence]:
    return posts.analyze_json_text(value) or []


Decoder = Callable[[np.ndarray], Iterator[tuple[int, str]]]


def _searchable(values: pa.Array) -> tuple[pa.Array, Decoder]:
    """``values`` as a string array to scan, and how to get the rows at some indices as
    ``(index, str)`` (taken from Arrow in one call, not a scalar each).

    Bytes are scanned as text; invalid UTF-8 is replaced, never an error. A named text or URL
    field holding numbers is cast to strings.
    """
    kind = values.type
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        as_text = values.view(pa.string() if pa.types.is_binary(kind) else pa.large_string())

        def from_bytes(indices: np.ndarray) -> Iterator[tuple[int, str]]:
            for index, value in _taken(values, indices):
                yield index, value.decode("utf-8", "replace")

        return as_text, from_bytes
    if not pa.types.is_string(kind):
        values = values.cast(pa.string())
    return values, partial(_taken, values)


_DECODE_ROWS = 256  # values made Python objects at a time: few calls, bounded memory


def _taken(values: pa.Array, indices: np.ndarray) -> Iterator[tuple[int, Any]]:
    """``(index, value)`` of ``values`` at ``indices``, as Python objects, a slice at a time."""
    for start in range(0, len(indices), _DECODE_ROWS):
        part = indices[start : start + _DECODE_ROWS]
        taken = values.take(pa.array(part, pa.int64())).to_pylist()
        yield from zip(part.tolist(), taken, strict=True)


_ID_RULE = ids.POST_ID_COLUMN


def _scan_ids(leaf: Leaf, found: BatchEvidence) -> None:
    plausible = ids.plausible_post_ids(leaf.values)
    for index in np.flatnonzero(plausible):
        posts = ids.post_ids_in(leaf.values[int(index)].as_py())
        found.add(leaf.row(int(index)), [hit(_ID_RULE, posts=posts)], leaf.path)


_SOURCE_RULE = RULE_SOURCE_COLUMN


def _scan_sources(leaf: Leaf, registry: DatasetRegistry, found: BatchEvidence) -> None:
    encoded = pc.dictionary_encode(leaf.values)
    known = np.array(
        [registry.match_source_value(v) is not None for v in encoded.dictionary.to_pylist()],
        dtype=bool,
    )
    if not known.any():
        return
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    matched = np.flatnonzero((codes >= 0) & known[np.maximum(codes, 0)])
    for index in matched:
        found.add(leaf.row(int(index)), [hit(_SOURCE_RULE)], leaf.path)


def _scan_objects(names: list[str], columns: list[pa.Array], found: BatchEvidence) -> None:
    """Rows that are X objects by their shape: the whole row, or a nested column."""
    whole = pa.StructArray.from_arrays(columns, names=names)
    if posts.struct_type_is_post(whole.type) is not None:
        _analyze_objects(whole, np.ones(len(whole), dtype=bool), "<row>", found)
    for name, values in zip(names, columns, strict=True):
        kind = values.type
        if pa.types.is_struct(kind) or pa.types.is_map(kind) or _is_list(kind):
            _analyze_objects(values, posts.struct_candidates(values), name, found)


def _analyze_objects(
    values: pa.Array, candidates: np.ndarray, path: str, found: BatchEvidence
) -> None:
    for row in np.flatnonzero(candidates):
        obj = _decoded(values[int(row)].as_py(), values.type)
        if obj is not None:
            found.add(int(row), posts.analyze_object(obj), path)


def _decoded(value: Any, kind: pa.DataType) -> Any:
    """A row as Python, with ``datasets``' ``Json()`` fields (stored as text) parsed."""
    if value is None:
        return None
    if is_json(kind):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value
    if pa.types.is_struct(kind) and isinstance(value, dict):
        fields = [kind.field(i) for i in range(kind.num_fields)]
        return {f.name: _decoded(value.get(f.name), f.type) for f in fields}
    if pa.types.is_map(kind) and isinstance(value, list):
        return {k: _decoded(v, kind.item_type) for k, v in value}
    if _is_list(kind) and isinstance(value, list):
        return [_decoded(v, kind.value_type) for v in value]
    return value


def _attach_authors(author_leaves: list[tuple[Leaf, bool]], found: BatchEvidence) -> None:
    """An author column names whose content a record is, once a detector says it is X content.

    A column that says it holds X handles (``twitter_handle``, or named in ``fields.author``)
    does so for any row with evidence; a generic handle column (``username``) only for rows
    that are X content by themselves.
    """
    if not author_leaves or not (found.by_row or found.everywhere):
        return
    x_rows = _x_rows(found)
    for leaf, always in author_leaves:
        rows = None if found.everywhere and always else x_rows if not always else found.by_row
        values = (
            leaf.values if pa.types.is_string(leaf.values.type) else leaf.values.cast(pa.string())
        )
        for index in _indices_in(leaf, rows):
            value = values[int(index)].as_py()
            handle = handle_of(value) if value is not None else None
            if handle is not None:
                found.column_authors.setdefault(leaf.row(int(index)), []).append(handle)


def _x_rows(found: BatchEvidence) -> set[int] | None:
    """The rows that are X content by themselves; ``None``: every row."""
    if any(e.category in _X_ROW for e in found.everywhere):
        return None
    return {row for row, found_here in found.by_row.items() if _is_x_row(found_here)}


def _is_x_row(evidence: Sequence[Evidence]) -> bool:
    return any(e.category in _X_ROW for e in evidence)


def _indices_in(leaf: Leaf, rows: Collection[int] | None) -> np.ndarray:
    """The positions of ``leaf``'s values that belong to ``rows`` (``None``: all of them)."""
    if rows is None:
        return np.arange(len(leaf.values))
    wanted = np.fromiter(rows, dtype=np.int64, count=len(rows))
    if leaf.rows is None:
        return np.sort(wanted[wanted < len(leaf.values)])
    return np.flatnonzero(np.isin(leaf.rows, wanted))


def handle_of(value: str) -> str | None:
    """A handle column's value as a lower-case handle (or numeric user id), ``None`` if it is
    not one: ``" @Jack"``, ``"jack"`` and ``"https://x.com/jack"`` are all ``"jack"``."""
    value = value.strip()
    match = _HANDLE_OR_ID.fullmatch(value)
    if match is not None:
        return match[1].lower()
    xurl = urls.parse_x_url(value) if "/" in value else None
    if xurl is not None and xurl.kind == "profile" and xurl.handle:
        return xurl.handle.lower()
    return None
