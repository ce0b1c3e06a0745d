"""One small multi-day archive per resolution/reconciliation rule, each with its EXPECTED.json."""

import pytest

from tests.assets.expected import build, casualty, find, load, summary
from tests.conftest import REPO

pytestmark = pytest.mark.slow
FIXTURES = sorted(p for p in (REPO / "tests" / "fixtures" / "resolution").iterdir() if p.is_dir())


@pytest.fixture(scope="module", params=FIXTURES, ids=lambda p: p.name)
def case(request, tmp_path_factory):
    con = build(request.param, tmp_path_factory.mktemp(request.param.name))
    yield load(request.param / "EXPECTED.json"), con
    con.close()


def test_incident_count(case):
    expected, con = case
    current = [r for r in summary(con) if not r["is_historical"]]
    assert len(current) == expected["expected_incident_count"], [(r["place_name"], str(r["event_date"])) for r in current]


def test_incident_ranges(case):
    expected, con = case
    rows = summary(con)
    for incident in expected["incidents"]:
        found = find(rows, incident)
        assert len(found) == 1, (incident["key"], [(r["place_name"], str(r["event_date"])) for r in rows])
        for category in ("killed", "wounded"):
            want = casualty(incident, category)
            if want is None:
                continue
            got = tuple(found[0][f"{category}_{k}"] for k in ("low", "best", "high", "high_open"))
            assert got == (want["low"], want["best"], want["high"], want["high_open"]), (incident["key"], category)


def test_historical_references_stay_apart(case):
    expected, con = case
    historical = [r for r in summary(con) if r["is_historical"]]
    for old in expected.get("historical_incidents") or []:
        matches = [r for r in historical if str(r["event_date"]).startswith(old["date"][:7])
                   and r["killed_low"] == old.get("killed_low", old.get("killed"))]
        assert len(matches) == 1, (old, [(r["place_name"], str(r["event_date"]), r["killed_low"]) for r in historical])


def test_aggregates_are_checked_not_used(case):
    expected, con = case
    rows = con.execute("select value_low, qualifier, n_incidents, status from aggregate_claims where n_incidents > 0").fetchall()
    for aggregate in expected.get("aggregates") or []:
        status = "consistent" if aggregate["check"].startswith("passes") else "inconsistent"
        assert (aggregate["value_low"], aggregate["qualifier"], 2, status) in rows, (aggregate["id"], rows)
