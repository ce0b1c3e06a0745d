"""The analyst queries in warehouse/queries/ run against a real warehouse built from the
sample archive, and their results keep the promises their headers make.

The warehouse is built once per session (one real Dagster run of data/sample_archive);
every query is run on a read-only connection, so a query that tried to write would fail.
Expected values are recomputed here from the contract tables, not copied from a run: the
sample archive and the extraction keep changing.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict

import duckdb
import pytest

from tests.conftest import REPO

QUERIES = REPO / "warehouse" / "queries"
EXPECTED_QUERIES = {
    "deadliest_incidents", "sources_disagree_most", "toll_evolution", "claimant_kind_agreement",
    "incidents_per_country_month", "aggregate_checks",
}


@pytest.fixture
def con(sample_warehouse):
    connection = duckdb.connect(str(sample_warehouse), read_only=True)
    yield connection
    connection.close()


def rows(con, sql: str, params=None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def run_query(con, name: str, **variables) -> list[dict]:
    """Run warehouse/queries/<name>.sql with the given DuckDB variables set, then unset them."""
    for key, value in variables.items():
        literal = f"'{value}'" if isinstance(value, str) else str(value).lower()
        con.execute(f"set variable {key} = {literal}")
    try:
        return rows(con, (QUERIES / f"{name}.sql").read_text(encoding="utf-8"))
    finally:
        for key in variables:
            con.execute(f"reset variable {key}")


def figure_text(low, high) -> str:
    """How the queries print a figure."""
    if low is None:
        return f"up to {high}"
    if high is None:
        return f"{low}+"
    return str(low) if low == high else f"{low}-{high}"


def latest_per_source(con) -> dict[tuple[str, str], dict[str, dict]]:
    """(incident, category) -> source -> that source's latest non-superseded claim."""
    latest: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    claims = rows(con, """
        select incident_id, category, source, claimant_kind, reported_at, value_low, value_high
        from claims
        where not is_aggregate and not is_superseded and incident_id is not null
    """)
    for c in claims:
        c["figure"] = c["value_low"] if c["value_low"] is not None else c["value_high"]
        current = latest[(c["incident_id"], c["category"])].get(c["source"])
        if current is None or (c["reported_at"], c["figure"]) > (current["reported_at"], current["figure"]):
            latest[(c["incident_id"], c["category"])][c["source"]] = c
    return latest


def code_only(sql: str) -> str:
    """The SQL without comments and string literals (for style checks)."""
    sql = re.sub(r"--[^\n]*", "", sql)
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


# ------------------------------------------------------------------ the files themselves


def test_every_promised_query_file_exists():
    assert EXPECTED_QUERIES <= {p.stem for p in QUERIES.glob("*.sql")}


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.sql")), ids=lambda p: p.name)
def test_query_file_has_a_header_and_house_style(path):
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        header.append(line)
    header_text = "\n".join(header)
    assert header and header[0] == f"-- {path.name}", "the file starts with a comment naming it"
    assert "What it answers" in header_text and "How to read the output" in header_text
    assert "Parameters" in header_text or "No parameters" in header_text
    code = code_only(text)
    assert code.lstrip().startswith("with"), "a CTE chain"
    assert not re.search(r"\b(SELECT|FROM|WHERE|WITH|JOIN|GROUP|ORDER|AS|AND|OR|CASE|WHEN)\b", code), \
        "lowercase keywords"
    assert not re.search(r"select\s+\*", code) and not re.search(r"\.\*", code), "explicit column lists"
    for variable in re.findall(r"getvariable\('(\w+)'\)", code):
        assert f"set variable {variable}" in header_text, f"parameter {variable} is documented"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED_QUERIES))
def test_query_runs_read_only_and_returns_rows(con, name):
    result = run_query(con, name)
    assert result, f"{name}.sql returned no row on the sample archive"
    columns = list(result[0])
    assert len(columns) == len(set(columns)), "no duplicate column names"


# ------------------------------------------------------------------ deadliest_incidents


