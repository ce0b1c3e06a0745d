"""Asset checks: the warehouse's promises, verified on every materialization."""

import dagster as dg

from assets.ingest import ingested_articles
from assets.partitions import WRITER_POOL
from assets.load import warehouse_tables
from assets.reconcile import reconciled_casualties
from pipelines.resources import WarehouseResource


@dg.asset_check(asset=ingested_articles, pool=WRITER_POOL, blocking=True, description="Every record read is loaded, a duplicate, or rejected with a reason.")
def records_accounted_for(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        rows = con.execute("""
            select m.partition_date, m.n_records_read,
                   (select count(*) from articles a where a.partition_date = m.partition_date) as loaded,
                   (select count(*) from article_duplicates d where d.partition_date = m.partition_date) as duplicates,
                   (select count(*) from rejected_records r where r.partition_date = m.partition_date) as rejected
            from partition_manifest m
        """).fetchall()
    broken = [r for r in rows if r[1] != r[2] + r[3] + r[4]]
    return dg.AssetCheckResult(
        passed=not broken,
        metadata={"partitions_checked": len(rows), "unbalanced_partitions": [str(r[0]) for r in broken][:20]},
    )


@dg.asset_check(asset=reconciled_casualties, pool=WRITER_POOL, blocking=True, description="low <= best <= high for every range; high never NULL.")
def ranges_are_ordered(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        bad = con.execute("""
            select count(*) from staging.incident_casualties
            where not (low <= best and best <= high) or high is null
        """).fetchone()[0]
        total = con.execute("select count(*) from staging.incident_casualties").fetchone()[0]
    return dg.AssetCheckResult(passed=bad == 0, metadata={"ranges": total, "out_of_order": bad})


@dg.asset_check(asset=reconciled_casualties, pool=WRITER_POOL, blocking=True, description="No aggregate claim sets an incident's low, best or high.")
def aggregates_never_feed_ranges(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        bad = con.execute("""
            select count(distinct (ic.incident_id, ic.category))
            from (select incident_id, category, unnest([best_claim_id, low_claim_id, high_claim_id]) as claim_id
                  from staging.incident_casualties) as ic
            join staging.reconciled_claims as c using (claim_id)
            where c.is_aggregate
        """).fetchone()[0]
    return dg.AssetCheckResult(passed=bad == 0, metadata={"ranges_fed_by_aggregates": bad})


@dg.asset_check(asset=warehouse_tables, pool=WRITER_POOL, blocking=True, description="Every claim points at an existing article, and every non-aggregate claim at an existing incident.")
def claims_point_at_articles_and_incidents(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        orphans = con.execute("""
            select
              (select count(*) from claims c where not exists (select 1 from articles a where a.article_id = c.article_id)),
              (select count(*) from claims c where not c.is_aggregate and not exists
                   (select 1 from incidents i where i.incident_id = c.incident_id))
        """).fetchone()
    return dg.AssetCheckResult(
        passed=orphans == (0, 0),
        metadata={"claims_without_article": orphans[0], "claims_without_incident": orphans[1]},
    )


@dg.asset_check(asset=warehouse_tables, pool=WRITER_POOL, description="Every incident has a place and a date with its precision.")
def incidents_have_place_and_date(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.reader() as con:
        total, no_place, no_date = con.execute("""
            select count(*),
                   count(*) filter (where place_name is null or geo_precision is null),
                   count(*) filter (where event_date is null or date_precision is null)
            from incidents
        """).fetchone()
    return dg.AssetCheckResult(
        passed=no_place == 0 and no_date == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"incidents": total, "without_place": no_place, "without_date": no_date},
    )


ALL_CHECKS = [
    records_accounted_for,
    ranges_are_ordered,
    aggregates_never_feed_ranges,
    claims_point_at_articles_and_incidents,
    incidents_have_place_and_date,
]
