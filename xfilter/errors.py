"""Errors a user can act on. Each names the file, key, field or record at fault."""

from __future__ import annotations


class XFilterError(Exception):
    """Base class: the CLI prints these as one line and exits non-zero."""

    exit_code = 2


class ConfigError(XFilterError):
    """A config, registry or opt-out file is invalid."""


class InputError(XFilterError):
    """The input cannot be found, read or understood."""


class OutputError(XFilterError):
    """The output directory cannot be written safely."""


class VerifyError(XFilterError):
    """An output directory does not match its manifest."""

    exit_code = 1
