"""The extraction worker pool resource: started with the run only for a run with new input."""

from pathlib import Path

from pipelines.resources import BYTES_PER_ARTICLE, _new_input_bytes

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample_archive"


def test_new_input_is_what_the_warehouse_has_not_ingested(tmp_path, sample_warehouse):
    days = sorted(p.name for p in SAMPLE.iterdir() if p.is_dir() and p.name[:2] == "20")
    fresh = _new_input_bytes(SAMPLE, tmp_path / "none.duckdb", days[0], days[-1])
    on_disk = sum(p.stat().st_size for d in days for p in (SAMPLE / d).iterdir() if p.is_file())
    assert fresh == on_disk
    # everything ingested already: nothing new, the workers wait until extract needs them
    assert _new_input_bytes(SAMPLE, sample_warehouse, days[0], days[-1]) == 0
    # the sample archive is too small to be worth worker processes at all
    assert fresh < 200 * BYTES_PER_ARTICLE
