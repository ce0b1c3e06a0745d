"""Opening the warehouse and writing to it: the one DuckDB writer of the project.

Every write replaces a slice (a partition, or a whole derived table) inside one
transaction, so a crash leaves the previous state, and a re-run gives the same rows.
Data goes in through Arrow (polars frames registered as views), never row by row.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
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
            f"warehouse {path} is locked by {who}: while a process writes a DuckDB file no other may open it, "
            "and while one has it open (an analyst's session too) none may write it. Wait for that process to "
            "finish (or close or stop it) and retry; INCIDENT_LOCK_TIMEOUT sets how long to wait."
        )
    return WarehouseError(f"cannot open warehouse {path}: {message.splitlines()[0]}")


def _lock_timeout() -> float:
    value = os.environ.get("INCIDENT_LOCK_TIMEOUT", "30")
    try:
        return float(value)
    except ValueError:
        raise WarehouseError(f"INCIDENT_LOCK_TIMEOUT={value!r} is not a number of seconds") from None


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
    # timestamps come back in UTC whatever the machine's time zone: a publication time
    # read in New York would be the day before near midnight (extraction reads its date)
    con.execute("set TimeZone = 'UTC'")
    if not read_only:
        migrate(con, then=_migrate_article_digests)
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
    return replace_partitions(con, [partition_date], frames)


def replace_partitions(
    con: duckdb.DuckDBPyConnection,
    partition_dates: list[str],
    frames: dict[str, pl.DataFrame],
    then: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
) -> dict[str, int]:
    """Replace several whole partitions at once (the frames hold their new rows): one
    delete and one insert per table, and `then(con)`, all in one transaction."""
    counts = {}
    with transaction(con):
        for table, frame in frames.items():
            con.execute(f"delete from {table} where partition_date in (select unnest(?::date[]))", [partition_dates])
            counts[table] = insert_frame(con, table, frame)
        if then is not None:
            then(con)
    return counts


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The column names of `table` ("schema.name" or "name"), in order. (From the
    table's own description: duckdb_columns() reads every table's columns, 8 ms on a
    fresh connection against 1 ms, measured.)"""
    return [column[0] for column in con.execute(f"select * from {table} limit 0").description]


def sync_rows(con: duckdb.DuckDBPyConnection, table: str, source: str) -> tuple[int, int]:
    """Make `table` hold exactly the rows of the relation `source` (same column names),
    writing only the difference: rows no longer in the source are deleted, new or changed
    ones inserted. Derived tables are re-derived whole, but a nightly run changes a few
    of their rows: writing only those keeps its cost, WAL and checkpoint small.
    Returns (deleted, inserted)."""
    target = table_columns(con, table)
    present = set(table_columns(con, source))
    columns = ", ".join(f'"{c}"' for c in target)
    # a column the source lacks is NULL, as an insert naming only the source's columns makes it
    from_source = ", ".join(f'"{c}"' if c in present else f'null as "{c}"' for c in target)
    same_row = " and ".join(f'{table}."{c}" is not distinct from gone."{c}"' for c in target)
    deleted = con.execute(
        f"delete from {table} using (select {columns} from {table} except all select {from_source} from {source}) as gone "
        f"where {same_row}"
    ).fetchone()[0]
    inserted = con.execute(
        f"insert into {table} ({columns}) select {from_source} from {source} except all select {columns} from {table}"
    ).fetchone()[0]
    return deleted, inserted


