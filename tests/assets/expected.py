"""Reading the EXPECTED.json ground truth of our fixtures and matching it to a warehouse."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from pipelines.ingest import is_valid_partition_name
from pipelines.run import run_archive


def copy_days(fixture: Path, target: Path) -> Path:
    """Copy only the day folders (EXPECTED.json is not archive input)."""
    for entry in fixture.iterdir():
        if entry.is_dir() and is_valid_partition_name(entry.name):
            shutil.copytree(entry, target / entry.name)
    return target


def build(fixture: Path, tmp: Path) -> duckdb.DuckDBPyConnection:
    archive = copy_days(fixture, tmp / "archive")
    warehouse = tmp / "w.duckdb"
    run_archive(archive, warehouse)
    return duckdb.connect(str(warehouse), read_only=True)


def summary(con: duckdb.DuckDBPyConnection) -> list[dict]:
    rows = con.execute("select * from incident_summary order by event_date, place_name").fetchall()
    names = [d[0] for d in con.description]
    return [dict(zip(names, r, strict=True)) for r in rows]


def names_of(expected: dict) -> set[str]:
    """Every acceptable place name for an expected incident (its spellings, the gazetteer's name)."""
    from pipelines.nlp.gazetteer import ascii_name, resolve

    names = {expected.get("place_name"), expected.get("gazetteer_name"), *expected.get("spellings", [])}
    names |= {n.split(" (")[0] for n in names if n}
    # the name our gazetteer gives to any of the spellings counts too (Baghdad al-Jadida -> New Baghdad)
    names |= {place.name for n in list(names) if n and (place := resolve(n, {expected["country_code"]}))}
    return {ascii_name(n).lower() for n in names if n}


def find(rows: list[dict], expected: dict) -> list[dict]:
    """Current (non-historical) incidents on the expected date, in the expected country and place."""
    from pipelines.nlp.gazetteer import ascii_name

    return [
        r for r in rows
        if not r["is_historical"] and str(r["event_date"]) == expected["event_date"]
        and r["country"] == expected["country"] and ascii_name(r["place_name"] or "").lower() in names_of(expected)
    ]


def casualty(expected: dict, category: str) -> dict | None:
    block = expected.get("casualties", expected).get(category)
    return block if isinstance(block, dict) and block.get("best") is not None else None


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
