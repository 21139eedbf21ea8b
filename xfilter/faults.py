"""Named fault points, so tests can kill a real run at a chosen stage.

``XFILTER_FAULT=<point>`` makes the process send itself ``XFILTER_FAULT_SIGNAL`` (default
``SIGKILL``) when it reaches that point. Unset, a checkpoint costs one dictionary lookup; an
unknown point or signal is a ``ConfigError``.
"""

from __future__ import annotations

import os
import signal

from xfilter.errors import ConfigError

POINTS = ("read", "scan", "tag", "write-clean", "write-quarantine", "write-manifest", "commit")


def checkpoint(point: str) -> None:
    wanted = os.environ.get("XFILTER_FAULT")
    if not wanted:
        return
    if wanted not in POINTS:
        raise ConfigError(f"XFILTER_FAULT: {wanted!r} is not one of {', '.join(POINTS)}")
    if wanted == point:
        os.kill(os.getpid(), _fault_signal())


def check_settings() -> None:
    """Refuse bad fault settings up front, whether or not the run reaches their point."""
    wanted = os.environ.get("XFILTER_FAULT")
    if wanted and wanted not in POINTS:
        raise ConfigError(f"XFILTER_FAULT: {wanted!r} is not one of {', '.join(POINTS)}")
    if wanted:
        _fault_signal()


def _fault_signal() -> signal.Signals:
    name = os.environ.get("XFILTER_FAULT_SIGNAL", "SIGKILL")
    try:
        return signal.Signals[name.strip().upper()]
    except KeyError:
        raise ConfigError(
            f"XFILTER_FAULT_SIGNAL: {name!r} is not a signal name such as SIGKILL or SIGINT"
        ) from None
