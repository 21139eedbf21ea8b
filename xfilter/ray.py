"""``xfilter.ray.run``: the Ray engine (``xfilter.engines.ray``) under its public name. It
returns the ``xfilter.Output`` it wrote, as ``xfilter.run`` does."""

from xfilter.engines.ray import run

__all__ = ["run"]
