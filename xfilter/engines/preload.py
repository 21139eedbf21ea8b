"""What the tagging workers' fork server loads before it forks a worker.

Importing this module imports the tagging stack and then builds, once, what detection
otherwise builds lazily on a process's first batch: compiled patterns (Python ``re`` and
Hyperscan databases), the date names of every language of X's widget, the built-in dataset
registry. It does so by tagging the bundled demo, which holds every shape of X content, under
the default config. Each worker forked from the server inherits all of it, so a worker answers
its first batch as fast as its hundredth instead of spending a second or more building.

Only the fork server imports this module (``workers.PRELOAD``): importing it anywhere else
costs that second for nothing. Warming is an optimisation, never a condition: any error here is
logged and ignored, and the worker meets it again, and reports it, on its first batch.
"""

from __future__ import annotations

import json
import logging
import os

import pyarrow as pa

from xfilter.config import Config
from xfilter.engines.inputs import demo_files
from xfilter.engines.local import tag_for_output
from xfilter.transform import XFilter

log = logging.getLogger(__name__)


def demo_table() -> pa.Table:
    """The bundled demo's records, every split, as one table."""
    rows = []
    for path in demo_files().values():
        with open(path, encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle if line.strip()]
    return pa.Table.from_pylist(rows)


def warm() -> None:
    """Tag the demo once, so that every lazily built part of detection is built.

    A fault point a test set for the job (``XFILTER_FAULT``) must fire in the job's tagging,
    not here: it would kill the fork server before any worker exists. The workers receive the
    job's environment, fault included, with their function (``workers._Setup``).
    """
    fault = os.environ.pop("XFILTER_FAULT", None)
    try:
        tag_for_output(XFilter(config=Config()), demo_table())
    except Exception as error:  # the worker meets it again on its first batch, and reports it
        log.debug("xfilter: warming the fork server failed: %s", error)
    finally:
        if fault is not None:
            os.environ["XFILTER_FAULT"] = fault


warm()
