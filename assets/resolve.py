"""Resolve: event mentions of every partition -> incidents (re-derived as a whole)."""

import dagster as dg
import polars as pl

from assets.extract import extracted_mentions
from assets.partitions import WRITER_POOL
from pipelines.resolve import resolve_incidents
from pipelines.resources import WarehouseResource
from pipelines.settings import load_settings
from warehouse.io import read_frame, replace_tables

# Claims of an article that repeats an earlier one (syndication across days) are not
# counted again: the earliest copy speaks for both.
_FIRST_COPIES = """
    with ranked as (
        select article_id,
               row_number() over (partition by content_sha256 order by published_at, article_id) as copy_no
        from articles
    )
    select article_id from ranked where copy_no = 1
"""


@dg.asset(
    deps=[extracted_mentions],
    group_name="resolve",
    kinds={"python", "duckdb"},
    owners=["team:data-engineering"],
    pool=WRITER_POOL,
)
def resolved_incidents(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Group the event mentions of all articles and days into incidents: blocking by
    country and date window, place hierarchy, attack-type family and responsibility
    claims; attach every claim to its incident and link aggregates to the incidents they
    span. Deterministic: the same mentions give the same incidents and ids.
    Writes staging.incidents, staging.incident_mentions, staging.resolved_claims."""
    settings = load_settings()
    with warehouse.writer() as con:
        first = f"select * from {{table}} where article_id in ({_FIRST_COPIES})"
        mentions = read_frame(con, first.format(table="staging.event_mentions"))
        claims = read_frame(con, first.format(table="staging.claim_mentions"))
        previous = read_frame(con, "select * from staging.resolve_state")
        result = resolve_incidents(mentions, claims, day_window=settings.resolve_day_window, previous=previous)
        claim_columns = [c[0] for c in con.execute("select column_name from duckdb_columns() where schema_name='staging' and table_name='resolved_claims'").fetchall()]
        resolved = result.claims.with_columns(pl.lit(False).alias("is_superseded")) if result.claims.height else result.claims
        replace_tables(con, {
            "staging.incidents": result.incidents,
            "staging.incident_mentions": result.incident_mentions,
            "staging.resolved_claims": resolved.select([c for c in claim_columns if c in resolved.columns]) if resolved.height else resolved.head(0),
            "staging.aggregate_links": result.aggregate_links,
            "staging.resolve_state": result.state,
        })
    merged = result.incident_mentions.filter(pl.col("decision") == "merged").height
    context.log.info(f"resolve: {mentions.height} mentions -> {result.incidents.height} incidents ({merged} merged; "
                     f"{result.replayed} decisions replayed from the last run, {mentions.height - result.replayed} decided now)")
    return dg.MaterializeResult(metadata={
        "event_mentions": mentions.height,
        "incidents": result.incidents.height,
        "merged_mentions": merged,
        "decisions_replayed": result.replayed,
        "claims": result.claims.height,
        "aggregate_claims": result.aggregate_links.height,
    })