@pytest.mark.slow
def test_deadliest_incidents_ranked_with_consistent_ranges(con):
    result = run_query(con, "deadliest_incidents")
    assert [r["rank"] for r in result] == list(range(1, len(result) + 1))
    assert len(result) <= 20
    bests = [r["killed_best"] for r in result]
    assert bests == sorted(bests, reverse=True)
    latest = latest_per_source(con)
    for r in result:
        assert not r["is_historical"]
        assert r["killed_low"] <= r["killed_best"] <= r["killed_high"]
        assert r["killed_range"].endswith("+") == r["killed_high_open"]
        numbers = [int(n) for n in re.findall(r"\d+", r["killed_range"])]
        expected = [r["killed_best"]] if r["killed_low"] == r["killed_best"] == r["killed_high"] else \
            [r["killed_low"], r["killed_best"], r["killed_high"]]
        assert numbers == expected
        # who said what: one entry per source, each that source's latest figure
        sources = latest[(r["incident_id"], "killed")]
        expected_entries = {f"{s}: {figure_text(c['value_low'], c['value_high'])}" for s, c in sources.items()}
        assert set(r["killed_sources"].split("; ")) == expected_entries
        assert r["n_killed_sources"] == len(sources)
        assert max(c["figure"] for c in sources.values()) <= r["killed_high"]


@pytest.mark.slow
def test_deadliest_incidents_parameters(con):
    everything = run_query(con, "deadliest_incidents", top_n=100000, include_historical=True)
    current = run_query(con, "deadliest_incidents", top_n=100000)
    top3 = run_query(con, "deadliest_incidents", top_n=3)
    with_killed = rows(con, "select incident_id, is_historical from incident_summary where killed_best is not null")
    assert {r["incident_id"] for r in everything} == {r["incident_id"] for r in with_killed}
    assert {r["incident_id"] for r in current} == {r["incident_id"] for r in with_killed if not r["is_historical"]}
    assert any(r["is_historical"] for r in everything), "the sample mentions earlier events"
    assert [r["incident_id"] for r in top3] == [r["incident_id"] for r in current[:3]]


# ------------------------------------------------------------------ sources_disagree_most


@pytest.mark.slow
def test_sources_disagree_most_ratio_and_who_said_what(con):
    result = run_query(con, "sources_disagree_most")
    latest = latest_per_source(con)
    ratios = [r["high_low_ratio"] for r in result if r["high_low_ratio"] is not None]
    assert ratios == sorted(ratios, reverse=True)
    assert any(r["conflicting"] for r in result), "the sample has sources that disagree"
    assert result[0]["high_low_ratio"] > 1
    for r in result:
        assert r["n_sources"] >= 2
        if r["low"]:
            assert r["high_low_ratio"] >= 1
            assert r["high_low_ratio"] == pytest.approx(r["high"] / r["low"], abs=0.006)
        assert r["spread"] == r["high"] - r["low"] >= 0
        sources = latest[(r["incident_id"], r["category"])]
        entries = r["who_said_what"].split("; ")
        assert len(entries) == r["n_sources"] == len(sources)
        expected = {
            source + ("" if c["claimant_kind"] == "unattributed" else f" ({c['claimant_kind']})")
            + ": " + figure_text(c["value_low"], c["value_high"])
            for source, c in sources.items()
        }
        assert set(entries) == expected, r["incident_id"]
        figures = [int(re.search(r"\d+", e.rsplit(": ", 1)[1]).group()) for e in entries]
        assert figures == sorted(figures, reverse=True), "largest figure first"


@pytest.mark.slow
def test_sources_disagree_most_parameters(con):
    every = run_query(con, "sources_disagree_most")
    wounded = run_query(con, "sources_disagree_most", category="wounded")
    three = run_query(con, "sources_disagree_most", min_sources=3)
    assert wounded and {r["category"] for r in wounded} == {"wounded"}
    key = lambda r: (r["incident_id"], r["category"])  # noqa: E731
    assert {key(r) for r in wounded} <= {key(r) for r in every}
    assert {key(r) for r in three} == {key(r) for r in every if r["n_sources"] >= 3}


# ------------------------------------------------------------------ toll_evolution


