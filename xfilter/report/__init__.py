"""``xfilter report``: one self-contained HTML page for the people who review an output.

The page (``page.py``) is built from what an output directory holds (``build.py``): the
manifest, the ledger and the X index, counted with pyarrow (``tallies.py``) and drawn as
inline SVG (``charts.py``); a sample of the rejected records (``samples.py``) with the spans
its rules match, found by running detection again on those records only (``spans.py``).

The report needs detection, the output reader and, to show redacted records before their
cut, the input reader: it sits above ``xfilter.engines`` and below ``xfilter.cli``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from xfilter.errors import OutputError
from xfilter.report.build import VerifyMode, gather
from xfilter.report.page import render
from xfilter.report.samples import Limits

REPORT_SUFFIX = "-report.html"


def default_path(out_dir: str | os.PathLike[str]) -> Path:
    """Where the report of ``out_dir`` goes by default: beside it, ``<name>-report.html``.
    Never inside it: ``verify`` refuses a file the manifest does not list."""
    root = Path(out_dir).expanduser().resolve()
    return root.parent / f"{root.name}{REPORT_SUFFIX}"


def write_report(
    out_dir: str | os.PathLike[str],
    html_path: str | os.PathLike[str] | None = None,
    *,
    chain: Sequence[str | os.PathLike[str]] = (),
    input: str | None = None,
    verify: VerifyMode = "quick",
    limits: Limits | None = None,
) -> Path:
    """Write the HTML report of the output ``out_dir`` to ``html_path`` (default:
    ``default_path``) and return where it went.

    ``chain``: earlier versions of a refreshed output, newest first, to show what each
    removed (as ``xfilter verify --chain`` takes them). ``input``: the run's input source,
    read again to show redacted records before their cut. ``verify``: ``quick`` (default),
    ``full`` (re-scan the clean set too) or ``none``; a failure is shown at the top of the
    page, not raised. The file appears whole or not at all.
    """
    root = Path(out_dir).expanduser()
    target = Path(html_path).expanduser() if html_path is not None else default_path(root)
    if target.resolve().is_relative_to(root.resolve()):
        raise OutputError(
            f"{target}: inside the output {root}; write the report beside it (verify refuses "
            "files the manifest does not list)"
        )
    if target.is_dir():
        raise OutputError(f"{target}: is a directory; name the report's HTML file")
    html = render(
        gather(root, chain=chain, input=input, verify_mode=verify, limits=limits or Limits())
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(html)
        os.replace(staging, target)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return target


__all__ = ["Limits", "default_path", "write_report"]
