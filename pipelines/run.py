"""Running the whole pipeline on an archive, in one Dagster run (used by `make run`,
the tests and `make eval`).

Importing this module does not import Dagster: run_archive decides what the run has to
do, and starts the extraction workers it needs, before Dagster is imported."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.ingest import list_partitions, partition_files

if TYPE_CHECKING:
    import dagster as dg


def days_to_process(archive_root: Path, warehouse_path: Path, first: str, last: str) -> list[str] | None:
    """The days of first..last whose ingest or extraction is out of date in the warehouse:
    new or changed day folders, loaded days whose folder went, days extracted from other
    articles or by another extractor; every day folder for a warehouse not there yet. None
    when the warehouse cannot tell (busy with another writer, an older schema): then
    every day is to be looked at."""
    import duckdb

    from pipelines.day_digests import DayDigests
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
        articles = ingested_digests(con, first, last, "articles_sha256")
        extracted = extracted_manifests(con, first, last)
    except duckdb.Error:
        return None
    finally:
        con.close()
    version = extractor_version(model_meta(settings.spacy_models))
    digests = DayDigests(archive_root, settings)
    days = [
        day for day in sorted(set(folders) | set(ingested))
        if not digests.is_unchanged(day, ingested.get(day))
        or not extraction_is_current(articles.get(day), extracted.get(day), version)
    ]
    digests.save()
    return days


def archive_range(archive_root: Path, warehouse_path: Path) -> tuple[str, str] | None:
    """first..last day of the archive's day folders and of the days the warehouse holds:
    a run over it also empties the days whose folder went, the newest one included
    (None: neither has any)."""
    import duckdb

    from warehouse.io import WarehouseError, connect

    days = list_partitions(archive_root)
    loaded: tuple = (None, None)
    if Path(warehouse_path).exists():
        try:  # busy with another writer, or from before partition_manifest: the folders alone
            con = connect(warehouse_path, read_only=True, lock_timeout=0)
            try:
                loaded = con.execute("select min(partition_date)::varchar, max(partition_date)::varchar "
                                     "from partition_manifest").fetchone()
            finally:
                con.close()
        except (WarehouseError, duckdb.Error):
            pass
    bounds = [d for d in (*days[:1], *days[-1:], *loaded) if d is not None]
    return (min(bounds), max(bounds)) if bounds else None


# A day folder's bytes per article, roughly (JSON fields and text): to guess, before
# ingest has read anything, whether a run will extract enough to want worker processes.
BYTES_PER_ARTICLE = 1000


def pending_input_bytes(archive_root: Path, days: list[str]) -> int:
    """Bytes in the day folders of `days` (what `days_to_process` gives)."""
    return sum(p.stat().st_size for day in days for p in partition_files(archive_root, day) if p.is_file())


def workers_to_start(archive_root: Path, days: list[str]) -> int:
    """Extraction workers a run over `days` (what `days_to_process` gives) wants from
    its start, to load spaCy on the other cores while the run gets going: all of them
    (INCIDENT_NLP_PROCESSES) for a backfill's worth of input, one for a nightly day (its
    start-up then costs the run nothing, and the run's process never loads spaCy; it
    forks helpers for the other cores once it has loaded the model), none
    without new input or with one process configured (the extract step then decides)."""
    from pipelines.nlp.workers import PARALLEL_MIN_ARTICLES
    from pipelines.settings import load_settings

    processes = load_settings().nlp_processes
    new_bytes = pending_input_bytes(archive_root, days)
    if processes <= 1 or not new_bytes:
        return 0
    return processes if new_bytes >= PARALLEL_MIN_ARTICLES * BYTES_PER_ARTICLE else 1


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


# A run started from the command line (`pipelines.cli run`, `make run`, a cron line) prints
# its output where it was started. Dagster would also copy the run's stdout and stderr into
# compute-log files for the UI, starting `tail` and a Python watcher process for each
# stream with every run: 0.15 s of a 3.3 s nightly run, measured, on the cores the run's
# own start-up needs. Everything the steps report (progress, counts, errors with their
# tracebacks, check results) is in the event log either way.
NO_COMPUTE_LOGS = {"compute_logs": {"module": "dagster._core.storage.noop_compute_log_manager",
                                    "class": "NoOpComputeLogManager"}}


def command_line_instance(home: Path) -> dg.DagsterInstance:
    """The Dagster instance `home` (DAGSTER_HOME) configures, without compute-log capture
    (NO_COMPUTE_LOGS): same run history, event log and pools as the UI and daemon see."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides=NO_COMPUTE_LOGS))


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
    the last run also resolves, reconciles and publishes everything.

    The extraction workers the first run wants (`workers_to_start`) start before Dagster
    is imported: they load spaCy while this process imports Dagster, opens the instance
    and creates the run, and the run's ExtractionWorkers resource takes them over."""
    from pipelines.nlp.workers import discard_prestarted, prestart
    from pipelines.settings import load_settings

    archive_root = Path(archive_root).resolve()
    warehouse_path = Path(warehouse_path).resolve()
    if partitions is None:
        partitions = archive_range(archive_root, warehouse_path)
        if partitions is None:
            raise ValueError(f"archive {archive_root} has no YYYY-MM-DD day folders")
    pending = days_to_process(archive_root, warehouse_path, *partitions)
    if pending is None:  # the warehouse cannot tell: the whole range, in one run
        ranges = [partitions]
    else:
        ranges = day_ranges(pending) or [(partitions[1], partitions[1])]
    first_run_days = [d for d in pending or [] if ranges[0][0] <= d <= ranges[0][1]]
    settings = load_settings()
    if workers := workers_to_start(archive_root, first_run_days):
        prestart(workers, settings.spacy_models, settings.spacy_disabled, settings.nlp_processes)
    try:
        return _run_ranges(archive_root, warehouse_path, ranges, instance, raise_on_error, log_level)
    finally:
        discard_prestarted()


def _run_ranges(archive_root: Path, warehouse_path: Path, ranges: list[tuple[str, str]],
                instance: dg.DagsterInstance | None, raise_on_error: bool, log_level: str) -> dg.ExecuteInProcessResult:
    # Importing Dagster and opening its instance only creates objects that live as long as
    # the process: Python's collector, which walked them three times meanwhile (0.1 s,
    # measured), is paused, and they are frozen out of its way (see ExtractionWorkers in
    # pipelines.resources, which does the same at every run's start).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        import dagster as dg

        from assets.extract import extracted_mentions
        from assets.ingest import ingested_articles
        from pipelines.definitions import ALL_ASSETS
        from pipelines.resources import resources_for

        resources = resources_for(archive_root, warehouse_path)
        if instance is None and os.environ.get("DAGSTER_HOME") and Path(os.environ["DAGSTER_HOME"]).is_dir():
            instance = command_line_instance(Path(os.environ["DAGSTER_HOME"]))
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()

    def run(first: str, last: str, selection: dg.AssetSelection | None = None) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            ALL_ASSETS,
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
