"""Apply the ordered, rerunnable DDL files in warehouse/ddl/ to a DuckDB connection."""

from __future__ import annotations

import re
from collections.abc import Callable
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


def migrate(con: duckdb.DuckDBPyConnection, then: Callable[[duckdb.DuckDBPyConnection], object] | None = None) -> list[str]:
    """Create or update every warehouse relation; safe to run any number of times. A
    warehouse already built from these exact DDL files is left alone (every writer opens
    the file through here: re-running the DDL costs more than the check). `then(con)`
    runs after the DDL, in its transaction (data the new DDL asks for)."""
    digest = ddl_digest()
    try:
        done = con.execute("select digest from staging.schema_digest").fetchone()
    except duckdb.CatalogException:
        done = None
    if done is not None and done[0] == digest:
        return []
    applied = []
    con.execute("begin")
    try:
        keyed = _set_keyed_tables_aside(con)
        for path in ddl_files():
            con.execute(path.read_text(encoding="utf-8"))
            applied.append(path.name)
        for table in keyed:
            con.execute(f"insert into {table} by name select * from {table}{_ASIDE}")
            con.execute(f"drop table {table}{_ASIDE}")
        if then is not None:
            then(con)
        con.execute("create table if not exists staging.schema_digest (digest varchar not null)")
        con.execute("comment on table staging.schema_digest is 'sha256 of the DDL files this warehouse was last migrated with (warehouse/migrate.py). Internal.'")
        con.execute("delete from staging.schema_digest")
        con.execute("insert into staging.schema_digest values (?)", [digest])
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
    return applied


_ASIDE = "__keyed"

# A CREATE TABLE statement of the DDL, and the table it creates (group 1).
CREATE_TABLE = re.compile(r"create\s+(?:or\s+replace\s+)?table\s+(?:if\s+not\s+exists\s+)?([\w.]+)", re.I)


def ddl_tables() -> set[str]:
    """'schema.table' (lower case) of every table the DDL files create."""
    names = (m.group(1).lower() for path in ddl_files() for m in CREATE_TABLE.finditer(path.read_text(encoding="utf-8")))
    return {name if "." in name else f"main.{name}" for name in names}


def _set_keyed_tables_aside(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Rename the project's tables that carry a PRIMARY KEY or UNIQUE constraint (built by
    an older DDL: the DDL declares none now, see 001_ingest.sql) so that the DDL creates
    them anew without it; `migrate` then copies their rows over and drops the old ones."""
    constrained = con.execute("""
        select distinct schema_name || '.' || table_name from duckdb_constraints()
        where database_name = current_database() and constraint_type in ('PRIMARY KEY', 'UNIQUE')
        order by all
    """).fetchall()
    ours = ddl_tables()
    keyed = [name for (name,) in constrained if name.lower() in ours]
    for table in keyed:
        con.execute(f"alter table {table} rename to {table.split('.')[1]}{_ASIDE}")
    return keyed
