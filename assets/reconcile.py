"""Reconcile: claims per incident x category -> low / best / high (DESIGN.md §4)."""

import dagster as dg

from assets.checks import (
    AGGREGATES_NEVER_FEED_RANGES,
    RANGES_ARE_ORDERED,
    aggregates_never_feed_ranges,
    ranges_are_ordered,
)
from assets.partitions import WRITER_POOL
from assets.resolve import resolved_incidents
from pipelines.reconcile import check_aggregates, reconcile_casualties
from pipelines.resources import WarehouseResource
from warehouse.io import (
    UNPUBLISHED_AGGREGATES,
    UNPUBLISHED_CLAIMS,
    UNPUBLISHED_INCIDENTS,
    everything_unpublished,
    read_frame,
    replace_where,
    sync_frames,
    transaction,
)


@dg.asset(
    deps=[resolved_incidents],
    group_name="reconcile",
    kinds={"polars", "duckdb"},
    owners=["team:data-engineering"],
    pool=WRITER_POOL,
    check_specs=[AGGREGATES_NEVER_FEED_RANGES, RANGES_ARE_ORDERED],
)
def reconciled_casualties(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Per incident and category: keep each source's latest figure, turn qualifiers into
    intervals, and set low (smallest credible lower bound), high (largest stated), best
    (most recent figure of the most credible source; never a perpetrator's), conflicting
    and a basis sentence. Check aggregate figures against the incidents they span.
    Writes staging.incident_casualties, staging.reconciled_claims and
    staging.aggregate_claims (after an earlier run: the incidents and claims of
    staging.unpublished only, and the aggregates spanning those incidents)."""
    with warehouse.writer() as con:
        whole = everything_unpublished(con)
        claims = read_frame(con, "select * from staging.resolved_claims"
                                 + ("" if whole else f" where {UNPUBLISHED_CLAIMS}"))
        casualties, marked = reconcile_casualties(claims)
        marked = marked.select(claims.columns) if marked.height else claims
        with transaction(con):
            if whole:
                sync_frames(con, {"staging.incident_casualties": casualties, "staging.reconciled_claims": marked})
            else:  # the incidents and claims changed since the last publish
                replace_where(con, "staging.incident_casualties", UNPUBLISHED_INCIDENTS, casualties)
                replace_where(con, "staging.reconciled_claims", UNPUBLISHED_CLAIMS, marked)
            # aggregates, against the ranges of the incidents they span: after an earlier
            # run, those whose row, links or spanned ranges changed
            changed = "true" if whole else UNPUBLISHED_AGGREGATES
            links = f"select * from staging.aggregate_links where {changed}"
            aggregates = check_aggregates(
                read_frame(con, f"select * from staging.resolved_claims where is_aggregate and {changed}"),
                read_frame(con, links),
                read_frame(con, "select * from staging.incident_casualties where incident_id in "
                                f"(select unnest(incident_ids) from ({links}))"))
            if whole:
                sync_frames(con, {"staging.aggregate_claims": aggregates})
            else:
                replace_where(con, "staging.aggregate_claims", UNPUBLISHED_AGGREGATES, aggregates)
        ranges, conflicting, aggregate_claims, inconsistent = con.execute(
            "select count(*), count(*) filter (where conflicting), "
            "(select count(*) from staging.aggregate_claims), "
            "(select count(*) from staging.aggregate_claims where status = 'inconsistent') "
            "from staging.incident_casualties").fetchone()
        checks = [aggregates_never_feed_ranges(con), ranges_are_ordered(con)]
    scope = "every incident" if whole else "the incidents changed since the last publish"
    context.log.info(f"reconcile: {ranges} ranges ({conflicting} conflicting; {casualties.height} derived now, "
                     f"for {scope}), {aggregate_claims} aggregates ({aggregates.height} checked now)")
    return dg.MaterializeResult(check_results=checks, metadata={
        "ranges": ranges,
        "ranges_derived_now": casualties.height,
        "conflicting_ranges": conflicting,
        "aggregate_claims": aggregate_claims,
        "aggregates_checked_now": aggregates.height,
        "inconsistent_aggregates": inconsistent,
    })
