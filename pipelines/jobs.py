"""Jobs: the per-day path (ingest + extract of one partition, then the whole-archive steps)."""

import dagster as dg

# One job for a day's folder (schedule, sensor, backfills): ingest and extract the
# partition, then re-derive incidents, ranges and the published tables.
daily_job = dg.define_asset_job(
    "daily_incident_ledger",
    selection=dg.AssetSelection.all(),
    description="Ingest and extract one publication day, then resolve, reconcile and publish.",
)

ALL_JOBS = [daily_job]
