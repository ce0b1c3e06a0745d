"""The one Definitions root of the code location (workspace.yaml points here)."""

import dagster as dg

from assets.extract import extracted_mentions
from assets.ingest import ingested_articles
from assets.load import warehouse_tables
from assets.reconcile import reconciled_casualties
from assets.resolve import resolved_incidents
from pipelines.jobs import ALL_JOBS
from pipelines.resources import default_resources
from pipelines.schedules import nightly_schedule
from pipelines.sensors import new_day_folder_sensor

ALL_ASSETS = [ingested_articles, extracted_mentions, resolved_incidents, reconciled_casualties, warehouse_tables]

# Every run's steps run in the run's own process, one after the other. Within a run the
# steps are a chain (ingest -> extract -> resolve -> reconcile -> publish), so a step per
# process (the multiprocess executor, Dagster's default) gains no parallelism, and each
# step process imports Dagster and this code again: a one-day run of the nightly job took
# 13.7 s that way and takes 5.7 s in one process (10,000-article archive, make bench).
# The extract step's spaCy workers are processes of their own either way.
defs = dg.Definitions(
    executor=dg.in_process_executor,
    assets=ALL_ASSETS,
    jobs=ALL_JOBS,
    schedules=[nightly_schedule],
    sensors=[new_day_folder_sensor],
    resources=default_resources(),
)
