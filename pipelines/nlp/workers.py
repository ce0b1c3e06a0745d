"""Extraction worker processes: each loads the spaCy pipeline once, then parses and
extracts chunks of articles and sends back rows (not docs: spaCy docs are expensive
to send between processes).

Importing this module does not import spaCy: the run's own process starts the workers
(they load the model meanwhile, on the other cores) and gathers their rows."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import polars as pl

from pipelines.nlp.schema import to_frames

# Below this many articles a second worker costs more than it saves.
PARALLEL_MIN_ARTICLES = 200
CHUNK_ARTICLES = 50

_WORKER_NLP = None


def _start_worker(models: tuple[str, ...], disabled: tuple[str, ...]) -> None:
    """Worker start-up: load the pipeline once and pay extraction's first-use costs
    (a fresh interpreter: forking a process whose DuckDB and polars thread pools are
    running can deadlock). What it loads lives as long as the worker: Python's cyclic
    collector is paused meanwhile and then kept off it (`gc.freeze`), as in the run's
    own process: a worker's start went from 1.31 to 1.20 s, measured."""
    global _WORKER_NLP
    gc.disable()
    try:
        from pipelines.nlp.extract import warm_up
        from pipelines.nlp.pipeline import build_nlp

        _WORKER_NLP = build_nlp(models, disabled)
        warm_up(_WORKER_NLP)
    finally:
        gc.freeze()
        gc.enable()


def _extract_chunk(job: tuple[list[dict], int]) -> tuple[list[dict], list[dict]]:
    from pipelines.nlp.extract import _extract_rows

    articles, batch_size = job
    return _extract_rows(_WORKER_NLP, articles, batch_size)


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Hide the parent's main script from workers as they are spawned. multiprocessing's
    spawn runs that script again in every child (to find functions defined in it), and
    the workers need nothing from it: theirs are in this module. When Dagster's CLI
    runs a launched run, the script is the `dagster` command, and running it again cost
    each worker about 1 s of imports before it loaded spaCy. A main module run with
    `python -m` is left alone (spawn imports it by name; it is ours or pytest's)."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None or not hasattr(main, "__file__"):
        yield
        return
    script = main.__file__
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = script


class ExtractionPool:
    """Worker processes that parse and extract, started once and reused across batches."""

    def __init__(self, processes: int, models: tuple[str, ...], disabled: tuple[str, ...]) -> None:
        import multiprocessing

        self.processes = processes
        with _main_script_hidden():  # Pool starts its workers here, before it returns
            self.pool = multiprocessing.get_context("spawn").Pool(processes, _start_worker, (models, disabled))

    def extract(self, articles: list[dict], *, batch_size: int = 64, chunk: int = CHUNK_ARTICLES,
                progress: Callable[[int], None] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Events and claims of the English articles, in input order: the rows
        pipelines.nlp.extract.extract_articles gives in one process."""
        english = [a for a in articles if (a.get("language") or "en") == "en"]
        chunk = max(1, min(chunk, -(-len(english) // self.processes)))  # every worker busy on a small batch
        chunks = [english[i : i + chunk] for i in range(0, len(english), chunk)]
        events: list[dict] = []
        claims: list[dict] = []
        done = 0
        for (chunk_events, chunk_claims), part in zip(
                self.pool.imap(_extract_chunk, [(c, batch_size) for c in chunks]), chunks, strict=True):
            events.extend(chunk_events)
            claims.extend(chunk_claims)
            done += len(part)
            if progress is not None:
                progress(done)
        return to_frames(events, claims)

    def close(self) -> None:
        """Stop the workers. Every result has been received by then (extract waits for
        all of its chunks), so they are terminated, not asked to finish: a worker that
        exits on its own spends 0.3 s tearing down spaCy and its interpreter, measured,
        and the run would wait for it."""
        self.pool.terminate()
        self.pool.join()

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# A pool started before the Dagster run exists (`prestart`), for the run's
# ExtractionWorkers resource to take over (`take_prestarted`).
_PRESTARTED: ExtractionPool | None = None


def prestart(processes: int, models: tuple[str, ...], disabled: tuple[str, ...]) -> None:
    """Start `processes` workers now, in this process, for the next run to take over:
    they load spaCy on the other core while this process imports Dagster, opens its
    instance and creates the run (about 1 s, as long as loading spaCy takes)."""
    global _PRESTARTED
    discard_prestarted()
    _PRESTARTED = ExtractionPool(processes, models, disabled)


def take_prestarted() -> ExtractionPool | None:
    """The pool `prestart` started, now the caller's to close (None if there is none)."""
    global _PRESTARTED
    pool, _PRESTARTED = _PRESTARTED, None
    return pool


def discard_prestarted() -> None:
    """Stop a prestarted pool that no run took over."""
    pool = take_prestarted()
    if pool is not None:
        pool.close()