@pytest.mark.slow
def test_toll_evolution_is_every_claim_in_order(con):
    result = run_query(con, "toll_evolution")
    n_claims = con.execute("select count(*) from claim_timeline").fetchone()[0]
    assert len(result) == n_claims
    best = {(r["incident_id"], r["category"]): r["best_claim_id"]
            for r in rows(con, "select incident_id, category, best_claim_id from incident_casualties")}

    blocks: dict[tuple[str, str], list[dict]] = defaultdict(list)
    order: list[tuple[str, str]] = []
    for r in result:
        key = (r["incident_id"], r["category"])
        if not blocks[key]:
            order.append(key)
        else:
            assert order[-1] == key, f"rows of {key} are not contiguous"
        blocks[key].append(r)
    dates = [blocks[k][0]["event_date"] for k in order]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated) and dates[:len(dated)] == dated, "incidents ordered by event date, undated last"

    for key, block in blocks.items():
        times = [r["reported_at"] for r in block]
        assert times == sorted(times), f"{key} not ordered by reported_at"
        assert [r["step"] for r in block] == list(range(1, len(block) + 1))
        highest = [r["highest_so_far"] for r in block]
        assert highest == sorted(highest)
        previous: dict[str, dict] = {}
        for r in block:
            value = r["value_low"] if r["value_low"] is not None else r["value_high"]
            assert r["highest_so_far"] >= value
            assert r["figure"] == figure_text(r["value_low"], r["value_high"])
            before = previous.get(r["source"])
            assert r["previous_source_figure"] == (before["figure"] if before else None)
            if before:
                before_value = before["value_low"] if before["value_low"] is not None else before["value_high"]
                assert r["change_vs_previous"] == value - before_value
            previous[r["source"]] = r
            if r["is_superseded"]:
                assert any(o["source"] == r["source"] and o["claim_id"] != r["claim_id"]
                           and o["reported_at"] >= r["reported_at"] for o in block), \
                    f"superseded {r['claim_id']} has no later figure from {r['source']}"
        if key in best:
            assert [r["claim_id"] for r in block if r["sets_best"]] == [best[key]]


@pytest.mark.slow
def test_toll_evolution_for_one_incident(con):
    every = run_query(con, "toll_evolution")
    busiest = Counter(r["incident_id"] for r in every).most_common(1)[0][0]
    one = run_query(con, "toll_evolution", incident_id=busiest)
    assert one == [r for r in every if r["incident_id"] == busiest]
    killed = run_query(con, "toll_evolution", incident_id=busiest, category="killed")
    assert killed and killed == [r for r in one if r["category"] == "killed"]


# ------------------------------------------------------------------ claimant_kind_agreement


@pytest.mark.slow
def test_claimant_kind_agreement_matches_a_recomputation(con):
    result = run_query(con, "claimant_kind_agreement")
    best = {(r["incident_id"], r["category"]): r
            for r in rows(con, "select incident_id, category, best, best_claim_id from incident_casualties where best > 0")}
    claims = rows(con, """
        select claim_id, incident_id, category, claimant_kind, reported_at, is_superseded, in_title,
               coalesce(value_low, value_high) as figure
        from claims where not is_aggregate and incident_id is not null
    """)
    kind_of = {c["claim_id"]: c["claimant_kind"] for c in claims}
    latest: dict[tuple, dict] = {}
    rank = lambda c: (-c["reported_at"].timestamp(), c["is_superseded"], c["in_title"], -c["figure"], c["claim_id"])  # noqa: E731
    for c in claims:
        key = (c["incident_id"], c["category"], c["claimant_kind"])
        if key not in latest or rank(c) < rank(latest[key]):
            latest[key] = c
    groups: dict[tuple[str, str], list[tuple[float, int, int, bool]]] = defaultdict(list)
    for (incident, category, kind), c in latest.items():
        if (incident, category) in best:
            b = best[(incident, category)]
            groups[(category, kind)].append(
                (c["figure"] / b["best"], c["figure"], b["best"], kind_of[b["best_claim_id"]] == kind))

    assert {(r["category"], r["claimant_kind"]) for r in result} == set(groups)
    kinds = {r["claimant_kind"] for r in result if r["category"] == "killed"}
    assert len(kinds) >= 3, "the sample has figures from several kinds of claimant"
    for r in result:
        g = groups[(r["category"], r["claimant_kind"])]
        ratios = [x[0] for x in g]
        assert r["n_incidents"] == len(g)
        assert r["median_ratio"] == pytest.approx(statistics.median(ratios), abs=1e-3)
        assert r["min_ratio"] <= r["median_ratio"] <= r["max_ratio"]
        assert r["share_above"] == pytest.approx(sum(f > b for _, f, b, _ in g) / len(g), abs=1e-3)
        assert r["share_below"] == pytest.approx(sum(f < b for _, f, b, _ in g) / len(g), abs=1e-3)
        assert r["share_above"] + r["share_equal"] + r["share_below"] == pytest.approx(1, abs=2e-3)
        assert r["n_set_best"] == sum(x[3] for x in g)
        if r["claimant_kind"] == "militant":
            assert r["n_set_best"] == 0, "a perpetrator's figure never sets best"
    for category in {r["category"] for r in result}:
        n_best = sum(1 for (_, c) in best if c == category)
        assert sum(r["n_set_best"] for r in result if r["category"] == category) == n_best


