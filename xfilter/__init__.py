"""xfilter: find X (Twitter)-derived records in datasets and drop or quarantine them by policy.

>>> import xfilter                                                   # doctest: +SKIP
>>> xf = xfilter.XFilter(mode="strict")                              # doctest: +SKIP
>>> tagged = ds.map(xf, batched=True)                                # doctest: +SKIP
>>> xf.split(tagged).save("out/run1")                                # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

__all__ = [
    "Config",
    "FilterResult",
    "Output",
    "Recorder",
    "XFilter",
    "XFilterError",
    "__version__",
    "demo_files",
    "load_config",
    "refresh",
    "run",
    "verify",
]

if TYPE_CHECKING:
    from xfilter.config import Config, load_config
    from xfilter.engines.inputs import demo_files
    from xfilter.engines.local import run
    from xfilter.engines.refresh import refresh
    from xfilter.errors import XFilterError
    from xfilter.output.reader import Output
    from xfilter.output.verify import verify
    from xfilter.recorder import Recorder
    from xfilter.result import FilterResult
    from xfilter.transform import XFilter

_LAZY = {
    "Config": "xfilter.config",
    "load_config": "xfilter.config",
    "XFilterError": "xfilter.errors",
    "run": "xfilter.engines.local",
    "refresh": "xfilter.engines.refresh",
    "FilterResult": "xfilter.result",
    "Output": "xfilter.output.reader",
    "Recorder": "xfilter.recorder",
    "XFilter": "xfilter.transform",
    "verify": "xfilter.output.verify",
    "demo_files": "xfilter.engines.inputs",
}


def __getattr__(name: str) -> Any:
    """Import on first use: ``import xfilter`` stays cheap (no ``datasets`` import)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'xfilter' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)
