"""Dagster resources: the warehouse (the one DuckDB writer) and the archive."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.settings import load_settings
from warehouse.io import connect


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. `writer()` opens it for writing (schema migrated);
    writes are serialised by the `duckdb_writer` concurrency pool (limit 1)."""

    path: str

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(Path(self.path))
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(Path(self.path), read_only=True)
        try:
            yield con
        finally:
            con.close()


class ArchiveResource(dg.ConfigurableResource):
    """The archive root: YYYY-MM-DD/ folders of .jsonl, .jsonl.gz and .txt files."""

    root: str

    @property
    def path(self) -> Path:
        return Path(self.root)


def default_resources() -> dict:
    """Resources from the environment (INCIDENT_ARCHIVE, INCIDENT_WAREHOUSE)."""
    settings = load_settings()
    return {
        "warehouse": WarehouseResource(path=str(settings.warehouse)),
        "archive": ArchiveResource(root=str(settings.archive)),
    }
