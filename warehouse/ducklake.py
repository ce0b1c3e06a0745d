"""The warehouse as a DuckLake: Parquet data files + a catalog database, same SQL.

DuckDB's own file allows one writer process (DESIGN.md §7). Beyond one machine the
warehouse becomes a DuckLake: data as Parquet under a data path (a local folder, or
s3://... / gs://... on object storage) and the metadata in a catalog database. Several
processes, on several machines, can then load partitions at the same time.

Which catalog (checked here with duckdb 1.5.5 and the PyPI extension wheels 1.5.5):

* ``<file>.ducklake`` (a DuckDB file): ONE process at a time. A second process fails to
  attach with ``IO Error: Failed to attach DuckLake MetaData ... Could not set lock on
  file ... Conflicting lock is held in ... (PID n)``. Fine for a single machine.
* ``sqlite:<file>.sqlite``: several local processes (the tested multi-writer setup;
  needs ``duckdb-extension-sqlite==1.5.5``). Under contention a commit can fail with
  ``Failed to flush changes into DuckLake: database is locked`` even with a busy
  timeout (SQLite refuses a read-to-write lock upgrade without waiting: duckdb/ducklake
  issue #1309); :func:`load_partition_into_lake` retries the whole, idempotent
  partition transaction in that case.
* ``postgres:dbname=... host=...``: several processes on several machines (production;
  needs ``duckdb-extension-postgres==1.5.5``). Not tested here (no Postgres server).

Nothing is downloaded at run time: extensions are LOADed from the PyPI wheels
``duckdb-extension-<name>==<duckdb version>`` installed in site-packages, with
``autoinstall_known_extensions`` and ``autoload_known_extensions`` off.

What the project's DDL (warehouse/ddl/*.sql) becomes in a lake (:func:`lake_ddl`):

* Tables are created as written: the DDL declares no PRIMARY KEY (see
  warehouse/ddl/001_ingest.sql), which DuckLake would refuse ("Not implemented Error:
  PRIMARY KEY/UNIQUE constraints are not supported in DuckLake"). Uniqueness holds by
  construction: every write replaces a whole partition (or table) in one transaction,
  and ids are content hashes.
* ``COMMENT ON COLUMN`` of a view is skipped: DuckLake only stores column comments of
  tables ("Cannot comment on columns for entry incident_summary - it is not a table").
  Table, column-of-table and view comments are kept.
* NOT NULL, types (timestamptz, json, varchar[]), schemas, views and
  ``create table ... as select ... limit 0`` are kept as written.
* Added: every table with a ``partition_date`` column is ``PARTITIONED BY
  (partition_date)``, so a partition's rows live in their own Parquet files and a
  re-load of one day deletes from that day's files only (no conflict with a concurrent
  load of another day).
* Data inlining is off by default (``DATA_INLINING_ROW_LIMIT 0``): every row goes to
  Parquet under the data path, the catalog holds metadata only.
"""

from __future__ import annotations

import importlib.util
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

from warehouse.io import WarehouseError, replace_partition
from warehouse.migrate import CREATE_TABLE, ddl_files

DUCKDB_VERSION = duckdb.__version__

# Extensions whose wheel file name differs from the name DuckDB derives the entry point
# from ("sqlite.duckdb_extension" holds sqlite_scanner_duckdb_cpp_init).
_CANONICAL_NAME = {"sqlite": "sqlite_scanner", "postgres": "postgres_scanner"}

# Errors worth retrying a whole partition load for: SQLite busy on commit, and DuckLake
# commit conflicts it could not settle itself (e.g. two loads of the SAME partition).
# Two processes creating a fresh SQLite-catalog lake at once can also see the other's
# half-made metadata ("Failed to probe DuckLake metadata: Current transaction is aborted";
# on commit, "Failed to load DuckLake - table with id 2 references schema id 1 that does
# not exist": seen once in 30 two-process loads with both cores busy).
_TRANSIENT = ("database is locked", "transaction conflict", "conflicting changes",
              "exceeded the maximum retry count", "could not serialize", "deadlock detected",
              "failed to probe ducklake metadata", "current transaction is aborted",
              "failed to load ducklake")

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OBJECT_STORE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


class LakeError(WarehouseError):
    """A DuckLake problem a user can act on; its message is one clear line."""


# --------------------------------------------------------------------------- extensions


def extension_path(name: str = "ducklake") -> Path:
    """The extension file inside the PyPI wheel ``duckdb-extension-<name>`` matching the
    installed DuckDB, e.g. ``.../duckdb_extension_ducklake/extensions/v1.5.5/ducklake.duckdb_extension``."""
    package = f"duckdb_extension_{name}"
    pip_hint = f"pip install duckdb-extension-{name}=={DUCKDB_VERSION}"
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise LakeError(
            f"the DuckDB extension '{name}' is not installed: {pip_hint} "
            "(extensions are never downloaded at run time)"
        )
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "extensions" / f"v{DUCKDB_VERSION}" / f"{name}.duckdb_extension"
        if path.is_file():
            return path
    found = sorted(p.parent.name for folder in spec.submodule_search_locations
                   for p in Path(folder).glob("extensions/*/*.duckdb_extension"))
    raise LakeError(
        f"the installed {package} has no build for DuckDB {DUCKDB_VERSION} (found: {', '.join(found) or 'none'}): "
        f"{pip_hint}"
    )


