"""``xfilter.ray.run``: the Ray engine (``xfilter.engines.ray``) under its public name."""

from xfilter.engines.ray import run

__all__ = ["run"]
