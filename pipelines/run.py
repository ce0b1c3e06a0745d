"""Running the whole pipeline on an archive, in one Dagster run (used by `make run`,
the tests and `make eval`)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.ingest import list_partitions
from pipelines.resources import resources_for


def days_to_process(archive_root: Path, warehouse_path: Path, first: str, last: str) -> list[str] | None:
    """The days of first..last whose ingest or extraction is out of date in the warehouse:
    new or changed day folders, loaded days whose folder went, days extracted from other
    input or by another extractor; every day folder for a warehouse not there yet. None
    when the warehouse cannot tell (busy with another writer, an older schema): then
    every day is to be looked at."""
    import duckdb

    from pipelines.ingest import is_unchanged
    from pipelines.nlp.model import extraction_is_current, extractor_version, model_meta
    from pipelines.settings import load_settings
    from warehouse.io import WarehouseError, connect, extracted_manifests, ingested_digests

    folders = [d for d in list_partitions(archive_root) if first <= d <= last]
    if not Path(warehouse_path).exists():
        return folders
    settings = load_settings()
    try:  # a warehouse busy with another writer: no waiting here, the run's writers wait
        con = connect(warehouse_path, read_only=True, lock_timeout=0)
    except WarehouseError:
        return None
    try:
        ingested = ingested_digests(con, first, last)
        extracted = extracted_manifests(con, first, last)
    except duckdb.Error:
        return None
    finally:
        con.close()
    version = extractor_version(model_meta(settings.spacy_models))
    return [
        day for day in sorted(set(folders) | set(ingested))
        if not is_unchanged(archive_root, day, ingested.get(day), settings)
        or not extraction_is_current(ingested.get(day), extracted.get(day), version)
    ]


# A stretch of this many days without day folders costs Dagster more in per-day
# bookkeeping (each partitioned asset's materialization of each day is planned and then
# recorded: about 30 ms a day, measured) than a run of its own (about 3 s). An archive
# with longer gaps is run in several runs, one per stretch of days close together.
GAP_DAYS = 100


def day_ranges(days: list[str], gap: int | None = None) -> list[tuple[str, str]]:
    """first..last ranges covering `days` (YYYY-MM-DD), split wherever more than `gap`
    days (GAP_DAYS) lie between two of them."""
    import datetime as dt

    gap = GAP_DAYS if gap is None else gap
    ranges: list[tuple[str, str]] = []
    for day in sorted(days):
        if ranges and (dt.date.fromisoformat(day) - dt.date.fromisoformat(ranges[-1][1])).days <= gap:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def run_archive(
    archive_root: Path,
    warehouse_path: Path,
    *,
    partitions: tuple[str, str] | None = None,
    instance: dg.DagsterInstance | None = None,
    raise_on_error: bool = True,
    log_level: str = "INFO",
) -> dg.ExecuteInProcessResult:
    """Materialize every asset for the archive's partitions (first..last day folder, or
    the `partitions` range given) into `warehouse_path`; returns the (last) run's result.

    Days already up to date in the warehouse would be skipped by the assets anyway; the
    run's partition range is narrowed to the days that need work (`days_to_process`), so
    Dagster does not record a materialization for each unchanged day of a long archive
    (each costs an event-log write). With nothing to do, the run covers the last day and
    re-derives incidents, ranges and tables from what is loaded. Days to do that lie more
    than GAP_DAYS apart are ingested and extracted in runs of their own, one per stretch;
    the last run also resolves, reconciles and publishes everything."""
    from pipelines.definitions import ALL_ASSETS
    from assets.checks import ALL_CHECKS
    from assets.extract import extracted_mentions
    from assets.ingest import ingested_articles

    archive_root = Path(archive_root).resolve()
    warehouse_path = Path(warehouse_path).resolve()
    if partitions is None:
        days = list_partitions(archive_root)
        if not days:
            raise ValueError(f"archive {archive_root} has no YYYY-MM-DD day folders")
        partitions = (days[0], days[-1])
    pending = days_to_process(archive_root, warehouse_path, *partitions)
    if pending is None:  # the warehouse cannot tell: the whole range, in one run
        ranges = [partitions]
    else:
        ranges = day_ranges(pending) or [(partitions[1], partitions[1])]
    resources = resources_for(archive_root, warehouse_path)
    if instance is None and os.environ.get("DAGSTER_HOME") and Path(os.environ["DAGSTER_HOME"]).is_dir():
        instance = dg.DagsterInstance.get()

    def run(first: str, last: str, selection: dg.AssetSelection | None = None) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [*ALL_ASSETS, *ALL_CHECKS],
            selection=selection,
            resources=resources,
            instance=instance,
            tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last},
            raise_on_error=raise_on_error,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )

    for first, last in ranges[:-1]:
        result = run(first, last, dg.AssetSelection.assets(ingested_articles, extracted_mentions))
        if not result.success:
            return result
    return run(*ranges[-1])
