"""Partitions are the unit of parallelism, on Dagster's own machinery only (DESIGN.md §7).

A job backfill of 4 daily partitions (`dagster job backfill`: one run per partition)
goes through the instance's run queue (QueuedRunCoordinator, at most 2 runs at once),
is launched by `dagster-daemon` (DefaultRunLauncher: each run its own process) and
executed by the multiprocess executor (at most 2 step processes per run). Every step that
writes the DuckDB file is in the pool "duckdb_writer", limit 1 (pipelines/dagster.yaml):
the runs overlap, their writer steps never do, and no step meets a DuckDB lock.

This module is also the code location the Dagster processes load (`-m
tests.assets.test_parallel_partitions`): `defs` holds the partitioned assets of the
project, unchanged, in a job with the multiprocess executor.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from assets.extract import extracted_mentions
from assets.ingest import ingested_articles
from assets.partitions import WRITER_POOL
from pipelines.resources import default_resources

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
JOB = "partitioned_assets"
DAYS = ["2016-03-01", "2016-03-02", "2016-03-03", "2016-03-04"]
MAX_CONCURRENT_RUNS = 2
DUCKDB_LOCK = re.compile(r"could not set lock|conflicting lock|is locked by|database is locked", re.I)

partitioned_assets_job = dg.define_asset_job(
    JOB,
    selection=dg.AssetSelection.assets(ingested_articles, extracted_mentions),
    executor_def=dg.multiprocess_executor.configured({"max_concurrent": 2}),
    description="Ingest and extract one publication day, each step in its own process.",
)

# Resources from INCIDENT_ARCHIVE / INCIDENT_WAREHOUSE, as in pipelines.definitions.
defs = dg.Definitions(
    assets=[ingested_articles, extracted_mentions],
    jobs=[partitioned_assets_job],
    resources=default_resources(),
)

pytestmark = pytest.mark.slow


def _articles(day: str) -> list[dict]:
    return [
        {"id": f"{day}-a", "outlet": "Wire One", "published": f"{day}T09:00:00Z", "title": "Car bomb in Baghdad",
         "text": f"A car bomb killed {int(day[-2:]) + 6} people in Baghdad on {day}, police said."},
        {"id": f"{day}-b", "outlet": "Wire Two", "published": f"{day}T11:00:00Z", "title": "Clashes in Mosul",
         "text": "At least 9 people were killed in clashes in Mosul, a hospital official said."},
    ]


def _instance_yaml() -> str:
    """The project's instance settings (pools: duckdb_writer limit 1) + a run queue of 2."""
    import yaml

    config = yaml.safe_load((REPO / "pipelines" / "dagster.yaml").read_text(encoding="utf-8"))
    pools = config["concurrency"]["pools"]
    assert pools["default_limit"] == 1 and pools["granularity"] == "op", pools
    config["concurrency"]["runs"] = {"max_concurrent_runs": MAX_CONCURRENT_RUNS}
    # let a second run start while all its steps wait for the writer slot
    pools.setdefault("op_granularity_run_buffer", 1)
    config["run_coordinator"] = {
        "module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator",
        "config": {"dequeue_interval_seconds": 1},
    }
    return yaml.safe_dump(config)


def _overlaps(intervals: list[tuple[float, float]]) -> int:
    """The largest number of intervals open at one instant."""
    points = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    open_, most = 0, 0
    for _, delta in points:
        open_ += delta
        most = max(most, open_)
    return most


