"""Nightly schedule: at 02:30 UTC, materialize yesterday's partition (UTC calendar day)."""

import datetime as dt

import dagster as dg

from pipelines.jobs import daily_job


@dg.schedule(job=daily_job, cron_schedule="30 2 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.STOPPED,
             description="Every night at 02:30 UTC: yesterday's folder (UTC day) end to end.")
def nightly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    yesterday = (context.scheduled_execution_time.astimezone(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    return dg.RunRequest(run_key=f"nightly-{yesterday}", partition_key=yesterday)
