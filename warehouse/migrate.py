"""Apply the ordered, rerunnable DDL files in warehouse/ddl/ to a DuckDB connection."""

from __future__ import annotations

from pathlib import Path

import duckdb

DDL_DIR = Path(__file__).parent / "ddl"


def ddl_files() -> list[Path]:
    """The DDL files in the order they are applied (by their numeric prefix)."""
    return sorted(DDL_DIR.glob("*.sql"))


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create or update every warehouse relation; safe to run any number of times."""
    applied = []
    for path in ddl_files():
        con.execute(path.read_text(encoding="utf-8"))
        applied.append(path.name)
    return applied
