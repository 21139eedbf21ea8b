"""Engines: whole runs, read → tag → write, named like ``--engine`` (local, ray)."""
