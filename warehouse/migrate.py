"""Apply the ordered, rerunnable DDL files in warehouse/ddl/ to a DuckDB connection."""

from __future__ import annotations

from pathlib import Path

import duckdb

DDL_DIR = Path(__file__).parent / "ddl"


def ddl_files() -> list[Path]:
    """The DDL files in the order they are applied (by their numeric prefix)."""
    return sorted(DDL_DIR.glob("*.sql"))


def ddl_digest() -> str:
    """sha256 of every DDL file, in order: what an up-to-date warehouse was built from."""
    import hashlib

    digest = hashlib.sha256()
    for path in ddl_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create or update every warehouse relation; safe to run any number of times. A
    warehouse already built from these exact DDL files is left alone (every writer opens
    the file through here: re-running the DDL costs more than the check)."""
    digest = ddl_digest()
    try:
        done = con.execute("select digest from staging.schema_digest").fetchone()
    except duckdb.CatalogException:
        done = None
    if done is not None and done[0] == digest:
        return []
    applied = []
    for path in ddl_files():
        con.execute(path.read_text(encoding="utf-8"))
        applied.append(path.name)
    con.execute("create table if not exists staging.schema_digest (digest varchar not null)")
    con.execute("comment on table staging.schema_digest is 'sha256 of the DDL files this warehouse was last migrated with (warehouse/migrate.py). Internal.'")
    con.execute("delete from staging.schema_digest")
    con.execute("insert into staging.schema_digest values (?)", [digest])
    return applied
