"""DESIGN.md §5: the article the project was born from must come out right, end to end."""

import datetime as dt
import shutil

import duckdb
import pytest

from pipelines.run import run_archive
from tests.conftest import SEED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed_warehouse(tmp_path_factory):
    assert SEED.exists(), f"the seed article is expected at {SEED}: shared/ beside the repo or its origin, or INCIDENT_SHARED_DIR"
    root = tmp_path_factory.mktemp("seed_archive")
    (root / "2016-02-21").mkdir()
    shutil.copy(SEED, root / "2016-02-21" / SEED.name)
    warehouse = root / "w.duckdb"
    run_archive(root, warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def incidents(con):
    rows = con.execute("select * from incident_summary order by event_date, place_name").fetchall()
    columns = [d[0] for d in con.description]
    return [dict(zip(columns, r, strict=True)) for r in rows]


def test_two_incidents_on_the_day_and_the_january_attack_apart(seed_warehouse):
    found = incidents(seed_warehouse)
    today = [i for i in found if i["event_date"] == dt.date(2016, 2, 21)]
    assert sorted(i["place_name"] for i in today) == ["Homs", "Sayyida Zaynab"]
    old = [i for i in found if i["is_historical"]]
    assert len(old) == 1
    assert (old[0]["date_precision"], old[0]["date_start"], old[0]["killed_best"]) == ("month", dt.date(2016, 1, 1), 60)
    assert len(found) == 3


def test_sayyida_zaynab_figures_and_place(seed_warehouse):
    zaynab = next(i for i in incidents(seed_warehouse) if i["place_name"] == "Sayyida Zaynab" and not i["is_historical"])
    assert (zaynab["country"], zaynab["admin1"]) == ("Syria", "Rif Dimashq")
    assert zaynab["latitude"] == pytest.approx(33.44, abs=0.1)
    assert (zaynab["killed_low"], zaynab["killed_high_open"]) == (83, True)
    assert zaynab["wounded_best"] == 180
    assert zaynab["claimed_by"] == "Islamic State"


def test_homs_figures(seed_warehouse):
    homs = next(i for i in incidents(seed_warehouse) if i["place_name"] == "Homs" and not i["is_historical"])
    assert (homs["killed_low"], homs["killed_high_open"]) == (59, True)
    assert (homs["wounded_low"], homs["wounded_high_open"]) == (100, True)
    assert homs["claimed_by"] == "Islamic State"


def test_more_than_140_is_an_aggregate_over_both_incidents(seed_warehouse):
    rows = seed_warehouse.execute("""
        select a.value_low, a.qualifier, a.n_incidents, a.status
        from aggregate_claims a order by a.claim_id
    """).fetchall()
    assert rows and all(r[:3] == (140, "more_than", 2) for r in rows)
    assert {r[3] for r in rows} == {"consistent"}
    assert seed_warehouse.execute("select count(*) from claims where is_aggregate and incident_id is not null").fetchone()[0] == 0


def test_figures_are_attributed_to_who_said_them(seed_warehouse):
    rows = dict(seed_warehouse.execute("""
        select raw_phrase, claimant from claims where not is_aggregate
    """).fetchall())
    assert rows["At least 83"] == "pro-government media"
    assert rows["at least 59"] == "Syrian Observatory for Human Rights"
    assert rows["at least 100"] == "Syrian Observatory for Human Rights"


def test_every_claim_points_back_to_its_sentence(seed_warehouse):
    rows = seed_warehouse.execute("""
        select c.raw_phrase, c.in_title, c.char_start, c.char_end, a.text, a.title, c.evidence
        from claims c join articles a using (article_id)
    """).fetchall()
    for phrase, in_title, start, end, text, title, evidence in rows:
        source = title if in_title else text
        assert source[start:end] == phrase
        assert phrase in evidence
