"""Asset checks: the warehouse's promises, verified on every materialization.

Each check runs in its asset's step, on the step's warehouse connection, after the
asset's writes (the asset declares it in `check_specs` and returns its result): a check
step of its own would cost a Dagster step (about 60 ms of event writes and a second open
of the DuckDB file) for a query of a few milliseconds. A failing blocking check fails
the step, after the materialization is recorded, and the assets downstream do not run."""

import dagster as dg
import duckdb

RECORDS_ACCOUNTED_FOR = dg.AssetCheckSpec(
    "records_accounted_for", asset="ingested_articles", blocking=True,
    description="Every record read is loaded, a duplicate, or rejected with a reason.")
RANGES_ARE_ORDERED = dg.AssetCheckSpec(
    "ranges_are_ordered", asset="reconciled_casualties", blocking=True,
    description="low <= best <= high for every range; high never NULL.")
AGGREGATES_NEVER_FEED_RANGES = dg.AssetCheckSpec(
    "aggregates_never_feed_ranges", asset="reconciled_casualties", blocking=True,
    description="No aggregate claim sets an incident's low, best or high.")
CLAIMS_POINT_AT_ARTICLES_AND_INCIDENTS = dg.AssetCheckSpec(
    "claims_point_at_articles_and_incidents", asset="warehouse_tables", blocking=True,
    description="Every claim points at an existing article, and every non-aggregate claim at an existing incident.")
KEYS_ARE_UNIQUE = dg.AssetCheckSpec(
    "keys_are_unique", asset="warehouse_tables", blocking=True,
    description="No two rows of a public table share its key (the DDL declares no PRIMARY KEY: see warehouse/ddl).")
INCIDENTS_HAVE_PLACE_AND_DATE = dg.AssetCheckSpec(
    "incidents_have_place_and_date", asset="warehouse_tables",
    description="Every incident has a place and a date with its precision.")


def _result(spec: dg.AssetCheckSpec, **kwargs) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(asset_key=spec.asset_key, check_name=spec.name, **kwargs)


def records_accounted_for(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    rows = con.execute("""
        select m.partition_date, m.n_records_read,
               (select count(*) from articles a where a.partition_date = m.partition_date) as loaded,
               (select count(*) from article_duplicates d where d.partition_date = m.partition_date) as duplicates,
               (select count(*) from rejected_records r where r.partition_date = m.partition_date) as rejected
        from partition_manifest m
    """).fetchall()
    broken = [r for r in rows if r[1] != r[2] + r[3] + r[4]]
    return _result(
        RECORDS_ACCOUNTED_FOR, passed=not broken,
        metadata={"partitions_checked": len(rows), "unbalanced_partitions": [str(r[0]) for r in broken][:20]},
    )


def ranges_are_ordered(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    bad = con.execute("""
        select count(*) from staging.incident_casualties
        where not (low <= best and best <= high) or high is null
    """).fetchone()[0]
    total = con.execute("select count(*) from staging.incident_casualties").fetchone()[0]
    return _result(RANGES_ARE_ORDERED, passed=bad == 0, metadata={"ranges": total, "out_of_order": bad})


def aggregates_never_feed_ranges(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    bad = con.execute("""
        select count(distinct (ic.incident_id, ic.category))
        from (select incident_id, category, unnest([best_claim_id, low_claim_id, high_claim_id]) as claim_id
              from staging.incident_casualties) as ic
        join staging.reconciled_claims as c using (claim_id)
        where c.is_aggregate
    """).fetchone()[0]
    return _result(AGGREGATES_NEVER_FEED_RANGES, passed=bad == 0, metadata={"ranges_fed_by_aggregates": bad})


def claims_point_at_articles_and_incidents(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    orphans = con.execute("""
        select
          (select count(*) from claims c where not exists (select 1 from articles a where a.article_id = c.article_id)),
          (select count(*) from claims c where not c.is_aggregate and not exists
               (select 1 from incidents i where i.incident_id = c.incident_id))
    """).fetchone()
    return _result(
        CLAIMS_POINT_AT_ARTICLES_AND_INCIDENTS, passed=orphans == (0, 0),
        metadata={"claims_without_article": orphans[0], "claims_without_incident": orphans[1]},
    )


# The key of each public table, as its table comment states it (warehouse/ddl).
PUBLIC_KEYS = {
    "articles": ("article_id",),
    "incidents": ("incident_id",),
    "incident_mentions": ("mention_id",),
    "claims": ("claim_id",),
    "incident_casualties": ("incident_id", "category"),
    "aggregate_claims": ("claim_id",),
}


def keys_are_unique(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    counts = " union all ".join(
        f"select '{table}', count(*) - count(distinct ({', '.join(key)})) from {table}"
        for table, key in PUBLIC_KEYS.items()
    )
    repeated = {table: n for table, n in con.execute(counts).fetchall()}
    return _result(
        KEYS_ARE_UNIQUE, passed=not any(repeated.values()),
        metadata={f"repeated_keys_{table}": n for table, n in repeated.items()},
    )


def incidents_have_place_and_date(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    total, no_place, no_date = con.execute("""
        select count(*),
               count(*) filter (where place_name is null or geo_precision is null),
               count(*) filter (where event_date is null or date_precision is null)
        from incidents
    """).fetchone()
    return _result(
        INCIDENTS_HAVE_PLACE_AND_DATE, passed=no_place == 0 and no_date == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"incidents": total, "without_place": no_place, "without_date": no_date},
    )