# ------------------------------------------------------------------ incidents_per_country_month


@pytest.mark.slow
def test_incidents_per_country_month_adds_up(con):
    result = run_query(con, "incidents_per_country_month")
    incidents = rows(con, """
        select i.incident_id, i.event_date, i.country, i.is_historical, k.best as killed_best
        from incidents as i
        left join incident_casualties as k on k.incident_id = i.incident_id and k.category = 'killed'
    """)
    dated = [i for i in incidents if i["event_date"] is not None]
    assert sum(r["n_incidents"] for r in result) == len(dated)
    per_month = Counter(i["event_date"].strftime("%Y-%m") for i in dated)
    got_month: Counter = Counter()
    for r in result:
        got_month[r["month"]] += r["n_incidents"]
    assert got_month == per_month
    assert len({(r["month"], r["country"]) for r in result}) == len(result)
    assert [r["month"] for r in result] == sorted(r["month"] for r in result)
    for r in result:
        dt.datetime.strptime(r["month"], "%Y-%m")
        mine = [i for i in dated if i["event_date"].strftime("%Y-%m") == r["month"]
                and (i["country"] or "(unknown)") == r["country"]]
        assert r["n_incidents"] == len(mine)
        assert r["n_day_precision"] + r["n_month_precision"] + r["n_year_precision"] == r["n_incidents"]
        assert r["n_historical"] == sum(i["is_historical"] for i in mine)
        killed = [i["killed_best"] for i in mine if i["killed_best"] is not None]
        assert r["n_with_killed"] == len(killed)
        assert r["killed_best_sum"] == (sum(killed) if killed else None)


@pytest.mark.slow
def test_incidents_per_country_month_without_historical(con):
    result = run_query(con, "incidents_per_country_month", exclude_historical=True)
    n = con.execute("select count(*) from incidents where event_date is not null and not is_historical").fetchone()[0]
    assert sum(r["n_incidents"] for r in result) == n
    assert all(r["n_historical"] == 0 for r in result)


# ------------------------------------------------------------------ aggregate_checks


@pytest.mark.slow
def test_aggregate_checks_recompute_the_stored_check(con):
    result = run_query(con, "aggregate_checks")
    stored = {r["claim_id"]: r for r in rows(con, "select * from aggregate_claims")}
    assert {r["claim_id"] for r in result} == set(stored)
    flagged = {r["claim_id"] for r in rows(con, "select claim_id from claims where is_aggregate")}
    assert set(stored) == flagged, "every aggregate claim is checked"
    known = {r[0] for r in con.execute("select incident_id from incidents").fetchall()}
    for r in result:
        a = stored[r["claim_id"]]
        assert set(a["incident_ids"]) <= known, "aggregates link to real incidents"
        assert r["check_agrees"], f"{r['claim_id']}: stored {r['status']} / {r['parts_low_sum']}, " \
                                  f"recomputed {r['status_recomputed']} / {r['parts_low_sum_recomputed']}"
        if r["parts"] is not None:
            assert len(r["parts"].split("; ")) == len(a["incident_ids"]) == r["n_incidents"]
        if r["parts_low_sum_recomputed"] is not None and a["value_low"] is not None:
            assert r["headroom"] == a["value_low"] - r["parts_low_sum_recomputed"]
        if r["status"] == "consistent":
            assert a["value_high"] is None or r["parts_low_sum"] <= a["value_high"]
        assert r["evidence"], "the sentence stating the aggregate is shown"
