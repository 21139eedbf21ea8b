"""Named fault points, so tests can kill a real run at a chosen stage.

``XFILTER_FAULT=<point>`` makes the process send itself ``XFILTER_FAULT_SIGNAL`` (default
``SIGKILL``) when it reaches that point. Unset, a checkpoint costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

POINTS = ("read", "tag", "write-clean", "write-quarantine", "write-manifest", "commit")


def checkpoint(point: str) -> None:
    if os.environ.get("XFILTER_FAULT") == point:
        name = os.environ.get("XFILTER_FAULT_SIGNAL", "SIGKILL")
        os.kill(os.getpid(), getattr(signal, name))
