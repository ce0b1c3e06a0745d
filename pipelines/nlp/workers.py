"""Extraction worker processes: each loads the spaCy pipeline once, then parses and
extracts chunks of articles and sends back rows (not docs: spaCy docs are expensive
to send between processes).

Importing this module does not import spaCy: the run's own process starts the workers
(they load the model meanwhile, on the other cores) and gathers their rows."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from pipelines.nlp.schema import to_frames

# Below this many articles a second worker costs more than it saves.
PARALLEL_MIN_ARTICLES = 200
CHUNK_ARTICLES = 50

_WORKER_NLP = None


def _start_worker(models: tuple[str, ...], disabled: tuple[str, ...]) -> None:
    """Worker start-up: load the pipeline once (a fresh interpreter: forking a process
    whose DuckDB and polars thread pools are running can deadlock)."""
    global _WORKER_NLP
    from pipelines.nlp import extract  # noqa: F401  (imported now, not with the first chunk)
    from pipelines.nlp.pipeline import build_nlp

    _WORKER_NLP = build_nlp(models, disabled)


def _extract_chunk(job: tuple[list[dict], int]) -> tuple[list[dict], list[dict]]:
    from pipelines.nlp.extract import _extract_rows

    articles, batch_size = job
    return _extract_rows(_WORKER_NLP, articles, batch_size)


class ExtractionPool:
    """Worker processes that parse and extract, started once and reused across batches."""

    def __init__(self, processes: int, models: tuple[str, ...], disabled: tuple[str, ...]) -> None:
        import multiprocessing

        self.processes = processes
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
        self.pool.close()
        self.pool.join()

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:
            self.pool.terminate()
