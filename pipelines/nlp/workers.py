"""Extraction worker processes: each loads the spaCy pipeline once, then parses and
extracts chunks of articles and sends back rows (not docs: spaCy docs are expensive
to send between processes).

Importing this module does not import spaCy: the run's own process starts the workers
(they load the model meanwhile, on the other cores) and gathers their rows."""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import polars as pl

from pipelines.nlp.schema import to_frames

# Below this many articles a second worker costs more than it saves.
PARALLEL_MIN_ARTICLES = 200
CHUNK_ARTICLES = 50
# Below this many articles in a chunk, a forked helper (see _extract_chunk) costs more
# than it saves: a fork and the pages it copies, about 30 ms; an article, about 13 ms.
HELPER_MIN_ARTICLES = 8

_WORKER_NLP = None
# Why this worker could not start (a traceback), raised by its first chunk: a worker
# whose start-up raises would be replaced by multiprocessing's Pool, forever.
_START_ERROR: str | None = None


def _start_worker(models: tuple[str, ...], disabled: tuple[str, ...]) -> None:
    """Worker start-up: load the pipeline once and pay extraction's first-use costs
    (a fresh interpreter: forking a process whose DuckDB and polars thread pools are
    running can deadlock). What it loads lives as long as the worker: Python's cyclic
    collector is paused meanwhile and then kept off it (`gc.freeze`), as in the run's
    own process: a worker's start went from 1.31 to 1.20 s, measured."""
    global _WORKER_NLP, _START_ERROR
    gc.disable()
    try:
        from pipelines.nlp.extract import warm_up
        from pipelines.nlp.pipeline import build_nlp

        _WORKER_NLP = build_nlp(models, disabled)
        warm_up(_WORKER_NLP)
    except Exception:
        import traceback

        _START_ERROR = traceback.format_exc()
    finally:
        gc.freeze()
        gc.enable()


def _extract_chunk(job: tuple[list[dict], int, int]) -> tuple[list[dict], list[dict]]:
    """Events and claims of a chunk of articles, in order. With `parts` > 1 (a pool with
    fewer workers than cores: a nightly day's one worker, started while the run's
    process got going), the worker forks helpers that share the model it loaded, and
    extracts one part itself: forking a loaded worker takes milliseconds, starting
    another one a second."""
    articles, batch_size, parts = job
    if _START_ERROR is not None:
        raise RuntimeError(f"an extraction worker could not load the spaCy pipeline "
                           f"(INCIDENT_SPACY_MODEL, INCIDENT_SPACY_DISABLE):\n{_START_ERROR}")
    if parts < 2 or len(articles) < HELPER_MIN_ARTICLES:
        return _extract_here(articles, batch_size)
    size = -(-len(articles) // parts)
    pieces = [articles[i : i + size] for i in range(0, len(articles), size)]
    helpers = []
    try:
        for piece in pieces[1:]:
            helpers.append(_fork_helper(piece, batch_size))
        events, claims = _extract_here(pieces[0], batch_size)
        while helpers:
            more_events, more_claims = _join_helper(helpers.pop(0))
            events += more_events
            claims += more_claims
        return events, claims
    finally:
        for pid, read_fd in helpers:  # this worker failed: its helpers go with it
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read_fd)


def _fork_helper(articles: list[dict], batch_size: int) -> tuple[int, int]:
    """Fork a helper that extracts `articles` with this worker's model and sends back
    its rows, or its error, through a pipe; returns its pid and the pipe's read end.
    (Forking a worker is safe: no DuckDB in it, nothing running on the threads polars
    and BLAS started at import.) The helper dies with its worker (Linux), and leaves
    without the worker's clean-up (`os._exit`)."""
    import traceback

    read_fd, write_fd = os.pipe()
    worker = os.getpid()
    pid = os.fork()
    if pid:
        os.close(write_fd)
        return pid, read_fd
    status = 1
    try:
        os.close(read_fd)
        if sys.platform.startswith("linux"):
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() != worker:  # the worker died before that
                os._exit(1)
        try:
            result: tuple[str, object] = ("rows", _extract_here(articles, batch_size))
        except BaseException:
            result = ("error", traceback.format_exc())
        with os.fdopen(write_fd, "wb") as out:
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)


def _extract_here(articles: list[dict], batch_size: int) -> tuple[list[dict], list[dict]]:
    from pipelines.nlp.extract import _extract_rows

    return _extract_rows(_WORKER_NLP, articles, batch_size)


def _join_helper(helper: tuple[int, int]) -> tuple[list[dict], list[dict]]:
    """A forked helper's rows, once it has sent them and exited."""
    pid, read_fd = helper
    try:
        with os.fdopen(read_fd, "rb") as source:
            kind, payload = pickle.load(source)
    except EOFError:
        kind, payload = "died", None
    _, status = os.waitpid(pid, 0)
    if kind != "rows":
        raise RuntimeError(f"an extraction helper process failed (exit code {os.waitstatus_to_exitcode(status)}): "
                           f"{payload or 'it died before it sent its rows'}")
    return payload


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
    """Worker processes that parse and extract, started once and reused across batches.

    `cores`: the processes extraction may use in all (INCIDENT_NLP_PROCESSES; default
    `processes`). A pool with fewer workers splits each chunk among its workers and
    helpers they fork (see _extract_chunk)."""

    def __init__(self, processes: int, models: tuple[str, ...], disabled: tuple[str, ...],
                 cores: int | None = None) -> None:
        import multiprocessing

        self.processes = processes
        self.cores = max(processes, cores or processes)
        with _main_script_hidden():  # Pool starts its workers here, before it returns
            self.pool = multiprocessing.get_context("spawn").Pool(processes, _start_worker, (models, disabled))

    def extract(self, articles: list[dict], *, batch_size: int = 64, chunk: int = CHUNK_ARTICLES,
                progress: Callable[[int], None] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Events and claims of the English articles, in input order: the rows
        pipelines.nlp.extract.extract_articles gives in one process."""
        english = [a for a in articles if (a.get("language") or "en") == "en"]
        chunk = max(1, min(chunk, -(-len(english) // self.processes)))  # every worker busy on a small batch
        chunks = [english[i : i + chunk] for i in range(0, len(english), chunk)]
        parts = self.cores // self.processes  # a pool short of workers: helpers share each chunk
        events: list[dict] = []
        claims: list[dict] = []
        done = 0
        for (chunk_events, chunk_claims), part in zip(
                self.pool.imap(_extract_chunk, [(c, batch_size, parts) for c in chunks]), chunks, strict=True):
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


def prestart(processes: int, models: tuple[str, ...], disabled: tuple[str, ...], cores: int | None = None) -> None:
    """Start `processes` workers now, in this process, for the next run to take over:
    they load spaCy on the other core while this process imports Dagster, opens its
    instance and creates the run (about 1 s, as long as loading spaCy takes)."""
    global _PRESTARTED
    discard_prestarted()
    _PRESTARTED = ExtractionPool(processes, models, disabled, cores)


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
