"""The extraction workers: started before the run, and only for a run with new input."""

import os
from pathlib import Path

from pipelines.run import BYTES_PER_ARTICLE, days_to_process, pending_input_bytes, workers_to_start

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample_archive"


def test_new_input_is_what_the_warehouse_has_not_ingested(tmp_path, sample_warehouse):
    days = sorted(p.name for p in SAMPLE.iterdir() if p.is_dir() and p.name[:2] == "20")
    fresh = pending_input_bytes(SAMPLE, days_to_process(SAMPLE, tmp_path / "none.duckdb", days[0], days[-1]))
    on_disk = sum(p.stat().st_size for d in days for p in (SAMPLE / d).iterdir() if p.is_file())
    assert fresh == on_disk
    # everything ingested already: nothing new, the workers wait until extract needs them
    assert pending_input_bytes(SAMPLE, days_to_process(SAMPLE, sample_warehouse, days[0], days[-1])) == 0
    # the sample archive is too small to be worth worker processes at all
    assert fresh < 200 * BYTES_PER_ARTICLE


def _day(archive: Path, day: str, articles: int) -> None:
    folder = archive / day
    folder.mkdir(parents=True)
    (folder / "news.jsonl").write_text("x" * (articles * BYTES_PER_ARTICLE), encoding="utf-8")


def test_workers_to_start_follow_the_size_of_the_new_input(tmp_path, monkeypatch):
    _day(tmp_path, "2024-05-01", 50)
    _day(tmp_path, "2024-05-02", 400)
    monkeypatch.setenv("INCIDENT_NLP_PROCESSES", "2")
    assert workers_to_start(tmp_path, []) == 0  # nothing new: extract decides, if anything
    assert workers_to_start(tmp_path, ["2024-05-01"]) == 1  # a nightly day: one worker
    assert workers_to_start(tmp_path, ["2024-05-01", "2024-05-02"]) == 2  # a backfill: all
    monkeypatch.setenv("INCIDENT_NLP_PROCESSES", "1")
    assert workers_to_start(tmp_path, ["2024-05-01", "2024-05-02"]) == 0  # one process: in-process


def test_a_prestarted_pool_is_taken_once_and_stopped_when_no_run_takes_it():
    import multiprocessing

    from pipelines.nlp.workers import discard_prestarted, prestart, take_prestarted
    from pipelines.settings import load_settings

    settings = load_settings()
    prestart(1, settings.spacy_models, settings.spacy_disabled)
    pool = take_prestarted()
    assert pool is not None and pool.processes == 1
    assert take_prestarted() is None  # one owner
    pool.close()
    prestart(1, settings.spacy_models, settings.spacy_disabled)
    discard_prestarted()
    assert take_prestarted() is None
    assert not multiprocessing.active_children()


RUN = """
import json, sys
import pipelines.nlp.workers as workers
taken = []
take = workers.take_prestarted
def watch():
    pool = take()
    taken.append(pool is not None)
    return pool
workers.take_prestarted = watch
from pipelines.run import run_archive
import duckdb
run_archive(sys.argv[1], sys.argv[2], log_level="WARNING")
con = duckdb.connect(sys.argv[2], read_only=True)
rows = con.execute("select incident_id, killed_best, wounded_best, place_name from incident_summary order by 1").fetchall()
print(json.dumps({"spacy_here": "spacy" in sys.modules, "prestarted": taken, "incidents": [list(map(str, r)) for r in rows]}))
"""


def _run(tmp_path, name, processes):
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "INCIDENT_NLP_PROCESSES": str(processes)}
    env.pop("DAGSTER_HOME", None)
    out = subprocess.run([sys.executable, "-c", RUN, str(SAMPLE), str(tmp_path / f"{name}.duckdb")], env=env,
                         capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2])
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_small_new_day_is_extracted_by_one_worker_and_the_run_never_loads_spacy(tmp_path):
    # new input below the parallel threshold: one worker starts before the run (and
    # loads the model while this process imports Dagster and ingests), the run takes it
    # over; the result is the in-process extraction's
    worker = _run(tmp_path, "worker", 2)
    here = _run(tmp_path, "here", 1)
    assert worker["spacy_here"] is False
    assert worker["prestarted"].count(True) == 1
    assert here["spacy_here"] is True
    assert True not in here["prestarted"]
    assert worker["incidents"] == here["incidents"] and len(here["incidents"]) >= 10


SCRIPT = """
import sys
import os
from pathlib import Path

if __name__ != "__main__":  # run again by a spawned child
    Path(sys.argv[1] if len(sys.argv) > 1 else "ran-again").touch()

if __name__ == "__main__":
    import datetime as dt

    from pipelines.nlp.workers import ExtractionPool
    from pipelines.settings import load_settings

    settings = load_settings()
    article = {"article_id": "a1", "partition_date": dt.date(2021, 6, 7), "outlet": "Test Wire",
               "published_at": dt.datetime(2021, 6, 7, 8, 0), "language": "en", "title": "",
               "text": "A bomb killed 3 people in Kabul on Sunday, police said."}
    with ExtractionPool(1, settings.spacy_models, settings.spacy_disabled) as pool:
        events, claims = pool.extract([article])  # the worker has started, run what it runs, and worked
    print("ok", claims.height, __file__)
"""


