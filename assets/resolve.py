"""Resolve: event mentions of every partition -> incidents (re-derived as a whole)."""

import dagster as dg
import polars as pl

from assets.extract import extracted_mentions
from assets.partitions import WRITER_POOL
from pipelines.resolve import resolve_incidents
from pipelines.resources import WarehouseResource
from pipelines.settings import load_settings
from warehouse.io import (
    mark_unpublished,
    read_frame,
    replace_keyed,
    replace_where,
    sync_frames,
    table_columns,
    transaction,
)

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


# Each claim row resolve reads, hashed (staging.resolve_claim_state keeps the last run's).
_CLAIM_FINGERPRINTS = f"""
    (select claim_id, hash(c) as fingerprint from staging.claim_mentions as c where article_id in ({_FIRST_COPIES}))
"""
# Claims whose row differs from what the last resolve read (changed, new or gone), with the
# incident the last resolve gave them and their fingerprint now (NULL: gone).
_CHANGED_CLAIMS = f"""
    with now as {_CLAIM_FINGERPRINTS},
         changed as (select claim_id from (select * from now except select * from staging.resolve_claim_state)
                     union
                     select claim_id from (select * from staging.resolve_claim_state except select * from now))
    select changed.claim_id, r.incident_id, now.fingerprint
    from changed left join staging.resolved_claims as r using (claim_id) left join now using (claim_id)
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
    Writes staging.incidents, staging.incident_mentions, staging.resolved_claims: after an
    earlier run, only the rows of the incidents and claims that changed (the decisions of
    the unchanged prefix of mentions are replayed), recorded in staging.unpublished."""
    settings = load_settings()
    with warehouse.writer() as con:
        first = f"select * from {{table}} where article_id in ({_FIRST_COPIES})"
        mentions = read_frame(con, first.format(table="staging.event_mentions"))
        claims = read_frame(con, first.format(table="staging.claim_mentions"))
        previous = read_frame(con, "select * from staging.resolve_state")
        changed = read_frame(con, _CHANGED_CLAIMS)
        result = resolve_incidents(mentions, claims, day_window=settings.resolve_day_window, previous=previous,
                                   changed_claims=changed)
        claim_columns = table_columns(con, "staging.resolved_claims")
        resolved = result.claims.with_columns(pl.lit(False).alias("is_superseded"))
        resolved = resolved.select([c for c in claim_columns if c in resolved.columns])
        with transaction(con):
            if result.incident_ids is None:  # from scratch: whole tables
                sync_frames(con, {
                    "staging.incidents": result.incidents,
                    "staging.incident_mentions": result.incident_mentions,
                    "staging.resolved_claims": resolved,
                    "staging.aggregate_links": result.aggregate_links,
                })
            else:
                replace_keyed(con, "staging.incidents", "incident_id", result.incident_ids, result.incidents)
                replace_keyed(con, "staging.incident_mentions", "incident_id", result.incident_ids,
                              result.incident_mentions)
                replace_keyed(con, "staging.resolved_claims", "claim_id", result.claim_ids, resolved)
                replace_keyed(con, "staging.aggregate_links", "claim_id", result.claim_ids, result.aggregate_links)
            # the replayed prefix of the state is as the last run wrote it
            replace_where(con, "staging.resolve_state", f"seq >= {int(result.replayed)}",
                          result.state.filter(pl.col("seq") >= result.replayed))
            # the claims read now, as fingerprinted above: only the changed ones differ
            replace_keyed(con, "staging.resolve_claim_state", "claim_id", changed["claim_id"].to_list(),
                          changed.filter(pl.col("fingerprint").is_not_null()).select("claim_id", "fingerprint"))
            mark_unpublished(con, result.incident_ids, result.claim_ids)
        incidents = con.execute("select count(*) from staging.incidents").fetchone()[0]
        merged = con.execute("select count(*) from staging.incident_mentions where decision = 'merged'").fetchone()[0]
        aggregates = con.execute("select count(*) from staging.aggregate_links").fetchone()[0]
    changed_note = ("every incident derived anew" if result.incident_ids is None else
                    f"{len(result.incident_ids)} incidents and {len(result.claim_ids)} claims changed")
    context.log.info(f"resolve: {mentions.height} mentions -> {incidents} incidents ({merged} merged; "
                     f"{result.replayed} decisions replayed from the last run, {mentions.height - result.replayed} "
                     f"decided now; {changed_note})")
    return dg.MaterializeResult(metadata={
        "event_mentions": mentions.height,
        "incidents": incidents,
        "merged_mentions": merged,
        "decisions_replayed": result.replayed,
        "incidents_changed": incidents if result.incident_ids is None else len(result.incident_ids),
        "claims": claims.height,
        "aggregate_claims": aggregates,
    })