@pytest.fixture(scope="module")
def backfill(tmp_path_factory):
    from tests.conftest import write_archive

    base = tmp_path_factory.mktemp("parallel")
    archive = write_archive(base / "archive", {day: _articles(day) for day in DAYS})
    home = base / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(_instance_yaml(), encoding="utf-8")
    warehouse = base / "incidents.duckdb"
    env = {**os.environ, "DAGSTER_HOME": str(home), "INCIDENT_ARCHIVE": str(archive),
           "INCIDENT_WAREHOUSE": str(warehouse),
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    location = ["-m", "tests.assets.test_parallel_partitions", "-d", str(REPO)]
    # create the instance's storage once, before two processes open it
    instance = dg.DagsterInstance.from_config(str(home))
    daemon_log = (base / "daemon.log").open("w")
    daemon = subprocess.Popen([str(VENV_BIN / "dagster-daemon"), "run", *location], cwd=REPO, env=env,
                              stdout=daemon_log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        submitted = subprocess.run(
            [str(VENV_BIN / "dagster"), "job", "backfill", *location, "-j", JOB,
             "--partitions", ",".join(DAYS), "--noprompt"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
        )
        assert submitted.returncode == 0, submitted.stdout + submitted.stderr
        deadline = time.monotonic() + 180
        while True:
            records = instance.get_run_records(dg.RunsFilter(job_name=JOB))
            if len(records) == len(DAYS) and all(r.dagster_run.is_finished for r in records):
                break
            assert time.monotonic() < deadline, [(r.dagster_run.tags.get("dagster/partition"), r.dagster_run.status) for r in records]
            time.sleep(0.5)
        yield {"instance": instance, "records": records, "warehouse": warehouse, "daemon_log": base / "daemon.log"}
    finally:
        if daemon.poll() is None:
            os.killpg(daemon.pid, signal.SIGTERM)  # the daemon and the code server it started
            try:
                daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
                daemon.wait()
        daemon_log.close()
        instance.dispose()


def _step_intervals(instance: dg.DagsterInstance, run_id: str) -> dict[str, tuple[float, float]]:
    started, ended = {}, {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            started[event.step_key] = record.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            ended[event.step_key] = record.timestamp
    return {key: (started[key], ended[key]) for key in started if key in ended}


def test_every_partition_run_succeeds_without_lock_errors(backfill):
    instance, records = backfill["instance"], backfill["records"]
    assert sorted(r.dagster_run.tags["dagster/partition"] for r in records) == DAYS
    failures = {r.dagster_run.tags["dagster/partition"]: r.dagster_run.status for r in records
                if r.dagster_run.status != dg.DagsterRunStatus.SUCCESS}
    messages = [rec.message or "" for r in records for rec in instance.all_logs(r.dagster_run.run_id)]
    messages += [str(rec.dagster_event.event_specific_data) for r in records for rec in instance.all_logs(r.dagster_run.run_id)
                 if rec.dagster_event is not None and rec.dagster_event.event_type == dg.DagsterEventType.STEP_FAILURE]
    # DuckDB's words for a file held by another process, and warehouse.io's
    lock_errors = [m for m in messages if DUCKDB_LOCK.search(m)]
    assert not failures and not lock_errors, (failures, lock_errors[:3], backfill["daemon_log"].read_text()[-3000:])
    # what kept them apart: steps that waited for the duckdb_writer slot
    assert any(f"blocked by limit for pool {WRITER_POOL}" in m for m in messages)


def test_runs_overlap_but_writer_steps_never_do(backfill):
    instance, records = backfill["instance"], backfill["records"]
    runs = [(r.start_time, r.end_time) for r in records]
    assert all(start and end for start, end in runs)
    # the run queue held them to 2 at a time, and 2 did run at the same time
    assert _overlaps(runs) == MAX_CONCURRENT_RUNS, runs
    writer_steps = []
    t0 = min(start for start, _ in runs)
    for r in sorted(records, key=lambda r: r.start_time):
        steps = _step_intervals(instance, r.dagster_run.run_id)
        print(f"run {r.dagster_run.tags['dagster/partition']}: {r.start_time - t0:5.1f}..{r.end_time - t0:5.1f} s  "
              + "  ".join(f"{k} {a - t0:.1f}..{b - t0:.1f}" for k, (a, b) in sorted(steps.items(), key=lambda kv: kv[1])))
        # the records check runs inside the ingest step, on its connection: no step of its own
        assert set(steps) == {"ingested_articles", "extracted_mentions"}, steps
        writer_steps += [(r.dagster_run.run_id, interval) for interval in steps.values()]
        checks = [e.dagster_event.asset_check_evaluation_data for e in instance.all_logs(r.dagster_run.run_id)
                  if e.dagster_event is not None and e.dagster_event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION]
        assert [(c.check_name, c.passed) for c in checks] == [("records_accounted_for", True)]
    assert len(writer_steps) == 2 * len(DAYS)
    # the duckdb_writer pool (limit 1) is honoured across runs and processes
    assert _overlaps([interval for _, interval in writer_steps]) == 1, sorted(writer_steps)
    assert instance.event_log_storage.get_pool_limits()  # the pool exists on the instance
    assert {p.name: p.limit for p in instance.event_log_storage.get_pool_limits()}.get(WRITER_POOL) == 1


def test_the_warehouse_holds_all_four_partitions(backfill):
    import duckdb

    with duckdb.connect(str(backfill["warehouse"]), read_only=True) as con:
        manifest = con.execute(
            "select partition_date::varchar, n_records_read, n_loaded from partition_manifest order by 1"
        ).fetchall()
        assert manifest == [(day, 2, 2) for day in DAYS]
        assert con.execute("select count(distinct partition_date) from articles").fetchone()[0] == 4
        extracted = con.execute(
            "select partition_date::varchar, n_articles from staging.extract_manifest order by 1"
        ).fetchall()
        assert extracted == [(day, 2) for day in DAYS]
        assert con.execute("select count(distinct partition_date) from staging.claim_mentions").fetchone()[0] == 4
