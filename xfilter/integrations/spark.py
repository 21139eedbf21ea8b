"""xfilter on Spark DataFrames: the tag columns, and the records a run keeps.

Each partition's Arrow batches go through ``mapInArrow`` to the function ``ds.map(xf)`` uses
(``XFilter.tag_table``), so a row gets the decision it gets anywhere else. The Spark schema of
the four tag columns is derived from xfilter's own Arrow schema (``vocab.TAG_SCHEMA``), so
Spark knows the result's columns before it runs anything.

    from xfilter.integrations.spark import keep, tag

    tagged = tag(df, xf)          # df + xfilter_action, _categories, _rules, _authors
    clean = keep(df, xf)          # the records a run writes to clean/, redacted text rewritten

For a whole job with a manifest, ledger and card, use ``xfilter run CONFIG --engine spark``
(``xfilter.engines.spark.run``).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from xfilter.engines.spark import import_pyspark, worker_filter
from xfilter.transform import XFilter
from xfilter.vocab import ACTION, RECORD_COLUMNS, TAG_COLUMNS, TAG_SCHEMA

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

__all__ = ["keep", "tag", "tag_schema", "tagged_schema"]

# The actions whose records a run writes to the clean set (redacted ones with text rewritten).
_KEPT = pa.array(["keep", "redact"])


def tag_schema() -> StructType:
    """The Spark schema of xfilter's four tag columns, from their Arrow schema."""
    import_pyspark()
    from pyspark.sql.pandas.types import from_arrow_schema

    schema: StructType = from_arrow_schema(TAG_SCHEMA)
    return schema


def tagged_schema(schema: StructType) -> StructType:
    """``schema`` with the tag columns at the end (replacing any it had)."""
    from pyspark.sql.types import StructType

    own = [f for f in schema.fields if f.name not in (*TAG_COLUMNS, *RECORD_COLUMNS)]
    return StructType([*own, *tag_schema().fields])


def tag(df: DataFrame, xf: XFilter) -> DataFrame:
    """``df`` with the four tag columns, as ``ds.map(xf, batched=True)`` adds them: a policy
    that redacts rewrites the affected text; the other columns are unchanged."""
    import_pyspark()
    return df.mapInArrow(_Tagging(xf, kept_only=False), tagged_schema(df.schema))


def keep(df: DataFrame, xf: XFilter) -> DataFrame:
    """The records of ``df`` a run writes to its clean set, without tag columns: those the
    policy keeps, and those it redacts with their text rewritten."""
    import_pyspark()
    from pyspark.sql.types import StructType

    own = [f for f in df.schema.fields if f.name not in (*TAG_COLUMNS, *RECORD_COLUMNS)]
    return df.mapInArrow(_Tagging(xf, kept_only=True), StructType(own))


class _Tagging:
    """The ``mapInArrow`` function. The filter travels as its pickled state (plain data) and
    is unpickled once per worker process, where its scan is compiled on first use."""

    def __init__(self, xf: XFilter, kept_only: bool) -> None:
        self.state = pickle.dumps(xf)
        self.kept_only = kept_only

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        xf = worker_filter(self.state)
        for batch in batches:
            table = pa.Table.from_batches([batch])
            ours = [c for c in (*TAG_COLUMNS, *RECORD_COLUMNS) if c in table.column_names]
            table = table.drop_columns(ours)  # re-tagging replaces an earlier decision
            tagged = xf.tag_table(table)
            if self.kept_only:
                kept = pc.is_in(tagged.column(ACTION), value_set=_KEPT)
                tagged = tagged.filter(kept).drop_columns(list(TAG_COLUMNS))
            else:
                tagged = tagged.cast(pa.schema([*table.schema, *TAG_SCHEMA]))
            yield from tagged.to_batches()
