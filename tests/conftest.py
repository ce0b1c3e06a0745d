"""Shared fixtures: the real spaCy pipeline (built once), temp archives and warehouses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    """The team's shared/ folder (DESIGN.md, the seed article): INCIDENT_SHARED_DIR, else
    beside this checkout, else beside the local repository it was cloned from (CI tests a
    fresh clone in a temporary folder)."""
    import os
    import subprocess

    candidates = [Path(os.environ["INCIDENT_SHARED_DIR"])] if os.environ.get("INCIDENT_SHARED_DIR") else []
    candidates.append(REPO.parent / "shared")
    origin = subprocess.run(["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
                            capture_output=True, text=True).stdout.strip()
    if origin and "://" not in origin and ":" not in origin.split("/")[0]:
        candidates.append(Path(origin).resolve().parent / "shared")
    return next((c for c in candidates if c.is_dir()), candidates[-1])


SHARED = _shared_dir()
SEED = SHARED / "seed" / "2016-02-21_damascus_homs.txt"


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """The shipped sample archive through the real pipeline, once per test session.
    Shared read-only: tests that write build their own warehouse."""
    from pipelines.run import run_archive

    path = tmp_path_factory.mktemp("sample") / "incidents.duckdb"
    assert run_archive(REPO / "data" / "sample_archive", path).success
    return path


@pytest.fixture(scope="session")
def nlp():
    from pipelines.nlp.pipeline import build_nlp

    return build_nlp()


def make_article(text: str, *, title: str | None = None, published: str = "2016-02-21T12:00:00+00:00",
                 article_id: str = "a_test", outlet: str | None = "Test Wire") -> dict:
    """An article dict shaped like a row of the articles table."""
    stamp = dt.datetime.fromisoformat(published)
    return {"article_id": article_id, "partition_date": stamp.date(), "outlet": outlet, "title": title,
            "published_at": stamp, "language": "en", "text": text}


def write_archive(root: Path, articles: dict[str, list[dict]]) -> Path:
    """Lay out an archive: {"YYYY-MM-DD": [article dicts]} -> root/YYYY-MM-DD/articles.jsonl."""
    for day, rows in articles.items():
        folder = root / day
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "articles.jsonl").open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row) + "\n")
    return root
