"""The warehouse as a DuckLake (warehouse/ducklake.py): two OS processes ingest two days of
an archive and load them into the same lake at the same time; a third connection reads
them back. The catalog is a local SQLite file (the multi-writer local catalog: a DuckDB
file catalog admits one process, shown below). Extensions come from the PyPI wheels
duckdb-extension-ducklake / -sqlite==1.5.5; nothing is downloaded at run time."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, write_archive
from warehouse.ducklake import (
    LakeError,
    attach_lake,
    connect_lake,
    ensure_lake_schema,
    extension_path,
    lake_ddl,
    load_partition_into_lake,
)

DAYS = ("2016-03-01", "2016-03-02")
ARTICLES = {
    DAYS[0]: [
        {"id": "k1", "outlet": "Wire One", "published": "2016-03-01T09:00:00Z",
         "title": "Suicide bomber kills 30 at Kabul market",
         "text": "A suicide bomber blew himself up at a crowded market in Kabul on Tuesday, killing at least 30 people, police said."},
        {"id": "q1", "outlet": "Wire Two", "published": "2016-03-01T15:00:00Z", "title": "Roadside bomb in Quetta",
         "text": "A roadside bomb killed 12 soldiers in Quetta on Tuesday, the army said."},
        {"id": "k1-copy", "outlet": "Wire Three", "published": "2016-03-01T09:30:00Z",
         "title": "Suicide bomber kills 30 at Kabul market",
         "text": "A suicide bomber blew himself up at a crowded market in Kabul on Tuesday, killing at least 30 people, police said."},
        {"id": "bad", "text": 17},
    ],
    DAYS[1]: [
        {"id": "k2", "outlet": "Wire Three", "published": "2016-03-02T08:00:00Z", "title": "Kabul toll rises to 52",
         "text": "The death toll from Tuesday's suicide bombing at a market in Kabul rose to 52, officials said on Wednesday."},
        {"id": "m1", "outlet": "Wire One", "published": "2016-03-02T12:00:00Z", "title": "Clashes in Mosul",
         "text": "At least 9 people were killed in clashes in Mosul on Wednesday, a hospital official said."},
        {"id": "m2", "outlet": "Wire Two", "published": "2016-03-02T13:00:00Z", "title": "Car bomb in Baghdad",
         "text": "A car bomb killed 7 people and wounded 20 in Baghdad on Wednesday, police said."},
    ],
}
TABLES = ("articles", "article_duplicates", "rejected_records", "partition_manifest")


def load_day(archive: str, catalog: str, data_path: str, day: str, barrier, results) -> None:
    """Run in a spawned process: ingest one day folder, wait for the other process, load."""
    try:
        from pipelines.ingest import ingest_partition
        from pipelines.settings import load_settings

        ingest = ingest_partition(Path(archive), day, load_settings())
        frames = {"articles": ingest.articles, "article_duplicates": ingest.duplicates,
                  "rejected_records": ingest.rejected, "partition_manifest": ingest.manifest}
        barrier.wait(timeout=60)  # both processes load at the same time
        retries, started = [], time.time()
        counts = load_partition_into_lake(
            catalog, data_path, day, frames,
            on_retry=lambda attempt, exc: retries.append(str(exc).splitlines()[-1][:200]),
        )
        results.put({"day": day, "pid": os.getpid(), "counts": counts, "retries": retries,
                     "started": started, "finished": time.time(),
                     "article_ids": sorted(ingest.articles["article_id"].to_list()),
                     "records_read": ingest.n_records_read})
    except BaseException as exc:  # reported to the test, never swallowed
        barrier.abort()
        results.put({"day": day, "pid": os.getpid(), "error": repr(exc)})


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    """Two days loaded into one fresh lake by two processes at once; their reports."""
    base = tmp_path_factory.mktemp("ducklake")
    archive = write_archive(base / "archive", ARTICLES)
    catalog = f"sqlite:{base / 'catalog.sqlite'}"
    data_path = base / "data"
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(DAYS)), ctx.Queue()
    workers = [ctx.Process(target=load_day, args=(str(archive), catalog, str(data_path), day, barrier, results))
               for day in DAYS]
    for worker in workers:
        worker.start()
    reports = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    errors = [r for r in reports if "error" in r]
    assert not errors, errors
    return {"base": base, "archive": archive, "catalog": catalog, "data_path": data_path,
            "reports": {r["day"]: r for r in reports}}


def reader(lake):
    return connect_lake(lake["catalog"], lake["data_path"], read_only=True)


def test_extensions_come_from_pypi_wheels():
    path = extension_path()
    assert path.name == "ducklake.duckdb_extension"
    assert path.parent.name == f"v{duckdb.__version__}"
    assert "duckdb_extension_ducklake" in path.parts
    with pytest.raises(LakeError, match=rf"pip install duckdb-extension-no_such_ext=={duckdb.__version__}"):
        extension_path("no_such_ext")


def test_two_processes_load_two_partitions_at_once(lake, record_property):
    reports = lake["reports"]
    # commits that lost a race with the other process and were retried (SQLite busy):
    # shown with -s, recorded in junit xml; the loads themselves never fail
    retries = {day: r["retries"] for day, r in reports.items()}
    record_property("retried_commits", json.dumps(retries))
    print(f"retried commits: {retries}")
    print({day: (round(r["started"] % 100, 3), round(r["finished"] % 100, 3)) for day, r in reports.items()})
    pids = {r["pid"] for r in reports.values()}
    assert len(pids) == 2 and os.getpid() not in pids
    with reader(lake) as con:
        per_day = dict(con.execute(
            "select partition_date::varchar, count(*) from lake.articles group by 1"
        ).fetchall())
        assert per_day == {day: len(reports[day]["article_ids"]) for day in DAYS} == {DAYS[0]: 2, DAYS[1]: 3}
        for day in DAYS:
            ids = [r[0] for r in con.execute(
                "select article_id from lake.articles where partition_date = ? order by article_id", [day]
            ).fetchall()]
            assert ids == reports[day]["article_ids"]
            for table in TABLES:
                stored = con.execute(f"select count(*) from lake.{table} where partition_date = ?", [day]).fetchone()[0]
                assert stored == reports[day]["counts"][table], (day, table)
        manifest = con.execute(
            "select partition_date::varchar, n_records_read, n_loaded, n_duplicates, n_rejected "
            "from lake.partition_manifest order by 1"
        ).fetchall()
        assert manifest == [(DAYS[0], 4, 2, 1, 1), (DAYS[1], 3, 3, 0, 0)]
        assert all(m[1] == reports[m[0]]["records_read"] == m[2] + m[3] + m[4] for m in manifest)
        assert con.execute("select reason_code from lake.rejected_records").fetchall() == [("wrong_type",)]
        # the views of the DDL exist in the lake and bind to the lake's tables
        assert con.execute("select count(*) from lake.incident_summary").fetchone()[0] == 0
    # the rows are Parquet files under the data path, one folder per partition
    for day in DAYS:
        assert list((lake["data_path"] / "main" / "articles" / f"partition_date={day}").glob("*.parquet"))


def test_reloading_a_partition_is_idempotent(lake):
    day = DAYS[0]
    with reader(lake) as con:
        before = con.execute("select * from lake.articles order by article_id").fetchall()
        snapshot = con.execute("select max(snapshot_id) from lake.snapshots()").fetchone()[0]
        manifest = con.execute("select * from lake.partition_manifest order by partition_date").fetchall()
    from pipelines.ingest import ingest_partition
    from pipelines.settings import load_settings

    ingest = ingest_partition(lake["archive"], day, load_settings())
    frames = {"articles": ingest.articles, "article_duplicates": ingest.duplicates,
              "rejected_records": ingest.rejected, "partition_manifest": ingest.manifest}
    for _ in range(2):
        counts = load_partition_into_lake(lake["catalog"], lake["data_path"], day, frames)
        assert counts == lake["reports"][day]["counts"]
    with reader(lake) as con:
        assert con.execute("select * from lake.articles order by article_id").fetchall() == before
        assert con.execute("select * from lake.partition_manifest order by partition_date").fetchall() == manifest
        # it really was written again: two new snapshots, same rows
        assert con.execute("select max(snapshot_id) from lake.snapshots()").fetchone()[0] == snapshot + 2


def test_lake_schema_is_the_project_ddl_without_primary_keys(tmp_path):
    statements, relations, partitioned = lake_ddl()
    assert not any("primary key" in s.lower() for s in statements)
    assert {"main.articles", "main.claims", "main.incident_summary", "staging.event_mentions"} <= relations
    assert {"main.articles", "main.partition_manifest", "staging.claim_mentions"} <= partitioned
    with connect_lake(str(tmp_path / "meta.ducklake"), tmp_path / "data") as con:
        assert set(ensure_lake_schema(con)) == relations
        assert ensure_lake_schema(con) == []  # second time: nothing to write
        reference = duckdb.connect()
        from warehouse.migrate import migrate

        migrate(reference)
        reference.execute("drop table staging.schema_digest")  # migrate's bookkeeping, not the DDL's
        columns = "select schema_name, table_name, column_name, data_type, is_nullable, comment from duckdb_columns() where database_name = ? and table_name in (select table_name from duckdb_tables() where database_name = ?) order by all"
        assert con.execute(columns, ["lake", "lake"]).fetchall() == reference.execute(columns, ["memory", "memory"]).fetchall()
        assert con.execute("select comment from duckdb_tables() where database_name = 'lake' and table_name = 'articles'").fetchone()[0]
        # the whole-table writes and the publish SQL run unchanged with the lake as default catalog
        con.execute("USE lake")
        from warehouse.io import publish, replace_tables

        assert replace_tables(con, {"staging.aggregate_links": reference.execute(
            "select 'c_1' as claim_id, ['i_1', 'i_2'] as incident_ids").pl()}) == {"staging.aggregate_links": 1}
        assert publish(con) == {"incidents": 0, "claims": 0, "incident_casualties": 0, "aggregate_claims": 0,
                                "incident_mentions": 0}


def test_a_duckdb_file_catalog_admits_one_process(tmp_path):
    """Found by experiment: with a DuckDB-file catalog a second process cannot attach
    the lake while the first holds it; hence SQLite (local) or Postgres for several writers."""
    catalog, data_path = str(tmp_path / "meta.ducklake"), tmp_path / "data"
    holder = duckdb.connect(config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"})
    attach_lake(holder, catalog, data_path)
    script = textwrap.dedent(f"""
        import json
        from warehouse.ducklake import LakeError, connect_lake
        try:
            connect_lake({catalog!r}, {str(data_path)!r})
            print(json.dumps({{"attached": True}}))
        except LakeError as exc:
            print(json.dumps({{"attached": False, "error": str(exc)}}))
    """)
    try:
        out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    finally:
        holder.close()
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["attached"] is False
    assert "one process at a time" in result["error"] and "Conflicting lock" in result["error"]


def test_races_of_two_writers_are_retried_and_real_errors_are_not():
    from warehouse.ducklake import is_transient

    # what two processes creating one fresh lake at once have raised (the second seen
    # under load: the other's schema half made when this one commits)
    assert is_transient(duckdb.TransactionException(
        "TransactionContext Error: Failed to commit: Failed to commit DuckLake transaction.\n"
        "Failed to load DuckLake - table with id 2 references schema id 1 that does not exist"))
    assert is_transient(duckdb.IOException("IO Error: database is locked"))
    assert not is_transient(duckdb.CatalogException("Catalog Error: Table with name nowhere does not exist!"))
    assert not is_transient(duckdb.ConversionException("Conversion Error: Could not convert string 'x' to INT32"))
    assert not is_transient(ValueError("database is locked"))  # not DuckDB's
