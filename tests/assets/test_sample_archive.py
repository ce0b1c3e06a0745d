"""The shipped sample archive against its ground truth (tests/fixtures/sample_archive_expected.json)."""

import pytest

from tests.assets.expected import casualty, find, load, summary
from tests.conftest import REPO

pytestmark = pytest.mark.slow
TRUTH = load(REPO / "tests" / "fixtures" / "sample_archive_expected.json")


@pytest.fixture(scope="module")
def con(sample_warehouse):
    import duckdb

    connection = duckdb.connect(str(sample_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def rows(con):
    return summary(con)


def test_every_record_is_loaded_duplicate_or_rejected(con):
    loaded, dups, rejected = con.execute("""
        select (select count(*) from articles), (select count(*) from article_duplicates),
               (select count(*) from rejected_records where partition_date is not null)
    """).fetchone()
    counts = TRUTH["counts"]
    assert (loaded, dups, rejected) == (counts["loaded"], counts["duplicate"], counts["rejected"])
    assert con.execute("select reason_code, source_file, line_no from rejected_records").fetchall() == [
        ("malformed_json", "2016-02-22/reuters.jsonl", 2)]


@pytest.mark.parametrize("expected", TRUTH["incidents"], ids=lambda e: e["id"])
def test_incident_is_found_once_with_its_ranges(rows, expected):
    found = find(rows, expected)
    assert len(found) == 1, (expected["id"], [(r["place_name"], str(r["event_date"])) for r in rows])
    incident = found[0]
    for category in ("killed", "wounded"):
        want = casualty(expected, category)
        got = tuple(incident[f"{category}_{k}"] for k in ("low", "best", "high", "high_open"))
        assert got == (want["low"], want["best"], want["high"], want["high_open"]), (expected["id"], category)


def test_no_incident_beyond_the_real_and_the_historical_ones(rows):
    current = [r for r in rows if not r["is_historical"]]
    assert len(current) == TRUTH["counts"]["incidents"]
    historical = [r for r in rows if r["is_historical"]]
    assert len(historical) == TRUTH["counts"]["historical_incidents"]


@pytest.mark.parametrize("expected", TRUTH["historical_incidents"], ids=lambda e: e["id"])
def test_older_attacks_are_their_own_incidents(rows, expected):
    matches = [r for r in rows if r["is_historical"] and r["country"] == expected["country"]
               and str(r["event_date"]).startswith(expected["date"]) and r["killed_best"] == expected["killed"]]
    assert len(matches) == 1, expected["id"]
    assert matches[0]["date_precision"] == expected["date_precision"]


def test_aggregates_are_linked_to_both_parts_and_checked(con):
    spanning = con.execute("""
        select value_low, n_incidents, status from aggregate_claims where n_incidents > 0 order by value_low
    """).fetchall()
    stated = sorted({a["stated_value"] for a in TRUTH["aggregates"]})
    assert sorted({r[0] for r in spanning}) == stated
    assert all(r[1] == 2 and r[2] == "consistent" for r in spanning)
    # war-wide and yearly totals are kept as unlinked aggregates, never incident figures
    assert con.execute("select count(*) from claims where value_low >= 1000 and not is_aggregate").fetchone()[0] == 0


def test_same_city_a_week_apart_stays_two_incidents(rows):
    baghdad = [r for r in rows if not r["is_historical"] and r["country"] == "Iraq" and r["admin1"] == "Baghdad"]
    assert sorted(str(r["event_date"]) for r in baghdad) == ["2016-02-21", "2016-02-28"]
