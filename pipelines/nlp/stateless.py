"""Serialization for components whose rules live in code and data files, not in the pipeline."""

from __future__ import annotations


class StatelessComponent:
    """nlp.to_disk / from_disk round-trips: nothing to save, the rules are reloaded from
    the package (patterns as data in pipelines/nlp/data, loaded in initialize)."""

    def to_bytes(self, *, exclude=()):
        return b""

    def from_bytes(self, data, *, exclude=()):
        return self

    def to_disk(self, path, *, exclude=()):
        return None

    def from_disk(self, path, *, exclude=()):
        return self
