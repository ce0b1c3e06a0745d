"""Real Dagster runs on a small archive written for the test, into a real DuckDB file."""

import hashlib

import duckdb
import pytest

from pipelines.run import run_archive
from tests.conftest import write_archive

pytestmark = pytest.mark.slow

CONTRACT = {
    "articles": ["article_id", "outlet", "url", "title", "published_at", "partition_date", "text", "content_sha256", "source_file"],
    "rejected_records": ["partition_date", "source_file", "line_no", "reason_code", "detail", "raw_excerpt"],
    "claims": ["claim_id", "article_id", "incident_id", "category", "value_low", "value_high", "qualifier", "raw_phrase",
               "claimant", "claimant_kind", "is_aggregate", "evidence", "char_start", "char_end", "reported_at"],
    "incidents": ["incident_id", "event_date", "date_start", "date_end", "date_precision", "place_name", "admin1", "country",
                  "country_code", "latitude", "longitude", "geo_precision", "attack_type", "perpetrator", "claimed_by",
                  "n_articles", "n_sources", "first_reported_at", "last_reported_at"],
    "incident_casualties": ["incident_id", "category", "low", "best", "high", "high_open", "n_claims", "n_sources",
                            "conflicting", "basis"],
    "incident_summary": ["incident_id", "event_date", "place_name", "killed_low", "killed_best", "killed_high",
                         "wounded_low", "wounded_best", "wounded_high"],
    "claim_timeline": ["incident_id", "category", "source", "reported_at", "value_low", "value_high"],
    "aggregate_claims": ["claim_id", "incident_ids", "parts_low_sum", "status"],
}