def replace_tables(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Replace the whole content of derived tables with the frames, atomically (only the
    rows that differ are written: `sync_rows`). Returns the rows each table now holds."""
    with transaction(con):
        return sync_frames(con, frames)


def sync_frames(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> dict[str, int]:
    """`replace_tables` inside the caller's transaction."""
    counts = {}
    for table, frame in frames.items():
        if frame.width == 0:  # no columns: nothing derived at all
            con.execute(f"delete from {table}")
        else:
            con.register("_incoming", frame.to_arrow())
            try:
                sync_rows(con, table, "_incoming")
            finally:
                con.unregister("_incoming")
        counts[table] = frame.height
    return counts


@contextmanager
def _keys(con: duckdb.DuckDBPyConnection, keys: list[str] | None) -> Iterator[None]:
    """`keys` as the one-column relation _keys (key) for the block: Arrow, not a list
    parameter (binding a long Python list costs about 50 ms per thousand values).
    None: nothing registered."""
    if keys is None:
        yield
        return
    con.register("_keys", pl.DataFrame({"key": keys}, schema={"key": pl.String}).to_arrow())
    try:
        yield
    finally:
        con.unregister("_keys")


def replace_keyed(con: duckdb.DuckDBPyConnection, table: str, column: str, keys: list[str], frame: pl.DataFrame) -> None:
    """Delete the rows of `table` whose `column` is one of `keys`, then insert `frame`
    (the new rows of those keys). Part of the caller's transaction."""
    replace_where(con, table, f'"{column}" in (select key from _keys)', frame, keys=keys)


def replace_where(con: duckdb.DuckDBPyConnection, table: str, where: str, frame: pl.DataFrame,
                  keys: list[str] | None = None) -> None:
    """Delete the rows of `table` matching `where` (which may read `keys` as the relation
    _keys), then insert `frame`. Part of the caller's transaction."""
    with _keys(con, keys):
        con.execute(f"delete from {table} where {where}")
    insert_frame(con, table, frame)


# Rows of incidents and claims changed since the last publish (staging.unpublished), as
# a filter on any table with incident_id (and claim_id) columns.
UNPUBLISHED_INCIDENTS = "incident_id in (select key from staging.unpublished where kind = 'incident')"
_MARKED_CLAIMS = "claim_id in (select key from staging.unpublished where kind = 'claim')"
UNPUBLISHED_CLAIMS = f"({UNPUBLISHED_INCIDENTS} or {_MARKED_CLAIMS})"
# Aggregate claims whose check may have changed: their row or links did (resolve marks the
# claim), or the ranges of an incident they span did.
UNPUBLISHED_AGGREGATES = (
    f"({_MARKED_CLAIMS} or claim_id in "
    "(select claim_id from (select claim_id, unnest(incident_ids) as incident_id from staging.aggregate_links) "
    f"where {UNPUBLISHED_INCIDENTS}))"
)


def mark_unpublished(con: duckdb.DuckDBPyConnection, incident_ids: list[str] | None, claim_ids: list[str] | None) -> None:
    """Record incidents and claims whose staging rows changed (None: every row) for
    reconcile and publish. Part of the caller's transaction."""
    if incident_ids is None or claim_ids is None:
        con.execute("insert into staging.unpublished values ('all', null)")
        return
    for kind, keys in (("incident", incident_ids), ("claim", claim_ids)):
        with _keys(con, keys):
            con.execute("insert into staging.unpublished select ?, key from _keys", [kind])


def everything_unpublished(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every staging row may have changed since the last publish (a resolution
    from scratch): reconcile and publish then compare whole tables."""
    return con.execute("select count(*) from staging.unpublished where kind = 'all'").fetchone()[0] > 0


def read_frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> pl.DataFrame:
    """Run a query and return a polars frame."""
    return con.execute(sql, list(params)).pl()


def ingested_digests(con: duckdb.DuckDBPyConnection, first: str, last: str,
                     column: str = "input_sha256") -> dict[str, str | None]:
    """A digest of each day first..last as it was last ingested (partition_manifest): of
    its folder (input_sha256), or of what extraction reads of its articles
    (articles_sha256, see fill_article_digests)."""
    if column not in ("input_sha256", "articles_sha256"):
        raise ValueError(f"partition_manifest has no digest column {column!r}")
    return {str(day): sha for day, sha in con.execute(
        f"select partition_date, {column} from partition_manifest where partition_date between ? and ?",
        [first, last]).fetchall()}


def extracted_manifests(con: duckdb.DuckDBPyConnection, first: str, last: str) -> dict[str, tuple[str, str]]:
    """(articles digest, extractor version) each day first..last was last extracted from
    and with (staging.extract_manifest)."""
    return {str(day): (sha, version) for day, sha, version in con.execute(
        "select partition_date, input_sha256, extractor_version from staging.extract_manifest "
        "where partition_date between ? and ?", [first, last]).fetchall()}


# What the extract step reads of an article (assets/extract.py), as the article digests
# read it: a day ingested again into the same articles (an ingest fix that changes
# nothing there, new limits, a changed file outside them) is not extracted again.
EXTRACTED_ARTICLE_COLUMNS = ("article_id", "partition_date", "outlet", "title", "published_at", "language", "text")


def fill_article_digests(con: duckdb.DuckDBPyConnection) -> None:
    """Give every partition_manifest row without one its articles_sha256: sha256 over
    the day's articles in article_id order, EXTRACTED_ARTICLE_COLUMNS of each (as JSON,
    times as epoch microseconds). Ingest leaves it empty for the days it writes and
    calls this in the same transaction."""
    fields = ", ".join(f"epoch_us(a.{c})" if c == "published_at" else f"a.{c}" for c in EXTRACTED_ARTICLE_COLUMNS)
    con.execute(f"""
        update partition_manifest m set articles_sha256 = d.sha
        from (select m.partition_date,
                     sha256(coalesce(string_agg(json_array({fields})::varchar, chr(10) order by a.article_id)
                                     filter (where a.article_id is not null), '')) as sha
              from partition_manifest m left join articles a using (partition_date)
              where m.articles_sha256 is null group by m.partition_date) d
        where m.partition_date = d.partition_date and m.articles_sha256 is null""")


def _migrate_article_digests(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse from before the article digests gets them for all its days; its
    extract_manifest rows, which held the digest of the day's folder, get the digest of
    the day's articles where that folder is still the one ingested (the others are out
    of date either way): its extractions are carried over."""
    fill_article_digests(con)
    con.execute("""
        update staging.extract_manifest e set input_sha256 = m.articles_sha256 from partition_manifest m
        where e.partition_date = m.partition_date and e.input_sha256 = m.input_sha256""")


# The analysts' tables and the staging tables they are published from.
PUBLISHED_FROM = {
    "incidents": "staging.incidents",
    "incident_mentions": "staging.incident_mentions",
    "claims": "staging.reconciled_claims",
    "incident_casualties": "staging.incident_casualties",
    "aggregate_claims": "staging.aggregate_claims",
}


# Published tables whose changed rows staging.unpublished names (aggregates, few, are
# always compared whole).
_PUBLISHED_CHANGED = {
    "incidents": UNPUBLISHED_INCIDENTS,
    "incident_mentions": UNPUBLISHED_INCIDENTS,
    "incident_casualties": UNPUBLISHED_INCIDENTS,
    "claims": UNPUBLISHED_CLAIMS,
    "aggregate_claims": UNPUBLISHED_AGGREGATES,
}


def publish(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Make the public incident tables equal to their staging tables in one transaction
    (readers see the old state or the new, never a mix), writing only changed rows: those
    of the incidents and claims in staging.unpublished (whole tables, compared, after a
    resolution from scratch). Empties staging.unpublished."""
    with transaction(con):
        whole = everything_unpublished(con)
        for table, source in PUBLISHED_FROM.items():
            if whole or table not in _PUBLISHED_CHANGED:
                sync_rows(con, table, source)
                continue
            where = _PUBLISHED_CHANGED[table]
            columns = ", ".join(f'"{c}"' for c in table_columns(con, table))
            con.execute(f"delete from {table} where {where}")
            con.execute(f"insert into {table} ({columns}) select {columns} from {source} where {where}")
        con.execute("delete from staging.unpublished")
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
