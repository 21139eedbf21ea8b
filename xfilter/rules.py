"""Moved to :mod:`xfilter.detect.ruleset`; kept so older imports still work."""

from xfilter.detect.ruleset import ALL_RULES, RULESET_VERSION, ruleset_files, ruleset_sha256

__all__ = ["ALL_RULES", "RULESET_VERSION", "ruleset_files", "ruleset_sha256"]