DAY1 = [
    {"id": "k1", "outlet": "Wire One", "published": "2016-03-01T09:00:00Z",
     "title": "Suicide bomber kills 30 at Kabul market",
     "text": "A suicide bomber blew himself up at a crowded market in Kabul on Tuesday, killing at least 30 people, "
             "police said. Another 45 people were wounded, according to the health ministry."},
    {"id": "q1", "outlet": "Wire Two", "published": "2016-03-01T15:00:00Z",
     "title": "Roadside bomb in Quetta",
     "text": "A roadside bomb killed 12 soldiers in Quetta on Tuesday, the army said. The Pakistani Taliban claimed "
             "responsibility for the attack and said 40 soldiers had died."},
    {"id": "bad", "text": 17},
]
DAY2 = [
    {"id": "k2", "outlet": "Wire Three", "published": "2016-03-02T08:00:00Z",
     "title": "Kabul market bombing toll rises to 52",
     "text": "The death toll from Tuesday's suicide bombing at a market in Kabul rose to 52, health ministry officials "
             "said on Wednesday. A similar attack in the city last month killed 20 people."},
    {"id": "agg", "outlet": "Wire One", "published": "2016-03-02T12:00:00Z",
     "title": "Bombings in Kabul and Quetta kill 64",
     "text": "Bombings in Kabul and Quetta killed 64 people on Tuesday, officials said. The attacks were the deadliest in months."},
    {"id": "fr", "outlet": "Le Monde", "published": "2016-03-02T10:00:00Z",
     "text": "Au moins 52 personnes ont été tuées dans un attentat suicide sur un marché de Kaboul mardi, selon les autorités."},
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = write_archive(tmp_path_factory.mktemp("archive"), {"2016-03-01": DAY1, "2016-03-02": DAY2})
    with (root / "2016-03-02" / "articles.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"text": "truncated json\n')
    (root / "not-a-day").mkdir()
    return root


@pytest.fixture(scope="module")
def warehouse(archive, tmp_path_factory):
    path = tmp_path_factory.mktemp("wh") / "incidents.duckdb"
    result = run_archive(archive, path)
    assert result.success
    return path


def query(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_contract_relations_have_their_columns_and_comments(warehouse):
    for relation, columns in CONTRACT.items():
        found = {r[0] for r in query(warehouse, f"select column_name from duckdb_columns() where schema_name = 'main' and table_name = '{relation}'")}
        assert set(columns) <= found, (relation, set(columns) - found)
    undocumented = query(warehouse, """
        select table_name, column_name from duckdb_columns()
        where database_name = current_database() and schema_name = 'main' and not internal
          and (comment is null or comment = '')
    """)
    assert undocumented == []
    tables = query(warehouse, "select table_name from duckdb_tables() where database_name = current_database() and schema_name='main' and (comment is null or comment='')")
    views = query(warehouse, "select view_name from duckdb_views() where database_name = current_database() and schema_name='main' and not internal and (comment is null or comment='')")
    assert tables == [] and views == []


def test_every_line_is_accounted_for(warehouse):
    (read, loaded, dups, rejected), = query(warehouse, "select sum(n_records_read), sum(n_loaded), sum(n_duplicates), sum(n_rejected) from partition_manifest")
    assert (read, loaded, rejected) == (7, 5, 2)
    assert read == loaded + dups + rejected
    reasons = sorted(r[0] for r in query(warehouse, "select reason_code from rejected_records"))
    assert reasons == ["invalid_partition_folder", "malformed_json", "wrong_type"]


def test_revised_toll_and_disagreeing_sources_are_reconciled(warehouse):
    rows = query(warehouse, """
        select place_name, killed_low, killed_best, killed_high, wounded_best, n_articles
        from incident_summary where not is_historical order by place_name
    """)
    kabul = next(r for r in rows if r[0] == "Kabul")
    assert kabul[1:4] == (30, 52, 52)
    assert kabul[4] == 45
    assert kabul[5] == 3  # the two Kabul reports and the round-up that names Kabul and Quetta
    quetta = next(r for r in rows if r[0] == "Quetta")
    assert quetta[1:4] == (12, 12, 40)  # the Taliban's 40 is the high, never the best


def test_older_attack_and_aggregate_are_kept_apart(warehouse):
    historical = query(warehouse, "select place_name, date_precision, killed_best from incident_summary where is_historical")
    assert historical == [("Kabul", "month", 20)]
    aggregates = query(warehouse, "select value_low, n_incidents, status from aggregate_claims")
    assert aggregates == [(64, 2, "consistent")] * 2  # the headline and the body sentence


def test_non_english_article_is_loaded_but_not_extracted(warehouse):
    assert query(warehouse, "select language from articles where source_id = 'fr'") == [("fr",)]
    assert query(warehouse, "select count(*) from claims c join articles a using (article_id) where a.language <> 'en'") == [(0,)]


def _fingerprint(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        digest = {}
        for (table,) in con.execute("select table_name from duckdb_tables() where schema_name = 'main' order by 1").fetchall():
            rows = con.execute(f"select * from {table} order by all").fetchall()
            digest[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return digest
    finally:
        con.close()


def test_running_the_same_partitions_again_changes_nothing(archive, warehouse):
    before = _fingerprint(warehouse)
    assert run_archive(archive, warehouse).success
    assert _fingerprint(warehouse) == before


def test_dagster_metadata_tells_the_story(archive, tmp_path):
    """Row counts, column schemas with their comments, and a markdown preview in the UI."""
    result = run_archive(archive, tmp_path / "w.duckdb")
    load = next(m for m in result.get_asset_materialization_events() if m.asset_key.to_user_string() == "warehouse_tables")
    metadata = load.materialization.metadata
    assert metadata["dagster/row_count"].value == metadata["rows_incidents"].value > 0
    columns = {c.name: c.description for c in metadata["dagster/column_schema"].value.columns}
    assert columns["killed_best"] and "killed" in columns["killed_best"].lower()
    assert "| date | place |" in metadata["newest_incidents"].value
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["records_accounted_for"] and checks["ranges_are_ordered"] and checks["aggregates_never_feed_ranges"]


def test_a_broken_promise_fails_its_step_and_nothing_downstream_runs(archive, tmp_path):
    """The checks run inside their assets' steps: a failing blocking check fails the step
    after the materialization is recorded, and the assets downstream are skipped."""
    import duckdb

    path = tmp_path / "w.duckdb"
    assert run_archive(archive, path).success
    with duckdb.connect(str(path)) as con:  # one day now claims a record the warehouse never saw
        con.execute("update partition_manifest set n_records_read = n_records_read + 1 "
                    "where partition_date = (select min(partition_date) from partition_manifest)")
    result = run_archive(archive, path, raise_on_error=False)
    assert not result.success
    assert {e.check_name: e.passed for e in result.get_asset_check_evaluations()} == {"records_accounted_for": False}
    assert {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()} == {"ingested_articles"}
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failed == ["ingested_articles"]


def test_a_repeated_key_in_a_public_table_fails_the_load_step(archive, tmp_path):
    """The DDL declares no PRIMARY KEY (a key index costs every checkpoint): the
    keys_are_unique check is what catches two rows with one key."""
    import duckdb

    path = tmp_path / "w.duckdb"
    first = run_archive(archive, path)
    assert {e.check_name: e.passed for e in first.get_asset_check_evaluations()}["keys_are_unique"]
    with duckdb.connect(str(path)) as con:
        con.execute("insert into incidents select * from incidents order by incident_id limit 1")
    result = run_archive(archive, path, raise_on_error=False)
    assert not result.success
    evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name == "keys_are_unique")
    assert not evaluation.passed
    assert evaluation.metadata["repeated_keys_incidents"].value == 1
    assert evaluation.metadata["repeated_keys_claims"].value == 0
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failed == ["warehouse_tables"]