def test_workers_do_not_run_the_parents_main_script_again(tmp_path):
    # a launched run's main script is Dagster's CLI: spawned workers ran it again (1 s each)
    import os
    import subprocess
    import sys

    script = tmp_path / "main_script.py"
    script.write_text(SCRIPT, encoding="utf-8")
    marker = tmp_path / "ran-again"
    out = subprocess.run([sys.executable, str(script), str(marker)], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["ok", "1", str(script)]  # the parent's __file__ is back
    assert not marker.exists()


def test_a_run_freezes_what_its_process_holds_and_thaws_it_at_the_end(tmp_path):
    """The run's heap (Dagster, its instance, the definitions) is out of the cyclic
    collector's way while the run lasts, and collectable again afterwards."""
    import gc

    import dagster as dg

    from pipelines.resources import ExtractionWorkers, resources_for

    seen = {}

    @dg.asset
    def probe(extraction_workers: ExtractionWorkers) -> None:
        seen["frozen"] = gc.get_freeze_count()
        seen["enabled"] = gc.isenabled()

    gc.unfreeze()
    assert dg.materialize([probe], resources=resources_for(SAMPLE, tmp_path / "w.duckdb")).success
    assert seen["frozen"] > 10_000 and seen["enabled"]
    assert gc.get_freeze_count() == 0 and gc.isenabled()


EXIT_SCRIPT = """
import atexit, gc, sys
import os
from pathlib import Path

atexit.register(lambda: print("frozen at exit", gc.get_freeze_count()))  # runs after the handlers a run adds

import dagster as dg

from pipelines.resources import ExtractionWorkers, resources_for


@dg.asset
def probe(extraction_workers: ExtractionWorkers) -> None:
    pass


assert dg.materialize([probe], resources=resources_for(Path(sys.argv[1]), Path(sys.argv[2]))).success
print("thawed after the run", gc.get_freeze_count())
"""


def test_a_process_that_ran_a_run_exits_with_its_heap_frozen(tmp_path):
    """The interpreter's shutdown collections would walk the whole heap (0.4 s, measured):
    a run's process freezes it at exit."""
    import os
    import subprocess
    import sys

    script = tmp_path / "exit_script.py"
    script.write_text(EXIT_SCRIPT, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script), str(SAMPLE), str(tmp_path / "w.duckdb")], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert out.returncode == 0, out.stderr[-2000:]
    counts = dict(line.rsplit(" ", 1) for line in out.stdout.splitlines())
    assert int(counts["thawed after the run"]) == 0
    assert int(counts["frozen at exit"]) > 10_000


def test_a_worker_keeps_what_its_start_loaded_out_of_the_collector():
    import gc

    from pipelines.nlp.workers import ExtractionPool
    from pipelines.settings import load_settings

    settings = load_settings()
    with ExtractionPool(1, settings.spacy_models, settings.spacy_disabled) as pool:
        frozen = pool.pool.apply(gc.get_freeze_count)
        enabled = pool.pool.apply(gc.isenabled)
    assert frozen > 10_000  # the model, the rules' tables, dateparser's patterns
    assert enabled


def _articles(n: int, bad: int | None = None) -> list[dict]:
    import datetime as dt

    cities = ["Kabul", "Baghdad", "Mosul", "Aleppo", "Homs", "Mogadishu", "Quetta", "Maiduguri", "Kirkuk", "Idlib"]
    return [{"article_id": f"a{i}", "partition_date": dt.date(2021, 6, 7), "outlet": "Test Wire",
             "published_at": dt.datetime(2021, 6, 7, 8, i), "language": "en", "title": "",
             "text": None if i == bad else
             f"A bomb killed {i + 3} people in {cities[i % len(cities)]} on Sunday, police said. "
             f"At least {i + 10} others were wounded, a hospital official said."}
            for i in range(n)]


def test_a_lone_worker_forks_a_helper_for_the_other_core_with_the_same_rows():
    """A nightly day's one worker (started while the run's process got going) shares the
    chunk with a helper it forks; the rows are those of one process, in order."""
    import psutil

    from pipelines.nlp.workers import ExtractionPool
    from pipelines.settings import load_settings

    settings = load_settings()
    articles = _articles(12)
    with ExtractionPool(1, settings.spacy_models, settings.spacy_disabled) as alone:
        expected = alone.extract(articles)
    with ExtractionPool(1, settings.spacy_models, settings.spacy_disabled, cores=2) as helped:
        got = helped.extract(articles)
        assert got[0].equals(expected[0]) and got[1].equals(expected[1])
        assert expected[1].height == 24 and expected[1]["article_id"].to_list()[:4] == ["a0", "a0", "a1", "a1"]
        # proof that a helper did the second half: its failure is reported as a helper's
        try:
            helped.extract(_articles(12, bad=9))
        except RuntimeError as error:
            assert "extraction helper process failed" in str(error) and "Traceback" in str(error)
        else:
            raise AssertionError("a bad article in the helper's half must fail the extraction")
        assert helped.extract(articles)[1].equals(expected[1])  # the worker goes on after a helper failed
        worker = psutil.Process(helped.pool.apply(os.getpid))
        assert worker.children() == []  # no helper left behind


def test_a_worker_that_cannot_load_the_pipeline_fails_the_extraction_once_and_says_why():
    """multiprocessing's Pool replaces a worker whose start-up raises, without end: the
    error is kept and raised by the worker's first chunk instead."""
    import pytest

    from pipelines.nlp.workers import ExtractionPool
    from pipelines.settings import load_settings

    settings = load_settings()
    with ExtractionPool(1, settings.spacy_models, ("parser", *settings.spacy_disabled)) as pool:
        with pytest.raises(RuntimeError, match="could not load the spaCy pipeline") as failure:
            pool.extract(_articles(3))
    assert "Traceback" in str(failure.value)
