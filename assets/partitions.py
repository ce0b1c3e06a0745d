"""Daily partitions: one archive folder = one publication day (UTC)."""

import dagster as dg

from pipelines.settings import FIRST_PARTITION

# end_offset=1: today's folder (in UTC) is a valid partition too (DESIGN.md §2). A folder
# already dated tomorrow in UTC (today east of it, pipelines.ingest.latest_date_on_earth)
# is read by a command-line run, and asked for by the sensor from midnight UTC.
daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_PARTITION, end_offset=1, timezone="UTC")

# The pool every warehouse-writing asset runs in; its limit (1) is set in dagster.yaml.
WRITER_POOL = "duckdb_writer"
