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
    input or by another extractor. None when the warehouse cannot tell (not there yet,
    an older schema): then every day is to be looked at."""
    import duckdb

    from pipelines.ingest import is_unchanged
    from pipelines.nlp.model import extraction_is_current, extractor_version, model_meta
    from pipelines.settings import load_settings
    from warehouse.io import WarehouseError, connect, extracted_manifests, ingested_digests

    if not Path(warehouse_path).exists():
        return None
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
    folders = [d for d in list_partitions(archive_root) if first <= d <= last]
    return [
        day for day in sorted(set(folders) | set(ingested))
        if not is_unchanged(archive_root, day, ingested.get(day), settings)
        or not extraction_is_current(ingested.get(day), extracted.get(day), version)
    ]


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
    the `partitions` range given) into `warehouse_path`, in one run.

    Days already up to date in the warehouse would be skipped by the assets anyway; the
    run's partition range is narrowed to the days that need work (`days_to_process`), so
    Dagster does not record a materialization for each unchanged day of a long archive
    (each costs an event-log write). With nothing to do, the run covers the last day and
    re-derives incidents, ranges and tables from what is loaded."""
    from pipelines.definitions import ALL_ASSETS
    from assets.checks import ALL_CHECKS

    archive_root = Path(archive_root).resolve()
    if partitions is None:
        days = list_partitions(archive_root)
        if not days:
            raise ValueError(f"archive {archive_root} has no YYYY-MM-DD day folders")
        partitions = (days[0], days[-1])
    pending = days_to_process(archive_root, Path(warehouse_path).resolve(), *partitions)
    if pending is not None:
        partitions = (pending[0], pending[-1]) if pending else (partitions[1], partitions[1])
    resources = resources_for(archive_root, Path(warehouse_path).resolve())
    if instance is None and os.environ.get("DAGSTER_HOME") and Path(os.environ["DAGSTER_HOME"]).is_dir():
        instance = dg.DagsterInstance.get()
    return dg.materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        resources=resources,
        instance=instance,
        tags={"dagster/asset_partition_range_start": partitions[0], "dagster/asset_partition_range_end": partitions[1]},
        raise_on_error=raise_on_error,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )
