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

defs = dg.Definitions(
    assets=ALL_ASSETS,
    jobs=ALL_JOBS,
    schedules=[nightly_schedule],
    sensors=[new_day_folder_sensor],
    resources=default_resources(),
)
