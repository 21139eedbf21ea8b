"""``rows_where`` picks the rows a mask selects, as Arrow's filter does, without copying runs."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from xfilter.output.writer import rows_where


def _table(rows: int) -> pa.Table:
    values = [f"record {i} " * (i % 7) for i in range(rows)]
    nested = [{"id": i, "tags": ["a"] * (i % 3)} if i % 5 else None for i in range(rows)]
    whole = pa.table({"text": values, "n": list(range(rows)), "post": nested})
    # Chunked, as a slice of a memory-mapped dataset often is.
    return pa.concat_tables([whole.slice(0, rows // 3), whole.slice(rows // 3)])


@pytest.mark.parametrize(
    "pattern",
    ["all", "none", "one", "sparse", "dense", "alternating", "random"],
)
def test_rows_where_equals_arrows_filter(pattern: str) -> None:
    table = _table(3000)
    generator = np.random.default_rng(7)
    mask = {
        "all": np.ones(3000, bool),
        "none": np.zeros(3000, bool),
        "one": np.arange(3000) == 1999,
        "sparse": generator.random(3000) < 0.02,
        "dense": generator.random(3000) < 0.98,
        "alternating": np.arange(3000) % 2 == 0,  # more runs than slices pay for
        "random": generator.random(3000) < 0.5,
    }[pattern]
    picked = rows_where(table, mask)
    assert picked.schema == table.schema
    assert picked.num_rows == int(mask.sum())
    assert picked.combine_chunks().equals(table.filter(pa.array(mask)).combine_chunks())


def test_runs_are_slices_of_the_input_not_copies() -> None:
    table = _table(3000).combine_chunks()
    mask = np.ones(3000, bool)
    mask[[10, 2000]] = False
    picked = rows_where(table, mask)
    text = table.column("text").chunk(0)
    # Every chunk of the result shares the input's data buffer.
    for chunk in picked.column("text").chunks:
        assert chunk.buffers()[2].address == text.buffers()[2].address
