"""Dagster resources: the warehouse (the one DuckDB writer) and the archive."""

from __future__ import annotations

import atexit
import functools
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from pipelines.settings import load_settings
from warehouse.io import connect


@functools.cache
def freeze_heap_at_exit() -> None:
    """When this process exits, freeze its heap out of the cyclic collector first.

    The interpreter's shutdown runs full collections while it tears its modules down,
    and each walked everything a run had created: 0.4 s of a nightly run's 3.4 s
    (10,000-article archive), measured from run_archive's return to the process's end,
    and 0.06 s with the heap frozen. Objects are still freed by their reference counts
    as modules go; atexit handlers (logging's flush, multiprocessing's clean-up) still run.
    Registered once, from a run's start: a process that never runs one is left alone."""
    atexit.register(gc.freeze)


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. `writer()` opens it for writing (schema migrated);
    writes are serialised by the `duckdb_writer` concurrency pool (limit 1)."""

    path: str

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(Path(self.path))
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(Path(self.path), read_only=True)
        try:
            yield con
        finally:
            con.close()


class ArchiveResource(dg.ConfigurableResource):
    """The archive root: YYYY-MM-DD/ folders of .jsonl, .jsonl.gz and .txt files."""

    root: str

    @property
    def path(self) -> Path:
        return Path(self.root)


class ExtractionWorkers(dg.ConfigurableResource):
    """The spaCy worker processes of the extract step (INCIDENT_NLP_PROCESSES).

    With the in-process executor (run_archive, the CLI, tests) the resource is set up when
    the run starts. It takes over the workers run_archive started before the run
    (`pipelines.nlp.workers.prestart`); in a run launched otherwise it starts the ones
    `pipelines.run.workers_to_start` asks for, to load spaCy on the other cores while
    this process ingests. Otherwise the extract step starts them when a batch is big
    enough, or extracts in its own process. Closed when the extract step is done (their
    memory is not held through resolve), or at the end of the run.

    Its set-up is also where the run's own process settles: everything it holds then
    (Dagster, its instance, the definitions: about 200,000 objects) lives as long as the
    run, so it is frozen out of Python's cyclic garbage collector (`gc.freeze`) until the
    run ends. Each full collection otherwise walked all of it: two or three per nightly
    run, about 0.1 s each at 10,000 articles, measured; the same holds at the process's
    exit (`freeze_heap_at_exit`). spaCy workers freeze what their start-up loaded
    (pipelines.nlp.workers); their collections while they extract cost 5 ms per 600
    articles."""

    warehouse: WarehouseResource
    archive: ArchiveResource
    _pool: object = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        from pipelines.nlp.workers import take_prestarted

        gc.freeze()
        freeze_heap_at_exit()
        self._pool = take_prestarted()
        tags = context.run.tags if context.run is not None else {}
        first = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
        last = tags.get("dagster/asset_partition_range_end") or first
        if self._pool is None and first and last and load_settings().nlp_processes > 1:
            from pipelines.run import days_to_process, workers_to_start

            days = days_to_process(self.archive.path, Path(self.warehouse.path), first, last) or []
            if processes := workers_to_start(self.archive.path, days):
                self._start(processes)

    def pool(self, articles: int):
        """The worker pool: the one started with the run, else all workers when
        `articles` are enough to want them (started now); None to extract in this process."""
        from pipelines.nlp.workers import PARALLEL_MIN_ARTICLES

        processes = load_settings().nlp_processes
        if articles >= PARALLEL_MIN_ARTICLES and processes > 1 and (self._pool is None or self._pool.processes < processes):
            self._start(processes)
        return self._pool

    def _start(self, processes: int) -> None:
        from pipelines.nlp.workers import ExtractionPool

        settings = load_settings()
        if self._pool is not None:
            self._pool.close()
        self._pool = ExtractionPool(processes, settings.spacy_models, settings.spacy_disabled, settings.nlp_processes)

    def close(self) -> None:
        """Stop the workers (the extract step calls this when done: their memory, a
        spaCy pipeline each, is not held through the rest of the run)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.close()
        gc.unfreeze()  # what the run left behind is collectable again (tests run many runs)


def default_resources() -> dict:
    """Resources from the environment (INCIDENT_ARCHIVE, INCIDENT_WAREHOUSE)."""
    settings = load_settings()
    return resources_for(settings.archive, settings.warehouse)


def resources_for(archive: Path, warehouse: Path) -> dict:
    """The resources of a run over `archive` into `warehouse`."""
    warehouse_resource = WarehouseResource(path=str(warehouse))
    archive_resource = ArchiveResource(root=str(archive))
    return {
        "warehouse": warehouse_resource,
        "archive": archive_resource,
        "extraction_workers": ExtractionWorkers(warehouse=warehouse_resource, archive=archive_resource),
    }