def _disable_downloads(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """LOAD an extension from its PyPI wheel (no download); a no-op when already loaded."""
    canonical = _CANONICAL_NAME.get(name, name)
    loaded = con.execute(
        "select count(*) from duckdb_extensions() where loaded and (extension_name = ? or list_contains(aliases, ?))",
        [canonical, name],
    ).fetchone()[0]
    if loaded:
        return
    path = extension_path(name)
    if path.stem == canonical:
        con.execute(f"LOAD {_sql_string(str(path))}")
        return
    # DuckDB takes the entry point's name from the file name: load it under its
    # canonical name through a private, temporary link (or copy).
    with tempfile.TemporaryDirectory(prefix="duckdb-ext-", ignore_cleanup_errors=True) as tmp:
        alias = Path(tmp) / f"{canonical}.duckdb_extension"
        try:
            alias.symlink_to(path)
        except OSError:
            shutil.copyfile(path, alias)
        con.execute(f"LOAD {_sql_string(str(alias))}")


# --------------------------------------------------------------------------- attach


def catalog_kind(catalog: str) -> str:
    """'duckdb', 'sqlite' or 'postgres' for a DuckLake catalog string (without 'ducklake:')."""
    prefix = catalog.split(":", 1)[0].lower() if ":" in catalog else ""
    if prefix in ("sqlite", "postgres", "mysql"):
        return prefix
    return "duckdb"


def attach_lake(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    data_path: Path | str,
    alias: str = "lake",
    *,
    read_only: bool = False,
    inline_rows: int = 0,
    busy_timeout_ms: int = 10_000,
) -> str:
    """LOAD the DuckLake extension from its wheel and attach a lake as `alias`:
    ``ATTACH 'ducklake:<catalog>' AS <alias> (DATA_PATH '<data_path>/')``.

    `catalog`: a DuckDB file (``meta.ducklake``: one process at a time), ``sqlite:meta.sqlite``
    (several local processes) or ``postgres:dbname=... host=...`` (several machines).
    `data_path`: a folder, or an object-store URL (``s3://bucket/prefix/``; needs
    duckdb-extension-httpfs and a DuckDB secret). Turns extension auto-install/auto-load
    off on `con` (every extension comes from its wheel). Returns the ATTACH statement run."""
    if not _IDENTIFIER.match(alias):
        raise LakeError(f"lake alias {alias!r} must be a plain SQL identifier")
    _disable_downloads(con)
    load_extension(con, "ducklake")
    kind = catalog_kind(catalog)
    if kind == "mysql":
        raise LakeError("a MySQL DuckLake catalog is not supported by this project: use sqlite: or postgres:")
    options = []
    if kind == "sqlite":
        load_extension(con, "sqlite")
        options += ["META_JOURNAL_MODE 'WAL'", f"META_BUSY_TIMEOUT {int(busy_timeout_ms)}"]
    elif kind == "postgres":
        load_extension(con, "postgres")
    data = str(data_path)
    if _OBJECT_STORE.match(data):
        if data.lower().startswith(("s3://", "gs://", "gcs://", "r2://", "http://", "https://")):
            load_extension(con, "httpfs")
    else:
        data = str(Path(data).resolve())
    if not data.endswith("/"):
        data += "/"
    options.insert(0, f"DATA_PATH {_sql_string(data)}")
    if read_only:
        options.append("READ_ONLY")
    else:
        options.append(f"DATA_INLINING_ROW_LIMIT {int(inline_rows)}")
    statement = f"ATTACH {_sql_string('ducklake:' + catalog)} AS {alias} ({', '.join(options)})"
    try:
        con.execute(statement)
    except duckdb.Error as exc:
        message = str(exc)
        if kind == "duckdb" and "lock" in message.lower():
            raise LakeError(
                f"DuckLake catalog {catalog} is a DuckDB file, which one process at a time may attach "
                f"({message.splitlines()[-1].strip()}); for several writers use a sqlite: or postgres: catalog"
            ) from exc
        raise
    return statement


def connect_lake(catalog: str, data_path: Path | str, alias: str = "lake", **attach_options) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection (no extension downloads) with the lake attached."""
    con = duckdb.connect(config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"})
    try:
        con.execute("set TimeZone = 'UTC'")  # timestamps in UTC, as warehouse.io.connect gives them
        attach_lake(con, catalog, data_path, alias, **attach_options)
    except BaseException:
        con.close()
        raise
    return con


# --------------------------------------------------------------------------- schema


def _strip_line_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql).strip()


def lake_ddl() -> tuple[list[str], set[str], set[str]]:
    """The project's DDL adapted to DuckLake (see the module docstring): the statements,
    the relations they create ('schema.name', lower case) and the partitioned tables."""
    statements = [_strip_line_comments(s.query) for path in ddl_files()
                  for s in duckdb.extract_statements(path.read_text(encoding="utf-8"))]
    statements = [s for s in statements if s]

    def qualified(name: str) -> str:
        name = name.lower()
        return name if "." in name else f"main.{name}"

    views, relations, partitioned = set(), set(), set()
    adapted = []
    for sql in statements:
        view = re.match(r"create\s+(?:or\s+replace\s+)?view\s+(?:if\s+not\s+exists\s+)?([\w.]+)", sql, re.I)
        table = CREATE_TABLE.match(sql)
        column_comment = re.match(r"comment\s+on\s+column\s+([\w.]+)\.\w+\s", sql, re.I)
        if view:
            views.add(qualified(view.group(1)))
            relations.add(qualified(view.group(1)))
        elif table:
            relations.add(qualified(table.group(1)))
            if re.search(r"primary\s+key|\bunique\b", sql, re.I):
                raise LakeError(f"DuckLake has no PRIMARY KEY/UNIQUE constraints, and the DDL declares none: {sql[:120]}...")
            if re.search(r"\bpartition_date\s+date\b", sql, re.I):
                partitioned.add(qualified(table.group(1)))
        elif column_comment and qualified(column_comment.group(1)) in views:
            continue  # DuckLake keeps column comments of tables only
        adapted.append(sql)
    return adapted, relations, partitioned


def _lake_relations(con: duckdb.DuckDBPyConnection, alias: str) -> set[str]:
    rows = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = ? "
        "union all select schema_name || '.' || view_name from duckdb_views() where database_name = ? and not internal",
        [alias, alias],
    ).fetchall()
    return {r[0].lower() for r in rows}


def ensure_lake_schema(con: duckdb.DuckDBPyConnection, alias: str = "lake") -> list[str]:
    """Create the project's tables and views in the lake when any is missing, in one
    transaction (one snapshot). Returns the relations created ([] when all existed: then
    nothing is written, so concurrent loaders do not conflict on DDL)."""
    statements, expected, partitioned = lake_ddl()
    existing = _lake_relations(con, alias)
    missing = sorted(expected - existing)
    if not missing:
        return []
    database, schema = con.execute("select current_database(), current_schema()").fetchone()
    con.execute(f"USE {alias}")
    try:
        con.execute("begin transaction")
        try:
            for sql in statements:
                con.execute(sql)
            for table in sorted(partitioned - existing):
                con.execute(f"alter table {table} set partitioned by (partition_date)")
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
    finally:
        try:
            con.execute(f'USE "{database}"."{schema}"')
        except duckdb.Error:
            pass  # after a failed commit: the error that matters is already on its way
    return missing


# --------------------------------------------------------------------------- load


def is_transient(exc: BaseException) -> bool:
    """A commit that lost a race (SQLite busy, DuckLake conflict): retrying is safe."""
    return isinstance(exc, duckdb.Error) and any(marker in str(exc).lower() for marker in _TRANSIENT)


def load_partition_into_lake(
    catalog: str,
    data_path: Path | str,
    partition_date: str,
    frames: dict[str, pl.DataFrame],
    *,
    alias: str = "lake",
    max_attempts: int = 10,
    on_retry: Callable[[int, BaseException], None] | None = None,
) -> dict[str, int]:
    """Replace one partition of each table in the lake with `frames`, in one transaction:
    the same delete-then-insert as warehouse.io.replace_partition, run by that very
    function with the lake as the default catalog. Tables are created from the project's
    DDL when missing. A commit that loses a race with another writer (see module
    docstring) is retried as a whole (it is idempotent) up to `max_attempts` times."""
    attempt = 0
    while True:
        attempt += 1
        con = None
        try:
            con = connect_lake(catalog, data_path, alias)
            ensure_lake_schema(con, alias)
            known = _lake_relations(con, alias)
            for table in frames:
                name = table.lower() if "." in table else f"main.{table.lower()}"
                if name not in known:
                    raise LakeError(f"table {table} is not in the lake {catalog} (known: {', '.join(sorted(known))})")
            con.execute(f"USE {alias}")
            return replace_partition(con, partition_date, frames)
        except duckdb.Error as exc:
            if attempt >= max_attempts or not is_transient(exc):
                raise
            if on_retry is not None:
                on_retry(attempt, exc)
            time.sleep(min(2.0, 0.05 * 2 ** attempt) * (0.5 + random.random()))
        finally:
            if con is not None:
                con.close()
