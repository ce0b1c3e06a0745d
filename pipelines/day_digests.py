"""Which day folders are unchanged since their last ingest, known from their files'
metadata instead of their bytes.

A run compares each day folder's input digest (`pipelines.ingest.is_unchanged`: the
folder's file names and bytes, the ingest code and its limits) with the digest the
warehouse recorded when it ingested the day. Reading every byte of the archive is the
part of a nightly run that grows with the archive: 0.1 s per 10 MB with a warm page
cache, 0.6 s cold, measured. So once a day folder is ingested, or found unchanged, its
stat signature is kept here with its digest: each entry's name, size, inode, mtime and
ctime (in nanoseconds), the ingest code and its limits. While the signature is the same,
so is the digest, and the bytes are not read again.

ctime cannot be set by a user's tools (touch, cp -p and rsync -t set mtime only), and any
write, rename or chmod moves it. What is left is a file rewritten in the same clock tick
as the stat that was kept (git's "racily clean" entries), so a day whose files changed
less than RACY_SECONDS before it was looked at is not kept: the next run reads it again.

Kept as JSON in <cache_dir>/day-digests/<digest of the archive root's path>.json,
written with write-then-rename. A memo that cannot be read or written only means reading
the bytes; two runs writing at once only means one of them reads some days again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from pipelines.cache import cache_dir
from pipelines.ingest import _input_digest, is_unchanged, partition_files
from pipelines.settings import Settings

RACY_SECONDS = 3
# A memo file not written for this long belongs to an archive no longer run (or a test's).
STALE_SECONDS = 30 * 86_400


def memo_path(archive_root: Path) -> Path:
    name = hashlib.sha256(str(Path(archive_root).resolve()).encode()).hexdigest()[:16]
    return cache_dir() / "day-digests" / f"{name}.json"


class DayDigests:
    """`is_unchanged(day, ingested_digest)` for the day folders of one archive, reading a
    folder's bytes only when its stat signature is not the one kept; `remember` keeps
    the digest ingest just read. `save()` keeps what this one learnt for the next run.
    `bytes_read_days` counts the folders `is_unchanged` had to read."""

    def __init__(self, archive_root: Path, settings: Settings, racy_seconds: float | None = None):
        self.root = Path(archive_root)
        self.settings = settings
        self.racy_ns = int((RACY_SECONDS if racy_seconds is None else racy_seconds) * 1e9)
        # the digest over no files: the ingest code and limits, part of every day's key
        self.code = _input_digest([], self.root, settings)
        self.path = memo_path(self.root)
        self.entries = self._load()
        self.bytes_read_days = 0
        self._dirty = False

    def is_unchanged(self, day: str, ingested_digest: str | None) -> bool:
        if ingested_digest is None:
            return False
        key = self.key(day)
        if key is not None and self.entries.get(day) == [key, ingested_digest]:
            return True
        self.bytes_read_days += 1
        unchanged = is_unchanged(self.root, day, ingested_digest, self.settings)
        self.remember(day, key, ingested_digest if unchanged else None)
        return unchanged

    def remember(self, day: str, key: str | None, digest: str | None) -> None:
        """`digest` is the day folder's input digest, read from its bytes after its stat
        key was `key`: kept when the folder still has that key (nothing moved while it
        was read). None forgets the day."""
        kept = [key, digest] if digest is not None and key is not None and self.key(day) == key else None
        if kept != self.entries.get(day):
            self._dirty = True
            if kept is None:
                self.entries.pop(day, None)
            else:
                self.entries[day] = kept

    def save(self) -> None:
        if not self._dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(f".{os.getpid()}.partial")
            partial.write_text(json.dumps({"root": str(self.root), "days": self.entries}, sort_keys=True))
            partial.replace(self.path)
            self._dirty = False
            stale = time.time() - STALE_SECONDS
            for other in self.path.parent.glob("*.json"):
                if other != self.path and other.stat().st_mtime < stale:
                    other.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only cache: the next run reads the bytes again

    def _load(self) -> dict[str, list[str]]:
        try:
            days = json.loads(self.path.read_text())["days"]
        except (OSError, ValueError, KeyError, TypeError):
            return {}
        return days if isinstance(days, dict) else {}

    def key(self, day: str) -> str | None:
        """The day folder's stat signature with the ingest code and limits, as a digest;
        None when a file changed too recently to trust its stat, or cannot be stat'ed."""
        now_ns = time.time_ns()
        signature = []
        try:
            for path in partition_files(self.root, day):
                stat = path.lstat()
                if max(stat.st_mtime_ns, stat.st_ctime_ns) > now_ns - self.racy_ns:
                    return None
                signature.append([path.name, stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns])
        except OSError:
            return None
        return hashlib.sha256(f"{self.code}\n{json.dumps(signature)}".encode()).hexdigest()
