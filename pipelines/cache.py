"""Objects that are slow to build and the same in every process (the gazetteer, the
language identifier), kept as pickles between processes.

Folder: INCIDENT_CACHE_DIR, default ~/.cache/incident-ledger. Each file is named by a
digest of everything its object is built from, so a new package version, a changed data
file or changed code builds a new one (and the old one is removed). A cache that cannot
be written (a read-only home) only means building each time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_dir() -> Path:
    root = os.environ.get("INCIDENT_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "incident-ledger")
    return Path(root)


def cache_file(name: str, packages: Iterable[str], files: Iterable[Path], keys: Iterable[str] = ()) -> Path:
    """<cache_dir>/<name>-<digest>.pickle, the digest over Python's version, the packages'
    versions, the files' names and bytes and any other `keys` the object depends on."""
    digest = hashlib.sha256(f"{sys.version_info[:2]}|{'|'.join(keys)}".encode())
    for package in packages:
        digest.update(f"|{package} {version(package)}".encode())
    for path in files:
        digest.update(Path(path).name.encode() + Path(path).read_bytes())
    return cache_dir() / f"{name}-{digest.hexdigest()[:16]}.pickle"


def load_or_build(path: Path, build: Callable[[], T]) -> T:
    """The object pickled at `path`, else `build()`, written there for the next process."""
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass  # not built yet, or unreadable: build it
    value = build()
    try:  # write-then-rename: a reader never sees half a file
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)
        prefix = path.name.rsplit("-", 1)[0]
        for old in path.parent.glob(f"{prefix}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)  # built from other inputs: never read again
    except OSError:
        pass
    return value
