"""Command line: `python -m pipelines.cli run | summary` (what `make run` calls)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from pipelines.settings import load_settings

SUMMARY_SQL = """
    select event_date, date_precision, place_name, country, attack_type, claimed_by,
           killed_low, killed_best, killed_high, killed_high_open,
           wounded_low, wounded_best, wounded_high, wounded_high_open,
           n_sources, n_articles, is_historical
    from incident_summary
    order by event_date, place_name, incident_id
"""


def _range(low, best, high, open_) -> str:
    if best is None:
        return "-"
    if low == best == high:
        return f"{best}{'+' if open_ else ''}"
    return f"{low}-{best}-{high}{'+' if open_ else ''}"


def print_summary(warehouse: Path, out=sys.stdout) -> int:
    """Print the incidents of a warehouse as a readable table; returns the row count."""
    from warehouse.io import connect

    con = connect(warehouse, read_only=True)
    try:
        rows = con.execute(SUMMARY_SQL).fetchall()
        counts = con.execute("""
            select (select count(*) from articles), (select count(*) from article_duplicates),
                   (select count(*) from rejected_records), (select count(*) from claims),
                   (select count(*) from aggregate_claims)
        """).fetchone()
    finally:
        con.close()
    print(f"\nwarehouse: {warehouse}", file=out)
    print(f"articles loaded {counts[0]}, duplicates {counts[1]}, rejected {counts[2]}, "
          f"claims {counts[3]} (aggregate {counts[4]}), incidents {len(rows)}\n", file=out)
    header = f"{'date':<10} {'prec':<5} {'place':<22} {'country':<13} {'attack type':<16} {'killed':>12} {'wounded':>12} {'src':>4} {'art':>4}  claimed by"
    print(header, file=out)
    print("-" * len(header), file=out)
    for r in rows:
        place = (r[2] or "?")[:22]
        flag = " (earlier event)" if r[16] else ""
        print(f"{str(r[0]):<10} {r[1]:<5} {place:<22} {(r[3] or '?')[:13]:<13} {(r[4] or '?')[:16]:<16} "
              f"{_range(r[6], r[7], r[8], r[9]):>12} {_range(r[10], r[11], r[12], r[13]):>12} {r[14]:>4} {r[15]:>4}  "
              f"{r[5] or ''}{flag}", file=out)
    print("\nkilled/wounded: low-best-high; '+' = the high figure was stated as a lower bound.", file=out)
    print(f"query it: .venv/bin/duckdb -readonly {warehouse} -c \"select * from incident_summary\"", file=out)
    return len(rows)


def cmd_run(args: argparse.Namespace) -> int:
    from pipelines.ingest import ArchiveError, check_archive_root, is_valid_partition_name, list_partitions
    from pipelines.nlp.model import ModelNotFound, find_model
    from pipelines.run import archive_range, run_archive
    from warehouse.io import WarehouseError, connect

    settings = load_settings()
    archive = Path(args.archive).resolve() if args.archive else settings.archive
    warehouse = Path(args.warehouse).resolve() if args.warehouse else settings.warehouse
    try:
        check_archive_root(archive)
        days = list_partitions(archive)
        if not days:
            print(f"error: archive {archive} has no YYYY-MM-DD day folders", file=sys.stderr)
            return 2
        # preflight: fail fast with one line, before Dagster starts a run
        find_model(settings.spacy_models)
        connect(warehouse).close()
        # the days the warehouse holds too: a day folder removed since is emptied
        known = archive_range(archive, warehouse)
        first, last = args.start or known[0], args.end or known[1]
        for flag, day in (("--start", first), ("--end", last)):
            if not is_valid_partition_name(day):
                print(f"error: {flag} {day!r} is not a day YYYY-MM-DD from 2000-01-01 to today", file=sys.stderr)
                return 2
        if first > last:
            given = " and ".join(f"{flag} {day}" for flag, day in (("--start", args.start), ("--end", args.end)) if day)
            print(f"error: the days asked for are none ({given}; the archive and warehouse span {known[0]} .. "
                  f"{known[1]}): {first} is after {last}", file=sys.stderr)
            return 2
        home = os.environ.get("DAGSTER_HOME")
        if home and Path(home).is_dir() and not (Path(home) / "dagster.yaml").exists():
            print(f"warning: DAGSTER_HOME {home} has no dagster.yaml: its runs get Dagster's defaults, without the "
                  "project's one-writer pool; copy pipelines/dagster.yaml there (make does)", file=sys.stderr)
        print(f"incident-ledger: {archive} ({len(days)} day folders, {first} .. {last}) -> {warehouse}", flush=True)
        started = time.monotonic()
        result = run_archive(archive, warehouse, partitions=(first, last), raise_on_error=False)
    except (ArchiveError, WarehouseError, ModelNotFound) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not result.success:
        failure = next((e for e in result.all_events if e.is_step_failure), None)
        reason = "see the run log above"
        if failure is not None:
            error = failure.step_failure_data.error
            while error.cause is not None:
                error = error.cause
            reason = f"{failure.step_key}: {error.message.strip().splitlines()[0]}"
        print(f"error: the run failed: {reason}", file=sys.stderr)
        return 1
    print(f"done in {time.monotonic() - started:.1f}s", flush=True)
    print_summary(warehouse)
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from warehouse.io import WarehouseError

    warehouse = Path(args.warehouse).resolve() if args.warehouse else load_settings().warehouse
    try:
        print_summary(warehouse)
    except WarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="incident-ledger", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the whole pipeline on an archive and print what it found")
    run.add_argument("--archive", help="archive root (default: $INCIDENT_ARCHIVE or the sample archive)")
    run.add_argument("--warehouse", help="DuckDB file (default: $INCIDENT_WAREHOUSE or warehouse/incidents.duckdb)")
    run.add_argument("--start", help="first partition YYYY-MM-DD (default: the oldest day folder)")
    run.add_argument("--end", help="last partition YYYY-MM-DD (default: the newest day folder)")
    run.set_defaults(func=cmd_run)
    summary = sub.add_parser("summary", help="print the incidents of an existing warehouse")
    summary.add_argument("--warehouse")
    summary.set_defaults(func=cmd_summary)
    args = parser.parse_args(argv)
    from pipelines.settings import SettingsError

    try:
        return args.func(args)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
