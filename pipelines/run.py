"""Running the whole pipeline on an archive, in one Dagster run (used by `make run`,
the tests and `make eval`)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.ingest import list_partitions
from pipelines.resources import resources_for


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
    the `partitions` range given) into `warehouse_path`, in one run."""
    from pipelines.definitions import ALL_ASSETS
    from assets.checks import ALL_CHECKS

    archive_root = Path(archive_root).resolve()
    if partitions is None:
        days = list_partitions(archive_root)
        if not days:
            raise ValueError(f"archive {archive_root} has no YYYY-MM-DD day folders")
        partitions = (days[0], days[-1])
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
