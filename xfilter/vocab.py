"""The words every layer shares: categories, actions, the four decision columns and the name
of the bundled demo input."""

from __future__ import annotations

import pyarrow as pa

# The input source that names xfilter's bundled demo dataset; also its kind in a manifest.
DEMO = "demo"

# Strongest first: a record's primary category is the first of these it has.
CATEGORIES: tuple[str, ...] = ("x_dataset", "x_post", "x_embed", "x_link", "x_mention")
CATEGORY_MEANING = {
    "x_dataset": "belongs to a dataset known to be X-derived",
    "x_post": "is X content itself (a post or user object, a post-ID column, an X page)",
    "x_embed": "carries an embedded X post's text",
    "x_link": "points at specific X posts or media without their text",
    "x_mention": "names X only generically (share buttons, profile links)",
}
# X handles are letters, digits and underscore. X accepts 4 to 15 characters for a new account
# and has kept shorter legacy ones; twitter-text reads a mention of up to 20, and so do the text
# and URL rules (HANDLE): a longer run of word characters after '@' is no mention. A handle read
# from a field whose key already says it holds one (``screen_name``, ``username``, the profile
# link of a post object) is bounded more loosely (FIELD_HANDLE), because those fields also
# decide whether an object is X's at all: an odd value there must not hide the object.
HANDLE_CHARS = "[A-Za-z0-9_]"
HANDLE = HANDLE_CHARS + "{1,20}"
FIELD_HANDLE = HANDLE_CHARS + "{1,50}"

# Categories whose records carry X content (their authors' posts); links and mentions do not.
CARRIED = frozenset({"x_dataset", "x_post", "x_embed"})

# Least removing first: when categories disagree the most removing action wins.
ACTIONS: tuple[str, ...] = ("keep", "redact", "quarantine", "drop")
# What the ledger and the counts call each action that is not "keep".
ACTION_COUNTS = {"drop": "dropped", "quarantine": "quarantined", "redact": "redacted"}
# A split's counts, as a manifest records them: input = kept + dropped + quarantined, and the
# redacted records are among the kept.
COUNTS = ("input", "kept", "dropped", "quarantined", "redacted")

ACTION, CATEGORIES_COLUMN, RULES_COLUMN, AUTHORS_COLUMN = (
    "xfilter_action",
    "xfilter_categories",
    "xfilter_rules",
    "xfilter_authors",
)
TAG_COLUMNS = (ACTION, CATEGORIES_COLUMN, RULES_COLUMN, AUTHORS_COLUMN)
TAG_SCHEMA = pa.schema(
    [
        pa.field(ACTION, pa.string()),
        pa.field(CATEGORIES_COLUMN, pa.list_(pa.string())),
        pa.field(RULES_COLUMN, pa.list_(pa.string())),
        pa.field(AUTHORS_COLUMN, pa.list_(pa.string())),
    ]
)

# Why a record is where it is, as the ledger and the private X index say it. The first four
# come from the policy: ``category`` (a category's rule removes or redacts the record whoever
# its author), ``opted_out`` (an author is on the opt-out list), ``unknown_author`` (the author
# check found no author), ``kept`` (nothing removes it). The others are what X's compliance
# results report when a refresh removes a record later.
REASON_CATEGORY, REASON_OPTED_OUT, REASON_UNKNOWN_AUTHOR, REASON_KEPT = (
    "category",
    "opted_out",
    "unknown_author",
    "kept",
)
REFRESH_REASONS = (
    "post_deleted",
    "account_deleted",
    "account_protected",
    "account_suspended",
    "account_deactivated",
    "scrub_geo",
)
REASONS: tuple[str, ...] = (
    REASON_CATEGORY,
    REASON_OPTED_OUT,
    REASON_UNKNOWN_AUTHOR,
    REASON_KEPT,
    *REFRESH_REASONS,
)

# What the batch function knows of a record beyond the tag columns, handed to the output writer
# as extra columns of a tagged batch and never written to the clean or quarantine set: the
# policy's reason and the ids of the X posts it carries and links.
REASON_COLUMN, POST_IDS_COLUMN, LINKED_POST_IDS_COLUMN = (
    "xfilter_reason",
    "xfilter_post_ids",
    "xfilter_linked_post_ids",
)
RECORD_COLUMNS = (REASON_COLUMN, POST_IDS_COLUMN, LINKED_POST_IDS_COLUMN)
RECORD_SCHEMA = pa.schema(
    [
        pa.field(REASON_COLUMN, pa.string()),
        pa.field(POST_IDS_COLUMN, pa.list_(pa.string())),
        pa.field(LINKED_POST_IDS_COLUMN, pa.list_(pa.string())),
    ]
)
