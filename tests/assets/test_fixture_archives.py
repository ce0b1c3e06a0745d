"""Our seed-like article and the hostile-input archive, through the real pipeline."""

import shutil

import duckdb
import pytest

from pipelines.run import run_archive
from tests.assets.expected import build, load, summary
from tests.conftest import REPO

pytestmark = pytest.mark.slow
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="module")
def seedlike(tmp_path_factory):
    con = build(FIXTURES / "seedlike", tmp_path_factory.mktemp("seedlike"))
    yield load(FIXTURES / "seedlike" / "EXPECTED.json"), con
    con.close()


def test_seedlike_two_incidents_on_the_day_with_their_figures(seedlike):
    expected, con = seedlike
    rows = {r["place_name"]: r for r in summary(con) if not r["is_historical"]}
    assert set(rows) == {"Jablah", "Tartus"}
    jableh, tartus = rows["Jablah"], rows["Tartus"]
    assert (jableh["killed_low"], jableh["killed_high_open"], jableh["wounded_best"]) == (73, True, 200)
    assert (tartus["killed_low"], tartus["wounded_low"], tartus["wounded_high_open"]) == (48, 120, True)
    assert {jableh["claimed_by"], tartus["claimed_by"]} == {"Islamic State"}
    assert all(str(r["event_date"]) == "2016-05-23" for r in rows.values())


def test_seedlike_last_months_attack_is_its_own_incident(seedlike):
    _, con = seedlike
    old = [r for r in summary(con) if r["is_historical"]]
    assert [(r["place_name"], r["date_precision"], str(r["event_date"]), r["killed_best"]) for r in old] == [
        ("Jablah", "month", "2016-04-01", 12)]


def test_seedlike_headline_total_is_an_aggregate_over_both(seedlike):
    _, con = seedlike
    rows = con.execute("select value_low, qualifier, n_incidents, status from aggregate_claims").fetchall()
    assert rows and set(rows) == {(120, "more_than", 2, "consistent")}


def test_seedlike_attribution(seedlike):
    _, con = seedlike
    claimants = dict(con.execute("select raw_phrase, claimant from claims where category = 'killed' and not is_aggregate").fetchall())
    assert claimants["At least 73"] == "pro-government media"
    assert claimants["at least 48"] == "Syrian Observatory for Human Rights"


def test_hostile_input_every_record_has_its_expected_fate(tmp_path):
    archive = tmp_path / "bad_input"
    shutil.copytree(FIXTURES / "bad_input", archive, ignore=shutil.ignore_patterns("EXPECTED.json"))
    expected = load(FIXTURES / "bad_input" / "EXPECTED.json")
    assert run_archive(archive, tmp_path / "w.duckdb").success
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    loaded = {(r[0], r[1]) for r in con.execute("select source_file, line_no from articles").fetchall()}
    duplicates = {(r[0], r[1]) for r in con.execute("select source_file, line_no from article_duplicates").fetchall()}
    rejected = {(r[0], r[1]): r[2] for r in con.execute("select source_file, line_no, reason_code from rejected_records").fetchall()}
    con.close()
    for record in expected["records"]:
        key = (record["source_file"], record["line_no"])
        if record["fate"] == "loaded":
            assert key in loaded, record
        elif record["fate"] == "duplicate":
            assert key in duplicates, record
        else:
            assert rejected.get(key) == record["reason_code"], (record, rejected)
    counts = expected["counts"]
    assert (len(loaded), len(duplicates), len(rejected)) == (counts["loaded"], counts["duplicate"], counts["rejected"])
