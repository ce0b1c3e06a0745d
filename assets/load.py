"""Load: publish incidents, claims and ranges as the analysts' contract, atomically."""

import dagster as dg

from assets.checks import (
    CLAIMS_POINT_AT_ARTICLES_AND_INCIDENTS,
    INCIDENTS_HAVE_PLACE_AND_DATE,
    KEYS_ARE_UNIQUE,
    claims_point_at_articles_and_incidents,
    incidents_have_place_and_date,
    keys_are_unique,
)
from assets.partitions import WRITER_POOL
from assets.reconcile import reconciled_casualties
from pipelines.resources import WarehouseResource
from warehouse.io import column_docs, publish

PUBLISHED = ("incident_summary", "incidents", "claims", "incident_casualties", "aggregate_claims",
             "claim_timeline", "incident_mentions")

PREVIEW_SQL = """
    select event_date, place_name, country, attack_type,
           killed_low, killed_best, killed_high, killed_high_open,
           wounded_low, wounded_best, wounded_high, n_sources
    from incident_summary
    order by last_reported_at desc, incident_id
    limit 10
"""


def _markdown_preview(rows: list[tuple]) -> str:
    def rng(low, best, high, open_):
        if best is None:
            return "-"
        return f"{low}-{best}-{high}{'+' if open_ else ''}"

    lines = ["| date | place | country | type | killed (low-best-high) | wounded | sources |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r[0]} | {r[1] or '?'} | {r[2] or '?'} | {r[3] or '?'} | {rng(r[4], r[5], r[6], r[7])} | {rng(r[8], r[9], r[10], False)} | {r[11]} |")
    return "\n".join(lines)


@dg.asset(
    deps=[reconciled_casualties],
    group_name="load",
    kinds={"duckdb"},
    owners=["team:analytics"],
    pool=WRITER_POOL,
    check_specs=[CLAIMS_POINT_AT_ARTICLES_AND_INCIDENTS, KEYS_ARE_UNIQUE, INCIDENTS_HAVE_PLACE_AND_DATE],
)
def warehouse_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Publish the analysts' relations (incidents, claims, incident_casualties,
    aggregate_claims, incident_mentions; views incident_summary and claim_timeline) from
    staging in one transaction, so readers see the old state or the new, never a mix."""
    with warehouse.writer() as con:
        counts = publish(con)
        preview = con.execute(PREVIEW_SQL).fetchall()
        schemas = {
            table: dg.TableSchema(columns=[dg.TableColumn(name, kind, description=doc)
                                           for name, kind, doc in column_docs(con, table)])
            for table in PUBLISHED
        }
        checks = [claims_point_at_articles_and_incidents(con), keys_are_unique(con), incidents_have_place_and_date(con)]
    context.log.info("load: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return dg.MaterializeResult(check_results=checks, metadata={
        **{f"rows_{k}": v for k, v in counts.items()},
        "dagster/row_count": counts["incidents"],
        "newest_incidents": dg.MetadataValue.md(_markdown_preview(preview)),
        "dagster/column_schema": schemas["incident_summary"],
        **{f"schema_{table}": dg.MetadataValue.table_schema(schema) for table, schema in schemas.items()},
    })
