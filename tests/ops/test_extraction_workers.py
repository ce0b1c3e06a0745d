"""The extraction worker pool resource: started with the run only for a run with new input."""

from pathlib import Path

from pipelines.resources import BYTES_PER_ARTICLE, _pending_input_bytes

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample_archive"


def test_new_input_is_what_the_warehouse_has_not_ingested(tmp_path, sample_warehouse):
    days = sorted(p.name for p in SAMPLE.iterdir() if p.is_dir() and p.name[:2] == "20")
    fresh = _pending_input_bytes(SAMPLE, tmp_path / "none.duckdb", days[0], days[-1])
    on_disk = sum(p.stat().st_size for d in days for p in (SAMPLE / d).iterdir() if p.is_file())
    assert fresh == on_disk
    # everything ingested already: nothing new, the workers wait until extract needs them
    assert _pending_input_bytes(SAMPLE, sample_warehouse, days[0], days[-1]) == 0
    # the sample archive is too small to be worth worker processes at all
    assert fresh < 200 * BYTES_PER_ARTICLE


RUN = """
import json, sys
from pipelines.run import run_archive
import duckdb
run_archive(sys.argv[1], sys.argv[2], log_level="WARNING")
con = duckdb.connect(sys.argv[2], read_only=True)
rows = con.execute("select incident_id, killed_best, wounded_best, place_name from incident_summary order by 1").fetchall()
print(json.dumps({"spacy_here": "spacy" in sys.modules, "incidents": [list(map(str, r)) for r in rows]}))
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
    # new input below the parallel threshold: one worker starts with the run and loads
    # the model while this process ingests; the result is the in-process extraction's
    worker = _run(tmp_path, "worker", 2)
    here = _run(tmp_path, "here", 1)
    assert worker["spacy_here"] is False
    assert here["spacy_here"] is True
    assert worker["incidents"] == here["incidents"] and len(here["incidents"]) >= 10
