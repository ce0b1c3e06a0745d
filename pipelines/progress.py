"""Progress a person can follow on long work: done / total, rate, ETA."""

from __future__ import annotations

import time
from collections.abc import Callable


class Progress:
    """Calls `emit` with a one-line report at most every `every_seconds`, and at the end
    of work that has reported before. Work done within `every_seconds` reports nothing:
    the step's own summary line says what it did (a nightly day's ingest and extraction
    would otherwise log the same counts twice).

    Each line costs a Dagster event-log write (5 to 10 ms): over a backfill of thousands
    of days, a line per day would be a cost of its own. Per-day counts are in the
    partition_manifest and staging.extract_manifest tables."""

    def __init__(self, total: int, what: str, emit: Callable[[str], None], every_seconds: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.what, self.emit, self.every, self.clock = total, what, emit, every_seconds, clock
        self.started = clock()
        self.last = self.started
        self.reported = False

    def line(self, done: int) -> str:
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = done / elapsed
        remaining = (self.total - done) / rate if rate > 0 else float("inf")
        eta = f"{remaining:,.0f}s" if remaining != float("inf") else "?"
        pct = 100.0 * done / self.total if self.total else 100.0
        return f"{self.what}: {done:,}/{self.total:,} ({pct:.0f}%), {rate:,.1f}/s, ETA {eta}"

    def update(self, done: int, detail: str | None = None) -> None:
        """Report `done`, with `detail` (what was just finished) when a line is due."""
        now = self.clock()
        if now - self.last >= self.every or (done == self.total and self.reported):
            self.last = now
            self.reported = done < self.total  # the last line is the last
            self.emit(f"{detail}; {self.line(done)}" if detail else self.line(done))
