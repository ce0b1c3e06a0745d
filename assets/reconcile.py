"""Reconcile: claims per incident x category -> low / best / high (DESIGN.md §4)."""

import dagster as dg

from assets.partitions import WRITER_POOL
from assets.resolve import resolved_incidents
from pipelines.reconcile import check_aggregates, reconcile_casualties
from pipelines.resources import WarehouseResource
from warehouse.io import read_frame, replace_tables


@dg.asset(
    deps=[resolved_incidents],
    group_name="reconcile",
    kinds={"polars", "duckdb"},
    owners=["team:data-engineering"],
    pool=WRITER_POOL,
)
def reconciled_casualties(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Per incident and category: keep each source's latest figure, turn qualifiers into
    intervals, and set low (smallest credible lower bound), high (largest stated), best
    (most recent figure of the most credible source; never a perpetrator's), conflicting
    and a basis sentence. Check aggregate figures against the incidents they span.
    Writes staging.incident_casualties, staging.reconciled_claims, staging.aggregate_claims."""
    with warehouse.writer() as con:
        claims = read_frame(con, "select * from staging.resolved_claims")
        links = read_frame(con, "select * from staging.aggregate_links")
        casualties, marked = reconcile_casualties(claims)
        aggregates = check_aggregates(marked, links, casualties)
        columns = claims.columns
        replace_tables(con, {
            "staging.incident_casualties": casualties,
            "staging.reconciled_claims": marked.select(columns) if marked.height else marked,
            "staging.aggregate_claims": aggregates,
        })
    conflicting = casualties.filter("conflicting").height if casualties.height else 0
    context.log.info(f"reconcile: {casualties.height} ranges ({conflicting} conflicting), {aggregates.height} aggregates")
    return dg.MaterializeResult(metadata={
        "ranges": casualties.height,
        "conflicting_ranges": conflicting,
        "aggregate_claims": aggregates.height,
        "inconsistent_aggregates": aggregates.filter(aggregates["status"] == "inconsistent").height if aggregates.height else 0,
    })
