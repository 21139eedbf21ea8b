"""A datatrove pipeline that removes X content with xfilter and writes a verified output.

    python examples/datatrove_pipeline.py                       # the bundled demo, as parquet
    python examples/datatrove_pipeline.py --input data/ --config configs/strict.yaml \
        --work work/ --output out/strict --tasks 8

The first executor reads the parquet files with datatrove's ``ParquetReader`` (through
xfilter's ``record_adapter``), removes X content with ``XFilterStep`` on several tasks, writes
the kept documents with ``JsonlWriter`` and the removed ones, with xfilter's reasons in their
metadata, with the step's exclusion writer. The second executor depends on the first: its one
task merges every task's parts into xfilter's output directory (clean and quarantine sets,
ledger, X index, manifest, card), the one ``xfilter run`` would write for the same input.
The script then checks that directory as ``xfilter verify`` does.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import ParquetReader
from datatrove.pipeline.writers import JsonlWriter

import xfilter
from xfilter.integrations.datatrove import XFilterOutput, XFilterStep, record_adapter

REPO = Path(__file__).resolve().parents[1]


def demo_as_parquet(folder: Path) -> Path:
    """The bundled demo as a folder of parquet files in the Hub's layout, the train split in
    two files: ``data/train-00000-of-00002.parquet`` ..."""
    import datasets

    demo = datasets.load_dataset("json", data_files=xfilter.demo_files())
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    for split, shards in (("train", 2), ("validation", 1)):
        for index in range(shards):
            shard = demo[split].shard(shards, index, contiguous=True)
            shard.to_parquet(str(data / f"{split}-{index:05d}-of-{shards:05d}.parquet"))
    return folder


def pipeline(
    config: str, input: Path, work: Path, output: Path, tasks: int
) -> LocalPipelineExecutor:
    """The filtering executor, and the merging one that depends on it (returned)."""
    step = XFilterStep(
        config,
        input=str(input),  # what the reader reads: the merge numbers rows by these files
        parts_folder=work / "parts",
        exclusion_writer=JsonlWriter(str(work / "removed")),
    )
    filtering = LocalPipelineExecutor(
        pipeline=[
            ParquetReader(str(input), adapter=record_adapter),
            step,
            JsonlWriter(str(work / "kept")),
        ],
        tasks=tasks,
        logging_dir=str(work / "logs" / "filter"),
    )
    return LocalPipelineExecutor(
        pipeline=[XFilterOutput(step, output)],
        tasks=1,
        logging_dir=str(work / "logs" / "output"),
        depends=filtering,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(REPO / "configs" / "strict.yaml"))
    parser.add_argument("--input", type=Path, help="a folder of parquet files (default: the demo)")
    parser.add_argument("--work", type=Path, default=Path("datatrove-example"))
    parser.add_argument("--output", type=Path, help="default: WORK/output")
    parser.add_argument("--tasks", type=int, default=2)
    args = parser.parse_args(argv)
    work = args.work.resolve()
    input = args.input or demo_as_parquet(work / "input")
    output = args.output or work / "output"
    pipeline(args.config, input, work, output, args.tasks).run()
    xfilter.verify(output)
    print(xfilter.Output(output))
    print(f"{output}: verified")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
