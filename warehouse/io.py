"""Opening the warehouse and writing to it: the one DuckDB writer of the project.

Every write replaces a slice (a partition, or a whole derived table) inside one
transaction, so a crash leaves the previous state, and a re-run gives the same rows.
Data goes in through Arrow (polars frames registered as views), never row by row.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from warehouse.migrate import migrate


class WarehouseError(RuntimeError):
    """A warehouse problem a user can act on; its message is one clear line."""


_LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")


def _command_of(pid: int) -> str:
    """' (python -m pipelines.cli run)': what the lock holder is, when it can be seen."""
    try:
        import psutil

        command = " ".join(psutil.Process(pid).cmdline())
    except Exception:  # noqa: BLE001 - the holder may have exited or be another user's
        return ""
    return f" ({command[:120]})" if command else ""


def _explain_open_error(path: Path, exc: Exception) -> WarehouseError:
    message = str(exc)
    if "lock" in message.lower():
        holder = _LOCK_HOLDER.search(message)
        who = f"process {holder.group(1)}{_command_of(int(holder.group(1)))}" if holder else "another process"
        return WarehouseError(
            f"warehouse {path} is locked by {who}: DuckDB allows one writer at a time. "
            "Wait for that run to finish (or stop it) and retry; INCIDENT_LOCK_TIMEOUT sets how long to wait."
        )
    return WarehouseError(f"cannot open warehouse {path}: {message.splitlines()[0]}")


def _lock_timeout() -> float:
    return float(os.environ.get("INCIDENT_LOCK_TIMEOUT", "30"))


def connect(path: Path | str, *, read_only: bool = False, lock_timeout: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file; the schema is migrated when opened for writing.

    DuckDB lets one process write at a time. If another process holds the file, wait
    up to `lock_timeout` seconds (INCIDENT_LOCK_TIMEOUT, default 30) for it, then fail
    with one line naming the holder."""
    path = Path(path)
    deadline = time.monotonic() + (_lock_timeout() if lock_timeout is None else lock_timeout)
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot create the warehouse folder {path.parent}: {exc.strerror}") from exc
    elif not path.exists():
        raise WarehouseError(f"warehouse {path} does not exist yet: run the pipeline first (make run)")
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except (duckdb.IOException, duckdb.Error) as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise _explain_open_error(path, exc) from exc
            time.sleep(0.25)
    if not read_only:
        migrate(con)
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction: all of it is written, or none of it."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Bulk-insert a polars frame into `table` by column name (Arrow, no row loop)."""
    if frame.height == 0:
        return 0
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    con.register("_incoming", frame.to_arrow())
    try:
        con.execute(f"insert into {table} ({columns}) select {columns} from _incoming")
    finally:
        con.unregister("_incoming")
    return frame.height


def replace_partition(
    con: duckdb.DuckDBPyConnection,
    partition_date: str,
    frames: dict[str, pl.DataFrame],
) -> dict[str, int]:
    """Delete one partition's rows from each table, then insert the new ones, atomically."""
    counts = {}
    with transaction(con):
        for table, frame in frames.items():
            con.execute(f"delete from {table} where partition_date = ?", [partition_date])
            counts[table] = insert_frame(con, table, frame)
    return counts


def replace_tables(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Replace the whole content of derived tables, atomically."""
    counts = {}
    with transaction(con):
        for table, frame in frames.items():
            con.execute(f"delete from {table}")
            counts[table] = insert_frame(con, table, frame)
    return counts


def read_frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> pl.DataFrame:
    """Run a query and return a polars frame."""
    return con.execute(sql, list(params)).pl()


def ingested_digests(con: duckdb.DuckDBPyConnection, first: str, last: str) -> dict[str, str]:
    """Input digest of each day first..last as it was last ingested (partition_manifest)."""
    return {str(day): sha for day, sha in con.execute(
        "select partition_date, input_sha256 from partition_manifest where partition_date between ? and ?",
        [first, last]).fetchall()}


PUBLISH_SQL = Path(__file__).parent / "publish.sql"


def publish(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Replace the public incident tables with the staging ones in one transaction."""
    with transaction(con):
        con.execute(PUBLISH_SQL.read_text(encoding="utf-8"))
    return {
        table: con.execute(f"select count(*) from {table}").fetchone()[0]
        for table in ("incidents", "claims", "incident_casualties", "aggregate_claims", "incident_mentions")
    }


def column_docs(con: duckdb.DuckDBPyConnection, table: str, schema: str = "main") -> list[tuple[str, str, str]]:
    """(column, type, comment) of a relation, in column order: its documentation."""
    return con.execute(
        """
        select column_name, data_type, coalesce(comment, '')
        from duckdb_columns()
        where database_name = current_database() and schema_name = ? and table_name = ?
        order by column_index
        """,
        [schema, table],
    ).fetchall()
